#include "junit_reporter.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <map>
#include <ostream>
#include <set>
#include <utility>
#include <vector>

#include "bbp/core/time.hpp"
#include "bbp/text/utf8.hpp"

namespace bbp::report {

std::string xml_escape(std::string_view text, bool attribute) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    const auto character = text::decode_utf8(text, i);
    const char32_t cp = character.code_point;
    const bool allowed = cp == U'\t' || cp == U'\n' || cp == U'\r' ||
                         (cp >= 0x20U && cp <= 0xD7FFU) || (cp >= 0xE000U && cp <= 0xFFFDU) ||
                         cp >= 0x10000U;
    if (!character.valid || !allowed) {
      out += "\xEF\xBF\xBD";  // U+FFFD
    } else if (cp == U'&') {
      out += "&amp;";
    } else if (cp == U'<') {
      out += "&lt;";
    } else if (cp == U'>') {
      out += "&gt;";
    } else if (cp == U'\r') {
      out += "&#13;";
    } else if (attribute && cp == U'"') {
      out += "&quot;";
    } else if (attribute && cp == U'\'') {
      out += "&apos;";
    } else if (attribute && cp == U'\t') {
      out += "&#9;";
    } else if (attribute && cp == U'\n') {
      out += "&#10;";
    } else {
      out.append(text.substr(i, character.length));
    }
    i += character.length;
  }
  return out;
}

namespace {

enum class Kind { pass, failure, skipped, error };

// One <testcase>: its name, what it is, and the finding or unknown behind it (none for passes
// and for checks that do not apply).
struct Case {
  std::string name;
  Kind kind = Kind::pass;
  const core::Evaluation* evaluation = nullptr;
  std::string skip_reason;  // skipped without an evaluation: why
};

struct Suite {
  const core::Rule* rule = nullptr;
  std::vector<Case> cases;
  std::array<std::size_t, 4> counts{};  // by Kind

