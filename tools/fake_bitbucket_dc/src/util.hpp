// Small string, time and HTTP helpers shared by the fake Data Center server's units.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace bbp::fake_dc::detail {

using QueryPairs = std::vector<std::pair<std::string, std::string>>;

// Anchored match where '*' matches any run of characters (including '/'); the rest is literal.
bool glob_match(std::string_view pattern, std::string_view text);

// Decodes %XX escapes; with plus_as_space, '+' becomes ' ' (form encoding).
std::string url_decode(std::string_view text, bool plus_as_space);
// Splits "a=1&b=2" into decoded pairs, keeping their order.
QueryPairs parse_query(std::string_view raw);
// First value of `key`, or nullopt when absent.
std::optional<std::string> query_value(const QueryPairs& pairs, std::string_view key);

std::string base64_decode(std::string_view text);
bool iequals(std::string_view a, std::string_view b);
// Whether `needle` occurs in `haystack`, ignoring ASCII case.
bool icontains(std::string_view haystack, std::string_view needle);
std::string to_lower(std::string_view text);
std::vector<std::string> split(std::string_view text, char separator);

// Epoch milliseconds of an RFC 3339 date-time ("2024-01-05T10:00:00Z", fraction and offset
// optional); nullopt when `text` is not one.
std::optional<std::int64_t> rfc3339_to_millis(std::string_view text);

// Data Center's error envelope: {"errors": [{"context": null, "message": …, "exceptionName": …}]}
// (exceptionName null when `exception` is empty).
nlohmann::json dc_error(std::string_view message, std::string_view exception = {});

}  // namespace bbp::fake_dc::detail
