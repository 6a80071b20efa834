// `bbposture config example` and `bbposture config check [FILE]`.
#include <array>
#include <iostream>
#include <set>
#include <string>

#include "bbp/text/text.hpp"
#include "commands.hpp"
#include "config_file.hpp"
#include "runtime.hpp"

namespace bbp::app {
namespace {

std::string quoted(const std::string& text) {
  return "\"" + text + "\"";
}

std::string describe(const core::Suppression& s) {
  static constexpr std::array<std::string_view, 4> kSelector{"repository", "project", "key",
                                                             "fingerprint"};
  std::string line = s.source + ": ";
  line += s.rule != nullptr
              ? "rule " + std::string(s.rule->slug) + " (" + std::string(s.rule->id) + "), "
              : std::string("any rule, ");
  line += std::string(kSelector[static_cast<std::size_t>(s.selector)]) + " " + s.value;
  line += "; reason " + quoted(s.reason);
  line += s.expires ? "; expires " + *s.expires + " (applies through that day, UTC)"
                    : std::string("; does not expire");
  return line;
}

std::string describe(const core::BranchRestriction& r) {
  std::string text = r.kind;
  if (r.value) {
    text += " " + std::to_string(*r.value);
  }
  if (r.kind == "push" || r.kind == "restrict_merges") {
    std::vector<std::string> users;
    std::vector<std::string> groups;
    for (const auto& u : r.users) {
      users.push_back(u.name);
    }
    for (const auto& g : r.groups) {
      groups.push_back(g.name);
    }
    text += " (users: " + (users.empty() ? std::string("none") : text::join(users)) +
            "; groups: " + (groups.empty() ? std::string("none") : text::join(groups)) + ")";
  }
  return text;
}

std::string describe(const core::DeclaredRestrictions& d, const ConfigFile& file) {
  std::vector<std::string> selectors;
  if (d.workspace) {
    selectors.push_back("workspace " + *d.workspace);
  }
  if (d.project) {
    selectors.push_back("project " + *d.project);
  }
  if (d.repository_glob) {
    selectors.push_back("repository " + *d.repository_glob);
  }
  std::vector<std::string> kinds;
  for (const auto& r : d.restrictions) {
    kinds.push_back(describe(r));
  }
  std::string line = d.source + ": " + text::join(selectors, " and ") + ", " +
                     (d.branch_glob ? "branches " + *d.branch_glob : "the default branch") + ": " +
                     text::join(kinds);
  if (const auto reason = file.declaration_reasons.find(d.source);
      reason != file.declaration_reasons.end()) {
    line += "; reason " + quoted(reason->second);
  }
  return line;
}

void print_check(const ConfigFile& file, const ScanOptions& effective, std::ostream& out) {
  out << "# " << file.path << " is valid. Effective settings, each from the file or the default:\n";
  for (const auto& key : config_keys()) {
    const auto line = file.keys.find(key.name);
    out << key.name << ": " << config_value(effective, key.name) << "  # "
        << (line != file.keys.end() ? file.path + ":" + std::to_string(line->second)
                                    : std::string("default"))
        << '\n';
  }
  out << "\n# ignore: " << file.suppressions.size()
      << (file.suppressions.size() == 1 ? " entry\n" : " entries\n");
  for (const auto& s : file.suppressions) {
    out << "#   " << describe(s) << '\n';
  }
  out << "\n# declared_restrictions: " << file.declarations.size()
      << (file.declarations.size() == 1 ? " entry\n" : " entries\n");
  for (const auto& d : file.declarations) {
    out << "#   " << describe(d, file) << '\n';
  }
}

int run_check(const std::string& path) {
  auto file = load_config(path);
  if (!file) {
    std::cerr << "bbposture: " << file.error() << '\n';
    return kExitUsage;
  }
  // The same merge and validation a scan does, with nothing given on the command line.
  ScanOptions none;
  none.config = path;
  std::set<std::string, std::less<>> given;
  const ScanOptions effective = apply_config(*file, none, given);
  if (auto valid = validate(effective, Command::scan); !valid) {
    std::cerr << "bbposture: " << located_error(*file, valid.error()) << '\n';
    return kExitUsage;
  }
  print_check(*file, effective, std::cout);
  return kExitClean;
}

}  // namespace

void setup_config(CLI::App& app, ConfigOptions& options) {
  app.require_subcommand(1);
  app.add_subcommand("example", "Print a complete, commented config file")->callback([&options] {
    options.command = ConfigOptions::Command::example;
  });
  auto* check = app.add_subcommand(
      "check", "Validate a config file and print the settings, suppressions and declarations");
  check->add_option("file", options.file, "The config file (-: standard input)")
      ->type_name("FILE")
      ->capture_default_str();
  check->callback([&options] { options.command = ConfigOptions::Command::check; });
}

int run_config(const ConfigOptions& options) {
  if (options.command == ConfigOptions::Command::example) {
    std::cout << config_example();
    return kExitClean;
  }
  return run_check(options.file);
}

}  // namespace bbp::app
