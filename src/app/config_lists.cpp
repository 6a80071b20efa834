// The config file's lists: `ignore:` entries become core::Suppression and
// `declared_restrictions:` entries core::DeclaredRestrictions, every field checked in place.
#include <algorithm>
#include <array>
#include <cctype>
#include <optional>

#include "bbp/core/catalogue.hpp"
#include "bbp/core/suppression.hpp"
#include "bbp/text/text.hpp"
#include "commands.hpp"
#include "config_reader.hpp"

namespace bbp::app {
namespace {

using Pairs = std::vector<std::pair<YAML::Node, YAML::Node>>;

// A rule by slug or finding type ID, or the nearest one in the message.
tl::expected<const core::Rule*, std::string> rule_named(const YamlReader& reader,
                                                        const YAML::Node& key,
                                                        const YAML::Node& value) {
  auto name = reader.text(key, value);
  if (!name) {
    return Failure(name.error());
  }
  if (const auto* rule = core::find_rule(*name)) {
    return rule;
  }
  std::vector<std::string> known;
  for (const auto& rule : core::catalogue()) {
    known.emplace_back(rule.slug);
    known.emplace_back(rule.id);
  }
  std::string what = "unknown rule '" + *name + "'";
  if (const auto suggestion = nearest(*name, known)) {
    what += "; did you mean '" + *suggestion + "'?";
  } else {
    what += "; `bbposture rules` lists the slugs and IDs";
  }
  return Failure(reader.at(value.Mark(), what));
}

bool leap(int year) {
  return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

// "YYYY-MM-DD" and a day of the calendar.
bool real_date(std::string_view date) {
  if (date.size() != 10 || date[4] != '-' || date[7] != '-') {
    return false;
  }
  for (const std::size_t i : {0U, 1U, 2U, 3U, 5U, 6U, 8U, 9U}) {
    if (date[i] < '0' || date[i] > '9') {
      return false;
    }
  }
  const auto number = [&](std::size_t at, std::size_t n) {
    int v = 0;
    for (std::size_t i = at; i < at + n; ++i) {
      v = v * 10 + (date[i] - '0');
    }
    return v;
  };
  const int year = number(0, 4);
  const int month = number(5, 2);
  const int day = number(8, 2);
  static constexpr std::array<int, 12> kDays{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month < 1 || month > 12 || day < 1) {
    return false;
  }
  const int last = kDays[static_cast<std::size_t>(month - 1)] + (month == 2 && leap(year) ? 1 : 0);
  return day <= last;
}

const std::vector<std::string>& suppression_keys() {
  static const std::vector<std::string> keys{"rule",        "repository", "project", "key",
                                             "fingerprint", "reason",     "expires"};
  return keys;
}

std::optional<core::Suppression::Selector> selector_named(std::string_view name) {
  using S = core::Suppression::Selector;
  static constexpr std::array<std::pair<std::string_view, S>, 4> kSelectors{
      {{"repository", S::repository},
       {"project", S::project},
       {"key", S::key},
       {"fingerprint", S::fingerprint}}};
  for (const auto& [word, selector] : kSelectors) {
    if (word == name) {
      return selector;
    }
  }
  return std::nullopt;
}

// A finding fingerprint, or its first digits as the table prints them: at least
// core::kShortFingerprint hex digits, kept in lower case.
tl::expected<void, std::string> read_finding_fingerprint(const YamlReader& reader,
                                                         const YAML::Node& value,
                                                         core::Suppression& s) {
  const bool hex = std::all_of(s.value.begin(), s.value.end(), [](char c) {
    return std::isxdigit(static_cast<unsigned char>(c)) != 0;
  });
  if (!hex || s.value.size() < core::kShortFingerprint) {
    return reader.fail(value, "'fingerprint' must be a finding fingerprint or at least its first " +
                                  std::to_string(core::kShortFingerprint) +
                                  " hex digits, as the table and the JSON report print it (got '" +
                                  s.value + "')");
  }
  s.value = text::ascii_lower(s.value);
  return {};
}

// One key of an `ignore:` entry into `s`; `selector_key` remembers which selector was given.
tl::expected<void, std::string> read_suppression_field(const YamlReader& reader,
                                                       const YAML::Node& key,
                                                       const YAML::Node& value,
                                                       core::Suppression& s,
                                                       std::optional<std::string>& selector_key) {
  const std::string& name = key.Scalar();
  if (name == "rule") {
    auto rule = rule_named(reader, key, value);
    if (!rule) {
      return Failure(rule.error());
    }
    s.rule = *rule;
    return {};
  }
  auto text = reader.text(key, value);
  if (!text) {
    return Failure(text.error());
  }
  if (const auto selector = selector_named(name)) {
    if (selector_key) {
      return reader.fail(key,
                         "an ignore entry selects by one of repository, project, key or "
                         "fingerprint, and this one already has '" +
                             *selector_key + "'; split it into two entries");
    }
    selector_key = name;
    s.selector = *selector;
    s.value = *text;
    if (*selector == core::Suppression::Selector::fingerprint) {
      return read_finding_fingerprint(reader, value, s);
    }
  } else if (name == "reason") {
    s.reason = std::string(text::trim(*text));
  } else if (!real_date(*text)) {
    return reader.fail(
        value, "'expires' must be a date YYYY-MM-DD, such as 2027-01-31 (got '" + *text + "')");
  } else {
    s.expires = *text;
  }
  return {};
}

tl::expected<core::Suppression, std::string> read_suppression(const YamlReader& reader,
                                                              const YAML::Node& entry) {
  if (!entry.IsMap()) {
    return reader.fail(entry,
                       "an ignore entry is a mapping (- rule: SLUG, repository: GLOB, reason: "
                       "WHY); write it as one");
  }
  auto fields = entries(reader, entry, " in an ignore entry");
  if (!fields) {
    return Failure(fields.error());
  }
  core::Suppression s;
  s.source = reader.source(entry);
  std::optional<std::string> selector_key;
  for (const auto& [key, value] : *fields) {
    if (std::find(suppression_keys().begin(), suppression_keys().end(), key.Scalar()) ==
        suppression_keys().end()) {
      return reader.unknown_key(key, " in an ignore entry", suppression_keys());
    }
    if (auto ok = read_suppression_field(reader, key, value, s, selector_key); !ok) {
      return Failure(ok.error());
    }
  }
  if (!selector_key) {
    return reader.fail(entry,
                       "an ignore entry needs one of repository, project, key or "
                       "fingerprint; add the one that selects the findings");
  }
  if (s.rule == nullptr && s.selector != core::Suppression::Selector::fingerprint) {
    return reader.fail(entry,
                       "an ignore entry needs a rule (slug or ID) unless it names a "
                       "fingerprint; add rule: SLUG");
  }
  if (s.reason.empty()) {
    return reader.fail(entry, "an ignore entry needs a reason: say why the risk is accepted");
  }
  return s;
}

}  // namespace

tl::expected<std::vector<core::Suppression>, std::string> read_suppressions(
    const YamlReader& reader, const YAML::Node& key, const YAML::Node& value) {
  std::vector<core::Suppression> out;
  if (value.IsNull()) {
    return out;
  }
  if (!value.IsSequence()) {
    return Failure(reader.at(mark_of(key, value),
                             "'ignore' is a list of entries; write each one as '- rule: ...'"));
  }
  for (const auto& entry : value) {
    auto s = read_suppression(reader, entry);
    if (!s) {
      return Failure(s.error());
    }
    out.push_back(std::move(*s));
  }
  return out;
}

namespace {

// What a restriction kind takes in a declaration, in the API's vocabulary.
enum class Shape {
  number,      // a value: require_approvals_to_merge: 2
  on,          // no value: force: true
  principals,  // exemptions: push: {users: [...], groups: [...]}
};

struct KindRow {
  std::string_view kind;
  Shape shape;
};

// Every kind of the branch-restriction enum of Bitbucket Cloud's API.
constexpr std::array<KindRow, 18> kKinds{{
    {"push", Shape::principals},
    {"restrict_merges", Shape::principals},
    {"force", Shape::on},
    {"delete", Shape::on},
    {"require_approvals_to_merge", Shape::number},
    {"require_default_reviewer_approvals_to_merge", Shape::number},
    {"require_review_group_approvals_to_merge", Shape::number},
    {"require_passing_builds_to_merge", Shape::number},
    {"require_commits_behind", Shape::number},
    {"require_tasks_to_be_completed", Shape::on},
    {"require_no_changes_requested", Shape::on},
    {"require_all_dependencies_merged", Shape::on},
    {"require_all_comments_resolved", Shape::on},
    {"reset_pullrequest_approvals_on_change", Shape::on},
    {"smart_reset_pullrequest_approvals", Shape::on},
    {"reset_pullrequest_changes_requested_on_change", Shape::on},
    {"enforce_merge_checks", Shape::on},
    {"allow_auto_merge_when_builds_pass", Shape::on},
}};

const std::vector<std::string>& declaration_keys() {
  static const std::vector<std::string> keys{"workspace", "project",      "repository",
                                             "branch",    "restrictions", "reason"};
  return keys;
}

// A user by display name or {uuid}; a group by slug.
core::Principal principal(const std::string& name, bool user) {
  core::Principal p{name, ""};
  if (user && name.size() > 2 && name.front() == '{' && name.back() == '}') {
    p.id = name;
  }
  return p;
}

// push / restrict_merges: {users: [...], groups: [...]}, either list may be left out.
tl::expected<void, std::string> read_principals(const YamlReader& reader, const YAML::Node& key,
                                                const YAML::Node& value,
                                                core::BranchRestriction& r) {
  if (!value.IsMap()) {
    return Failure(reader.at(mark_of(key, value),
                             "'" + r.kind + "' takes the users and groups it exempts; write " +
                                 r.kind + ": {users: [], groups: []}"));
  }
  auto fields = entries(reader, value, " of " + r.kind);
  if (!fields) {
    return Failure(fields.error());
  }
  static const std::vector<std::string> kKeys{"users", "groups"};
  for (const auto& [name, list] : *fields) {
    if (std::find(kKeys.begin(), kKeys.end(), name.Scalar()) == kKeys.end()) {
      return reader.unknown_key(name, " of " + r.kind, kKeys);
    }
    auto items = reader.texts(name, list);
    if (!items) {
      return Failure(items.error());
    }
    const bool users = name.Scalar() == "users";
    for (const auto& item : *items) {
      (users ? r.users : r.groups).push_back(principal(item, users));
    }
  }
  return {};
}

// One `kind: value` of `restrictions:`.
tl::expected<core::BranchRestriction, std::string> read_restriction(const YamlReader& reader,
                                                                    const YAML::Node& key,
                                                                    const YAML::Node& value) {
  const std::string& kind = key.Scalar();
  const auto row =
      std::find_if(kKinds.begin(), kKinds.end(), [&](const KindRow& k) { return k.kind == kind; });
  if (row == kKinds.end()) {
    std::vector<std::string> known;
    known.reserve(kKinds.size());
    for (const auto& k : kKinds) {
      known.emplace_back(k.kind);
    }
    return reader.unknown_key(key, " in restrictions (a kind of Bitbucket's API)", known);
  }
  core::BranchRestriction r;
  r.kind = kind;
  r.branch_match_kind = "glob";
  if (row->shape == Shape::principals) {
    if (auto ok = read_principals(reader, key, value, r); !ok) {
      return Failure(ok.error());
    }
    return r;
  }
  const auto mark = mark_of(key, value);
  if (row->shape == Shape::on) {
    bool on = false;
    if (!value.IsScalar() || !YAML::convert<bool>::decode(value, on) || !on) {
      return Failure(reader.at(
          mark, "'" + kind + "' takes no value: write " + kind + ": true, or remove the line"));
    }
    return r;
  }
  std::int64_t number = -1;
  if (!value.IsScalar() || !YAML::convert<std::int64_t>::decode(value, number) || number < 0 ||
      number > 1000) {
    return Failure(
        reader.at(mark, "'" + kind + "' takes a number from 0 to 1000; write " + kind + ": 2"));
  }
  r.value = number;
  return r;
}

tl::expected<std::vector<core::BranchRestriction>, std::string> read_restrictions(
    const YamlReader& reader, const YAML::Node& key, const YAML::Node& value) {
  if (!value.IsMap() || value.size() == 0) {
    return Failure(reader.at(mark_of(key, value),
                             "'restrictions' maps restriction kinds to values; write e.g. "
                             "restrictions: {require_approvals_to_merge: 2, force: true}"));
  }
  auto fields = entries(reader, value, " in restrictions");
  if (!fields) {
    return Failure(fields.error());
  }
  std::vector<core::BranchRestriction> out;
  for (const auto& [kind, setting] : *fields) {
    auto r = read_restriction(reader, kind, setting);
    if (!r) {
      return Failure(r.error());
    }
    out.push_back(std::move(*r));
  }
  return out;
}

// One key of a `declared_restrictions:` entry into `d`.
tl::expected<void, std::string> read_declaration_field(const YamlReader& reader,
                                                       const YAML::Node& key,
                                                       const YAML::Node& value,
                                                       core::DeclaredRestrictions& d,
                                                       std::string& reason) {
  const std::string& name = key.Scalar();
  if (name == "restrictions") {
    auto restrictions = read_restrictions(reader, key, value);
    if (!restrictions) {
      return Failure(restrictions.error());
    }
    d.restrictions = std::move(*restrictions);
    return {};
  }
  auto text = reader.text(key, value);
  if (!text) {
    return Failure(text.error());
  }
  if (name == "workspace") {
    d.workspace = *text;
  } else if (name == "project") {
    d.project = *text;
  } else if (name == "repository") {
    d.repository_glob = *text;
  } else if (name == "branch") {
    d.branch_glob = *text == "default" ? std::nullopt : std::optional<std::string>(*text);
  } else {
    reason = std::string(text::trim(*text));
  }
  return {};
}

tl::expected<core::DeclaredRestrictions, std::string> read_declaration(const YamlReader& reader,
                                                                       const YAML::Node& entry,
                                                                       std::string& reason) {
  if (!entry.IsMap()) {
    return reader.fail(entry,
                       "a declared_restrictions entry is a mapping (- project: KEY, "
                       "restrictions: {...}); write it as one");
  }
  auto fields = entries(reader, entry, " in a declared_restrictions entry");
  if (!fields) {
    return Failure(fields.error());
  }
  core::DeclaredRestrictions d;
  d.source = reader.source(entry);
  for (const auto& [key, value] : *fields) {
    const auto& known = declaration_keys();
    if (std::find(known.begin(), known.end(), key.Scalar()) == known.end()) {
      return reader.unknown_key(key, " in a declared_restrictions entry", known);
    }
    if (auto ok = read_declaration_field(reader, key, value, d, reason); !ok) {
      return Failure(ok.error());
    }
  }
  if (!d.workspace && !d.project && !d.repository_glob) {
    return reader.fail(entry,
                       "a declared_restrictions entry needs at least one of workspace, "
                       "project or repository; add the one it applies to");
  }
  if (d.restrictions.empty()) {
    return reader.fail(entry, "a declared_restrictions entry needs restrictions: {KIND: VALUE}");
  }
  for (auto& r : d.restrictions) {
    r.declared_in = d.source;
    r.pattern = d.branch_glob.value_or("");  // "": the engine uses the repository's main branch
  }
  return d;
}

}  // namespace

tl::expected<Declarations, std::string> read_declarations(const YamlReader& reader,
                                                          const YAML::Node& key,
                                                          const YAML::Node& value) {
  Declarations out;
  if (value.IsNull()) {
    return out;
  }
  if (!value.IsSequence()) {
    return Failure(reader.at(mark_of(key, value),
                             "'declared_restrictions' is a list of entries; "
                             "write each one as '- project: KEY ...'"));
  }
  for (const auto& entry : value) {
    std::string reason;
    auto d = read_declaration(reader, entry, reason);
    if (!d) {
      return Failure(d.error());
    }
    if (!reason.empty()) {
      out.reasons[d->source] = reason;
    }
    out.entries.push_back(std::move(*d));
  }
  return out;
}

}  // namespace bbp::app
