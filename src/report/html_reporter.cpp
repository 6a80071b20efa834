#include "bbp/report/html_reporter.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "bbp/text/text.hpp"
#include "bbp/text/utf8.hpp"
#include "html_page.hpp"

namespace bbp::report {
namespace {

constexpr std::array<core::Severity, 4> kSeverities{core::Severity::critical, core::Severity::high,
                                                    core::Severity::medium, core::Severity::low};

std::string severity_class(core::Severity severity) {
  return text::ascii_lower(core::to_string(severity));
}

bool is_web_link(std::string_view url) {
  return url.rfind("https://", 0) == 0 || url.rfind("http://", 0) == 0;
}

// --- what the page counts -------------------------------------------------------------------

// The rules the page's counts are per: the evaluated rules, and any other rule a finding or
// unknown names (a report read back from JSON does not record which rules it ran), in catalogue
// order. The grid keeps to the evaluated rules: it may say "pass" only for those.
std::vector<const core::Rule*> counted_rules(const ScanReport& report) {
  std::vector<const core::Rule*> rules = report.rules;
  for (const auto* list : {&report.findings, &report.unknown}) {
    for (const auto& e : *list) {
      if (std::find(rules.begin(), rules.end(), e.rule) == rules.end()) {
        rules.push_back(e.rule);
      }
    }
  }
  std::sort(rules.begin(), rules.end(),
            [](const core::Rule* a, const core::Rule* b) { return a->number < b->number; });
  return rules;
}

// Every count the page shows, from one pass: the cards, the charts, the rules table and the
// headings count the same findings. Counts of findings leave suppressed ones out (as the
// summary of every format does); the suppressed are counted apart, and a count that includes
// them (the findings table's heading) says so.
struct PageCounts {
  Counts totals;  // report::count: per severity and in total without the suppressed
  std::vector<const core::Rule*> rules;  // counted_rules
  std::vector<std::size_t> open;         // per rule: findings not suppressed
  std::vector<std::size_t> suppressed;   // per rule: suppressed findings
  std::vector<std::size_t> unknown;      // per rule: unknowns
  std::size_t new_suppressed = 0;        // new since the baseline, and suppressed
};

PageCounts page_counts(const ScanReport& report) {
  PageCounts c;
  c.totals = count(report);
  c.rules = counted_rules(report);
  c.open.assign(c.rules.size(), 0);
  c.suppressed.assign(c.rules.size(), 0);
  c.unknown.assign(c.rules.size(), 0);
  const auto at = [&](const core::Rule* rule) {
    return static_cast<std::size_t>(std::find(c.rules.begin(), c.rules.end(), rule) -
                                    c.rules.begin());
  };
  for (const auto& f : report.findings) {
    (f.suppressed ? c.suppressed : c.open)[at(f.rule)] += 1;
    c.new_suppressed +=
        f.suppressed && f.baseline_state == core::BaselineState::new_finding ? 1U : 0U;
  }
  for (const auto& u : report.unknown) {
    c.unknown[at(u.rule)] += 1;
  }
  return c;
}

// " (not counting 3 suppressed)" after a count that leaves suppressed findings out, when there
// are any; "" otherwise.
std::string not_counting(const PageCounts& counts) {
  return counts.totals.suppressed == 0
             ? std::string()
             : " (not counting " + std::to_string(counts.totals.suppressed) + " suppressed)";
}

// Whether the scan covers one workspace and every finding and failed read is in it (or in
// none, like your SSH keys): the tables then leave out a workspace column that would repeat it
// on every row; the scope above names it once.
bool one_workspace(const ScanReport& report) {
  if (report.workspaces.size() != 1) {
    return false;
  }
  const auto& only = report.workspaces.front();
  const auto in_it = [&](const std::optional<std::string>& ws) { return !ws || *ws == only; };
  return std::all_of(report.findings.begin(), report.findings.end(),
                     [&](const core::Evaluation& f) { return in_it(f.workspace); }) &&
         std::all_of(report.errors.begin(), report.errors.end(),
                     [&](const ErrorEntry& e) { return in_it(e.workspace); });
}

// --- the repository x rule grid ---------------------------------------------------------------

enum class Mark : std::uint8_t { none, fail, unknown };

struct GridRow {
  std::string repository;
  std::vector<Mark> marks;              // one per evaluated rule
  std::array<std::size_t, 5> weight{};  // failures per severity (Critical first), unknowns
};

// The repositories with at least one failure or unknown, worst first: most Critical failures,
// then High, Medium, Low, then most unknowns; then by name.
std::vector<GridRow> build_grid(const ScanReport& report) {
  std::unordered_map<std::string, std::size_t> index;
  std::vector<GridRow> rows;
  const auto mark = [&](const core::Evaluation& e, Mark how) {
    const auto column = std::find(report.rules.begin(), report.rules.end(), e.rule);
    if (!e.repository || column == report.rules.end()) {
      return;
    }
    const auto [at, added] = index.try_emplace(*e.repository, rows.size());
    if (added) {
      rows.push_back({*e.repository, std::vector<Mark>(report.rules.size(), Mark::none), {}});
    }
    auto& row = rows[at->second];
    auto& cell = row.marks[static_cast<std::size_t>(column - report.rules.begin())];
    if (how == Mark::fail) {
      cell = Mark::fail;
      row.weight[static_cast<std::size_t>(core::rank(e.rule->severity))] += 1;
    } else {
      cell = cell == Mark::fail ? cell : Mark::unknown;
      row.weight[4] += 1;
    }
  };
  for (const auto& f : report.findings) {
    mark(f, Mark::fail);
  }
  for (const auto& u : report.unknown) {
    mark(u, Mark::unknown);
  }
  std::sort(rows.begin(), rows.end(), [](const GridRow& a, const GridRow& b) {
    return a.weight != b.weight ? a.weight > b.weight : a.repository < b.repository;
  });
  return rows;
}

struct CellLook {
  std::string_view css;
  std::string_view symbol;
  std::string_view label;
};

// What a grid cell shows. Without a failure or unknown, the rule passed unless it does not
// apply (default-branch rules of an empty repository), its findings were left out
// (--min-severity), or it is a key rule (a repository with no deploy key has nothing to check).
CellLook cell_look(const ScanReport& report, const GridRow& row, std::size_t column) {
  const auto* rule = report.rules[column];
  switch (row.marks[column]) {
    case Mark::fail:
      return {"fail", "\xE2\x9C\x97", "fail"};
    case Mark::unknown:
      return {"unknown", "?", "unknown"};
    case Mark::none:
      break;
  }
  if (rule->subject == core::RuleSubject::key) {
    return {"clear", "\xE2\x97\x8B", "no old deploy key (pass, or no deploy key)"};
  }
  if (rule->subject == core::RuleSubject::default_branch &&
      std::binary_search(report.empty_repositories.begin(), report.empty_repositories.end(),
                         row.repository)) {
    return {"na", "\xE2\x80\x93", "not applicable (empty repository)"};
  }
  if (report.min_severity && core::rank(rule->severity) > core::rank(*report.min_severity)) {
    return {"left-out", "\xC2\xB7", "left out (below --min-severity)"};
  }
  return {"pass", "\xE2\x9C\x93", "pass"};
}

// --- long tables ----------------------------------------------------------------------------

// A table that may have tens of thousands of rows. Its first HtmlReporter::kTableRows rows are
// elements of the table; the others follow it in <noscript> blocks of kTableRows rows, each a
// table of its own. A browser that runs scripts reads a <noscript> block as one piece of text,
// not as elements, so the page opens in the time its first rows take; the page's script turns
// those rows into elements when they are asked for ("Show more", a filter, sorting, printing).
// Without JavaScript the blocks are ordinary tables that continue the first one.
class LongTable {
 public:
  // `attributes` and `columns` (a <colgroup>, or empty) are repeated for every block; `id` and
  // `head` (the <thead>) belong to the first table only.
  LongTable(std::ostream& out, std::string_view id, std::string_view attributes,
            std::string_view columns, std::string_view head)
      : out_(out), id_(id), attributes_(attributes), columns_(columns) {
    out_ << "<table id=\"" << id_ << '"' << attributes_ << ">\n" << columns_ << head << "<tbody>\n";
  }

