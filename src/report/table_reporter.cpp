#include "table_reporter.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <iterator>
#include <map>
#include <optional>
#include <ostream>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "bbp/core/suppression.hpp"
#include "bbp/text/text.hpp"
#include "bbp/text/utf8.hpp"

namespace bbp::report {
namespace {

constexpr std::size_t kIndent = 2;
constexpr std::size_t kSeverityWidth = 8;
constexpr std::size_t kFindingWidth = 8;  // the fingerprint's first digits (kShortFingerprint)
constexpr std::size_t kRuleWidth = 28;
constexpr std::size_t kGap = 2;
constexpr std::size_t kLabelWidth = 24;     // a key label in a finding's detail
constexpr std::size_t kMaxDetailLines = 4;  // a longer detail is cut with "…" (4: at 80
                                            // columns the detail column is 28 wide)

}  // namespace

std::size_t display_width(char32_t cp) {
  struct Range {
    char32_t first;
    char32_t last;
  };
  // Combining marks and zero-width characters take no column of their own.
  static constexpr Range kZero[] = {{0x0300, 0x036F}, {0x0483, 0x0489}, {0x0591, 0x05BD},
                                    {0x1AB0, 0x1AFF}, {0x1DC0, 0x1DFF}, {0x200B, 0x200F},
                                    {0x20D0, 0x20FF}, {0xFE00, 0xFE0F}, {0xFE20, 0xFE2F}};
  // East Asian Wide and Fullwidth (Unicode 15, UAX #11), and emoji presentation.
  static constexpr Range kWide[] = {
      {0x1100, 0x115F},   {0x231A, 0x231B},   {0x2329, 0x232A},   {0x23E9, 0x23EC},
      {0x23F0, 0x23F0},   {0x23F3, 0x23F3},   {0x25FD, 0x25FE},   {0x2614, 0x2615},
      {0x2648, 0x2653},   {0x267F, 0x267F},   {0x2693, 0x2693},   {0x26A1, 0x26A1},
      {0x26AA, 0x26AB},   {0x26BD, 0x26BE},   {0x26C4, 0x26C5},   {0x26CE, 0x26CE},
      {0x26D4, 0x26D4},   {0x26EA, 0x26EA},   {0x26F2, 0x26F3},   {0x26F5, 0x26F5},
      {0x26FA, 0x26FA},   {0x26FD, 0x26FD},   {0x2705, 0x2705},   {0x270A, 0x270B},
      {0x2728, 0x2728},   {0x274C, 0x274C},   {0x274E, 0x274E},   {0x2753, 0x2755},
      {0x2757, 0x2757},   {0x2795, 0x2797},   {0x27B0, 0x27B0},   {0x27BF, 0x27BF},
      {0x2B1B, 0x2B1C},   {0x2B50, 0x2B50},   {0x2B55, 0x2B55},   {0x2E80, 0x303E},
      {0x3041, 0x33FF},   {0x3400, 0x4DBF},   {0x4E00, 0x9FFF},   {0xA000, 0xA4CF},
      {0xA960, 0xA97F},   {0xAC00, 0xD7A3},   {0xF900, 0xFAFF},   {0xFE10, 0xFE19},
      {0xFE30, 0xFE6F},   {0xFF00, 0xFF60},   {0xFFE0, 0xFFE6},   {0x16FE0, 0x16FE4},
      {0x17000, 0x18CFF}, {0x1B000, 0x1B2FF}, {0x1F004, 0x1F004}, {0x1F0CF, 0x1F0CF},
      {0x1F18E, 0x1F18E}, {0x1F191, 0x1F19A}, {0x1F200, 0x1F251}, {0x1F300, 0x1F64F},
      {0x1F680, 0x1F6FF}, {0x1F7E0, 0x1F7EB}, {0x1F90C, 0x1F9FF}, {0x1FA70, 0x1FAFF},
      {0x20000, 0x2FFFD}, {0x30000, 0x3FFFD}};
  const auto in = [cp](const auto& ranges) {
    return std::any_of(std::begin(ranges), std::end(ranges),
                       [cp](const Range& r) { return cp >= r.first && cp <= r.last; });
  };
  if (in(kZero)) {
    return 0;
  }
  return in(kWide) ? 2 : 1;
}

std::size_t display_width(std::string_view text) {
  std::size_t n = 0;
  for (std::size_t i = 0; i < text.size();) {
    const auto character = text::decode_utf8(text, i);
    n += display_width(character.code_point);
    i += character.length;
  }
  return n;
}

namespace {

std::string pad(const std::string& text, std::size_t width) {
  const auto n = display_width(text);
  return n >= width ? text : text + std::string(width - n, ' ');
}

std::string plural(std::size_t n, std::string_view one, std::string_view many) {
  return std::to_string(n) + " " + std::string(n == 1 ? one : many);
}

std::string_view colour_of(core::Severity severity) {
  switch (severity) {
    case core::Severity::critical:
      return "\033[1;31m";
    case core::Severity::high:
      return "\033[31m";
    case core::Severity::medium:
      return "\033[33m";
    case core::Severity::low:
      return "\033[36m";
  }
  return "";
}

// What a finding row says after the rule, as clauses a line may break between: the key it is
// about for key rules ("deploy key 'ci':", its label cut first so the message always shows),
// then the finding's message, cut after each "; " ("1425 days old;", "maximum 180 days").
std::vector<std::string> detail_clauses(const core::Evaluation& f) {
  std::vector<std::string> clauses;
  if (core::is_key(f.resource.type)) {
    clauses.push_back(std::string(core::key_noun(f.resource.type)) + " '" +
                      ellipsize(printable(f.resource.name), kLabelWidth) + "':");
  }
  const auto message = printable(core::message_of(*f.rule, f.evidence.value()));
  std::size_t start = 0;
  for (auto end = message.find("; "); end != std::string::npos; end = message.find("; ", start)) {
    clauses.push_back(message.substr(start, end + 1 - start));
    start = end + 2;
  }
  clauses.push_back(message.substr(start));
  return clauses;
}

// Breaks `text` at spaces into lines of at most `width` columns (a longer word is cut).
std::vector<std::string> wrap(const std::string& text, std::size_t width) {
  std::vector<std::string> lines;
  std::string current;
  std::size_t start = 0;
  while (start <= text.size()) {
    auto end = text.find(' ', start);
    if (end == std::string::npos) {
      end = text.size();
    }
    const std::string word = text.substr(start, end - start);
    if (!current.empty() && display_width(current) + 1 + display_width(word) > width) {
      lines.push_back(current);
      current.clear();
    }
    current += (current.empty() ? "" : " ") + word;
    start = end + 1;
  }
  if (!current.empty()) {
    lines.push_back(current);
  }
  for (auto& line : lines) {
    line = ellipsize(line, width);
  }
  return lines;
}

}  // namespace

std::string printable(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    std::array<char, 8> buffer{};
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c < 0x20U || c == 0x7FU) {
      std::snprintf(buffer.data(), buffer.size(), "\\x%02x", static_cast<unsigned>(c));
      out += buffer.data();
    } else if (const auto character = text::decode_utf8(text, i);
               character.code_point >= 0x80U && character.code_point <= 0x9FU) {
      // C1 controls (U+0080..U+009F): some terminals act on them (U+009B is CSI).
      std::snprintf(buffer.data(), buffer.size(), "\\u%04x",
                    static_cast<unsigned>(character.code_point));
      out += buffer.data();
      i += character.length - 1;
    } else {
      out += text[i];
    }
  }
  return out;
}