  std::size_t count(Kind kind) const { return counts[static_cast<std::size_t>(kind)]; }
  std::size_t tests() const { return cases.size(); }
};

bool evaluated(const ScanReport& report, const core::Rule* rule) {
  return std::find(report.rules.begin(), report.rules.end(), rule) != report.rules.end();
}

// Whether the report knows its clean repositories: a report read back from JSON (`diff`) knows
// its rules from its selection but does not list the repositories it checked.
bool passes_known(const ScanReport& report) {
  return report.repositories == 0 || !report.checked_repositories.empty();
}

// The rules the report evaluated, then (a report read back from JSON names none) any other rule
// its findings and unknowns belong to, all in catalogue order.
std::vector<const core::Rule*> suite_rules(const ScanReport& report) {
  std::set<const core::Rule*> seen(report.rules.begin(), report.rules.end());
  for (const auto* list : {&report.findings, &report.unknown}) {
    for (const auto& e : *list) {
      seen.insert(e.rule);
    }
  }
  std::vector<const core::Rule*> rules;
  for (const auto& rule : core::catalogue()) {
    if (seen.count(&rule) > 0) {
      rules.push_back(&rule);
    }
  }
  return rules;
}

// Why a repository without a failure or unknown of `rule` is not a pass, or "" when it is one
// (the HTML report's grid tells them apart the same way).
std::string not_a_pass(const ScanReport& report, const core::Rule& rule,
                       const std::string& repository) {
  if (rule.subject == core::RuleSubject::default_branch &&
      std::binary_search(report.empty_repositories.begin(), report.empty_repositories.end(),
                         repository)) {
    return "not applicable: the repository is empty (it has no default branch)";
  }
  if (report.min_severity && core::rank(rule.severity) > core::rank(*report.min_severity)) {
    return "not evaluated: below --min-severity " +
           std::string(core::to_string(*report.min_severity)) + ", its findings are left out";
  }
  return {};
}

// The passing (or not applicable) cases of `rule`: one per repository checked, or per workspace
// for workspace rules, that has neither a failure nor an unknown of it.
void add_clean_cases(const ScanReport& report, Suite& suite, const std::set<std::string>& marked) {
  const auto& rule = *suite.rule;
  if (!evaluated(report, &rule)) {
    return;
  }
  if (rule.subject == core::RuleSubject::workspace) {
    for (const auto& ws : report.workspaces) {
      if (marked.count("workspace " + ws) == 0) {
        const auto why = not_a_pass(report, rule, ws);
        suite.cases.push_back(
            {"workspace " + ws, why.empty() ? Kind::pass : Kind::skipped, nullptr, why});
      }
    }
    return;
  }
  for (const auto& repository : report.checked_repositories) {
    if (marked.count(repository) == 0) {
      const auto why = not_a_pass(report, rule, repository);
      suite.cases.push_back({repository, why.empty() ? Kind::pass : Kind::skipped, nullptr, why});
    }
  }
}

// One suite per rule: its findings, unknowns and clean repositories, ordered by name (a
// stable sort keeps the report's order among cases of the same name).
std::vector<Suite> build_suites(const ScanReport& report) {
  std::vector<Suite> suites;
  for (const auto* rule : suite_rules(report)) {
    Suite suite;
    suite.rule = rule;
    std::set<std::string> marked;  // the places with a failure or unknown of this rule
    for (const auto& f : report.findings) {
      if (f.rule == rule) {
        suite.cases.push_back({describe(f), f.suppressed ? Kind::skipped : Kind::failure, &f, {}});
        marked.insert(where(f));
      }
    }
    for (const auto& u : report.unknown) {
      if (u.rule == rule) {
        suite.cases.push_back({describe(u), Kind::error, &u, {}});
        marked.insert(where(u));
      }
    }
    add_clean_cases(report, suite, marked);
    std::stable_sort(suite.cases.begin(), suite.cases.end(),
                     [](const Case& a, const Case& b) { return a.name < b.name; });
    for (const auto& c : suite.cases) {
      suite.counts[static_cast<std::size_t>(c.kind)] += 1;
    }
    suites.push_back(std::move(suite));
  }
  return suites;
}

// "2026-11-28T00:00:00": the Ant format's timestamp (no zone; the report's times are UTC).
std::string junit_timestamp(core::TimePoint time) {
  return core::format_timestamp(time).substr(0, 19);
}

// Seconds with three decimals: "0.000", "12.345".
std::string seconds(core::TimePoint from, core::TimePoint to) {
  const auto ms = std::max<long long>(
      0, std::chrono::duration_cast<std::chrono::milliseconds>(to - from).count());
  std::array<char, 32> buffer{};
  std::snprintf(buffer.data(), buffer.size(), "%lld.%03lld", ms / 1000, ms % 1000);
  return buffer.data();
}

// The text under a <failure> or a suppressed finding's <skipped>: what a person needs to find
// and fix it, one "key: value" per line.
std::string finding_body(const core::Evaluation& f) {
  std::string body = "severity: " + std::string(core::to_string(f.rule->severity)) + "\n";
  body += "rule: " + std::string(f.rule->slug) + " (" + std::string(f.rule->title) + ")\n";
  body += "resource: " + std::string(core::to_string(f.resource.type)) + " " + describe(f);
  body += f.resource.url.empty() ? "\n" : " <" + f.resource.url + ">\n";
  body += "fingerprint: " + f.fingerprint + "\n";
  if (f.baseline_state) {
    body += std::string("baseline: ") +
            (*f.baseline_state == core::BaselineState::new_finding ? "new" : "unchanged") + "\n";
  }
  body += "remediation: " + std::string(f.rule->remediation) + "\n";
  return body;
}

// "suppressed by bbposture.yaml:12: <reason> (until 2027-01-31)".
std::string suppressed_message(const core::SuppressionMark& mark) {
  return "suppressed by " + mark.source + ": " + mark.reason +
         (mark.expires ? " (until " + *mark.expires + ")" : std::string());
}

void write_case(std::ostream& out, const Suite& suite, const Case& c) {
  out << "    <testcase classname=\""
      << xml_escape("bbposture." + std::string(suite.rule->slug), true) << "\" name=\""
      << xml_escape(c.name, true) << R"(" time="0")";
  const auto* e = c.evaluation;
  if (c.kind == Kind::pass) {
    out << "/>\n";
    return;
  }
  out << ">\n";
  if (c.kind == Kind::failure) {
    out << "      <failure message=\""
        << xml_escape(core::message_of(*e->rule, e->evidence.value()), true) << "\" type=\""
        << xml_escape(core::to_string(e->rule->severity), true) << "\">"
        << xml_escape(finding_body(*e), false) << "</failure>\n";
  } else if (c.kind == Kind::error) {
    const auto reason =
        std::string(core::to_string(e->reason.value_or(core::UnknownReason::api_error)));
    out << "      <error message=\"" << xml_escape(reason + ": " + e->detail, true) << "\" type=\""
        << xml_escape(reason, true) << "\">"
        << xml_escape("not evaluated: " + reason + "\ndetail: " + e->detail + "\n", false)
        << "</error>\n";
  } else if (e != nullptr) {
    out << "      <skipped message=\"" << xml_escape(suppressed_message(*e->suppressed), true)
        << "\">" << xml_escape(finding_body(*e), false) << "</skipped>\n";
  } else {
    out << "      <skipped message=\"" << xml_escape(c.skip_reason, true) << "\"/>\n";
  }
  out << "    </testcase>\n";
}

