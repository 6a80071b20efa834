#include "completion.hpp"

#include <algorithm>
#include <array>
#include <iostream>
#include <string_view>

#include "bbp/core/catalogue.hpp"
#include "bbp/core/outcome.hpp"
#include "bbp/report/reporter.hpp"
#include "bbp/text/text.hpp"
#include "runtime.hpp"

namespace bbp::app {
namespace {

using Words = std::vector<std::string>;

Words report_formats() {
  Words words;
  for (const auto name : report::format_names()) {
    words.emplace_back(name);
  }
  return words;
}

Words severities() {
  Words words;
  for (int r = core::rank(core::Severity::critical); r <= core::rank(core::Severity::low); ++r) {
    words.push_back(text::ascii_lower(core::to_string(static_cast<core::Severity>(r))));
  }
  return words;
}

Words fail_on_values() {
  auto words = severities();
  words.emplace_back("none");
  return words;
}

Words colours() {
  return {"auto", "always", "never"};
}

Words auth_formats() {
  return {"table", "json"};
}

Words rule_sets() {
  return {"casb", "extended", "all"};
}

// Every rule by slug and by finding type ID, in catalogue order.
Words rule_names() {
  Words words;
  for (const auto& rule : core::catalogue()) {
    words.emplace_back(rule.slug);
  }
  for (const auto& rule : core::catalogue()) {
    words.emplace_back(rule.id);
  }
  return words;
}

// The values an option takes that its CLI11 definition does not list (they are checked when
// the options are validated). `command` empty: the option of that name in any command.
struct ValueRow {
  std::string_view command;
  std::string_view option;
  Words (*values)();
};

const std::array<ValueRow, 9> kValueRows{{
    {"scan", "--format", report_formats},
    {"diff", "--format", report_formats},
    {"auth check", "--format", auth_formats},
    {"", "--fail-on", fail_on_values},
    {"", "--min-severity", severities},
    {"", "--color", colours},
    {"", "--rule", rule_names},
    {"", "--skip-rule", rule_names},
    {"", "--rule-set", rule_sets},
}};

const ValueRow* value_row(std::string_view command, std::string_view option) {
  const auto* row = std::find_if(kValueRows.begin(), kValueRows.end(), [&](const ValueRow& r) {
    return (r.command.empty() || r.command == command) && r.option == option;
  });
  return row == kValueRows.end() ? nullptr : row;
}

// CLI11's type name with its validators' descriptions: "FILE", "TEXT:{table,json,markdown}".
// The {…} part is the set an IsMember check accepts.
Words choices_in_type_name(const std::string& type_name) {
  const auto open = type_name.find('{');
  const auto close = type_name.find('}', open);
  if (open == std::string::npos || close == std::string::npos) {
    return {};
  }
  Words words;
  std::string_view list(type_name.data() + open + 1, close - open - 1);
  while (!list.empty()) {
    const auto comma = std::min(list.find(','), list.size());
    words.emplace_back(text::trim(list.substr(0, comma)));
    list.remove_prefix(std::min(comma + 1, list.size()));
  }
  return words;
}

std::vector<const CLI::App*> visible_subcommands(const CLI::App& app) {
  return app.get_subcommands([](const CLI::App* sub) { return !sub->get_group().empty(); });
}

// FILE, DIR, or a name with an extension (REPORT.json): the value is a path.
bool names_a_path(const std::string& type_name) {
  const auto base = type_name.substr(0, type_name.find(':'));
  return base == "FILE" || base == "DIR" || base.find('.') != std::string::npos;
}

OptionSpec option_spec(const std::string& command, const CLI::Option& option) {
  OptionSpec spec;
  for (const auto& name : option.get_snames()) {
    spec.names.push_back("-" + name);
  }
  for (const auto& name : option.get_lnames()) {
    spec.names.push_back("--" + name);
  }
  if (option.get_items_expected_max() == 0) {
    return spec;
  }
  const auto* row = spec.names.empty() ? nullptr : value_row(command, spec.names.back());
  const auto type_name = option.get_type_name();
  spec.choices = row != nullptr ? row->values() : choices_in_type_name(type_name);
  if (!spec.choices.empty()) {
    spec.takes = ValueKind::choice;
  } else if (names_a_path(type_name)) {
    spec.takes = ValueKind::file;
  } else {
    spec.takes = ValueKind::word;
  }
  return spec;
}

CommandSpec command_spec(const CLI::App& app, const std::string& path) {
  CommandSpec command;
  command.path = path;
  for (const auto* sub : visible_subcommands(app)) {
    command.subcommands.push_back(sub->get_name());
  }
  for (const auto* option : app.get_options()) {
    if (option->get_group().empty()) {
      continue;
    }
    auto spec = option_spec(path, *option);
    if (spec.names.empty()) {
      command.positional_files = command.positional_files || spec.takes == ValueKind::file;
      command.positional_choices = std::move(spec.choices);
    } else {
      command.options.push_back(std::move(spec));
    }
  }
  return command;
}

// Words written into the script unquoted: anything else (a space, a quote, a $) is left out.
bool shell_safe(std::string_view word) {
  return !word.empty() && std::all_of(word.begin(), word.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           std::string_view("_.,:+/@%=-").find(c) != std::string_view::npos;
  });
}

std::string word_list(const Words& words) {
  Words safe;
  std::copy_if(words.begin(), words.end(), std::back_inserter(safe), shell_safe);
  return text::join(safe, " ");
}

// A case pattern matching "<path>/<word>" for each word: "scan/-f" | "scan/--format".
std::string patterns(const std::string& path, const Words& words) {
  Words quoted;
  for (const auto& word : words) {
    if (shell_safe(word)) {
      std::string pattern = "\"";
      pattern.append(path).append("/").append(word).append("\"");
      quoted.push_back(std::move(pattern));
    }
  }
  return text::join(quoted, " | ");
}

constexpr std::string_view kBashHead =
    R"(# bash completion for bbposture. Generated by `bbposture completion bash` from the command
# line's own definition and the rule catalogue: regenerate it, do not edit it.

_bbposture_files() {
  local IFS=$'\n'
  compopt -o filenames 2>/dev/null
  COMPREPLY=($(compgen -f -- "$1"))
}

_bbposture() {
  [[ -n "${ZSH_VERSION:-}" ]] && setopt localoptions ksharrays
  local cur="${COMP_WORDS[COMP_CWORD]}" prev="" path="" word="" words="" i
  ((COMP_CWORD > 0)) && prev="${COMP_WORDS[COMP_CWORD - 1]}"
  # --option=value: bash makes the = a word of its own
  if [[ "$cur" == "=" ]]; then
    cur=""
  elif [[ "$prev" == "=" ]] && ((COMP_CWORD > 1)); then
    prev="${COMP_WORDS[COMP_CWORD - 2]}"
  fi
  # the subcommand words before the cursor
  for ((i = 1; i < COMP_CWORD; i++)); do
    word="${COMP_WORDS[i]}"
    case "$path/$word" in
)";

constexpr std::string_view kBashMiddle = R"(    esac
  done
  # the value of an option
  case "$path/$prev" in
)";

