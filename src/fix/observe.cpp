#include "observe.hpp"

#include <array>

#include "bbp/bitbucket/parse.hpp"
#include "bbp/fix/state.hpp"
#include "bbp/text/names.hpp"

namespace bbp::fix::detail {
namespace {

using bitbucket::ApiError;
using nlohmann::json;

constexpr std::array<text::Named<Look>, 5> kLooks{{
    {Look::restriction_list, "restriction_list"},
    {Look::restriction, "restriction"},
    {Look::setting, "setting"},
    {Look::deploy_key, "deploy_key"},
    {Look::project_key, "project_key"},
}};

bool is_not_found(const ApiError& e) {
  return e.kind == ApiError::Kind::http && e.http_status == 404;
}

Matcher matcher_of(const json& desired) {
  return {desired.value("branch_match_kind", "glob"), desired.value("pattern", ""),
          desired.value("branch_type", "")};
}

tl::expected<Observed, ApiError> observe_list(bitbucket::ApiClient& api, const std::string& path,
                                              const json& desired) {
  const auto kind = desired.value("kind", "");
  const auto matcher = matcher_of(desired);
  Observed found{nullptr, nullptr};
  auto listed = api.for_each_page(path, [&](const json& values) {
    for (const auto& v : values) {
      const auto r = bitbucket::parse_restriction(v);
      if (r && r->kind == kind && matches(*r, matcher)) {
        found = {restriction_state(*r), v};
        return false;
      }
    }
    return true;
  });
  if (!listed) {
    return tl::unexpected(listed.error());
  }
  return found;
}

// One object: nothing when it is gone (404), else its state as `normalise` writes it.
template <typename Normalise>
tl::expected<Observed, ApiError> observe_one(bitbucket::ApiClient& api, const std::string& path,
                                             Normalise normalise) {
  auto answer = api.get_json(path);
  if (!answer && is_not_found(answer.error())) {
    return Observed{nullptr, nullptr};
  }
  if (!answer) {
    return tl::unexpected(answer.error());
  }
  auto state = normalise(*answer);
  if (!state) {
    ApiError e{ApiError::Kind::invalid_response,
               path,
               200,
               core::UnknownReason::invalid_response,
               "the answer is not what this target looks like",
               {},
               {},
               std::nullopt};
    return tl::unexpected(std::move(e));
  }
  return Observed{std::move(*state), std::move(*answer)};
}

json user_refs(const json& users) {
  auto out = json::array();
  for (const auto& u : users) {
    out.push_back(u.contains("uuid") ? json{{"uuid", u["uuid"]}}
                                     : json{{"account_id", u.value("account_id", "")}});
  }
  return out;
}

json group_refs(const json& groups) {
  auto out = json::array();
  for (const auto& g : groups) {
    out.push_back({{"slug", g.value("slug", "")}});
  }
  return out;
}

// The PUT body that puts back what a step changed, from the target's pre-image.
std::optional<json> restoring_body(Action action, const json& pre, const json& desired) {
  switch (action) {
    case Action::raise_value:
      return json{{"value", pre.value("value", json())}};
    case Action::replace_exemptions:
      return json{{"users", user_refs(pre.value("users", json::array()))},
                  {"groups", group_refs(pre.value("groups", json::array()))}};
    case Action::make_private:
    case Action::set_fork_policy: {
      const auto field = desired.items().begin().key();
      return json{{"type", "repository"}, {field, pre.value(field, json())}};
    }
    case Action::create_restriction:
    case Action::delete_deploy_key:
    case Action::delete_project_deploy_key:
      return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace

std::string_view to_string(Look look) {
  return text::name_of(kLooks, look);
}

std::optional<Look> look_from_string(std::string_view text) {
  return text::value_of(kLooks, text);
}

Look look_of(Action action) {
  switch (action) {
    case Action::create_restriction:
      return Look::restriction_list;
    case Action::raise_value:
    case Action::replace_exemptions:
      return Look::restriction;
    case Action::make_private:
    case Action::set_fork_policy:
      return Look::setting;
    case Action::delete_deploy_key:
      return Look::deploy_key;
    case Action::delete_project_deploy_key:
      return Look::project_key;
  }
  return Look::restriction;
}

tl::expected<Observed, ApiError> observe(bitbucket::ApiClient& api, Look look,
                                         const std::string& path, const json& desired) {
  const auto key = [&](core::KeyKind kind) {
    return [kind](const json& answer) -> std::optional<json> {
      const auto k = bitbucket::parse_key(answer, kind);
      return k ? std::optional(key_state(*k)) : std::nullopt;
    };
  };
  switch (look) {
    case Look::restriction_list:
      return observe_list(api, path, desired);
    case Look::restriction:
      return observe_one(api, path, [](const json& answer) -> std::optional<json> {
        const auto r = bitbucket::parse_restriction(answer);
        return r ? std::optional(restriction_state(*r)) : std::nullopt;
      });
    case Look::setting:
      return observe_one(api, path, [&](const json& answer) -> std::optional<json> {
        const auto field = desired.items().begin().key();
        return answer.is_object() ? std::optional(setting_state(field, answer.value(field, json())))
                                  : std::nullopt;
      });
    case Look::deploy_key:
      return observe_one(api, path, key(core::KeyKind::deploy_key));
    case Look::project_key:
      return observe_one(api, path, key(core::KeyKind::project_deploy_key));
  }
  return tl::unexpected(ApiError{});
}

Undo undo_for(const json& intent, const json& made) {
  const auto action = action_from_string(intent.at("action").get<std::string>());
  const auto request = request_from_json(intent.at("request"));
  const auto& desired = intent.at("desired");
  Undo undo;
  undo.look = look_of(*action);
  undo.check_path = intent.at("reread").get<std::string>();
  undo.check_state = desired;
  if (*action == Action::create_restriction) {
    const auto id = made.is_object() && made.contains("id") ? made["id"].dump() : std::string();
    undo.look = Look::restriction;
    undo.check_path = request.path + "/" + id;
    undo.check_state["id"] = made.is_object() ? made.value("id", json()) : json();
    if (!id.empty()) {
      undo.request = Request{"DELETE", undo.check_path, std::nullopt};
    }
    return undo;
  }
  if (auto body = restoring_body(*action, intent.at("pre_image"), desired)) {
    undo.request = Request{"PUT", request.path, std::move(*body)};
  }
  return undo;
}

Request request_from_json(const json& j) {
  Request r{j.at("method").get<std::string>(), j.at("path").get<std::string>(), std::nullopt};
  if (j.contains("body")) {
    r.body = j["body"];
  }
  return r;
}

}  // namespace bbp::fix::detail
