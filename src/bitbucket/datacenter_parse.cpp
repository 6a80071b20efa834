// Data Center's answers into the snapshot's shapes. As for Cloud: tolerant of what is extra,
// strict about what a verdict rests on (a value that is missing or of the wrong type is never
// taken for a safe one). Where versions answer in different shapes, each shape is accepted.
#include "bbp/bitbucket/datacenter_reads.hpp"

#include <algorithm>
#include <chrono>
#include <string>
#include <utility>

#include "bbp/bitbucket/parse.hpp"
#include "bbp/text/text.hpp"

namespace bbp::bitbucket::datacenter {
namespace {

using nlohmann::json;
using Parsing = tl::expected<Parsed, std::string>;

// What is wrong with a list answer that is neither an array nor one complete page (a page
// with more after it, read as one object, would lose the rest); nullopt when it is fine.
std::optional<std::string> list_problem(const json& answer) {
  if (answer.is_array()) {
    return std::nullopt;
  }
  const auto values = answer.is_object() ? answer.find("values") : answer.end();
  if (values == answer.end() || !values->is_array()) {
    return std::string("the answer is neither a list nor a page of results");
  }
  if (const auto last = answer.find("isLastPage"); last != answer.end() && *last == false) {
    return std::string("the answer is one page of several, where one list was expected");
  }
  return std::nullopt;
}

// The entries of a list answer: the array itself, or a page's `values`.
const json& entries_of(const json& answer) {
  static const json kNone = json::array();
  if (answer.is_array()) {
    return answer;
  }
  const auto values = answer.is_object() ? answer.find("values") : answer.end();
  return values != answer.end() && values->is_array() ? *values : kNone;
}

bool digits(const std::string& text) {
  return !text.empty() &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::optional<std::int64_t> integer_at(const json& j, std::string_view key) {
  const auto it = j.is_object() ? j.find(key) : j.end();
  if (it == j.end()) {
    return std::nullopt;
  }
  if (it->is_number_integer()) {
    return it->get<std::int64_t>();
  }
  if (it->is_string()) {  // some versions send counts as strings ("2")
    const auto text = it->get<std::string>();
    if (digits(text) && text.size() < 10) {
      return std::stoll(text);
    }
  }
  return std::nullopt;
}

// true/false, or the strings "true"/"false" one version sends; nullopt otherwise.
std::optional<bool> flag_at(const json& j, std::string_view key) {
  const auto it = j.is_object() ? j.find(key) : j.end();
  if (it == j.end()) {
    return std::nullopt;
  }
  if (it->is_boolean()) {
    return it->get<bool>();
  }
  if (it->is_string() && (*it == "true" || *it == "false")) {
    return *it == "true";
  }
  return std::nullopt;
}

// A time given as epoch milliseconds (a number, or digits in a string) or as an ISO 8601 text.
std::optional<core::TimePoint> time_at(const json& j, std::string_view key) {
  const auto it = j.is_object() ? j.find(key) : j.end();
  if (it == j.end()) {
    return std::nullopt;
  }
  if (it->is_number_integer()) {
    return core::TimePoint{} + std::chrono::milliseconds(it->get<std::int64_t>());
  }
  if (it->is_string()) {
    const auto text = it->get<std::string>();
    if (digits(text) && text.size() <= 18) {
      return core::TimePoint{} + std::chrono::milliseconds(std::stoll(text));
    }
    return core::parse_timestamp(text);
  }
  return std::nullopt;
}

// A matcher's or a restriction's type: the string, or the `id` of a {id, name} object.
std::optional<std::string> type_of(const json& j) {
  const auto it = j.is_object() ? j.find("type") : j.end();
  if (it == j.end()) {
    return std::nullopt;
  }
  if (it->is_string()) {
    return it->get<std::string>();
  }
  return string_at(*it, "id");
}

constexpr std::string_view kHeads = "refs/heads/";

// The users, groups and access keys a restriction exempts, as principals (access keys among
// the users, named so a person can tell them apart).
void exemptions_of(const json& r, core::BranchRestriction& out) {
  const auto list = [&r](const char* key) {
    const auto& value = r.value(key, json::array());
    return value.is_array() ? value : json::array();
  };
  for (const auto& u : list("users")) {
    const auto name = string_at(u, "displayName").value_or(string_at(u, "name").value_or("?"));
    out.users.push_back({name, "user:" + string_at(u, "slug").value_or(name)});
  }
  for (const auto& g : list("groups")) {
    const auto name = g.is_string() ? std::optional(g.get<std::string>()) : string_at(g, "name");
    out.groups.push_back({name.value_or("?"), "group:" + name.value_or("?")});
  }
  for (const auto& k : list("accessKeys")) {
    const auto& key = k.is_object() && k.contains("key") ? k["key"] : k;
    const auto id = integer_at(key, "id");
    out.users.push_back({"access key '" + string_at(key, "label").value_or("?") + "'",
                         "access-key:" + (id ? std::to_string(*id) : std::string("?"))});
  }
}

// The kinds of branch restriction a Data Center restriction type stands for (docs/rules.md):
// a force push is a push that read-only and pull-request-only refuse; neither is counted
// against deletion, which Data Center lets a branch's page do without a push.
std::vector<std::string> kinds_of(const std::string& type) {
  if (type == "read-only" || type == "pull-request-only") {
    return {"push", "force"};
  }
  if (type == "fast-forward-only") {
    return {"force"};
  }
  if (type == "no-deletes") {
    return {"delete"};
  }
  return {type};  // kept as written: no rule judges it
}

}  // namespace

std::optional<core::BranchRestriction> from_matcher(const json& matcher) {
  const auto type = type_of(matcher);
  const auto id = string_at(matcher, "id");
  if (!type || !id) {
    return std::nullopt;
  }
  core::BranchRestriction r;
  if (*type == "BRANCH") {
    // Exact: git refuses '*' in a ref name, so Cloud's glob matches the name alone.
    r.branch_match_kind = id->starts_with(kHeads) || !id->starts_with("refs/") ? "glob" : "ref";
    r.pattern = id->starts_with(kHeads) ? id->substr(kHeads.size()) : *id;
  } else if (*type == "PATTERN") {
    r.branch_match_kind = "pattern";
    r.pattern = *id;
  } else if (*type == "ANY_REF") {
    r.branch_match_kind = "pattern";
    r.pattern = "**";
  } else if (*type == "MODEL_BRANCH" || *type == "MODEL_CATEGORY") {
    r.branch_match_kind = "branching_model";
    r.branch_type = text::ascii_lower(*id);  // development, production, feature, bugfix…
  } else {
    return std::nullopt;
  }
  return r;
}

std::vector<core::BranchRestriction> restrictions_of(const json& restriction,
                                                     const std::string& level) {
  if (!restriction.is_object()) {
    return {};
  }
  const auto type = type_of(restriction);
  const auto match =
      restriction.contains("matcher") ? from_matcher(restriction["matcher"]) : std::nullopt;
  if (!type || !match) {
    return {};
  }
  std::vector<core::BranchRestriction> out;
  for (auto& kind : kinds_of(*type)) {
    core::BranchRestriction r = *match;
    r.id = integer_at(restriction, "id").value_or(0);
    r.kind = std::move(kind);
    exemptions_of(restriction, r);
    r.source = level + " branch permission " + std::to_string(r.id) + " (" + *type + ")";
    out.push_back(std::move(r));
  }
  return out;
}

namespace {

// A restriction that applies to every target branch, made from a repository-wide setting.
core::BranchRestriction everywhere(std::string kind, std::optional<std::int64_t> value,
                                   std::string source) {
  core::BranchRestriction r;
  r.kind = std::move(kind);
  r.branch_match_kind = "pattern";
  r.pattern = "**";
  r.value = value;
  r.source = std::move(source);
  return r;
}

// The highest approval count the settings ask for, over every shape versions use: an integer,
// an {enabled, count} object, requiredApproversDeprecated, or the bundled merge check's key.
std::optional<std::int64_t> required_approvers(const json& settings) {
  std::optional<std::int64_t> best;
  const auto consider = [&](std::optional<std::int64_t> n) {
    if (n && *n > 0 && (!best || *n > *best)) {
      best = n;
    }
  };
  const auto counted = [&](const json& object) {
    if (object.is_object() && flag_at(object, "enabled").value_or(false)) {
      consider(integer_at(object, "count"));
    }
  };
  consider(integer_at(settings, "requiredApprovers"));
  if (const auto it = settings.find("requiredApprovers"); it != settings.end()) {
    counted(*it);
  }
  consider(integer_at(settings, "requiredApproversDeprecated"));
  if (const auto it = settings.find(kApproversMergeCheck); it != settings.end()) {
    counted(*it);
  }
  return best;
}

}  // namespace

Parsing parse_server(const json& answer, const Target& /*target*/) {
  auto version = string_at(answer, "version");
  if (!version) {
    return tl::unexpected(
        std::string("the answer has no 'version': not a Bitbucket Data Center server"));
  }
  return Parsed{ServerInfo{std::move(*version), string_at(answer, "displayName").value_or("")}};
}

Parsing parse_caller(const json& answer, const Target& /*target*/) {
  if (!answer.is_object() || !answer.contains("values")) {
    return tl::unexpected(std::string("the user list is not a page of users"));
  }
  return Parsed{Caller{true, std::nullopt, std::nullopt}};  // the name comes in a header
}

Parsing parse_listing(const json& answer, const Target& /*target*/) {
  std::vector<ListedRepository> out;
  for (const auto& v : entries_of(answer)) {
    if (!v.is_object()) {
      continue;
    }
    const auto slug = string_at(v, "slug");
    const auto& project = v.contains("project") ? v["project"] : json();
    const auto key = string_at(project, "key");
    if (!slug || !key) {
      continue;
    }
    core::Repository r;
    r.workspace = *key;
    r.slug = *slug;
    r.full_name = *key + "/" + *slug;
    const auto id = integer_at(v, "id");
    r.uuid = id ? std::to_string(*id) : r.full_name;
    r.name = string_at(v, "name").value_or(*slug);
    r.project_key = *key;
    // Public when the repository or its project is; unknown when either is not said.
    const auto is_public = flag_at(v, "public");
    r.project_public = flag_at(project, "public");
    if (is_public && *is_public) {
      r.is_private = false;
    } else if (is_public && r.project_public) {
      r.is_private = !*r.project_public;
    }
    const auto& links = v.contains("links") && v["links"].is_object() ? v["links"] : json::object();
    const auto& self = links.value("self", json::array());
    if (self.is_array() && !self.empty()) {
      r.html_url = string_at(self[0], "href").value_or("");
    }
    out.push_back({std::move(r), string_at(project, "name")});
  }
  return Parsed{std::move(out)};
}

Parsing parse_restrictions(const json& answer, const Target& target) {
  const std::string level =
      target.repository.empty() ? "project " + target.project : std::string("repository");
  std::vector<core::BranchRestriction> out;
  for (const auto& v : entries_of(answer)) {
    auto made = restrictions_of(v, level);
    if (made.empty()) {
      // A permission that protects something bbposture cannot tell: not read as none.
      return tl::unexpected(std::string("a branch permission has no type or an unknown matcher"));
    }
    for (auto& r : made) {
      out.push_back(std::move(r));
    }
  }
  return Parsed{std::move(out)};
}

Parsing parse_merge_settings(const json& answer, const Target& /*target*/) {
  if (!answer.is_object()) {
    return tl::unexpected(std::string("the pull-request settings are not a JSON object"));
  }
  MergeSettings out;
  if (const auto n = required_approvers(answer)) {
    out.restrictions.push_back(
        everywhere("require_approvals_to_merge", n, "pull-request settings (required approvers)"));
  }
  if (const auto& builds = answer.value("requiredSuccessfulBuilds", json());
      builds.is_object() && flag_at(builds, "enabled").value_or(false)) {
    if (const auto n = integer_at(builds, "count"); n && *n > 0) {
      out.restrictions.push_back(everywhere("require_passing_builds_to_merge", n,
                                            "pull-request settings (successful builds)"));
    }
  }
  const auto reset = flag_at(answer, "unapproveOnUpdate");
  out.approval_reset_known = reset.has_value();
  if (reset && *reset) {
    out.restrictions.push_back(everywhere("reset_pullrequest_approvals_on_change", std::nullopt,
                                          "pull-request settings (unapproveOnUpdate)"));
  }
  out.restrictions.push_back(everywhere("enforce_merge_checks", std::nullopt,
                                        "Data Center: every enabled merge check blocks the merge"));
  return Parsed{std::move(out)};
}

Parsing parse_default_reviewers(const json& answer, const Target& /*target*/) {
  if (auto problem = list_problem(answer)) {
    return tl::unexpected("default-reviewer conditions: " + *problem);
  }
  std::vector<core::BranchRestriction> out;
  for (const auto& c : entries_of(answer)) {
    if (!c.is_object()) {
      return tl::unexpected(std::string("a default-reviewer condition is not an object"));
    }
    const auto n = integer_at(c, "requiredApprovals");
    const auto& source = c.value("sourceRefMatcher", json());
    // Only a condition on pull requests from any branch requires approvals of every one.
    if (!n || *n <= 0 || (!source.is_null() && type_of(source) != "ANY_REF")) {
      continue;
    }
    auto r = from_matcher(c.value("targetRefMatcher", json()));
    if (!r) {
      return tl::unexpected(std::string("a default-reviewer condition has an unknown matcher"));
    }
    r->id = integer_at(c, "id").value_or(0);
    r->kind = "require_default_reviewer_approvals_to_merge";
    r->value = n;
    r->source = "default-reviewer condition " + std::to_string(r->id);
    out.push_back(std::move(*r));
  }
  return Parsed{std::move(out)};
}

Parsing parse_build_conditions(const json& answer, const Target& /*target*/) {
  if (auto problem = list_problem(answer)) {
    return tl::unexpected("required-builds merge checks: " + *problem);
  }
  std::vector<BuildCondition> out;
  for (const auto& c : entries_of(answer)) {
    if (!c.is_object()) {
      return tl::unexpected(std::string("a required-builds merge check is not an object"));
    }
    const auto keys = c.value("buildParentKeys", json::array());
    if (!keys.is_array() || keys.empty()) {
      continue;  // requires no build
    }
    auto r = from_matcher(c.value("refMatcher", json()));
    if (!r) {
      return tl::unexpected(std::string("a required-builds merge check has an unknown matcher"));
    }
    r->id = integer_at(c, "id").value_or(0);
    r->kind = "require_passing_builds_to_merge";
    r->value = static_cast<std::int64_t>(keys.size());
    r->source = "required-builds merge check " + std::to_string(r->id);
    BuildCondition condition{std::move(*r), std::nullopt};
    if (const auto& exempt = c.value("exemptRefMatcher", json()); !exempt.is_null()) {
      condition.exempt = from_matcher(exempt);
      condition.exempt_unreadable = !condition.exempt;
    }
    out.push_back(std::move(condition));
  }
  return Parsed{std::move(out)};
}

Parsing parse_branch_model(const json& answer, const Target& /*target*/) {
  const auto branch = [](const json& b) {
    core::BranchingModelBranch out;
    out.use_mainbranch = flag_at(b, "useDefault").value_or(false);
    out.name = string_at(b, "displayId");
    out.branch_name = out.name;
    return out;
  };
  const auto& development = answer.is_object() ? answer.value("development", json()) : json();
  if (!development.is_object()) {
    return tl::unexpected(std::string("the branch model has no 'development' branch"));
  }
  core::BranchingModel model;
  model.development = branch(development);
  if (const auto& production = answer.value("production", json()); production.is_object()) {
    model.production = branch(production);
  }
  const auto& types = answer.value("types", json::array());
  for (const auto& t : types.is_array() ? types : json::array()) {
    const auto id = string_at(t, "id");
    if (id && flag_at(t, "enabled").value_or(true)) {
      model.branch_types.push_back({text::ascii_lower(*id), string_at(t, "prefix").value_or("")});
    }
  }
  return Parsed{std::move(model)};
}

Parsing parse_default_branch(const json& answer, const Target& /*target*/) {
  const auto id = string_at(answer, "id");
  if (!id || !id->starts_with(kHeads)) {
    return tl::unexpected(std::string("the default branch is not a branch ref"));
  }
  return Parsed{DefaultBranch{id->substr(kHeads.size())}};
}

Parsing parse_last_commit(const json& answer, const Target& /*target*/) {
  const auto& values = entries_of(answer);
  if (!answer.is_object() || !answer.contains("values")) {
    return tl::unexpected(std::string("the commit list is not a page of commits"));
  }
  if (values.empty()) {
    return Parsed{LastCommit{std::nullopt, true}};
  }
  auto when = time_at(values[0], "committerTimestamp");
  if (!when) {
    return tl::unexpected(std::string("the latest commit has no 'committerTimestamp'"));
  }
  return Parsed{LastCommit{when, false}};
}

Parsing parse_keys(const json& answer, const Target& target) {
  std::vector<core::Key> out;
  for (const auto& v : entries_of(answer)) {
    if (!v.is_object()) {
      continue;
    }
    const auto& key = v.contains("key") ? v["key"] : v;  // an access key wraps its key
    const auto id = integer_at(key, "id");
    if (!id) {
      continue;
    }
    core::Key k;
    k.kind = target.user.empty() ? (target.repository.empty() ? core::KeyKind::project_deploy_key
                                                              : core::KeyKind::deploy_key)
                                 : core::KeyKind::ssh_key;
    k.id = std::to_string(*id);
    k.label = string_at(key, "label").value_or("");
    k.key_material = string_at(key, "text").value_or("");
    k.created_on = time_at(key, "createdDate");
    k.created_field = "createdDate";
    k.last_used = time_at(key, "lastAuthenticated");
    k.workspace = target.workspace;
    if (k.kind == core::KeyKind::deploy_key) {
      k.repository = target.workspace + "/" + target.repository;
    } else if (k.kind == core::KeyKind::project_deploy_key) {
      k.project = target.project;
    }
    out.push_back(std::move(k));
  }
  return Parsed{std::move(out)};
}

}  // namespace bbp::bitbucket::datacenter
