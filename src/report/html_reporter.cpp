#include "bbp/report/html_reporter.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <set>
#include <span>
#include <string>
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

void write_counts(std::ostream& out, const ScanReport& report) {
  const auto counts = count_by_severity(report);
  std::size_t suppressed = 0;
  std::size_t fresh = 0;
  for (const auto& f : report.findings) {
    suppressed += f.suppressed ? 1U : 0U;
    fresh += f.baseline_state == core::BaselineState::new_finding ? 1U : 0U;
  }
  out << "<section id=\"summary\">\n<h2>Findings per severity</h2>\n<div class=\"counts\">\n";
  for (const auto severity : kSeverities) {
    const auto name = core::to_string(severity);
    out << "<div class=\"count " << severity_class(severity) << "\" data-severity=\""
        << severity_class(severity) << R"("><span class="n">)"
        << counts[static_cast<std::size_t>(core::rank(severity))] << "</span>" << name
        << "</div>\n";
  }
  out << R"(<div class="count unknown" data-severity="unknown"><span class="n">)"
      << report.unknown.size() << "</span>Unknown</div>\n"
      << R"(<div class="count" data-severity="errors"><span class="n">)" << report.errors.size()
      << "</span>Failed reads</div>\n";
  if (suppressed > 0) {
    out << R"(<div class="count" data-severity="suppressed"><span class="n">)" << suppressed
        << "</span>Suppressed</div>\n";
  }
  if (fresh > 0) {
    out << R"(<div class="count" data-severity="new"><span class="n">)" << fresh
        << "</span>New since the baseline</div>\n";
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

void write_charts(std::ostream& out, const ScanReport& report) {
  const auto counts = count_by_severity(report);
  std::vector<Bar> by_severity;
  by_severity.reserve(kSeverities.size());
  for (const auto severity : kSeverities) {
    by_severity.push_back({std::string(core::to_string(severity)),
                           counts[static_cast<std::size_t>(core::rank(severity))],
                           severity_class(severity)});
  }
  std::vector<Bar> by_rule;
  for (const auto* rule : report.rules) {
    const auto n = std::count_if(report.findings.begin(), report.findings.end(),
                                 [&](const core::Evaluation& f) { return f.rule == rule; });
    by_rule.push_back({std::to_string(rule->number) + " " + std::string(rule->slug),
                       static_cast<std::size_t>(n), severity_class(rule->severity)});
  }
  out << "<section id=\"charts\">\n<h2>Charts</h2>\n<div class=\"charts\">\n";
  write_bar_chart(out, "chart-severity", "Findings per severity", by_severity);
  write_bar_chart(out, "chart-rule", "Findings per rule (coloured by severity)", by_rule);
  out << "</div>\n</section>\n";
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
         "evaluated, by catalogue number (see the chart above). ";
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
  for (const auto* rule : report.rules) {
    out << "<th title=\"" << rule->slug << ": " << html_escape(rule->title) << "\">" << rule->number
        << "</th>";
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

void write_filters(std::ostream& out) {
  out << "<form id=\"filters\" hidden>\n";
  for (const std::string_view field : {"severity", "rule", "workspace", "project"}) {
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

void write_finding_row(std::ostream& out, const core::Evaluation& f) {
  const auto evidence = f.evidence.value();
  const auto message = core::message_of(*f.rule, evidence);
  const auto severity = severity_class(f.rule->severity);
  out << "<tr data-severity=\"" << severity << "\" data-rule=\"" << f.rule->slug
      << "\" data-workspace=\"" << html_escape(f.workspace.value_or("")) << "\" data-project=\""
      << html_escape(f.project.value_or("")) << "\" data-fingerprint=\""
      << html_escape(f.fingerprint) << "\">"
      << "<td class=\"sev " << severity << "\" data-sort=\"" << core::rank(f.rule->severity)
      << "\">" << core::to_string(f.rule->severity) << "</td><td data-sort=\"" << f.rule->number
      << "\">" << f.rule->number << " " << f.rule->slug << "</td><td>"
      << html_escape(f.workspace.value_or("")) << "</td><td>" << html_escape(f.project.value_or(""))
      << "</td><td>";
  write_resource(out, f);
  out << "</td><td>" << html_escape(message);
  write_marks(out, f);
  out << "</td><td>";
  write_evidence(out, evidence);
  out << "</td></tr>\n";
}

void write_findings(std::ostream& out, const ScanReport& report) {
  out << "<section id=\"findings\">\n<h2>Findings (" << report.findings.size() << ")</h2>\n";
  write_filters(out);
  // Fixed column widths: the browser lays out each row without measuring all the others.
  LongTable table(out, "findings-table", " class=\"fixed\"",
                  "<colgroup><col class=\"w-sev\"><col class=\"w-rule\"><col class=\"w-ws\">"
                  "<col class=\"w-project\"><col class=\"w-resource\"><col>"
                  "<col class=\"w-evidence\"></colgroup>\n",
                  "<thead><tr><th>Severity</th><th>Rule</th><th>Workspace</th><th>Project</th>"
                  "<th>Resource</th><th>Message</th><th>Evidence</th></tr></thead>\n");
  for (const auto& f : report.findings) {
    write_finding_row(table.row(), f);  // one finding's evidence at a time
  }
  table.end("No findings.");
  out << "</section>\n";
}

void write_unknown(std::ostream& out, const ScanReport& report) {
  std::set<std::string> scopes;
  for (const auto& u : report.unknown) {
    if (u.reason == core::UnknownReason::missing_scope) {
      scopes.insert(u.detail);
    }
  }
  out << "<section id=\"unknown\">\n<h2>Unknown (" << report.unknown.size() << ")</h2>\n"
      << "<p>Checks that could not be evaluated because something could not be read. They are "
         "neither a pass nor a finding.</p>\n";
  if (!scopes.empty()) {
    out << "<p id=\"missing-scopes\">Missing scopes:</p>\n<ul>\n";
    for (const auto& scope : scopes) {
      out << "<li>" << html_escape(scope) << "</li>\n";
    }
    out << "</ul>\n";
  }
  LongTable table(out, "unknown-table", "", "",
                  "<thead><tr><th>Severity</th><th>Rule</th><th>Resource</th><th>Reason</th>"
                  "<th>Detail</th></tr></thead>\n");
  for (const auto& u : report.unknown) {
    table.row() << "<tr><td class=\"sev " << severity_class(u.rule->severity) << "\">"
                << core::to_string(u.rule->severity) << "</td><td>" << u.rule->number << " "
                << u.rule->slug << "</td><td>";
    write_resource(out, u);
    out << "</td><td>" << core::to_string(u.reason.value_or(core::UnknownReason::api_error))
        << "</td><td>" << html_escape(u.detail) << "</td></tr>\n";
  }
  table.end();
  out << "</section>\n";
}

void write_errors(std::ostream& out, const ScanReport& report) {
  out << "<section id=\"errors\">\n<h2>Failed reads (" << report.errors.size() << ")</h2>\n";
  LongTable table(out, "errors-table", "", "",
                  "<thead><tr><th>Workspace</th><th>Repository</th><th>Endpoint</th>"
                  "<th>HTTP status</th><th>Message</th></tr></thead>\n");
  for (const auto& e : report.errors) {
    table.row() << "<tr><td>" << html_escape(e.workspace.value_or("")) << "</td><td>"
                << html_escape(e.repository.value_or("")) << "</td><td>" << html_escape(e.endpoint)
                << "</td><td>" << (e.http_status ? std::to_string(*e.http_status) : "none")
                << "</td><td>" << html_escape(e.message) << "</td></tr>\n";
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
  write_head(out, report);
  write_scope(out, report);
  write_counts(out, report);
  write_charts(out, report);
  write_grid(out, report);
  write_findings(out, report);
  write_unknown(out, report);
  write_errors(out, report);
  write_fixed(out, report);
  write_declared_passes(out, report);
  write_tail(out, report);
}

}  // namespace bbp::report