void write_counts(std::ostream& out, std::size_t tests, std::size_t failures, std::size_t errors,
                  std::size_t skipped) {
  out << " tests=\"" << tests << "\" failures=\"" << failures << "\" errors=\"" << errors
      << "\" skipped=\"" << skipped << '"';
}

void write_suite(std::ostream& out, const ScanReport& report, const Suite& suite,
                 std::size_t index) {
  const auto& rule = *suite.rule;
  out << "  <testsuite name=\""
      << xml_escape(std::string(rule.id) + " " + std::string(rule.title), true) << "\" id=\""
      << index << R"(" package="bbposture")";
  write_counts(out, suite.tests(), suite.count(Kind::failure), suite.count(Kind::error),
               suite.count(Kind::skipped));
  out << R"( time="0" timestamp=")" << junit_timestamp(report.started_at) << "\">\n";
  out << "    <properties>\n";
  for (const auto& [name, value] : std::array<std::pair<std::string_view, std::string>, 3>{{
           {"rule", std::string(rule.slug)},
           {"severity", std::string(core::to_string(rule.severity))},
           {"passes_listed", evaluated(report, &rule) && passes_known(report) ? "true" : "false"},
       }}) {
    out << "      <property name=\"" << name << "\" value=\"" << xml_escape(value, true)
        << "\"/>\n";
  }
  out << "    </properties>\n";
  for (const auto& c : suite.cases) {
    write_case(out, suite, c);
  }
  out << "  </testsuite>\n";
}

}  // namespace

void JunitReporter::write(const ScanReport& report, std::ostream& out) const {
  const auto suites = build_suites(report);
  std::array<std::size_t, 4> totals{};
  std::size_t tests = 0;
  for (const auto& suite : suites) {
    tests += suite.tests();
    for (std::size_t k = 0; k < totals.size(); ++k) {
      totals[k] += suite.counts[k];
    }
  }
  out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"bbposture\"";
  write_counts(out, tests, totals[static_cast<std::size_t>(Kind::failure)],
               totals[static_cast<std::size_t>(Kind::error)],
               totals[static_cast<std::size_t>(Kind::skipped)]);
  out << " time=\"" << seconds(report.started_at, report.finished_at) << "\">\n";
  for (std::size_t i = 0; i < suites.size(); ++i) {
    write_suite(out, report, suites[i], i);
  }
  out << "</testsuites>\n";
}

}  // namespace bbp::report