std::string ellipsize(const std::string& text, std::size_t width) {
  if (display_width(text) <= width) {
    return text;
  }
  if (width == 0) {
    return "";
  }
  // Whole characters while they and the "…" fit; a wide character is never split.
  std::string out;
  std::size_t used = 0;
  for (std::size_t i = 0; i < text.size();) {
    const auto character = text::decode_utf8(text, i);
    const auto w = display_width(character.code_point);
    if (used + w > width - 1) {
      break;
    }
    used += w;
    out.append(text, i, character.length);
    i += character.length;
  }
  return out + "…";
}

namespace {

// Where the table goes and how: every line is made printable and cut to the width, so a
// label from the API can neither break the layout nor drive the terminal.
struct Page {
  std::ostream& out;
  std::size_t width;
  bool color;

  void line(const std::string& text) const { out << ellipsize(printable(text), width) << '\n'; }

  void warn(const std::string& text) const {
    if (color) {
      out << "\033[1;33m" << ellipsize(printable(text), width) << "\033[0m\n";
    } else {
      line(text);
    }
  }

  // A cause or an error message in full, indented under its line and wrapped rather than cut.
  void explanation(const std::string& text) const {
    for (const auto& part : wrap(printable(text), width - 4)) {
      out << "    " << part << '\n';
    }
  }

