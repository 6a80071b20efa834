// Small string and HTTP helpers shared by the fake server's units.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace bbp::fake::detail {

using QueryPairs = std::vector<std::pair<std::string, std::string>>;

// Anchored match where '*' matches any run of characters (including '/'); the rest is literal.
bool glob_match(std::string_view pattern, std::string_view text);

// Percent-encodes everything except RFC 3986 unreserved characters.
std::string url_encode(std::string_view text);
// Decodes %XX escapes; with plus_as_space, '+' becomes ' ' (form encoding).
std::string url_decode(std::string_view text, bool plus_as_space);
// Splits "a=1&b=2" into decoded pairs, keeping their order.
QueryPairs parse_query(std::string_view raw);
// First value of `key`, or "" when absent.
std::string query_value(const QueryPairs& pairs, std::string_view key);
bool has_query_key(const QueryPairs& pairs, std::string_view key);

std::string base64_decode(std::string_view text);
bool iequals(std::string_view a, std::string_view b);
std::vector<std::string> split(std::string_view text, char separator);

// A UUID in braces derived from `seed`, stable across runs.
std::string stable_uuid(std::string_view seed);
// A random hex string of `length` characters (not cryptographic; it is a fake).
std::string random_token(std::size_t length);

// {"type":"error","error":{"message":...}}
nlohmann::json error_body(std::string_view message);

}  // namespace bbp::fake::detail
