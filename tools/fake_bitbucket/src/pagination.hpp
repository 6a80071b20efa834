// Bitbucket's page-based pagination: `page` (from 1) and `pagelen` (default 10, maximum 100).
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "reply.hpp"
#include "util.hpp"

namespace bbp::fake::detail {

inline constexpr std::size_t kDefaultPagelen = 10;
inline constexpr std::size_t kMaxPagelen = 100;

struct PageRequest {
  std::size_t page = 1;
  std::size_t pagelen = kDefaultPagelen;
};

// Reads `page` and `pagelen`; returns a 400 reply when either is invalid.
std::optional<Reply> parse_page_request(const QueryPairs& query, PageRequest& out);

// The absolute URL of page `page`: `url_base + raw_path + "?" + raw_query`, with the `page`
// parameter replaced (or appended) and every other parameter kept exactly as sent.
std::string page_url(std::string_view url_base, std::string_view raw_path,
                     std::string_view raw_query, std::size_t page);

// A lazily rendered collection: `render(i)` builds element i of `count`.
// `non_default_fields` are dotted paths inside an element that Bitbucket only sends when
// `fields=` names them (e.g. "user.has_2fa_enabled"); the router applies them.
struct Collection {
  std::size_t count = 0;
  std::function<nlohmann::json(std::size_t)> render;
  std::vector<std::string> non_default_fields;
};

// {"pagelen","page","size","values"[,"next"][,"previous"]} for the requested page.
nlohmann::json make_page(const Collection& items, const PageRequest& request,
                         std::string_view url_base, std::string_view raw_path,
                         std::string_view raw_query);

}  // namespace bbp::fake::detail
