// Typed field readers for scenario parsing: each names the entry when the document is wrong.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

namespace bbp::fake_dc::detail {

[[noreturn]] inline void scenario_error(const std::string& where, const std::string& what) {
  throw std::invalid_argument("scenario: " + where + ": " + what);
}

// The member `key` of `object`, or nullptr when it is absent.
inline const nlohmann::json* member(const nlohmann::json& object, const char* key) {
  const auto it = object.find(key);
  return it == object.end() ? nullptr : &*it;
}

inline std::string string_field(const nlohmann::json& object, const char* key,
                                const std::string& where,
                                const std::optional<std::string>& fallback = std::nullopt) {
  const auto* value = member(object, key);
  if (value == nullptr) {
    if (!fallback) {
      scenario_error(where, std::string("needs \"") + key + "\"");
    }
    return *fallback;
  }
  if (!value->is_string()) {
    scenario_error(where, std::string("\"") + key + "\" must be a string");
  }
  return value->get<std::string>();
}

inline bool bool_field(const nlohmann::json& object, const char* key, const std::string& where,
                       bool fallback) {
  const auto* value = member(object, key);
  if (value == nullptr) {
    return fallback;
  }
  if (!value->is_boolean()) {
    scenario_error(where, std::string("\"") + key + "\" must be a boolean");
  }
  return value->get<bool>();
}

inline std::int64_t int_field(const nlohmann::json& object, const char* key,
                              const std::string& where, std::int64_t fallback,
                              std::int64_t minimum = 0) {
  const auto* value = member(object, key);
  if (value == nullptr) {
    return fallback;
  }
  if (!value->is_number_integer() || value->get<std::int64_t>() < minimum) {
    scenario_error(where,
                   std::string("\"") + key + "\" must be an integer >= " + std::to_string(minimum));
  }
  return value->get<std::int64_t>();
}

// An array member (an empty one when absent).
inline const nlohmann::json& array_field(const nlohmann::json& object, const char* key,
                                         const std::string& where) {
  static const nlohmann::json kEmpty = nlohmann::json::array();
  const auto* value = member(object, key);
  if (value == nullptr) {
    return kEmpty;
  }
  if (!value->is_array()) {
    scenario_error(where, std::string("\"") + key + "\" must be an array");
  }
  return *value;
}

}  // namespace bbp::fake_dc::detail