  // A heading paragraph, wrapped to the width with the lines after the first indented.
  void paragraph(const std::string& text) const {
    bool first = true;
    for (const auto& part : wrap(printable(text), width - 2)) {
      out << (first ? "" : "  ") << part << '\n';
      first = false;
    }
  }
};

// What was scanned, and with which settings; offline, from which snapshot; and how the report
// was made (its selection), wrapped rather than cut.
void write_heading(const Page& page, const ScanReport& report) {
  std::string scope;
  for (const auto& ws : report.workspaces) {
    scope += (scope.empty() ? "" : ", ") + ws;
  }
  page.line("bbposture " + report.tool_version + ": " +
            plural(report.repositories, "repository", "repositories") + " and " +
            plural(report.keys, "key", "keys") + " in " +
            (scope.empty() ? std::string("no workspace") : scope));
  std::string settings;
  for (const auto* threshold : used_thresholds(report)) {
    settings.append(settings.empty() ? "settings: " : " ")
        .append(threshold->key)
        .append("=")
        .append(std::to_string(report.settings.*threshold->field));
  }
  // Offline, the label takes a line of its own, wrapped rather than cut: it says where the data
  // came from, which a reader must not miss.
  const auto offline = offline_label(report);
  if (offline) {
    page.line(settings);
    page.paragraph(*offline);
  } else {
    page.line(settings.append(settings.empty() ? "" : ", ")
                  .append("API requests: " + std::to_string(report.api_requests)));
  }
  std::string made_with;
  for (const auto& [label, value] : selection_lines(report)) {
    if (label != "Data") {  // said above
      made_with += (made_with.empty() ? "" : "; ") + text::ascii_lower(label) + ": " + value;
    }
  }
  if (!made_with.empty()) {
    const auto credential = report.credential ? credential_label(report.credential)
                                              : std::string("a credential of unrecorded kind");
    page.paragraph("made with " + credential + "; " + made_with);
  }
  page.out << '\n';
}

// The findings per place (repository, project, account), places in order of first appearance.
struct Groups {
  std::vector<std::string> order;
  std::map<std::string, std::vector<const core::Evaluation*>> findings;
};

// One group per place, the group with the worst finding first; findings keep the report order
// (worst first) inside a group.
Groups group_by_place(const std::vector<const core::Evaluation*>& findings) {
  Groups groups;
  for (const auto* f : findings) {
    const auto place = where(*f);
    auto& group = groups.findings[place];
    if (group.empty()) {
      groups.order.push_back(place);
    }
    group.push_back(f);
  }
  return groups;
}

// A finding's detail in lines of at most `width` columns: as many clauses on a line as fit (a
// longer clause is broken at spaces), at most kMaxDetailLines lines (the last then ends "…").
std::vector<std::string> detail_lines(const core::Evaluation& f, std::size_t width) {
  std::vector<std::string> lines;
  for (const auto& clause : detail_clauses(f)) {
    if (!lines.empty() && display_width(lines.back()) + 1 + display_width(clause) <= width) {
      lines.back() += " " + clause;
    } else {
      const auto parts = wrap(clause, width);
      lines.insert(lines.end(), parts.begin(), parts.end());
    }
  }
  if (lines.size() > kMaxDetailLines) {
    lines[kMaxDetailLines - 1] = ellipsize(lines[kMaxDetailLines - 1] + " …", width);
    lines.resize(kMaxDetailLines);
  }
  return lines;
}

// "  High      3f1c9a2b  rule-slug                     detail", the severity coloured when
// allowed, then the fingerprint's first digits (what an `ignore:` entry may name); a detail too
// long for its column goes on under itself.
void write_finding_row(const Page& page, const core::Evaluation& f) {
  const auto detail_column =
      kIndent + kSeverityWidth + kGap + kFindingWidth + kGap + kRuleWidth + kGap;
  const auto lines = detail_lines(f, page.width - detail_column);
  const std::string severity = pad(std::string(core::to_string(f.rule->severity)), kSeverityWidth);
  page.out << std::string(kIndent, ' ');
  if (page.color) {
    page.out << colour_of(f.rule->severity) << severity << "\033[0m";
  } else {
    page.out << severity;
  }
  page.out << std::string(kGap, ' ')
           << pad(printable(f.fingerprint.substr(0, core::kShortFingerprint)),
                  kFindingWidth + kGap);
  const auto rule = ellipsize(std::string(f.rule->slug), kRuleWidth);
  page.out << (lines.empty() ? rule : pad(rule, kRuleWidth + kGap) + lines.front()) << '\n';
  for (std::size_t i = 1; i < lines.size(); ++i) {
    page.out << std::string(detail_column, ' ') << lines[i] << '\n';
  }
}

// "accepted: <reason> (bbposture.yaml:12; until 2027-01-31)", under a suppressed finding.
void write_suppression_note(const Page& page, const core::SuppressionMark& mark) {
  std::string text = "accepted: " + mark.reason + " (" + mark.source;
  if (mark.expires) {
    text += "; until " + *mark.expires;
  }
  page.explanation(text + ")");
}

// The findings grouped per place under the column heads; suppressed ones carry their note.
void write_finding_table(const Page& page, const std::vector<const core::Evaluation*>& findings) {
  auto groups = group_by_place(findings);
  page.out << std::string(kIndent, ' ') << pad("SEVERITY", kSeverityWidth + kGap)
           << pad("FINDING", kFindingWidth + kGap) << pad("RULE", kRuleWidth + kGap) << "DETAIL\n";
  for (const auto& place : groups.order) {
    page.line(place);
    for (const auto* f : groups.findings[place]) {
      write_finding_row(page, *f);
      if (f->suppressed) {
        write_suppression_note(page, *f->suppressed);
      }
    }
  }
}

// The findings the table shows, in report order: suppressed ones only with --show-suppressed;
// with a baseline, only those in `state`.
std::vector<const core::Evaluation*> shown_findings(const ScanReport& report, bool suppressed,
                                                    std::optional<core::BaselineState> state) {
  std::vector<const core::Evaluation*> out;
  for (const auto& f : report.findings) {
    if (f.suppressed.has_value() == suppressed && (!state || f.baseline_state == state)) {
      out.push_back(&f);
    }
  }
  return out;
}

// A section: its title line, then its findings (none: nothing at all).
void write_section(const Page& page, const std::string& title,
                   const std::vector<const core::Evaluation*>& findings) {
  if (findings.empty()) {
    return;
  }
  page.line(title);
  write_finding_table(page, findings);
  page.out << '\n';
}

void write_findings(const Page& page, const ScanReport& report, bool show_suppressed,
                    bool only_new) {
  const auto active = shown_findings(report, false, std::nullopt);
  if (active.empty()) {
    page.out << "No findings.\n\n";
  } else if (!report.baseline) {
    write_finding_table(page, active);
    page.out << '\n';
  } else {
    // New findings first, then the unchanged ones (with --only-new, only their number).
    const auto fresh = shown_findings(report, false, core::BaselineState::new_finding);
    const auto unchanged = shown_findings(report, false, core::BaselineState::unchanged);
    write_section(page, "New since the baseline:", fresh);
    if (!only_new) {
      write_section(page, "Unchanged since the baseline:", unchanged);
    } else {
      if (fresh.empty()) {
        page.line("No new findings since the baseline.");
      }
      page.line(plural(unchanged.size(), "unchanged finding", "unchanged findings") +
                " not shown (--only-new)");
      page.out << '\n';
    }
  }
  if (show_suppressed) {
    write_section(page, "Suppressed:", shown_findings(report, true, std::nullopt));
  }
  if (report.baseline && !report.fixed.empty()) {
    std::vector<const core::Evaluation*> fixed;
    for (const auto& f : report.fixed) {
      fixed.push_back(&f);
    }
    write_section(page, "Fixed since the baseline:", fixed);
  }
  if (report.baseline && !report.not_rechecked.empty()) {
    std::vector<const core::Evaluation*> unchecked;
    for (const auto& f : report.not_rechecked) {
      unchecked.push_back(&f);
    }
    write_section(page,
                  "Not re-checked (gone from this report, but not looked at again):", unchecked);
  }
}

// "N findings: a Critical, b High, c Medium, d Low".
void write_totals(const Page& page, const ScanReport& report) {
  const auto counts = count_by_severity(report);
  const auto c = count(report);
  page.line(plural(c.total, "finding", "findings") + ": " + std::to_string(counts[0]) +
            " Critical, " + std::to_string(counts[1]) + " High, " + std::to_string(counts[2]) +
            " Medium, " + std::to_string(counts[3]) + " Low");
}

// "3 findings suppressed; --show-suppressed to list them" and, against a baseline,
// "new 2 / unchanged 5 / fixed 1 since report.json (2026-11-27T00:00:00Z)".
void write_living_lines(const Page& page, const ScanReport& report, bool show_suppressed) {
  const auto c = count(report);
  if (c.suppressed > 0) {
    page.line(plural(c.suppressed, "finding", "findings") + " suppressed" +
              (show_suppressed ? std::string(" (listed above)")
                               : std::string("; --show-suppressed to list them")));
  }
  if (report.baseline) {
    page.line("new " + std::to_string(c.new_findings) + " / unchanged " +
              std::to_string(c.unchanged) + " / fixed " + std::to_string(c.fixed) +
              (c.not_rechecked > 0 ? " / not re-checked " + std::to_string(c.not_rechecked)
                                   : std::string()) +
              " since " + report.baseline->file + " (" +
              core::format_timestamp(report.baseline->started_at) + ")");
  }
}

// "8 checks on 1 repository pass only because of restrictions declared in:" and, below,
// "bbposture.yaml:14": once per config entry (or set of entries) a pass rests on.
void write_declared_passes(const Page& page, const ScanReport& report) {
  std::map<std::string, std::pair<std::size_t, std::set<std::string>>> by_source;
  for (const auto& p : report.declared_passes) {
    auto& [checks, places] = by_source[text::join(p.declared_by)];
    checks += 1;
    places.insert(where(p));
  }
  for (const auto& [source, tally] : by_source) {
    const auto& [checks, places] = tally;
    page.line(plural(checks, "check", "checks") + " on " +
              plural(places.size(), "repository", "repositories") +
              (checks == 1 ? " passes" : " pass") + " only because of restrictions declared in:");
    page.explanation(source);
  }
}

void write_incomplete_warning(const Page& page, const ScanReport& report) {
  page.warn("WARNING: incomplete scan: " + plural(report.unknown.size(), "check", "checks") +
            " could not be evaluated, " + plural(report.errors.size(), "read", "reads") +
            " failed");
  if (report.interrupted) {
    page.line("  the scan was interrupted before every read was made");
  }
}

// Per place and cause: "acme/legacy: 8 checks not evaluated (missing_scope)", then the cause in
// full (which scope is missing), wrapped rather than cut.
void write_unknowns(const Page& page, const ScanReport& report) {
  std::map<std::tuple<std::string, std::string, std::string>, std::size_t> causes;
  for (const auto& u : report.unknown) {
    causes[{where(u),
            std::string(core::to_string(u.reason.value_or(core::UnknownReason::api_error))),
            u.detail}] += 1;
  }
  for (const auto& [key, count] : causes) {
    const auto& [place, reason, detail] = key;
    std::string text = "  " + place;
    text += ": " + plural(count, "check", "checks");
    text += " not evaluated (" + reason + ")";
    page.line(text);
    page.explanation(detail);
  }
}

// The failed reads no unknown stands for: listings that never said what there was to check.
// Every other failed read is already summarised by the unknowns it caused.
void write_failed_listings(const Page& page, const ScanReport& report) {
  for (const auto& e : report.errors) {
    std::string what;
    if (!e.repository && e.workspace && e.endpoint.find("/repositories/") != std::string::npos) {
      what = "workspace " + *e.workspace + ": repositories could not be listed";
    } else if (!e.workspace && e.endpoint.find("workspaces") != std::string::npos) {
      what = "workspaces could not be listed";
    } else {
      continue;
    }
    page.line("  " + what);
    page.explanation(e.message);
  }
}

}  // namespace

void TableReporter::write(const ScanReport& report, std::ostream& out) const {
  const Page page{out, static_cast<std::size_t>(std::max(60, options_.width)), options_.color};
  write_heading(page, report);
  write_findings(page, report, options_.show_suppressed, options_.only_new);
  write_totals(page, report);
  write_living_lines(page, report, options_.show_suppressed);
  write_declared_passes(page, report);
  if (!report.complete) {
    write_incomplete_warning(page, report);
    write_unknowns(page, report);
    write_failed_listings(page, report);
  }
}

}  // namespace bbp::report