  // The stream to write the next row (one "<tr>…</tr>\n") to.
  std::ostream& row() {
    if (rows_ > 0 && rows_ % HtmlReporter::kTableRows == 0) {
      close_block();
      out_ << "<noscript data-rest-of=\"" << id_ << "\"><table" << attributes_ << ">\n"
           << columns_ << "<tbody>\n";
    }
    ++rows_;
    return out_;
  }

  // Closes the table; one with no row at all is followed by `when_empty` as a paragraph.
  void end(std::string_view when_empty = "None.") {
    close_block();
    if (rows_ == 0) {
      out_ << "<p class=\"muted\">" << when_empty << "</p>\n";
    }
  }

 private:
  void close_block() {
    out_ << "</tbody>\n</table>\n" << (rows_ > HtmlReporter::kTableRows ? "</noscript>\n" : "");
  }

  std::ostream& out_;
  std::string id_;
  std::string attributes_;
  std::string columns_;
  std::size_t rows_ = 0;
};

// --- sections -------------------------------------------------------------------------------

void write_head(std::ostream& out, const ScanReport& report) {
  std::string scope;
  for (const auto& ws : report.workspaces) {
    scope += (scope.empty() ? "" : ", ") + ws;
  }
  out << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      << R"(<meta http-equiv="Content-Security-Policy" content=")" << html::kContentSecurityPolicy
      << "\">\n"
      << "<meta name=\"referrer\" content=\"no-referrer\">\n"
      << "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      << R"(<meta name="generator" content="bbposture )" << html_escape(report.tool_version)
      << "\">\n<title>bbposture report: " << html_escape(scope.empty() ? "no workspace" : scope)
      << "</title>\n<script>" << html::kWatchScript << "</script>\n<style>" << html::kStyle
      << "</style>\n</head>\n<body>\n";
}

std::string_view completeness(const ScanReport& report) {
  if (report.interrupted) {
    return "interrupted";
  }
  return report.complete ? "complete" : "incomplete";
}

// "2026-01-01T00:00:00Z to …Z (3 s)", or offline, when the report was made and from what.
void write_timing(std::ostream& out, const ScanReport& report) {
  const auto seconds =
      std::chrono::duration_cast<std::chrono::seconds>(report.finished_at - report.started_at);
  if (const auto offline = offline_label(report)) {
    out << "<dt>Evaluated</dt><dd id=\"offline\">" << core::format_timestamp(report.started_at)
        << ", " << html_escape(*offline) << "</dd>\n";
    return;
  }
  out << "<dt>Scanned</dt><dd>" << core::format_timestamp(report.started_at) << " to "
      << core::format_timestamp(report.finished_at) << " (" << seconds.count() << " s)</dd>\n"
      << "<dt>API requests</dt><dd>" << report.api_requests << "</dd>\n";
}

// How the report was made (report.hpp's Selection), one term per line.
void write_selection(std::ostream& out, const ScanReport& report) {
  for (const auto& [label, value] : selection_lines(report)) {
    if (label != "Data") {  // said by write_timing
      out << "<dt>" << html_escape(label) << "</dt><dd>" << html_escape(value) << "</dd>\n";
    }
  }
}

void write_scope(std::ostream& out, const ScanReport& report) {
  std::string workspaces;
  for (const auto& ws : report.workspaces) {
    workspaces += (workspaces.empty() ? "" : ", ") + html_escape(ws);
  }
  const auto state = completeness(report);
  out << "<header>\n<h1>Bitbucket security posture</h1>\n<dl class=\"scope\" id=\"scope\">\n"
      << "<dt>Workspaces</dt><dd>" << (workspaces.empty() ? "none" : workspaces) << "</dd>\n";
  write_timing(out, report);
  out << R"(<dt>Completeness</dt><dd id="completeness" class="state-)" << state << "\">" << state
      << (state == "complete" ? "" : ": some checks could not be evaluated (see Unknown)")
      << "</dd>\n<dt>Scanned objects</dt><dd>" << report.repositories << " repositories, "
      << report.keys << " keys</dd>\n<dt>Credential</dt><dd id=\"credential\">"
      << html_escape(credential_label(report.credential)) << "</dd>\n"
      << "<dt>API URL</dt><dd>" << html_escape(report.api_url) << "</dd>\n"
      << "<dt>Thresholds</dt><dd>" << html_escape(thresholds_text(report)) << "</dd>\n";
  write_selection(out, report);
  out << "<dt>Tool</dt><dd>bbposture " << html_escape(report.tool_version) << "</dd>\n</dl>\n"
      << "</header>\n";
}

void write_count(std::ostream& out, std::string_view css, std::string_view key, std::size_t n,
                 std::string_view label) {
  out << "<div class=\"count" << (css.empty() ? "" : " ") << css << "\" data-severity=\"" << key
      << R"("><span class="n">)" << n << "</span>" << label << "</div>\n";
}

