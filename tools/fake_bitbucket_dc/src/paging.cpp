#include "paging.hpp"

#include <algorithm>
#include <charconv>
#include <string>

namespace bbp::fake_dc::detail {
namespace {

std::optional<long long> integer(const std::string& text) {
  long long value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size()) {
    return std::nullopt;
  }
  return value;
}

Reply bad_paging(const std::string& message) {
  return Reply::json(
      400, dc_error(message, "com.atlassian.bitbucket.validation.ArgumentValidationException"));
}

}  // namespace

std::optional<Reply> parse_page_request(const QueryPairs& query, PageRequest& out) {
  if (const auto start = query_value(query, "start")) {
    const auto value = integer(*start);
    if (!value || *value < 0) {
      return bad_paging("start must be a non-negative integer");
    }
    out.start = static_cast<std::size_t>(*value);
  }
  if (const auto limit = query_value(query, "limit")) {
    const auto value = integer(*limit);
    if (!value || *value <= 0) {
      return bad_paging("limit must be a positive integer");
    }
    out.limit = std::min(static_cast<std::size_t>(*value), kMaxLimit);
  }
  return std::nullopt;
}

nlohmann::json make_page(const Listing& listing, const PageRequest& request) {
  const std::size_t begin = std::min(request.start, listing.count);
  const std::size_t end = std::min(listing.count, begin + request.limit);
  nlohmann::json values = nlohmann::json::array();
  for (std::size_t i = begin; i < end; ++i) {
    values.push_back(listing.render(i));
  }
  const bool last = end >= listing.count;
  nlohmann::json page = {{"size", end - begin},
                         {"limit", request.limit},
                         {"start", request.start},
                         {"isLastPage", last},
                         {"values", std::move(values)}};
  if (!last) {
    page["nextPageStart"] = end;
  }
  return page;
}

}  // namespace bbp::fake_dc::detail
