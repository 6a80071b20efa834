// `bbposture diff OLD.json NEW.json`: the comparison --baseline makes, between two saved
// reports and without scanning: NEW's findings marked new or unchanged, OLD's gone ones fixed.
#include <iostream>

#include "bbp/report/report_reader.hpp"
#include "commands.hpp"
#include "option_table.hpp"
#include "runtime.hpp"

namespace bbp::app {

void setup_diff(CLI::App& app, DiffOptions& o) {
  app.add_option("OLD", o.old_report, "The earlier JSON report")->required()->type_name("OLD.json");
  app.add_option("NEW", o.new_report, "The later JSON report")->required()->type_name("NEW.json");
  add_options(app, Command::diff, o.output);
}

namespace {

// Both reports, OLD first; the exit code 2 when one is refused (said on stderr).
tl::expected<std::pair<report::ScanReport, report::ScanReport>, int> read_both(
    const DiffOptions& options) {
  auto old_report = report::read_report_file(options.old_report);
  auto new_report = report::read_report_file(options.new_report);
  for (const auto* read : {&old_report, &new_report}) {
    if (!*read) {
      std::cerr << "bbposture: diff: " << read->error() << '\n';
      return tl::unexpected(kExitUsage);
    }
  }
  return std::make_pair(std::move(*old_report), std::move(*new_report));
}

}  // namespace

int run_diff(const DiffOptions& options) {
  auto config = validate(options.output, Command::diff);
  if (!config) {
    std::cerr << "bbposture: " << config.error() << '\n';
    return kExitUsage;
  }
  if (auto writable = check_outputs(config->outputs(), {}, {"-o"}); !writable) {
    std::cerr << "bbposture: " << writable.error() << '\n';
    return kExitUsage;
  }
  auto reports = read_both(options);
  if (!reports) {
    return reports.error();
  }
  const auto& old_report = reports->first;
  auto& current = reports->second;  // a reference, not a binding: the lambda below captures it
  // A finding of OLD missing from NEW is fixed only when NEW's selection looked for it again;
  // otherwise it is listed as not re-checked.
  for (const auto& warning :
       report::compare_with_baseline(current, old_report, options.old_report)) {
    std::cerr << "bbposture: diff: warning: " << warning << '\n';
  }
  const auto reporter = report::make_reporter(config->format, reporter_options(*config));
  if (auto written =
          write_output(config->output, [&](std::ostream& out) { reporter->write(current, out); });
      !written) {
    std::cerr << "bbposture: the report was not written: " << written.error() << '\n';
    return kExitUsage;
  }
  return findings_exit_code(current, config->fail_on, config->fail_on_unchanged);
}

}  // namespace bbp::app