void write_counts(std::ostream& out, const ScanReport& report, const PageCounts& counts) {
  std::size_t fresh = 0;
  for (const auto& f : report.findings) {
    fresh += f.baseline_state == core::BaselineState::new_finding ? 1U : 0U;
  }
  out << "<section id=\"summary\">\n<h2>Findings per severity" << not_counting(counts)
      << "</h2>\n<div class=\"counts\">\n";
  for (const auto severity : kSeverities) {
    write_count(out, severity_class(severity), severity_class(severity),
                counts.totals.by_severity[static_cast<std::size_t>(core::rank(severity))],
                core::to_string(severity));
  }
  write_count(out, "unknown", "unknown", report.unknown.size(), "Unknown");
  write_count(out, "", "errors", report.errors.size(), "Failed reads");
  if (counts.totals.suppressed > 0) {
    write_count(out, "", "suppressed", counts.totals.suppressed, "Suppressed");
  }
  if (fresh > 0) {
    const auto label = counts.new_suppressed == 0
                           ? std::string("New since the baseline")
                           : "New since the baseline, including " +
                                 std::to_string(counts.new_suppressed) + " suppressed";
    write_count(out, "", "new", fresh, label);
  }
  out << "</div>\n</section>\n";
}

struct Bar {
  std::string label;
  std::size_t value = 0;
  std::string css;
};

// A horizontal bar chart drawn as inline SVG: one row per bar, the count after the bar.
void write_bar_chart(std::ostream& out, std::string_view id, std::string_view title,
                     const std::vector<Bar>& bars) {
  constexpr int kLabel = 230;
  constexpr int kBar = 320;
  constexpr int kRow = 22;
  std::size_t most = 1;
  for (const auto& bar : bars) {
    most = std::max(most, bar.value);
  }
  const auto height = static_cast<int>(bars.size()) * kRow + 30;
  out << R"(<figure><svg class="chart" id=")" << id << R"(" role="img" width=")"
      << kLabel + kBar + 60 << "\" height=\"" << height << "\" viewBox=\"0 0 " << kLabel + kBar + 60
      << " " << height << "\" xmlns=\"http://www.w3.org/2000/svg\">\n<title>" << title
      << "</title>\n<text x=\"0\" y=\"16\" font-weight=\"700\">" << title << "</text>\n";
  int y = 26;
  for (const auto& bar : bars) {
    const auto width = static_cast<int>(bar.value * static_cast<std::size_t>(kBar) / most);
    out << R"(<g><text x="0" y=")" << y + 14 << "\">" << html_escape(bar.label)
        << "</text><rect class=\"" << bar.css << "\" x=\"" << kLabel << "\" y=\"" << y + 3
        << "\" width=\"" << width << "\" height=\"" << kRow - 6 << "\"/><text x=\""
        << kLabel + width + 6 << "\" y=\"" << y + 14 << "\">" << bar.value << "</text></g>\n";
    y += kRow;
  }
  out << "</svg></figure>\n";
}

