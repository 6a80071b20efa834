#include "pagination.hpp"

#include <algorithm>
#include <charconv>
#include <vector>

namespace bbp::fake::detail {
namespace {

// Strict positive integer parse; "" and junk are rejected.
std::optional<std::size_t> parse_count(const std::string& text) {
  std::size_t value = 0;
  const auto* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc{} || ptr != end || text.empty()) {
    return std::nullopt;
  }
  return value;
}

}  // namespace

std::optional<Reply> parse_page_request(const QueryPairs& query, PageRequest& out) {
  out = PageRequest{};
  if (has_query_key(query, "pagelen")) {
    const auto pagelen = parse_count(query_value(query, "pagelen"));
    if (!pagelen || *pagelen == 0 || *pagelen > kMaxPagelen) {
      return Reply::json(400, error_body("Invalid pagelen"));
    }
    out.pagelen = *pagelen;
  }
  if (has_query_key(query, "page")) {
    const auto page = parse_count(query_value(query, "page"));
    if (!page || *page == 0) {
      return Reply::json(400, error_body("Invalid page"));
    }
    out.page = *page;
  }
  return std::nullopt;
}

std::string page_url(std::string_view url_base, std::string_view raw_path,
                     std::string_view raw_query, std::size_t page) {
  std::vector<std::string> parts;
  bool replaced = false;
  for (const auto& item : split(raw_query, '&')) {
    if (item.empty()) {
      continue;
    }
    const auto name = url_decode(std::string_view(item).substr(0, item.find('=')), true);
    if (name != "page") {
      parts.push_back(item);
    } else if (!replaced) {  // the first `page` is replaced in place, duplicates are dropped
      parts.push_back("page=" + std::to_string(page));
      replaced = true;
    }
  }
  if (!replaced) {
    parts.push_back("page=" + std::to_string(page));
  }
  std::string url = std::string(url_base) + std::string(raw_path) + "?";
  for (std::size_t i = 0; i < parts.size(); ++i) {
    url += (i == 0 ? "" : "&") + parts[i];
  }
  return url;
}

nlohmann::json make_page(const Collection& items, const PageRequest& request,
                         std::string_view url_base, std::string_view raw_path,
                         std::string_view raw_query) {
  nlohmann::json values = nlohmann::json::array();
  // Saturating arithmetic: a huge `page` must not overflow into a valid range.
  const std::size_t first = request.page - 1 > items.count / request.pagelen
                                ? items.count
                                : (request.page - 1) * request.pagelen;
  const std::size_t last = std::min(items.count, first + request.pagelen);
  for (std::size_t i = first; i < last; ++i) {
    values.push_back(items.render(i));
  }
  nlohmann::json page = {{"pagelen", request.pagelen},
                         {"page", request.page},
                         {"size", items.count},
                         {"values", std::move(values)}};
  if (last < items.count) {
    page["next"] = page_url(url_base, raw_path, raw_query, request.page + 1);
  }
  if (request.page > 1 && first < items.count) {
    page["previous"] = page_url(url_base, raw_path, raw_query, request.page - 1);
  }
  return page;
}

}  // namespace bbp::fake::detail
