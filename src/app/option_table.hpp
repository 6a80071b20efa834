// The option table: one row per option of `scan`, `diff` and `auth check`, written once. The
// command line (CLI11), the config file's keys, `config example`, the value checks, the shell
// completion and the docs' option tables are all read off these rows (docs/architecture.md,
// "How to add an option").
//
// Values are taken as text on both sides and checked by the row: a flag and its config key
// accept and refuse exactly the same values, with the same words. Range and choice checks live
// in the row alone; validate() (options.hpp) only checks what involves several options or the
// outside world (URLs, files, rule names, combinations).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <CLI/CLI.hpp>
#include <tl/expected.hpp>

#include "options.hpp"

namespace bbp::app {

constexpr unsigned operator|(Command a, Command b) {
  return static_cast<unsigned>(a) | static_cast<unsigned>(b);
}
constexpr unsigned bit(Command c) {
  return static_cast<unsigned>(c);
}

enum class OptionKind {
  text,      // free text; "" means unset where may_be_empty
  path,      // a file name; never empty on the command line
  choice,    // one of values(), any case; stored as written in the table
  list,      // repeatable; each value may be a comma-separated list
  number,    // a whole number in [min, max] (or 0, where zero_allowed)
  duration,  // "90m", "6h", "1h30m", "0"
  flag,      // no value on the command line; true or false in the config file
  count,     // -v, -vv on the command line; a number in the config file
};

// Where an option's value lives in ScanOptions.
using TextField = std::string& (*)(ScanOptions&);
using ListField = std::vector<std::string>& (*)(ScanOptions&);
using IntField = int& (*)(ScanOptions&);
using RateField = std::uint32_t& (*)(ScanOptions&);
using FlagField = bool& (*)(ScanOptions&);
using ThresholdField = int core::Settings::*;
using Field = std::variant<TextField, ListField, IntField, RateField, FlagField, ThresholdField>;

using Words = std::vector<std::string>;

struct OptionRow {
  std::string_view names{};  // CLI11's spelling: "-f,--format"
  std::string_view key{};    // the config file's key; "" when only the command line has it
  OptionKind kind = OptionKind::text;
  Field field{};
  unsigned commands = 0;         // Command bits
  std::string_view group{};      // the --help section
  std::string_view type_name{};  // "FILE", "SEVERITY"; "" for flags
  std::string help{};            // one line, for --help, `config example` and the docs
  Words (*values)() = nullptr;   // the choices (choice), or words to complete (list)
  std::int64_t min = 0;          // number, count
  std::int64_t max = 0;
  bool zero_allowed = false;  // number: 0 also (it means "automatic")
  bool may_be_empty = false;  // text, path, choice: "" in the config file leaves it unset
};

// Every row, in the order of --help groups, `config example` and the docs.
std::span<const OptionRow> option_table();

// "--format" for the row of -f,--format.
std::string long_name(const OptionRow& row);
bool takes(const OptionRow& row, Command command);

// The row's help with its choices, if it has any: "Colour the table (auto, always, never)".
std::string help_text(const OptionRow& row);

// The row with this config key, or this long name ("--format") in `command`; nullptr if none.
const OptionRow* option_by_key(std::string_view key);
const OptionRow* option_by_name(std::string_view long_option, Command command);

// Checks `text` as a value of `row` and stores it. The error is the predicate alone ("must be
// between 1 and 64, not 0"): the command line puts the option in front, the config file its key
// and position.
tl::expected<void, std::string> set_value(const OptionRow& row, const std::string& text,
                                          ScanOptions& options);
// Checks the value `options` holds for `row` as set_value() would have checked its text.
tl::expected<void, std::string> check_value(const OptionRow& row, const ScanOptions& options);
// A list option's values, as given (split and checked later, by validate()).
void set_list(const OptionRow& row, std::vector<std::string> values, ScanOptions& options);

// The value `row` has in `options`, as YAML writes it ("high", "[acme, globex]", "30").
std::string value_text(const OptionRow& row, const ScanOptions& options);
// Copies `row`'s value from `from` to `to`.
void copy_value(const OptionRow& row, const ScanOptions& from, ScanOptions& to);

// Declares `command`'s rows on `app`. After parsing, their values are checked and stored in
// `options` and the long names given recorded in options.given; a refused value ends the parse
// with the project's own message ("--width must be between 60 and 500, not 10").
void add_options(CLI::App& app, Command command, ScanOptions& options);

}  // namespace bbp::app