void write_charts(std::ostream& out, const PageCounts& counts) {
  std::vector<Bar> by_severity;
  by_severity.reserve(kSeverities.size());
  for (const auto severity : kSeverities) {
    by_severity.push_back(
        {std::string(core::to_string(severity)),
         counts.totals.by_severity[static_cast<std::size_t>(core::rank(severity))],
         severity_class(severity)});
  }
  std::vector<Bar> by_rule;
  for (std::size_t i = 0; i < counts.rules.size(); ++i) {
    const auto* rule = counts.rules[i];
    by_rule.push_back({std::to_string(rule->number) + " " + std::string(rule->slug), counts.open[i],
                       severity_class(rule->severity)});
  }
  const auto suffix = not_counting(counts);
  out << "<section id=\"charts\">\n<h2>Charts</h2>\n<div class=\"charts\">\n";
  write_bar_chart(out, "chart-severity", "Findings per severity" + suffix, by_severity);
  write_bar_chart(out, "chart-rule", "Findings per rule (coloured by severity)" + suffix, by_rule);
  out << "</div>\n</section>\n";
}

// The trend's numbers: one row per scan, newest last.
void write_trend_table(std::ostream& out, const std::vector<HistoryView::Point>& scans) {
  out << "<table class=\"trend\"><thead><tr><th>Scan</th>";
  for (const auto severity : kSeverities) {
    out << "<th>" << core::to_string(severity) << "</th>";
  }
  out << "</tr></thead><tbody>\n";
  for (const auto& scan : scans) {
    out << "<tr><td>" << core::format_timestamp(scan.at) << "</td>";
    for (const auto n : scan.by_severity) {
      out << "<td class=\"num\">" << n << "</td>";
    }
    out << "</tr>\n";
  }
  out << "</tbody></table>\n";
}

// With a scan history: findings per severity over the last scans, as a stacked bar per scan
// and as a table (which prints and reads without the picture).
void write_trend(std::ostream& out, const ScanReport& report) {
  if (!report.history || report.history->scans.empty()) {
    return;
  }
  const auto& scans = report.history->scans;
  constexpr int kColumn = 24;
  constexpr int kHeight = 120;
  std::size_t most = 1;
  for (const auto& scan : scans) {
    std::size_t total = 0;
    for (const auto n : scan.by_severity) {
      total += n;
    }
    most = std::max(most, total);
  }
  const auto width = static_cast<int>(scans.size()) * kColumn + 10;
  out << "<section id=\"trend\">\n<h2>Trend (last " << scans.size()
      << (scans.size() == 1 ? " scan" : " scans")
      << ", findings not counting suppressed ones)</h2>\n<figure><svg class=\"chart\" "
         "id=\"chart-trend\" role=\"img\" width=\""
      << width << "\" height=\"" << kHeight + 10 << "\" xmlns=\"http://www.w3.org/2000/svg\">\n"
      << "<title>Findings per severity per scan</title>\n";
  for (std::size_t i = 0; i < scans.size(); ++i) {
    int y = kHeight;
    for (const auto severity : kSeverities) {
      const auto n = scans[i].by_severity[static_cast<std::size_t>(core::rank(severity))];
      const auto h = static_cast<int>(n * static_cast<std::size_t>(kHeight) / most);
      y -= h;
      out << "<rect class=\"" << severity_class(severity) << "\" x=\""
          << static_cast<int>(i) * kColumn + 4 << "\" y=\"" << y << "\" width=\"" << kColumn - 6
          << "\" height=\"" << h << "\"/>";
    }
    out << '\n';
  }
  out << "</svg></figure>\n";
  write_trend_table(out, scans);
  out << "</section>\n";
}

// One row per rule: what it found and how to fix it. The row's id ("rule-<slug>") is where a
// finding's "How to fix" points, and where the page's script reads the rule's remediation from:
// the page holds each rule's remediation once, however many findings it has.
void write_rule_row(std::ostream& out, const PageCounts& counts, std::size_t i) {
  const auto* rule = counts.rules[i];
  out << "<tr id=\"rule-" << rule->slug << "\"><td><strong>" << rule->number << " "
      << rule->short_name << "</strong><br>" << html_escape(rule->title)
      << "<br><span class=\"muted\">" << rule->slug << "</span></td><td class=\"sev "
      << severity_class(rule->severity) << "\">" << core::to_string(rule->severity)
      << R"(</td><td class="num" data-count="findings">)" << counts.open[i] << "</td>";
  if (counts.totals.suppressed > 0) {
    out << R"(<td class="num" data-count="suppressed">)" << counts.suppressed[i] << "</td>";
  }
  out << R"(<td class="num" data-count="unknown">)" << counts.unknown[i]
      << "</td><td class=\"remediation\">" << html_escape(rule->remediation) << "</td></tr>\n";
}

void write_rules(std::ostream& out, const PageCounts& counts) {
  const bool suppressed = counts.totals.suppressed > 0;
  out << "<section id=\"rules\">\n<h2>Rules and how to fix them</h2>\n<p>Each rule, its "
         "findings"
      << (suppressed ? " (not counting suppressed ones, which have their own column)" : "")
      << ", the checks it could not evaluate, and what to do about its findings.</p>\n"
      << "<table id=\"rules-table\" class=\"rules\">\n<thead><tr><th>Rule</th><th>Severity</th>"
      << "<th>Findings</th>" << (suppressed ? "<th>Suppressed</th>" : "")
      << "<th>Unknown</th><th>How to fix</th></tr></thead>\n<tbody>\n";
  for (std::size_t i = 0; i < counts.rules.size(); ++i) {
    write_rule_row(out, counts, i);
  }
  out << "</tbody>\n</table>\n</section>\n";
}

