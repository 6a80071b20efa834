#include "bbp/report/rules_doc.hpp"

#include <array>
#include <sstream>

#include <nlohmann/json.hpp>

#include "bbp/core/catalogue.hpp"
#include "bbp/text/names.hpp"

namespace bbp::report {
namespace {

// What a finding of the rule is about, as reports name its resource.
std::string_view resource_of(const core::Rule& r) {
  switch (r.subject) {
    case core::RuleSubject::key:
      return "key";
    case core::RuleSubject::webhook:
      return "webhook";
    case core::RuleSubject::pipeline_variable:
      return "pipeline_variable";
    case core::RuleSubject::workspace:
      return "workspace";
    case core::RuleSubject::repository:
    case core::RuleSubject::default_branch:
      return "repository";
  }
  return "repository";
}

constexpr std::array<text::Named<core::FixKind>, 5> kFixKinds{{
    {core::FixKind::none, "none"},
    {core::FixKind::restriction, "restriction"},
    {core::FixKind::visibility, "visibility"},
    {core::FixKind::fork_policy, "fork_policy"},
    {core::FixKind::delete_key, "delete_key"},
}};

// What `bbposture fix` does about a finding of the rule, from its Remedy (docs/fix.md).
std::string fix_sentence(const core::Rule& r) {
  const auto& m = r.remedy;
  std::string out;
  switch (m.kind) {
    case core::FixKind::none:
      return "never written: " + std::string(m.why_not);
    case core::FixKind::restriction:
      out = "adds `" + text::join(m.restrictions, "` and `") + "` on the default branch";
      if (m.value_from) {
        out += " with `" + std::string(core::threshold(*m.value_from).key) + "` as its value";
      } else if (m.minimum > 0) {
        out += " with the value " + std::to_string(m.minimum);
      }
      out += m.minimum > 0 || m.value_from ? ", or raises a lower value" : "";
      break;
    case core::FixKind::visibility:
      out = "with `" + std::string(m.flag) + "`: makes the repository private";
      break;
    case core::FixKind::fork_policy:
      out = "with `" + std::string(m.flag) + "`: sets the fork policy to `no_public_forks`";
      break;
    case core::FixKind::delete_key:
      out = "with `" + std::string(m.flag) + "`: deletes a deploy key or project deploy key";
      break;
  }
  if (!m.limitation.empty()) {
    out += ". " + std::string(m.limitation);
  }
  if (!out.ends_with('.')) {
    out += '.';
  }
  // A delete_key rule also covers what it never deletes (a user's own SSH key), and why.
  return m.why_not.empty() ? out : out + " " + std::string(m.why_not);
}

nlohmann::json fix_json(const core::Rule& r) {
  const auto& m = r.remedy;
  return {{"kind", text::name_of(kFixKinds, m.kind)},
          {"restrictions", m.restrictions},
          {"flag", m.flag.empty() ? nlohmann::json() : nlohmann::json(m.flag)},
          {"why_not", m.why_not.empty() ? nlohmann::json() : nlohmann::json(m.why_not)},
          {"limitation", m.limitation.empty() ? nlohmann::json() : nlohmann::json(m.limitation)},
          {"summary", fix_sentence(r)}};
}

// How the rule reads on Bitbucket Data Center (docs/datacenter.md), from its OnDataCenter.
std::string datacenter_sentence(const core::Rule& r) {
  if (!r.datacenter.evaluated) {
    return "Not evaluated on Data Center: it reads what only Bitbucket Cloud has.";
  }
  std::string reads;
  for (const auto subject : r.datacenter.reads) {
    reads.append(reads.empty() ? "" : ", ")
        .append("`")
        .append(core::to_string(subject))
        .append("`");
  }
  return std::string(r.datacenter.source) +
         (reads.empty() ? ""
                        : " Rests on the reads " + reads +
                              ": a verdict other than a pass while one of them failed is "
                              "unknown.");
}

nlohmann::json datacenter_json(const core::Rule& r) {
  auto reads = nlohmann::json::array();
  for (const auto subject : r.datacenter.reads) {
    reads.push_back(core::to_string(subject));
  }
  return {
      {"evaluated", r.datacenter.evaluated}, {"reads", reads}, {"summary", datacenter_sentence(r)}};
}

// Whether `r` is listed for `platform`: every rule for Cloud, the evaluated ones for Data Center.
bool listed(const core::Rule& r, core::Platform platform) {
  return platform == core::Platform::cloud || r.datacenter.evaluated;
}

std::string render_json(core::Platform platform) {
  auto rules = nlohmann::json::array();
  for (const auto& r : core::catalogue()) {
    if (!listed(r, platform)) {
      continue;
    }
    rules.push_back({{"number", r.number},
                     {"slug", r.slug},
                     {"finding_type_id", r.id},
                     {"title", r.title},
                     {"severity", core::to_string(r.severity)},
                     {"resource", resource_of(r)},
                     {"evaluated_on", core::to_string(r.subject)},
                     {"rule_set", core::to_string(r.set)},
                     {"default", core::in_default_set(r)},
                     {"oauth_scopes", r.oauth_scopes},
                     {"api_token_scopes", r.api_token_scopes},
                     {"description", r.description},
                     {"remediation", r.remediation},
                     {"fix", fix_json(r)},
                     {"datacenter", datacenter_json(r)}});
  }
  return rules.dump(2) + "\n";
}

std::string render_table(core::Platform platform) {
  std::ostringstream out;
  out << " #  SEVERITY  SLUG                          FINDING TYPE ID\n";
  bool extended = false;
  for (const auto& r : core::catalogue()) {
    if (!listed(r, platform)) {
      continue;
    }
    if (!core::in_default_set(r) && !extended) {
      extended = true;
      out << "\nExtended rules: not run by default (--rule-set extended or all, or --rule)\n";
    }
    std::string number = std::to_string(r.number);
    std::string severity(core::to_string(r.severity));
    std::string slug(r.slug);
    out << std::string(2 - std::min<std::size_t>(2, number.size()), ' ') << number << "  "
        << severity << std::string(10 - severity.size(), ' ') << slug
        << std::string(30 - std::min<std::size_t>(29, slug.size()), ' ') << r.id << '\n'
        << "    " << r.title << "\n";
    if (platform == core::Platform::datacenter) {
      out << "    Data Center: " << r.datacenter.source << "\n";
    }
  }
  return out.str();
}

// "- Thresholds: `stale_days` (`--stale-days`, default 365, 1 to 100000)", from the rule's row and
// the threshold table; nothing for a rule that uses none.
std::string thresholds_line(const core::Rule& r) {
  std::string line;
  for (const auto id : r.thresholds) {
    const auto& t = core::threshold(id);
    line.append(line.empty() ? "- Thresholds: " : "; ")
        .append("`")
        .append(t.key)
        .append("` (`")
        .append(t.flag)
        .append("`, default ")
        .append(std::to_string(core::default_value(t)))
        .append(", ")
        .append(std::to_string(t.min))
        .append(" to ")
        .append(std::to_string(t.max))
        .append(")");
  }
  return line.empty() ? line : line + "\n";
}

std::string render_markdown() {
  std::ostringstream out;
  out << "# Rules\n\n"
      << "<!-- Generated by `bbposture rules --format markdown`; a test fails when this file "
         "differs. Do not edit by hand. -->\n\n"
      << "bbposture has two sets of rules. The eleven `casb` rules (1-11) are the default. The "
         "`extended` rules (12-17) read more of Bitbucket (webhooks, Pipelines variables, "
         "workspace members and owners), cost more requests and need more scopes, so they run "
         "only when selected: `--rule-set extended` (those alone), `--rule-set all` (both "
         "sets), or by naming them with `--rule`. A rule that is not selected costs no "
         "request. Each rule has a fixed finding type ID and severity; `--rule` and "
         "`--skip-rule` accept either the slug or the ID. The eleven `casb` rules are "
         "evaluated on Bitbucket Data Center too, with the same IDs and severities; each rule "
         "below says which Data Center settings it reads there.\n\n"
      << "Every evaluation ends as `fail` (a finding), `pass`, `unknown` (the data could not "
         "be read: never reported as a finding or a pass) or `not_applicable` (for example the "
         "branch rules on an empty repository).\n\n"
      << "| # | Slug | Finding type ID | Title | Severity | Set |\n"
      << "|---|---|---|---|---|---|\n";
  for (const auto& r : core::catalogue()) {
    out << "| " << r.number << " | `" << r.slug << "` | `" << r.id << "` | " << r.title << " | "
        << core::to_string(r.severity) << " | " << core::to_string(r.set)
        << (core::in_default_set(r) ? " (default)" : "") << " |\n";
  }
  for (const auto& r : core::catalogue()) {
    out << "\n## " << r.number << ". " << r.title << "\n\n"
        << "- Slug: `" << r.slug << "`\n"
        << "- Finding type ID: `" << r.id << "`\n"
        << "- Severity: " << core::to_string(r.severity) << "\n"
        << "- Rule set: " << core::to_string(r.set)
        << (core::in_default_set(r) ? " (default)" : " (run only when selected)") << "\n"
        << "- Evaluated on: " << core::to_string(r.subject) << "\n"
        << "- OAuth scopes: `" << text::join(r.oauth_scopes, "`, `") << "`\n"
        << "- API token scopes: `" << text::join(r.api_token_scopes, "`, `") << "`\n"
        << thresholds_line(r) << "\n"
        << r.description << "\n\n"
        << "**Remediation.** " << r.remediation << "\n\n"
        << "**`bbposture fix`** ([fix.md](fix.md)): " << fix_sentence(r) << "\n\n"
        << "**On Bitbucket Data Center** ([datacenter.md](datacenter.md)): "
        << datacenter_sentence(r) << "\n";
  }
  return out.str();
}

}  // namespace

std::optional<RulesFormat> rules_format_from_string(std::string_view name) {
  static constexpr std::array<text::Named<RulesFormat>, 3> kRulesFormats{{
      {RulesFormat::table, "table"},
      {RulesFormat::json, "json"},
      {RulesFormat::markdown, "markdown"},
  }};
  return text::value_of(kRulesFormats, name, text::Case::insensitive);
}

std::string render_rules(RulesFormat format, core::Platform platform) {
  switch (format) {
    case RulesFormat::table:
      return render_table(platform);
    case RulesFormat::json:
      return render_json(platform);
    case RulesFormat::markdown:
      return render_markdown();
  }
  return {};
}

}  // namespace bbp::report
