// What a plan's steps may ask, checked when a plan is read: a checksum proves that a plan was
// not changed by accident, not that nobody recomputed it. So each step is checked against its
// action: the request must be the one the writes table makes for that action and target, the
// change must tighten (a raised value higher than the one read, a new restriction without
// exemptions), and a disruptive action must be allowed by a flag the plan records.
#include <algorithm>
#include <cstdint>
#include <string>

#include "bbp/bitbucket/reads.hpp"
#include "bbp/fix/plan.hpp"
#include "plan_check.hpp"

namespace bbp::fix::detail {
namespace {

using bitbucket::WriteKind;
using nlohmann::json;

WriteKind write_kind(Action action) {
  switch (action) {
    case Action::create_restriction:
      return WriteKind::create_restriction;
    case Action::raise_value:
    case Action::replace_exemptions:
      return WriteKind::update_restriction;
    case Action::make_private:
    case Action::set_fork_policy:
      return WriteKind::update_repository;
    case Action::delete_deploy_key:
      return WriteKind::delete_deploy_key;
    case Action::delete_project_deploy_key:
      return WriteKind::delete_project_deploy_key;
  }
  return WriteKind::create_restriction;
}

// The flag an action needs, or "" when it needs none.
std::string flag_of(Action action) {
  switch (action) {
    case Action::replace_exemptions:
      return "--replace-exemptions";
    case Action::make_private:
      return "--allow-visibility";
    case Action::set_fork_policy:
      return "--allow-fork-policy";
    case Action::delete_deploy_key:
    case Action::delete_project_deploy_key:
      return "--allow-key-deletion";
    case Action::create_restriction:
    case Action::raise_value:
      return "";
  }
  return "";
}

// The id the step's path names: the restriction's or the key's, from the state it read.
std::string item_of(const Step& s) {
  if (!s.current.is_object() || !s.current.contains("id")) {
    return {};
  }
  const auto& id = s.current["id"];
  return id.is_string() ? id.get<std::string>() : id.dump();
}

std::optional<std::string> request_problem(const Step& s) {
  const auto& write = bitbucket::write_of(write_kind(s.action));
  bitbucket::Target t;
  t.workspace = s.workspace;
  t.repository = s.repository.value_or("");
  t.project = s.project.value_or("");
  t.item = item_of(s);
  if (s.request.method != http::to_string(write.method) ||
      s.request.path != bitbucket::path_for(write, t)) {
    return "its request is not the " + std::string(write.noun) + " request for its target";
  }
  const auto reread = bitbucket::reread_path_for(write, t);
  if (s.reread.method != "GET" ||
      (s.reread.path != reread && !s.reread.path.starts_with(reread + "?"))) {
    return std::string("its re-read is not a read of its target");
  }
  return std::nullopt;
}

json value_or_null(const json& state, const char* key) {
  return state.is_object() && state.contains(key) ? state[key] : json();
}

// A new restriction: exactly the desired one, with nobody exempted.
std::optional<std::string> create_problem(const Step& s) {
  const auto& body = s.request.body.value_or(json());
  if (!s.current.is_null() || !s.desired.is_object() || !body.is_object()) {
    return std::string("a restriction to create has a state or a body that does not fit");
  }
  for (const auto* key : {"kind", "branch_match_kind", "pattern", "branch_type", "value"}) {
    if (value_or_null(body, key) != value_or_null(s.desired, key)) {
      return "its body's '" + std::string(key) + "' is not the desired restriction's";
    }
  }
  for (const auto* list : {"users", "groups"}) {
    if (!value_or_null(body, list).is_null() && !body[list].empty()) {
      return std::string("a restriction it creates would exempt someone");
    }
  }
  return std::nullopt;
}

// A raised value: higher than the one read, and nothing else changed.
std::optional<std::string> raise_problem(const Step& s) {
  const auto wanted = value_or_null(s.desired, "value");
  const auto had = value_or_null(s.current, "value");
  if (!wanted.is_number_integer() || s.request.body != json{{"value", wanted}}) {
    return std::string("its body is not the desired value");
  }
  if (had.is_number_integer() && had.get<std::int64_t>() >= wanted.get<std::int64_t>()) {
    return std::string("it would lower or keep a value, never raise it");
  }
  auto rest = s.desired;
  rest.erase("value");
  auto before = s.current;
  if (before.is_object()) {
    before.erase("value");
  }
  return rest == before ? std::nullopt
                        : std::optional<std::string>("it changes more than the value");
}

std::optional<std::string> body_problem(const Step& s) {
  switch (s.action) {
    case Action::create_restriction:
      return create_problem(s);
    case Action::raise_value:
      return raise_problem(s);
    case Action::replace_exemptions:
      return s.request.body == json{{"users", json::array()}, {"groups", json::array()}}
                 ? std::nullopt
                 : std::optional<std::string>("its body does not only empty the exemptions");
    case Action::make_private:
      return s.request.body == json{{"type", "repository"}, {"is_private", true}}
                 ? std::nullopt
                 : std::optional<std::string>("its body does not only make it private");
    case Action::set_fork_policy:
      return s.request.body == json{{"type", "repository"}, {"fork_policy", "no_public_forks"}}
                 ? std::nullopt
                 : std::optional<std::string>("its body does not only stop public forks");
    case Action::delete_deploy_key:
    case Action::delete_project_deploy_key:
      return s.request.body || !s.desired.is_null()
                 ? std::optional<std::string>("a key deletion has a body or a desired state")
                 : std::nullopt;
  }
  return std::string("unknown action");
}

}  // namespace

std::optional<std::string> step_problem(const Step& s, const std::vector<std::string>& flags) {
  const auto flag = flag_of(s.action);
  if (!flag.empty() &&
      (s.flag != flag || std::find(flags.begin(), flags.end(), flag) == flags.end())) {
    return "it needs " + flag + ", which the plan was not made with";
  }
  if (auto problem = request_problem(s)) {
    return problem;
  }
  return body_problem(s);
}

}  // namespace bbp::fix::detail