// A large scan's grid keeps only the worst repositories, and says where the rest are.
void write_grid_cap(std::ostream& out, std::size_t rows, std::size_t shown) {
  if (shown == rows) {
    return;
  }
  out << "<p id=\"grid-cap\"><strong>Showing the " << shown << " worst of " << rows
      << " repositories with a failure or unknown.</strong> The other " << rows - shown
      << " are left out of this grid so that the page stays quick to open; the findings and "
         "Unknown tables below list every repository.</p>\n";
}

void write_grid_legend(std::ostream& out, const ScanReport& report, std::size_t rows) {
  out << "<p>Rows: the repositories with at least one failure or unknown, worst first (most "
         "Critical failures, then High, Medium, Low, then unknowns). Columns: the rules "
         "evaluated, by number and short name (the Rules section below says what each one "
         "checks and how to fix it). ";
  if (report.repositories > rows) {
    const auto others = report.repositories - rows;
    out << (others == 1 ? "The other repository has"
                        : "The other " + std::to_string(others) + " repositories have")
        << " no failure and no unknown for any rule. ";
  }
  out << "</p>\n<p class=\"legend\">\xE2\x9C\x97 fail &middot; ? unknown (could not be read) "
         "&middot; \xE2\x9C\x93 pass &middot; \xE2\x80\x93 not applicable (empty repository: no "
         "default branch) &middot; \xE2\x97\x8B key rule without a finding (every deploy key "
         "passes, or there is none) &middot; \xC2\xB7 left out (below --min-severity: pass or "
         "not shown). Project deploy keys and your SSH keys belong to no repository: they are "
         "in the findings table only.</p>\n";
}

void write_grid(std::ostream& out, const ScanReport& report) {
  const auto rows = build_grid(report);
  const auto shown = std::min(rows.size(), HtmlReporter::kGridRows);
  out << "<section id=\"grid\">\n<h2>Repositories by rule</h2>\n";
  write_grid_legend(out, report, rows.size());
  write_grid_cap(out, rows.size(), shown);
  out << "<table class=\"grid\" id=\"grid-table\">\n<thead><tr><th>Repository</th>";
  // The label is text in the cell, turned on its side so that 17 columns stay narrow; it
  // prints as it shows. The slug and title are in the title attribute for a pointer.
  for (const auto* rule : report.rules) {
    out << R"(<th class="rule" title=")" << rule->slug << ": " << html_escape(rule->title)
        << "\"><a href=\"#rule-" << rule->slug << "\">" << rule_label(*rule) << "</a></th>";
  }
  out << "</tr></thead>\n<tbody>\n";
  for (const auto& row : std::span(rows).first(shown)) {
    out << "<tr data-repository=\"" << html_escape(row.repository) << R"("><th scope="row">)"
        << html_escape(row.repository) << "</th>";
    for (std::size_t column = 0; column < report.rules.size(); ++column) {
      const auto look = cell_look(report, row, column);
      out << "<td class=\"cell " << look.css << "\" data-rule=\"" << report.rules[column]->slug
          << "\" title=\"" << report.rules[column]->slug << ": " << look.label << "\">"
          << look.symbol << "</td>";
    }
    out << "</tr>\n";
  }
  out << "</tbody>\n</table>\n</section>\n";
}

void write_filters(std::ostream& out, bool one_workspace) {
  out << "<form id=\"filters\" hidden>\n";
  for (const std::string_view field : {"severity", "rule", "workspace", "project"}) {
    if (field == "workspace" && one_workspace) {
      continue;
    }
    out << "<label>" << field << " <select name=\"" << field
        << "\"><option value=\"\">any</option></select></label>\n";
  }
  out << "<label>text <input type=\"search\" name=\"q\" placeholder=\"filter\"></label>\n"
      << "<span id=\"shown\"></span>\n</form>\n";
}

void write_marks(std::ostream& out, const core::Evaluation& f) {
  if (f.baseline_state == core::BaselineState::new_finding) {
    out << " <span class=\"badge new\">new</span>";
  } else if (f.baseline_state == core::BaselineState::unchanged) {
    out << " <span class=\"badge unchanged\">unchanged</span>";
  }
  if (f.suppressed) {
    out << R"( <span class="badge suppressed">suppressed</span><span class="why">)"
        << html_escape(f.suppressed->reason);
    if (f.suppressed->expires) {
      out << " (until " << html_escape(*f.suppressed->expires) << ")";
    }
    out << " &mdash; " << html_escape(f.suppressed->source) << "</span>";
  }
}

void write_resource(std::ostream& out, const core::Evaluation& e) {
  const auto text = html_escape(describe(e));
  if (is_web_link(e.resource.url)) {
    out << "<a href=\"" << html_escape(e.resource.url) << R"(" rel="noreferrer">)" << text
        << "</a>";
  } else {
    out << text;
  }
  out << "<br><span class=\"muted\">" << core::to_string(e.resource.type) << "</span>";
}

// Evidence as indented JSON in a closed <details>: the browser does not lay it out until it is
// opened (printing opens every one), which keeps a page with many findings quick to open.
void write_evidence(std::ostream& out, const nlohmann::json& evidence) {
  out << "<details><summary>JSON</summary><pre class=\"evidence\">"
      << html_escape_text(evidence.dump(2, ' ', false, nlohmann::json::error_handler_t::replace))
      << "</pre></details>";
}

