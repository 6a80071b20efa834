#include "bbp/fix/plan.hpp"

#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "bbp/core/suppression.hpp"
#include "bbp/text/names.hpp"
#include "plan_check.hpp"

namespace bbp::fix {
namespace {

using nlohmann::json;
using text::Named;

constexpr std::array<Named<Action>, 7> kActions{{
    {Action::create_restriction, "create_restriction"},
    {Action::raise_value, "raise_value"},
    {Action::replace_exemptions, "replace_exemptions"},
    {Action::make_private, "make_private"},
    {Action::set_fork_policy, "set_fork_policy"},
    {Action::delete_deploy_key, "delete_deploy_key"},
    {Action::delete_project_deploy_key, "delete_project_deploy_key"},
}};

json optional_text(const std::optional<std::string>& value) {
  return value ? json(*value) : json();
}

json step_json(const Step& s) {
  auto removes = json::array();
  for (const auto& r : s.removes) {
    removes.push_back({{"type", r.type}, {"name", r.name}, {"id", r.id}});
  }
  json out{{"id", s.id},
           {"action", to_string(s.action)},
           {"workspace", s.workspace},
           {"repository", optional_text(s.repository)},
           {"project", optional_text(s.project)},
           {"target", s.target},
           {"rules", s.rules},
           {"fingerprints", s.fingerprints},
           {"summary", s.summary},
           {"current", s.current},
           {"desired", s.desired},
           {"request", to_json(s.request)},
           {"reread", to_json(s.reread)},
           {"scopes", {{"oauth", s.oauth_scopes}, {"api_token", s.api_token_scopes}}},
           {"reversible", s.reversible},
           {"flag", optional_text(s.flag)},
           {"limitations", s.limitations},
           {"removes", removes},
           {"cannot_apply", optional_text(s.cannot_apply)}};
  if (s.permission) {
    out["permission"] = *s.permission;  // Data Center's plans only
  }
  return out;
}

json body_json(const Plan& plan) {
  auto steps = json::array();
  for (const auto& s : plan.steps) {
    steps.push_back(step_json(s));
  }
  auto left = json::array();
  for (const auto& l : plan.left_alone) {
    left.push_back({{"rule", l.rule},
                    {"target", l.target},
                    {"fingerprint", l.fingerprint},
                    {"why", l.why},
                    {"flag", optional_text(l.flag)}});
  }
  auto unread = json::array();
  for (const auto& u : plan.unread) {
    unread.push_back({{"target", u.target}, {"reason", u.reason}});
  }
  return {
      {"format", kPlanFormat},
      {"version", plan.version},
      {"tool_version", plan.tool_version},
      {"created_at", core::format_timestamp(plan.created_at)},
      {"platform", plan.platform},
      {"api_url", plan.api_url},
      {"identity",
       {{"uuid", optional_text(plan.identity.uuid)}, {"name", optional_text(plan.identity.name)}}},
      {"credential", optional_text(plan.credential)},
      {"selection", plan.selection},
      {"min_approvals", plan.min_approvals},
      {"flags", plan.flags},
      {"steps", steps},
      {"left_alone", left},
      {"unread", unread}};
}

// ---- Reading: every member checked, with where it is ------------------------------------------

// Thrown inside the reader only, with the JSON path of what is wrong; turned into a value at
// the reader's edge.
struct Refusal {
  std::string message;
};

const json& member(const json& object, const char* key, const std::string& where) {
  const auto it = object.find(key);
  if (it == object.end()) {
    throw Refusal{where + ": '" + key + "' is missing"};
  }
  return *it;
}

std::string text_at(const json& object, const char* key, const std::string& where) {
  const auto& value = member(object, key, where);
  if (!value.is_string()) {
    throw Refusal{where + "." + key + " is not a string"};
  }
  return value.get<std::string>();
}

std::optional<std::string> optional_text_at(const json& object, const char* key,
                                            const std::string& where) {
  const auto& value = member(object, key, where);
  if (value.is_null()) {
    return std::nullopt;
  }
  return text_at(object, key, where);
}

std::vector<std::string> texts_at(const json& object, const char* key, const std::string& where) {
  const auto& value = member(object, key, where);
  if (!value.is_array()) {
    throw Refusal{where + "." + key + " is not a list"};
  }
  std::vector<std::string> out;
  for (const auto& v : value) {
    if (!v.is_string()) {
      throw Refusal{where + "." + key + " holds something that is not a string"};
    }
    out.push_back(v.get<std::string>());
  }
  return out;
}

const json& list_at(const json& object, const char* key, const std::string& where) {
  const auto& value = member(object, key, where);
  if (!value.is_array()) {
    throw Refusal{where + "." + key + " is not a list"};
  }
  return value;
}

Request request_from(const json& r, const std::string& where) {
  if (!r.is_object()) {
    throw Refusal{where + " is not an object"};
  }
  Request out{text_at(r, "method", where), text_at(r, "path", where), std::nullopt};
  if (const auto it = r.find("body"); it != r.end()) {
    out.body = *it;
  }
  if (!out.path.starts_with("/")) {
    throw Refusal{where + ".path is not a path below the API ('/…')"};
  }
  return out;
}

Step step_from(const json& s, const std::string& where) {
  if (!s.is_object()) {
    throw Refusal{where + " is not an object"};
  }
  Step out;
  out.id = text_at(s, "id", where);
  const auto action = action_from_string(text_at(s, "action", where));
  if (!action) {
    throw Refusal{where +
                  ".action is not an action this version knows: " + text_at(s, "action", where)};
  }
  out.action = *action;
  out.workspace = text_at(s, "workspace", where);
  out.repository = optional_text_at(s, "repository", where);
  out.project = optional_text_at(s, "project", where);
  out.target = text_at(s, "target", where);
  out.rules = texts_at(s, "rules", where);
  out.fingerprints = texts_at(s, "fingerprints", where);
  out.summary = text_at(s, "summary", where);
  out.current = member(s, "current", where);
  out.desired = member(s, "desired", where);
  out.request = request_from(member(s, "request", where), where + ".request");
  out.reread = request_from(member(s, "reread", where), where + ".reread");
  const auto& scopes = member(s, "scopes", where);
  out.oauth_scopes = texts_at(scopes, "oauth", where + ".scopes");
  out.api_token_scopes = texts_at(scopes, "api_token", where + ".scopes");
  out.reversible = member(s, "reversible", where).get<bool>();
  out.flag = optional_text_at(s, "flag", where);
  out.limitations = texts_at(s, "limitations", where);
  for (const auto& r : list_at(s, "removes", where)) {
    out.removes.push_back({text_at(r, "type", where + ".removes"),
                           text_at(r, "name", where + ".removes"),
                           text_at(r, "id", where + ".removes")});
  }
  out.cannot_apply = optional_text_at(s, "cannot_apply", where);
  if (s.contains("permission")) {
    out.permission = optional_text_at(s, "permission", where);
  }
  return out;
}

void header_from(const json& doc, Plan& plan) {
  const auto created = core::parse_timestamp(text_at(doc, "created_at", "the plan"));
  if (!created) {
    throw Refusal{"the plan's created_at is not an RFC 3339 time"};
  }
  plan.created_at = *created;
  plan.tool_version = text_at(doc, "tool_version", "the plan");
  plan.platform = text_at(doc, "platform", "the plan");
  plan.api_url = text_at(doc, "api_url", "the plan");
  const auto& identity = member(doc, "identity", "the plan");
  plan.identity = {optional_text_at(identity, "uuid", "the plan's identity"),
                   optional_text_at(identity, "name", "the plan's identity")};
  plan.credential = optional_text_at(doc, "credential", "the plan");
  plan.selection = member(doc, "selection", "the plan");
  plan.min_approvals = member(doc, "min_approvals", "the plan").get<int>();
  plan.flags = texts_at(doc, "flags", "the plan");
}

void lists_from(const json& doc, Plan& plan) {
  const auto& steps = list_at(doc, "steps", "the plan");
  for (std::size_t i = 0; i < steps.size(); ++i) {
    plan.steps.push_back(step_from(steps[i], "steps[" + std::to_string(i) + "]"));
  }
  for (const auto& l : list_at(doc, "left_alone", "the plan")) {
    plan.left_alone.push_back({text_at(l, "rule", "left_alone"), text_at(l, "target", "left_alone"),
                               text_at(l, "fingerprint", "left_alone"),
                               text_at(l, "why", "left_alone"),
                               optional_text_at(l, "flag", "left_alone")});
  }
  for (const auto& u : list_at(doc, "unread", "the plan")) {
    plan.unread.push_back({text_at(u, "target", "unread"), text_at(u, "reason", "unread")});
  }
}

// The format and version, said before anything else is looked at.
void check_kind(const json& doc) {
  if (!doc.is_object() || doc.value("format", "") != kPlanFormat) {
    throw Refusal{R"(not a bbposture fix plan (no "format": ")" + std::string(kPlanFormat) +
                  R"("): make one with `bbposture fix -o plan.json`)"};
  }
  const auto& version = member(doc, "version", "the plan");
  if (!version.is_number_integer() || version.get<int>() != kPlanVersion) {
    throw Refusal{"plan version " + version.dump() + " is not one this bbposture reads (it reads " +
                  std::to_string(kPlanVersion) + "): make the plan again with this version"};
  }
}

}  // namespace

