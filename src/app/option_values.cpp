// The values of the option table's rows: the one check of a value, for the command line and
// the config file alike; its text as YAML; and the declaration of the rows on a CLI11 command.
#include <algorithm>
#include <cctype>
#include <memory>

#include <yaml-cpp/yaml.h>

#include "bbp/text/text.hpp"
#include "commands.hpp"
#include "option_table.hpp"

namespace bbp::app {
namespace {

using Checked = tl::expected<void, std::string>;

Checked refused(std::string what) {
  return tl::unexpected(std::move(what));
}

std::string quoted(const std::string& value) {
  return "'" + value + "'";
}

// "must be one of auto, always, never, not 'alway' (did you mean 'always'?)", or the choice
// as the table spells it.
tl::expected<std::string, std::string> choice(const OptionRow& row, const std::string& value) {
  const Words choices = row.values();
  const auto match = std::find_if(choices.begin(), choices.end(),
                                  [&](const std::string& c) { return text::iequals(c, value); });
  if (match != choices.end()) {
    return *match;
  }
  std::string what = "must be one of " + text::join(choices) + ", not " + quoted(value);
  if (const auto suggestion = nearest(text::ascii_lower(value), choices)) {
    what += " (did you mean " + quoted(*suggestion) + "?)";
  }
  return tl::unexpected(std::move(what));
}

// A whole number within the row's range.
tl::expected<std::int64_t, std::string> number(const OptionRow& row, const std::string& value) {
  const bool negative = value.size() > 1 && value[0] == '-';
  const std::string_view digits = std::string_view(value).substr(negative ? 1 : 0);
  const bool whole = !digits.empty() && digits.size() <= 12 &&
                     std::all_of(digits.begin(), digits.end(), [](char c) {
                       return std::isdigit(static_cast<unsigned char>(c));
                     });
  if (!whole) {
    return tl::unexpected("must be a whole number, not " + quoted(value));
  }
  const std::int64_t n = (negative ? -1 : 1) * std::stoll(std::string(digits));
  if ((n >= row.min && n <= row.max) || (n == 0 && row.zero_allowed)) {
    return n;
  }
  return tl::unexpected(std::string("must be ") + (row.zero_allowed ? "0 or " : "") + "between " +
                        std::to_string(row.min) + " and " + std::to_string(row.max) + ", not " +
                        value);
}

tl::expected<bool, std::string> boolean(const std::string& value) {
  for (const auto* yes : {"true", "yes", "on"}) {
    if (text::iequals(value, yes)) {
      return true;
    }
  }
  for (const auto* no : {"false", "no", "off"}) {
    if (text::iequals(value, no)) {
      return false;
    }
  }
  return tl::unexpected("must be true or false, not " + quoted(value));
}

// The text `value` stands for in a text, path, choice or duration row.
tl::expected<std::string, std::string> text_value(const OptionRow& row, const std::string& value) {
  if (value.empty()) {
    if (row.may_be_empty) {
      return value;
    }
    return tl::unexpected(std::string(row.kind == OptionKind::path
                                          ? "was given an empty value: name a file, or leave it out"
                                          : "must not be empty"));
  }
  if (row.kind == OptionKind::choice) {
    return choice(row, value);
  }
  if (row.kind == OptionKind::duration) {
    if (auto parsed = parse_duration(value); !parsed) {
      return tl::unexpected("must be a duration such as 0, 45s, 90m, 6h or 1h30m, not " +
                            quoted(value));
    }
  }
  return value;
}

// A text as YAML reads it back: plain when that is unambiguous ("high", "acme/api-*",
// "https://…", "12h"), else double-quoted ("", "30", "true", "*", "a, b").
std::string yaml_text(const std::string& value, bool in_list) {
  const YAML::Node node(value);
  double as_number = 0;
  bool as_boolean = false;
  bool plain = !value.empty() && !YAML::convert<double>::decode(node, as_number) &&
               !YAML::convert<bool>::decode(node, as_boolean) && value != "~" &&
               !text::iequals(value, "null") &&
               (std::isalnum(static_cast<unsigned char>(value[0])) != 0 || value[0] == '_' ||
                value[0] == '.' || value[0] == '/');
  for (const char c : value) {
    const bool safe = std::isalnum(static_cast<unsigned char>(c)) != 0 ||
                      std::string_view("_./-*@+").find(c) != std::string_view::npos ||
                      (c == ':' && !in_list);
    plain = plain && safe;
  }
  if (plain) {
    return value;
  }
  std::string out = "\"";
  for (const char c : value) {
    if (c == '"' || c == '\\') {
      out += '\\';
    }
    out += c;
  }
  return out + "\"";
}

template <typename... F>
struct Overloaded : F... {
  using F::operator()...;
};
template <typename... F>
Overloaded(F...) -> Overloaded<F...>;

}  // namespace

tl::expected<void, std::string> set_value(const OptionRow& row, const std::string& value,
                                          ScanOptions& options) {
  switch (row.kind) {
    case OptionKind::flag: {
      auto parsed = boolean(value);
      if (!parsed) {
        return refused(parsed.error());
      }
      std::get<FlagField>(row.field)(options) = *parsed;
      return {};
    }
    case OptionKind::number:
    case OptionKind::count: {
      auto parsed = number(row, value);
      if (!parsed) {
        return refused(parsed.error());
      }
      std::visit(
          Overloaded{[&](IntField f) { f(options) = static_cast<int>(*parsed); },
                     [&](RateField f) { f(options) = static_cast<std::uint32_t>(*parsed); },
                     [&](ThresholdField f) { options.settings.*f = static_cast<int>(*parsed); },
                     [](auto) {}},
          row.field);
      return {};
    }
    case OptionKind::text:
    case OptionKind::path:
    case OptionKind::choice:
    case OptionKind::duration: {
      auto parsed = text_value(row, value);
      if (!parsed) {
        return refused(parsed.error());
      }
      std::get<TextField>(row.field)(options) = std::move(*parsed);
      return {};
    }
    case OptionKind::list:
      set_list(row, {value}, options);
      return {};
  }
  return {};
}

std::string help_text(const OptionRow& row) {
  // A choice's help lists the values, from the same table that checks them.
  return row.kind == OptionKind::choice ? row.help + " (" + text::join(row.values()) + ")"
                                        : row.help;
}

tl::expected<void, std::string> check_value(const OptionRow& row, const ScanOptions& options) {
  ScanOptions copy = options;  // the fields are reached through non-const accessors
  switch (row.kind) {
    case OptionKind::number: {
      const std::string value = value_text(row, copy);
      if (auto parsed = number(row, value); !parsed) {
        return refused(parsed.error());
      }
      return {};
    }
    case OptionKind::text:
    case OptionKind::path:
    case OptionKind::choice:
    case OptionKind::duration: {
      OptionRow lenient = row;
      lenient.may_be_empty = lenient.may_be_empty || row.kind == OptionKind::path;
      if (auto parsed = text_value(lenient, std::get<TextField>(row.field)(copy)); !parsed) {
        return refused(parsed.error());
      }
      return {};
    }
    case OptionKind::list:
    case OptionKind::flag:
    case OptionKind::count:
      return {};  // lists are checked by validate(); flags and counts take any value
  }
  return {};
}

void set_list(const OptionRow& row, std::vector<std::string> values, ScanOptions& options) {
  std::get<ListField>(row.field)(options) = std::move(values);
}

std::string value_text(const OptionRow& row, const ScanOptions& options) {
  ScanOptions copy = options;  // the fields are reached through non-const accessors
  return std::visit(Overloaded{[&](ListField f) {
                                 std::vector<std::string> items;
                                 for (const auto& item : f(copy)) {
                                   items.push_back(yaml_text(item, true));
                                 }
                                 return "[" + text::join(items) + "]";
                               },
                               [&](TextField f) { return yaml_text(f(copy), false); },
                               [&](FlagField f) { return std::string(f(copy) ? "true" : "false"); },
                               [&](IntField f) { return std::to_string(f(copy)); },
                               [&](RateField f) { return std::to_string(f(copy)); },
                               [&](ThresholdField f) { return std::to_string(copy.settings.*f); }},
                    row.field);
}

void copy_value(const OptionRow& row, const ScanOptions& from, ScanOptions& to) {
  ScanOptions source = from;
  std::visit(Overloaded{[&](ThresholdField f) { to.settings.*f = source.settings.*f; },
                        [&](auto f) { f(to) = f(source); }},
             row.field);
}

namespace {

// What the command line gave for one row: its text (the last one, for a single value) or
// texts (a list), and CLI11's option, which knows whether it was given.
struct Given {
  const OptionRow* row = nullptr;
  std::string value{};
  std::vector<std::string> values{};
  CLI::Option* option = nullptr;
};

CLI::Option* declare(CLI::App& app, Given& given, ScanOptions& options) {
  const OptionRow& row = *given.row;
  const std::string names(row.names);
  const std::string help = help_text(row);
  CLI::Option* option = nullptr;
  if (row.kind == OptionKind::flag) {
    option = app.add_flag(names, std::get<FlagField>(row.field)(options), help);
  } else if (row.kind == OptionKind::count) {
    option = app.add_flag(names, std::get<IntField>(row.field)(options), help);
  } else if (row.kind == OptionKind::list) {
    option = app.add_option(names, given.values, help);
  } else {
    // The last of a repeated option wins, as in git: a wrapper's default can be overridden.
    option = app.add_option(names, given.value, help)
                 ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
    if (const auto shown = value_text(row, ScanOptions{}); shown != "\"\"") {
      option->default_str(shown);
    }
  }
  option->group(std::string(row.group));
  if (!row.type_name.empty()) {
    option->type_name(std::string(row.type_name));
  }
  return option;
}

// After parsing: every given value checked by its row and stored, and the long names given.
void store_given(const std::vector<Given>& given, ScanOptions& options) {
  options.given.clear();
  for (const auto& g : given) {
    if (g.option->count() == 0) {
      continue;
    }
    options.given.push_back(long_name(*g.row));
    if (g.row->kind == OptionKind::list) {
      set_list(*g.row, g.values, options);
      continue;
    }
    if (g.row->kind == OptionKind::flag || g.row->kind == OptionKind::count) {
      continue;  // CLI11 set them
    }
    OptionRow row = *g.row;
    row.may_be_empty = row.may_be_empty && row.kind != OptionKind::path;  // -o '' is a mistake
    if (auto stored = set_value(row, g.value, options); !stored) {
      throw CLI::ValidationError(long_name(row) + " " + stored.error());
    }
  }
}

}  // namespace

void add_options(CLI::App& app, Command command, ScanOptions& options) {
  auto given = std::make_shared<std::vector<Given>>();
  given->reserve(option_table().size());  // declare() binds to the elements: no reallocation
  for (const auto& row : option_table()) {
    if (takes(row, command)) {
      given->push_back({.row = &row});
      given->back().option = declare(app, given->back(), options);
    }
  }
  app.parse_complete_callback([given, &options] { store_given(*given, options); });
}

}  // namespace bbp::app