// A finding's remediation, folded. The page holds each rule's remediation once, in the Rules
// section: here is a link to it (what a browser without JavaScript shows), and the page's
// script puts the text itself above the link when the fold is opened (docs/output.md, html).
void write_fix(std::ostream& out, const core::Rule& rule) {
  out << R"(<details class="fix"><summary>How to fix</summary><a href="#rule-)" << rule.slug
      << "\">see rule " << rule.number << " under Rules</a></details>";
}

// What a finding row needs besides the finding: whether the Workspace column is left out, and
// with a scan history, when each finding was first seen and the time its age runs to.
struct RowContext {
  bool one_workspace = false;
  const HistoryView* history = nullptr;
  core::TimePoint as_of{};
};

// "first seen 2026-09-30, 68 days ago": with a history, how long a finding has been open.
void write_age(std::ostream& out, const core::Evaluation& f, const RowContext& context) {
  if (context.history == nullptr) {
    return;
  }
  const auto seen = context.history->first_seen.find(f.fingerprint);
  if (seen == context.history->first_seen.end()) {
    return;
  }
  const auto days =
      std::chrono::duration_cast<std::chrono::hours>(context.as_of - seen->second).count() / 24;
  out << R"(<br><span class="muted age" data-age-days=")" << days << "\">first seen "
      << core::format_timestamp(seen->second).substr(0, 10) << ", " << days
      << (days == 1 ? " day" : " days") << " ago</span>";
}

void write_finding_row(std::ostream& out, const core::Evaluation& f, const RowContext& context) {
  const bool one_workspace = context.one_workspace;
  const auto evidence = f.evidence.value();
  const auto message = core::message_of(*f.rule, evidence);
  const auto severity = severity_class(f.rule->severity);
  const auto workspace = html_escape(f.workspace.value_or(""));
  out << "<tr data-severity=\"" << severity << "\" data-rule=\"" << f.rule->slug << '"';
  if (!one_workspace) {
    out << " data-workspace=\"" << workspace << '"';
  }
  out << " data-project=\"" << html_escape(f.project.value_or("")) << "\" data-fingerprint=\""
      << html_escape(f.fingerprint) << "\"><td class=\"sev " << severity << "\" data-sort=\""
      << core::rank(f.rule->severity) << "\">" << core::to_string(f.rule->severity)
      << "</td><td data-sort=\"" << f.rule->number << "\">" << f.rule->number << " " << f.rule->slug
      << "</td>";
  if (!one_workspace) {
    out << "<td>" << workspace << "</td>";
  }
  out << "<td>" << html_escape(f.project.value_or("")) << "</td><td>";
  write_resource(out, f);
  out << "</td><td>" << html_escape(message);
  write_marks(out, f);
  write_age(out, f, context);
  write_fix(out, *f.rule);
  out << "</td><td>";
  write_evidence(out, evidence);
  out << "</td></tr>\n";
}

// "Findings (15)", or "Findings (15, including 3 suppressed)": the table lists suppressed
// findings too, which the counts above leave out.
void write_findings(std::ostream& out, const ScanReport& report, const PageCounts& counts) {
  const bool one = one_workspace(report);
  out << "<section id=\"findings\">\n<h2>Findings (" << report.findings.size();
  if (counts.totals.suppressed > 0) {
    out << ", including " << counts.totals.suppressed << " suppressed";
  }
  out << ")</h2>\n";
  write_filters(out, one);
  // Fixed column widths: the browser lays out each row without measuring all the others.
  LongTable table(out, "findings-table", " class=\"fixed\"",
                  std::string(R"(<colgroup><col class="w-sev"><col class="w-rule">)") +
                      (one ? "" : "<col class=\"w-ws\">") +
                      "<col class=\"w-project\"><col class=\"w-resource\"><col>"
                      "<col class=\"w-evidence\"></colgroup>\n",
                  std::string("<thead><tr><th>Severity</th><th>Rule</th>") +
                      (one ? "" : "<th>Workspace</th>") +
                      "<th>Project</th><th>Resource</th><th>Message</th><th>Evidence</th></tr>"
                      "</thead>\n");
  const RowContext context{one, report.history ? &*report.history : nullptr, data_read_at(report)};
  for (const auto& f : report.findings) {
    write_finding_row(table.row(), f, context);  // one finding's evidence at a time
  }
  table.end("No findings.");
  out << "</section>\n";
}

void write_missing_scopes(std::ostream& out, const ScanReport& report) {
  std::set<std::string> scopes;
  for (const auto& u : report.unknown) {
    if (u.reason == core::UnknownReason::missing_scope) {
      scopes.insert(u.detail);
    }
  }
  if (scopes.empty()) {
    return;
  }
  out << "<p id=\"missing-scopes\">Missing scopes:</p>\n<ul>\n";
  for (const auto& scope : scopes) {
    out << "<li>" << html_escape(scope) << "</li>\n";
  }
  out << "</ul>\n";
}

