// `bbposture history list|trend|show|stats|prune FILE.db`: reading and trimming the scan
// history that `scan --history` appends to (docs/history.md).
#include <algorithm>
#include <iomanip>
#include <iostream>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "bbp/history/history.hpp"
#include "bbp/text/text.hpp"
#include "commands.hpp"
#include "runtime.hpp"

namespace bbp::app {

void setup_history(CLI::App& app, HistoryOptions& o) {
  app.require_subcommand(1);
  const auto file = [&](CLI::App* sub) {
    sub->add_option("FILE", o.file, "The history database")->required()->type_name("FILE.db");
    return sub;
  };
  o.list = file(app.add_subcommand("list", "The scans in the history: time, selection, counts"));
  o.trend = file(app.add_subcommand("trend", "Findings per severity and per rule, scan by scan"));
  o.trend->add_option("-f,--format", o.format, "Output format")
      ->type_name("FORMAT:{table,json,csv}")
      ->capture_default_str();
  o.trend->add_option("--since", o.since, "Only the scans of this last period (30d, 12h)")
      ->type_name("DURATION");
  o.show = file(app.add_subcommand("show", "A finding's life: first seen, fixes, reopenings"));
  o.show
      ->add_option("FINGERPRINT", o.fingerprint,
                   "Its fingerprint, or 8 or more of its first "
                   "hex digits")
      ->required();
  o.stats = file(app.add_subcommand(
      "stats", "Time to fix per severity (median, p90) and the age of open findings"));
  o.prune = file(app.add_subcommand("prune", "Drop the scans older than --keep"));
  o.prune->add_option("--keep", o.keep, "How far back to keep scans (180d, 12h)")
      ->required()
      ->type_name("DURATION");
}

namespace {

int fail(const std::string& message) {
  std::cerr << "bbposture: history: " << message << '\n';
  return kExitUsage;
}

// "180d", or any duration --max-wait takes ("12h", "90m").
tl::expected<std::chrono::milliseconds, std::string> period(const std::string& text) {
  if (text.size() > 1 && text.back() == 'd' &&
      std::all_of(text.begin(), text.end() - 1, [](char c) { return c >= '0' && c <= '9'; }) &&
      text.size() < 8) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::days(std::stoll(text.substr(0, text.size() - 1))));
  }
  auto parsed = parse_duration(text);
  if (!parsed) {
    return tl::unexpected("'" + text + "' is not a period (examples: 180d, 30d, 12h)");
  }
  return parsed;
}

// "3.5d": a number of seconds in days, one decimal; "-" for none.
std::string days(const std::optional<std::int64_t>& seconds) {
  if (!seconds) {
    return "-";
  }
  std::ostringstream out;
  out << std::fixed << std::setprecision(1) << static_cast<double>(*seconds) / 86'400.0 << 'd';
  return out.str();
}

std::string counts(const std::array<std::size_t, 4>& s) {
  std::ostringstream out;
  out << s[0] << '/' << s[1] << '/' << s[2] << '/' << s[3];
  return out.str();
}

std::string selection_text(const history::ScanRow& s) {
  std::string out = s.rule_set + " (" + std::to_string(s.rules) + " rules)";
  out += s.filters.empty() ? ", every workspace" : ", " + s.filters;
  if (s.min_severity) {
    out += ", --min-severity " + text::ascii_lower(*s.min_severity);
  }
  return out + (s.offline ? ", offline" : "") + (s.complete ? "" : ", incomplete");
}

int run_list(history::History& h) {
  auto scans = h.scans();
  if (!scans) {
    return fail(scans.error());
  }
  if (scans->empty()) {
    std::cout << h.path() << " holds no scan yet\n";
    return kExitClean;
  }
  std::cout << "ID  TIME                  C/H/M/L      TOTAL  SUPPR  UNKNOWN  OPENED  FIXED  "
               "REOPENED  NOT-RECHECKED  SELECTION\n";
  for (const auto& s : *scans) {
    std::cout << std::left << std::setw(4) << s.id << std::setw(22)
              << core::format_timestamp(s.data_read_at) << std::setw(13) << counts(s.by_severity)
              << std::setw(7) << s.total << std::setw(7) << s.suppressed << std::setw(9)
              << s.unknown << std::setw(8) << s.opened << std::setw(7) << s.fixed << std::setw(10)
              << s.reopened << std::setw(15) << s.not_rechecked << selection_text(s) << '\n';
  }
  return kExitClean;
}