constexpr std::string_view kBashTail = R"(  esac
  local IFS=$' \t\n'
  COMPREPLY=($(compgen -W "$words" -- "$cur"))
}

complete -F _bbposture bbposture
)";

std::string path_steps(std::span<const CommandSpec> spec) {
  std::string out;
  for (const auto& command : spec) {
    if (!command.subcommands.empty()) {
      out += "      " + patterns(command.path, command.subcommands) +
             ") path=\"${path:+$path }$word\" ;;\n";
    }
  }
  return out;
}

std::string value_cases(const CommandSpec& command) {
  std::string out;
  for (const auto& option : command.options) {
    if (option.takes == ValueKind::none) {
      continue;
    }
    out += "    " + patterns(command.path, option.names) + ")\n";
    switch (option.takes) {
      case ValueKind::file:
        out += "      _bbposture_files \"$cur\"\n      return 0 ;;\n";
        break;
      case ValueKind::choice:
        out += "      words=\"" + word_list(option.choices) + "\" ;;\n";
        break;
      default:
        out += "      COMPREPLY=()\n      return 0 ;;\n";
    }
  }
  return out;
}

Words option_names(const CommandSpec& command) {
  Words names;
  for (const auto& option : command.options) {
    names.insert(names.end(), option.names.begin(), option.names.end());
  }
  return names;
}

// What a word that is not an option's value can be: an option when it starts with -, else a
// subcommand or a positional value (or, when the command takes neither, an option).
std::string word_cases(std::span<const CommandSpec> spec) {
  std::string out = "    *)\n      case \"$path\" in\n";
  for (const auto& command : spec) {
    auto others = command.subcommands;
    others.insert(others.end(), command.positional_choices.begin(),
                  command.positional_choices.end());
    const auto options = word_list(option_names(command));
    const auto words = others.empty() ? options : word_list(others);
    out.append("        \"").append(command.path).append("\")\n");
    out.append(R"(          if [[ "$cur" == -* ]]; then words=")").append(options);
    if (command.positional_files) {
      out.append("\"; else _bbposture_files \"$cur\"; return 0; fi ;;\n");
    } else {
      out.append("\"; else words=\"").append(words).append("\"; fi ;;\n");
    }
  }
  return out + "      esac ;;\n";
}

}  // namespace

std::vector<CommandSpec> completion_spec(const CLI::App& app) {
  std::vector<CommandSpec> spec;
  std::vector<std::pair<const CLI::App*, std::string>> todo{{&app, ""}};
  for (std::size_t i = 0; i < todo.size(); ++i) {
    const auto [command, path] = todo[i];
    spec.push_back(command_spec(*command, path));
    for (const auto* sub : visible_subcommands(*command)) {
      todo.emplace_back(sub, path.empty() ? sub->get_name() : path + " " + sub->get_name());
    }
  }
  return spec;
}

std::string bash_completion_script(std::span<const CommandSpec> spec) {
  std::string out(kBashHead);
  out += path_steps(spec);
  out += kBashMiddle;
  for (const auto& command : spec) {
    out += value_cases(command);
  }
  out += word_cases(spec);
  out += kBashTail;
  return out;
}

std::string zsh_completion_script(std::span<const CommandSpec> spec) {
  // The file is autoloaded as the function _bbposture: the first call defines the bash
  // functions (replacing itself), registers them, and completes the word at hand.
  std::string out =
      "#compdef bbposture\n"
      "# zsh completion for bbposture: the bash completion through bashcompinit.\n"
      "autoload -U +X bashcompinit && bashcompinit\n";
  out += bash_completion_script(spec);
  out += "_bash_complete -F _bbposture\n";
  return out;
}

void setup_completion(CLI::App& app, CompletionOptions& options) {
  app.add_option("shell", options.shell, "The shell to print the completion script for")
      ->required()
      ->check(CLI::IsMember({"bash", "zsh"}));
}

int run_completion(const CLI::App& root, const CompletionOptions& options) {
  const auto spec = completion_spec(root);
  std::cout << (options.shell == "zsh" ? zsh_completion_script(spec)
                                       : bash_completion_script(spec));
  return kExitClean;
}

}  // namespace bbp::app