// One row per cause: a resource, a reason and a detail, with the rules it left unevaluated.
void write_unknown_row(std::ostream& out, const UnknownGroup& group) {
  const auto& u = *group.first;
  const auto* worst = *std::min_element(group.rules.begin(), group.rules.end(),
                                        [](const core::Rule* a, const core::Rule* b) {
                                          return core::rank(a->severity) < core::rank(b->severity);
                                        });
  std::string rules;
  for (const auto* rule : group.rules) {
    rules += (rules.empty() ? "" : ", ") + rule_label(*rule);
  }
  out << "<tr><td class=\"sev " << severity_class(worst->severity) << "\">"
      << core::to_string(worst->severity) << "</td><td>";
  write_resource(out, u);
  out << "</td><td>" << core::to_string(u.reason.value_or(core::UnknownReason::api_error))
      << "</td><td>" << html_escape(u.detail) << R"(</td><td class="num" data-checks=")"
      << group.checks << "\">" << group.checks << "</td><td>" << rules << "</td></tr>\n";
}

void write_unknown(std::ostream& out, const ScanReport& report) {
  const auto groups = group_unknowns(report.unknown);
  out << "<section id=\"unknown\">\n<h2>Unknown (" << report.unknown.size() << ")</h2>\n"
      << "<p>Checks that could not be evaluated because something could not be read. They are "
         "neither a pass nor a finding.";
  if (!groups.empty()) {
    out << " One row per resource and cause, with the rules it left unevaluated and the highest "
           "severity among them: "
        << report.unknown.size() << (report.unknown.size() == 1 ? " check" : " checks") << " in "
        << groups.size() << (groups.size() == 1 ? " row" : " rows") << ".";
  }
  out << "</p>\n";
  write_missing_scopes(out, report);
  LongTable table(out, "unknown-table", "", "",
                  "<thead><tr><th>Severity</th><th>Resource</th><th>Reason</th><th>Detail</th>"
                  "<th>Checks</th><th>Rules not evaluated</th></tr></thead>\n");
  for (const auto& group : groups) {
    write_unknown_row(table.row(), group);
  }
  table.end();
  out << "</section>\n";
}

void write_errors(std::ostream& out, const ScanReport& report) {
  const bool one = one_workspace(report);
  out << "<section id=\"errors\">\n<h2>Failed reads (" << report.errors.size() << ")</h2>\n";
  LongTable table(out, "errors-table", "", "",
                  std::string("<thead><tr>") + (one ? "" : "<th>Workspace</th>") +
                      "<th>Repository</th><th>Endpoint</th><th>HTTP status</th><th>Message</th>"
                      "</tr></thead>\n");
  for (const auto& e : report.errors) {
    auto& row = table.row() << "<tr>";
    if (!one) {
      row << "<td>" << html_escape(e.workspace.value_or("")) << "</td>";
    }
    row << "<td>" << html_escape(e.repository.value_or("")) << "</td><td>"
        << html_escape(e.endpoint) << "</td><td>"
        << (e.http_status ? std::to_string(*e.http_status) : "none") << "</td><td>"
        << html_escape(e.message) << "</td></tr>\n";
  }
  table.end();
  out << "</section>\n";
}

// One table of baseline findings that are gone: fixed, or not looked at again.
void write_gone(std::ostream& out, const std::vector<core::Evaluation>& gone, const char* id,
                const char* badge) {
  LongTable table(out, id, "", "",
                  "<thead><tr><th>Severity</th><th>Rule</th><th>Resource</th>"
                  "<th>Message then</th></tr></thead>\n");
  for (const auto& f : gone) {
    table.row() << "<tr><td class=\"sev " << severity_class(f.rule->severity) << "\">"
                << core::to_string(f.rule->severity) << "</td><td>" << f.rule->number << " "
                << f.rule->slug << "</td><td>";
    write_resource(out, f);
    out << "</td><td>" << html_escape(core::message_of(*f.rule, f.evidence.value()))
        << " <span class=\"badge fixed\">" << badge << "</span></td></tr>\n";
  }
  table.end();
}

// With a baseline: its findings that are gone, with the evidence the baseline recorded; those
// this report did not look at again apart, as they are neither fixed nor open.
void write_fixed(std::ostream& out, const ScanReport& report) {
  if (!report.baseline) {
    return;
  }
  out << "<section id=\"fixed\">\n<h2>Fixed since the baseline (" << report.fixed.size()
      << ")</h2>\n<p>Findings of " << html_escape(report.baseline->file) << " ("
      << core::format_timestamp(report.baseline->started_at)
      << ") that this scan checked again and no longer sees.</p>\n";
  write_gone(out, report.fixed, "fixed-table", "fixed");
  out << "</section>\n";
  if (report.not_rechecked.empty()) {
    return;
  }
  out << "<section id=\"not-rechecked\">\n<h2>Not re-checked (" << report.not_rechecked.size()
      << ")</h2>\n<p>Findings of " << html_escape(report.baseline->file)
      << " that this report does not show because it did not look at them again (another rule "
         "selection, filter or minimum severity, or unknown now): not fixed, not open.</p>\n";
  write_gone(out, report.not_rechecked, "not-rechecked-table", "not re-checked");
  out << "</section>\n";
}

