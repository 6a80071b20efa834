#pragma once
// The one enum <-> name helper. Each enum that has names on the wire or on the command line keeps
// a single table of {value, name} rows; both directions read that table, so a value added to the
// enum and its table cannot be spelt differently on the way out and on the way back in.

#include <array>
#include <cstddef>
#include <optional>
#include <string_view>

#include "bbp/text/text.hpp"

namespace bbp::text {

template <typename Enum>
struct Named {
  Enum value;
  std::string_view name;
};

enum class Case { exact, insensitive };

// The name of a value; `fallback` only for a value missing from the table (a programming error
// the unit tests of each table rule out).
template <typename Enum, std::size_t N>
constexpr std::string_view name_of(const std::array<Named<Enum>, N>& table, Enum value,
                                   std::string_view fallback = "unknown") {
  for (const auto& row : table) {
    if (row.value == value) {
      return row.name;
    }
  }
  return fallback;
}

template <typename Enum, std::size_t N>
constexpr std::optional<Enum> value_of(const std::array<Named<Enum>, N>& table,
                                       std::string_view name, Case match = Case::exact) {
  for (const auto& row : table) {
    if (match == Case::exact ? row.name == name : iequals(row.name, name)) {
      return row.value;
    }
  }
  return std::nullopt;
}

}  // namespace bbp::text
