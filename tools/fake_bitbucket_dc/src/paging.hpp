// Data Center's offset paging: `start` (from 0) and `limit` (default 25, capped at 1000).
#pragma once

#include <cstddef>
#include <functional>
#include <optional>

#include <nlohmann/json.hpp>

#include "reply.hpp"
#include "util.hpp"

namespace bbp::fake_dc::detail {

inline constexpr std::size_t kDefaultLimit = 25;
inline constexpr std::size_t kMaxLimit = 1000;

struct PageRequest {
  std::size_t start = 0;
  std::size_t limit = kDefaultLimit;
};

// Reads `start` and `limit`; a 400 reply when either is not a number, `start` is negative or
// `limit` is not positive. A limit above 1000 is lowered to 1000.
std::optional<Reply> parse_page_request(const QueryPairs& query, PageRequest& out);

// A lazily rendered list: `render(i)` builds element i of `count`, so a page costs its size.
struct Listing {
  std::size_t count = 0;
  std::function<nlohmann::json(std::size_t)> render;
};

// {size, limit, start, isLastPage, values[, nextPageStart]}.
nlohmann::json make_page(const Listing& listing, const PageRequest& request);

}  // namespace bbp::fake_dc::detail