// With declared restrictions: the checks that pass only because of them, and where they were
// declared, so a reader sees which passes rest on the config file rather than on Bitbucket.
void write_declared_passes(std::ostream& out, const ScanReport& report) {
  if (!report.declarations_applied) {
    return;
  }
  out << "<section id=\"declared\">\n<h2>Passes resting on declared restrictions ("
      << report.declared_passes.size() << ")</h2>\n"
      << "<p>These checks would fail, or be unknown, on the restrictions Bitbucket returned; they "
         "pass because the config file declares restrictions the API does not show.</p>\n";
  LongTable table(out, "declared-table", "", "",
                  "<thead><tr><th>Rule</th><th>Resource</th><th>Declared in</th>"
                  "<th>Evidence</th></tr></thead>\n");
  for (const auto& p : report.declared_passes) {
    table.row() << "<tr><td>" << p.rule->number << " " << p.rule->slug << "</td><td>";
    write_resource(out, p);
    out << "</td><td>" << html_escape(text::join(p.declared_by)) << "</td><td>";
    write_evidence(out, p.evidence.value());
    out << "</td></tr>\n";
  }
  table.end();
  out << "</section>\n";
}

// The filter choices the script offers, from the data: every evaluated rule, the scanned
// workspaces and the projects that have findings.
nlohmann::json filter_data(const ScanReport& report) {
  const auto items = [](const auto& values) {
    auto list = nlohmann::json::array();
    for (const auto& v : values) {
      list.push_back({{"value", v}, {"label", v}});
    }
    return list;
  };
  auto severities = nlohmann::json::array();
  for (const auto severity : kSeverities) {
    severities.push_back(
        {{"value", severity_class(severity)}, {"label", core::to_string(severity)}});
  }
  auto rules = nlohmann::json::array();
  for (const auto* rule : report.rules) {
    rules.push_back({{"value", rule->slug},
                     {"label", std::to_string(rule->number) + " " + std::string(rule->slug)}});
  }
  std::set<std::string> workspaces(report.workspaces.begin(), report.workspaces.end());
  std::set<std::string> projects;
  for (const auto& f : report.findings) {
    if (f.project) {
      projects.insert(*f.project);
    }
  }
  return {{"batch", HtmlReporter::kTableRows},
          {"filters",
           {{"severity", severities},
            {"rule", rules},
            {"workspace", items(workspaces)},
            {"project", items(projects)}}}};
}

void write_tail(std::ostream& out, const ScanReport& report) {
  out << "<footer><p class=\"muted\">Written by bbposture " << html_escape(report.tool_version)
      << ". This page loads nothing from the network; sorting and filtering need JavaScript, "
         "everything else is readable without it.</p></footer>\n"
      << R"(<script type="application/json" id="bbp-data">)" << json_for_script(filter_data(report))
      << "</script>\n<script>" << html::kScript << "</script>\n</body>\n</html>\n";
}

}  // namespace

namespace {

enum class Context : std::uint8_t { attribute, text };

std::string escape(std::string_view text, Context context) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    const char c = text[i];
    if (static_cast<unsigned char>(c) >= 0x80) {
      const auto character = text::decode_utf8(text, i);
      out += character.valid ? text.substr(i, character.length) : "\xEF\xBF\xBD";
      i += character.length;
      continue;
    }
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += context == Context::attribute ? "&quot;" : "\"";
        break;
      case '\'':
        out += context == Context::attribute ? "&#39;" : "'";
        break;
      case '\0':
        out += "\xEF\xBF\xBD";
        break;
      default:
        out += c;
    }
    ++i;
  }
  return out;
}

}  // namespace

std::string rule_label(const core::Rule& rule) {
  return std::to_string(rule.number) + " " + std::string(rule.short_name);
}

std::vector<UnknownGroup> group_unknowns(const std::vector<core::Evaluation>& unknown) {
  using Key =
      std::tuple<std::string, core::ResourceType, std::string, std::string, int, std::string>;
  std::map<Key, std::size_t> index;
  std::vector<UnknownGroup> groups;
  for (const auto& u : unknown) {
    Key key{u.workspace.value_or(""),
            u.resource.type,
            u.resource.id,
            u.resource.name,
            static_cast<int>(u.reason.value_or(core::UnknownReason::api_error)),
            u.detail};
    const auto [at, added] = index.try_emplace(std::move(key), groups.size());
    if (added) {
      groups.push_back({&u, {}, 0});
    }
    groups[at->second].rules.push_back(u.rule);
    groups[at->second].checks += 1;
  }
  for (auto& group : groups) {
    std::sort(group.rules.begin(), group.rules.end(),
              [](const core::Rule* a, const core::Rule* b) { return a->number < b->number; });
    group.rules.erase(std::unique(group.rules.begin(), group.rules.end()), group.rules.end());
  }
  return groups;
}

std::string html_escape(std::string_view text) {
  return escape(text, Context::attribute);
}

std::string html_escape_text(std::string_view text) {
  return escape(text, Context::text);
}

std::string json_for_script(const nlohmann::json& value) {
  const auto text = value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '<') {
      out += "\\u003c";
    } else if (c == '>') {
      out += "\\u003e";
    } else if (c == '&') {
      out += "\\u0026";
    } else if (text.compare(i, 3, "\xE2\x80\xA8") == 0 || text.compare(i, 3, "\xE2\x80\xA9") == 0) {
      out += text[i + 2] == '\xA8' ? "\\u2028" : "\\u2029";
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

void HtmlReporter::write(const ScanReport& report, std::ostream& out) const {
  const auto counts = page_counts(report);
  write_head(out, report);
  write_scope(out, report);
  write_counts(out, report, counts);
  write_charts(out, counts);
  write_trend(out, report);
  write_grid(out, report);
  write_rules(out, counts);
  write_findings(out, report, counts);
  write_unknown(out, report);
  write_errors(out, report);
  write_fixed(out, report);
  write_declared_passes(out, report);
  write_tail(out, report);
}

}  // namespace bbp::report