std::string_view to_string(Action action) {
  return text::name_of(kActions, action);
}

std::optional<Action> action_from_string(std::string_view text) {
  return text::value_of(kActions, text);
}

std::string step_id_of(const Step& s) {
  return core::sha256_hex(std::string(to_string(s.action)) + "\n" + s.request.method + " " +
                          s.request.path + "\n" + s.desired.dump())
      .substr(0, 8);
}

json to_json(const Request& r) {
  json out{{"method", r.method}, {"path", r.path}};
  if (r.body) {
    out["body"] = *r.body;
  }
  return out;
}

json to_json(const Plan& plan) {
  auto out = body_json(plan);
  out["checksum"] = plan.checksum;
  return out;
}

std::string checksum_of(const Plan& plan) {
  // nlohmann::json keeps object keys sorted, so the dump is canonical.
  return "sha256:" + core::sha256_hex(body_json(plan).dump());
}

void seal(Plan& plan) {
  plan.checksum = checksum_of(plan);
}

tl::expected<Plan, std::string> plan_from_json(const json& document) {
  Plan plan;
  try {
    check_kind(document);
    header_from(document, plan);
    lists_from(document, plan);
    plan.checksum = text_at(document, "checksum", "the plan");
  } catch (const Refusal& refusal) {
    return tl::unexpected(refusal.message);
  } catch (const json::exception& e) {
    return tl::unexpected(std::string("the plan has a value of the wrong type (") + e.what() + ")");
  }
  if (plan.checksum != checksum_of(plan)) {
    return tl::unexpected(std::string(
        "the plan was changed after it was made (its checksum does not match what it says): "
        "make a new plan and review that one"));
  }
  for (const auto& step : plan.steps) {
    if (plan.platform != "cloud") {
      break;  // checked against Cloud's writes; a plan for another platform is never applied
    }
    if (auto problem = detail::step_problem(step, plan.flags)) {
      return tl::unexpected("step " + step.id + " (" + step.target +
                            ") is not one bbposture "
                            "makes: " +
                            *problem + "; make a new plan and review that one");
    }
  }
  return plan;
}

tl::expected<Plan, std::string> read_plan_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    const std::string reason = std::strerror(errno);  // NOLINT(concurrency-mt-unsafe)
    return tl::unexpected(path + ": cannot be read (" + reason + ")");
  }
  std::stringstream text;
  text << in.rdbuf();
  const auto document = json::parse(text.str(), nullptr, false);
  if (document.is_discarded()) {
    return tl::unexpected(path + ": not valid JSON (truncated or not a plan)");
  }
  auto plan = plan_from_json(document);
  if (!plan) {
    return tl::unexpected(path + ": " + plan.error());
  }
  return plan;
}

std::size_t applicable_steps(const Plan& plan) {
  std::size_t n = 0;
  for (const auto& s : plan.steps) {
    n += s.cannot_apply ? 0U : 1U;
  }
  return n;
}

}  // namespace bbp::fix
