#include <iostream>

#include "bbp/report/rules_doc.hpp"
#include "commands.hpp"
#include "runtime.hpp"

namespace bbp::app {

void setup_rules(CLI::App& app, RulesOptions& options) {
  app.add_option("-f,--format", options.format, "Output format")
      ->check(CLI::IsMember({"table", "json", "markdown"}))
      ->capture_default_str();
}

int run_rules(const RulesOptions& options) {
  const auto format = report::rules_format_from_string(options.format);
  if (!format) {
    std::cerr << "bbposture: --format must be table, json or markdown\n";
    return kExitUsage;
  }
  std::cout << report::render_rules(*format);
  return kExitClean;
}

}  // namespace bbp::app