// Every rule slug that has findings in any of the scans, sorted: the trend's rule columns.
std::vector<std::string> rule_columns(const std::vector<history::ScanRow>& scans) {
  std::set<std::string> names;
  for (const auto& s : scans) {
    for (const auto& [rule, n] : s.by_rule) {
      names.insert(rule);
    }
  }
  return {names.begin(), names.end()};
}

std::size_t of_rule(const history::ScanRow& s, const std::string& rule) {
  const auto it = s.by_rule.find(rule);
  return it == s.by_rule.end() ? 0 : it->second;
}

void trend_json(const std::vector<history::ScanRow>& scans, std::ostream& out) {
  auto rows = nlohmann::json::array();
  for (const auto& s : scans) {
    rows.push_back({{"scan", s.id},
                    {"at", core::format_timestamp(s.data_read_at)},
                    {"Critical", s.by_severity[0]},
                    {"High", s.by_severity[1]},
                    {"Medium", s.by_severity[2]},
                    {"Low", s.by_severity[3]},
                    {"total", s.total},
                    {"suppressed", s.suppressed},
                    {"unknown", s.unknown},
                    {"unknown_by_reason", s.unknown_by_reason},
                    {"opened", s.opened},
                    {"fixed", s.fixed},
                    {"reopened", s.reopened},
                    {"not_rechecked", s.not_rechecked},
                    {"by_rule", s.by_rule}});
  }
  out << nlohmann::json{{"scans", rows}}.dump(2) << '\n';
}

void trend_csv(const std::vector<history::ScanRow>& scans, std::ostream& out) {
  const auto rules = rule_columns(scans);
  out << "scan,at,Critical,High,Medium,Low,total,suppressed,unknown";
  for (const auto& rule : rules) {
    out << ',' << rule;
  }
  out << '\n';
  for (const auto& s : scans) {
    out << s.id << ',' << core::format_timestamp(s.data_read_at);
    for (const auto n : s.by_severity) {
      out << ',' << n;
    }
    out << ',' << s.total << ',' << s.suppressed << ',' << s.unknown;
    for (const auto& rule : rules) {
      out << ',' << of_rule(s, rule);
    }
    out << '\n';
  }
}

void trend_table(const std::vector<history::ScanRow>& scans, std::ostream& out) {
  out << "TIME                  CRITICAL  HIGH  MEDIUM  LOW   TOTAL  SUPPRESSED  UNKNOWN\n";
  for (const auto& s : scans) {
    out << std::left << std::setw(22) << core::format_timestamp(s.data_read_at) << std::setw(10)
        << s.by_severity[0] << std::setw(6) << s.by_severity[1] << std::setw(8) << s.by_severity[2]
        << std::setw(6) << s.by_severity[3] << std::setw(7) << s.total << std::setw(12)
        << s.suppressed << s.unknown << '\n';
  }
  const auto rules = rule_columns(scans);
  if (!rules.empty()) {
    out << "\nFindings per rule, oldest scan first:\n";
  }
  for (const auto& rule : rules) {
    out << "  " << std::left << std::setw(34) << rule;
    for (const auto& s : scans) {
      out << ' ' << std::right << std::setw(4) << of_rule(s, rule);
    }
    out << '\n';
  }
}

