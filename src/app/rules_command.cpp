#include <iostream>

#include "bbp/report/rules_doc.hpp"
#include "bbp/text/text.hpp"
#include "commands.hpp"
#include "runtime.hpp"

namespace bbp::app {

void setup_rules(CLI::App& app, RulesOptions& options) {
  app.add_option("-f,--format", options.format, "Output format")
      ->type_name("FORMAT:{table,json,markdown}")
      ->capture_default_str();
  app.add_option("--platform", options.platform,
                 "datacenter: only the rules evaluated on Bitbucket Data Center, with what each "
                 "reads there")
      ->type_name("PLATFORM:{cloud,datacenter}")
      ->capture_default_str();
}

int run_rules(const RulesOptions& options) {
  const auto format = report::rules_format_from_string(text::ascii_lower(options.format));
  if (!format) {
    const std::vector<std::string> formats{"table", "json", "markdown"};
    std::cerr << "bbposture: --format must be one of table, json, markdown, not '" << options.format
              << "'";
    if (const auto suggestion = nearest(text::ascii_lower(options.format), formats)) {
      std::cerr << " (did you mean '" << *suggestion << "'?)";
    }
    std::cerr << '\n';
    return kExitUsage;
  }
  const auto platform = core::platform_from_string(text::ascii_lower(options.platform));
  if (!platform) {
    std::cerr << "bbposture: --platform must be one of cloud, datacenter, not '" << options.platform
              << "'\n";
    return kExitUsage;
  }
  std::cout << report::render_rules(*format, *platform);
  return kExitClean;
}

}  // namespace bbp::app