int run_trend(history::History& h, const HistoryOptions& o) {
  const std::string format = text::ascii_lower(o.format);
  if (format != "table" && format != "json" && format != "csv") {
    return fail("--format must be one of table, json, csv, not '" + o.format + "'");
  }
  auto scans = h.scans();
  if (!scans) {
    return fail(scans.error());
  }
  if (!o.since.empty()) {
    const auto since = period(o.since);
    const auto now = run_clock_now();
    if (!since || !now) {
      return fail("--since " + (!since ? since.error() : now.error()));
    }
    const auto from = *now - std::chrono::duration_cast<std::chrono::microseconds>(*since);
    std::erase_if(*scans, [&](const history::ScanRow& s) { return s.data_read_at < from; });
  }
  if (format == "json") {
    trend_json(*scans, std::cout);
  } else if (format == "csv") {
    trend_csv(*scans, std::cout);
  } else {
    trend_table(*scans, std::cout);
  }
  return kExitClean;
}

int run_show(history::History& h, const std::string& fingerprint) {
  auto f = h.finding(fingerprint);
  if (!f) {
    return fail(f.error());
  }
  std::cout << f->fingerprint << "  " << f->severity << "  " << f->rule << " ("
            << f->finding_type_id << ")\n"
            << "  where:      " << f->repository.value_or(f->workspace.value_or("your account"))
            << ", " << f->resource << '\n'
            << "  message:    " << f->message << " (as last seen)\n"
            << "  state:      "
            << (f->open ? "open" : "fixed at " + core::format_timestamp(*f->fixed_at))
            << (f->suppressed ? ", suppressed: " + *f->suppressed : std::string()) << '\n'
            << "  first seen: " << core::format_timestamp(f->first_seen) << '\n'
            << "  last seen:  " << core::format_timestamp(f->last_seen) << '\n'
            << "  reopened:   " << f->reopened << (f->reopened == 1 ? " time" : " times") << '\n';
  std::cout << "  events:\n";
  for (const auto& e : f->events) {
    std::cout << "    " << core::format_timestamp(e.at) << "  " << e.kind << " (scan " << e.scan_id
              << ")\n";
  }
  return kExitClean;
}

int run_stats(history::History& h) {
  auto stats = h.stats();
  if (!stats) {
    return fail(stats.error());
  }
  if (!stats->as_of) {
    std::cout << h.path() << " holds no scan yet\n";
    return kExitClean;
  }
  std::cout << "As of the last scan, " << core::format_timestamp(*stats->as_of) << ":\n"
            << "SEVERITY  FIXES  MEDIAN-TO-FIX  P90-TO-FIX  OPEN  MEDIAN-AGE  OLDEST\n";
  for (const auto& s : stats->by_severity) {
    std::cout << std::left << std::setw(10) << core::to_string(s.severity) << std::setw(7)
              << s.fixes << std::setw(15) << days(s.median_time_to_fix) << std::setw(12)
              << days(s.p90_time_to_fix) << std::setw(6) << s.open << std::setw(12)
              << days(s.median_open_age) << days(s.oldest_open_age) << '\n';
  }
  return kExitClean;
}

int run_prune(history::History& h, const std::string& keep) {
  const auto window = period(keep);
  const auto now = run_clock_now();
  if (!window || !now) {
    return fail("--keep " + (!window ? window.error() : now.error()));
  }
  auto pruned = h.prune(*now - std::chrono::duration_cast<std::chrono::microseconds>(*window));
  if (!pruned) {
    return fail(pruned.error());
  }
  std::cout << "dropped " << pruned->scans << " scans, " << pruned->events << " events and "
            << pruned->findings << " fixed findings older than " << keep << '\n';
  return kExitClean;
}

}  // namespace

int run_history(const HistoryOptions& o) {
  const bool writes = o.prune->parsed();
  auto h = history::History::open(
      o.file, writes ? history::History::Mode::write : history::History::Mode::read);
  if (!h) {
    return fail(h.error());
  }
  if (o.list->parsed()) {
    return run_list(*h);
  }
  if (o.trend->parsed()) {
    return run_trend(*h, o);
  }
  if (o.show->parsed()) {
    return run_show(*h, o.fingerprint);
  }
  if (o.stats->parsed()) {
    return run_stats(*h);
  }
  return run_prune(*h, o.keep);
}

}  // namespace bbp::app
