#include "bbp/bitbucket/parse.hpp"

#include <cctype>
#include <tuple>

#include "bbp/core/time.hpp"
#include "bbp/text/text.hpp"

namespace bbp::bitbucket {
namespace {

const nlohmann::json* child(const nlohmann::json& json, std::string_view key) {
  if (!json.is_object()) {
    return nullptr;
  }
  const auto it = json.find(key);
  return it == json.end() ? nullptr : &*it;
}

std::optional<core::TimePoint> time_at(const nlohmann::json& json, std::string_view key) {
  if (const auto text = string_at(json, key)) {
    return core::parse_timestamp(*text);
  }
  return std::nullopt;
}

// Integers may arrive as numbers; ids are sometimes strings in other APIs — accept both.
std::optional<std::int64_t> integer_at(const nlohmann::json& json, std::string_view key) {
  const auto* v = child(json, key);
  if (v == nullptr) {
    return std::nullopt;
  }
  if (v->is_number_integer()) {
    return v->get<std::int64_t>();
  }
  if (v->is_number_float()) {
    const double d = v->get<double>();
    if (d >= -9.0e15 && d <= 9.0e15 && static_cast<double>(static_cast<std::int64_t>(d)) == d) {
      return static_cast<std::int64_t>(d);
    }
  }
  return std::nullopt;
}

std::optional<bool> bool_at(const nlohmann::json& json, std::string_view key) {
  const auto* v = child(json, key);
  return v != nullptr && v->is_boolean() ? std::optional<bool>(v->get<bool>()) : std::nullopt;
}

std::optional<std::string> id_at(const nlohmann::json& json, std::string_view key) {
  if (const auto n = integer_at(json, key)) {
    return std::to_string(*n);
  }
  return string_at(json, key);
}

std::vector<core::Principal> principals(const nlohmann::json& json, std::string_view key,
                                        bool groups) {
  std::vector<core::Principal> out;
  const auto* list = child(json, key);
  if (list == nullptr || !list->is_array()) {
    return out;
  }
  for (const auto& item : *list) {
    if (!item.is_object()) {
      continue;
    }
    core::Principal p;
    if (groups) {
      p.name = string_at(item, "slug").value_or(string_at(item, "name").value_or("?"));
      p.id = string_at(item, "full_slug").value_or(p.name);
    } else {
      p.name =
          string_at(item, "display_name")
              .value_or(
                  string_at(item, "nickname").value_or(string_at(item, "username").value_or("?")));
      p.id = string_at(item, "uuid").value_or(string_at(item, "account_id").value_or(""));
    }
    out.push_back(std::move(p));
  }
  return out;
}

std::optional<core::BranchingModelBranch> model_branch(const nlohmann::json& json) {
  if (!json.is_object()) {
    return std::nullopt;
  }
  if (const auto* enabled = child(json, "enabled");
      enabled && enabled->is_boolean() && !enabled->get<bool>()) {
    return std::nullopt;
  }
  core::BranchingModelBranch b;
  if (const auto* use = child(json, "use_mainbranch"); use && use->is_boolean()) {
    b.use_mainbranch = use->get<bool>();
  }
  b.name = string_at(json, "name");
  if (const auto* branch = child(json, "branch")) {
    b.branch_name = string_at(*branch, "name");
  }
  return b;
}

}  // namespace

std::optional<std::string> string_at(const nlohmann::json& json, std::string_view key) {
  const auto* v = child(json, key);
  if (v == nullptr || !v->is_string()) {
    return std::nullopt;
  }
  return v->get<std::string>();
}

std::optional<core::Repository> parse_repository(const nlohmann::json& json,
                                                 std::string_view workspace) {
  if (!json.is_object()) {
    return std::nullopt;
  }
  core::Repository r;
  r.workspace = std::string(workspace);
  const auto full_name = string_at(json, "full_name");
  auto slug = string_at(json, "slug");
  if (!slug && full_name) {
    const auto slash = full_name->find('/');
    slug = slash == std::string::npos ? *full_name : full_name->substr(slash + 1);
  }
  if (!slug || slug->empty()) {
    return std::nullopt;
  }
  r.slug = *slug;
  r.full_name = r.workspace + "/" + r.slug;
  r.name = string_at(json, "name").value_or(r.slug);
  r.uuid = string_at(json, "uuid").value_or("");
  if (const auto* p = child(json, "is_private"); p && p->is_boolean()) {
    r.is_private = p->get<bool>();
  }
  r.updated_on = time_at(json, "updated_on");
  if (const auto* main = child(json, "mainbranch"); main && main->is_object()) {
    r.mainbranch = string_at(*main, "name");
  }
  if (const auto* project = child(json, "project"); project && project->is_object()) {
    r.project_key = string_at(*project, "key");
  }
  r.fork_policy = string_at(json, "fork_policy");
  r.html_url = "https://bitbucket.org/" + r.full_name;
  if (const auto* links = child(json, "links")) {
    if (const auto* html = child(*links, "html")) {
      r.html_url = string_at(*html, "href").value_or(r.html_url);
    }
  }
  return r;
}

std::optional<core::BranchRestriction> parse_restriction(const nlohmann::json& json) {
  const auto kind = string_at(json, "kind");
  if (!kind) {
    return std::nullopt;
  }
  core::BranchRestriction r;
  r.kind = *kind;
  r.id = integer_at(json, "id").value_or(0);
  r.branch_match_kind = string_at(json, "branch_match_kind").value_or("glob");
  r.pattern = string_at(json, "pattern").value_or("");
  r.branch_type = string_at(json, "branch_type");
  r.value = integer_at(json, "value");
  r.users = principals(json, "users", false);
  r.groups = principals(json, "groups", true);
  return r;
}

std::optional<core::BranchingModel> parse_branching_model(const nlohmann::json& json) {
  const auto* development = child(json, "development");
  if (development == nullptr) {
    return std::nullopt;
  }
  auto dev = model_branch(*development);
  if (!dev) {
    return std::nullopt;
  }
  core::BranchingModel m;
  m.development = *dev;
  if (const auto* production = child(json, "production")) {
    m.production = model_branch(*production);
  }
  if (const auto* types = child(json, "branch_types"); types && types->is_array()) {
    for (const auto& t : *types) {
      const auto kind = string_at(t, "kind");
      const auto prefix = string_at(t, "prefix");
      const auto* enabled = child(t, "enabled");
      if (kind && prefix && !(enabled && enabled->is_boolean() && !enabled->get<bool>())) {
        m.branch_types.push_back({*kind, *prefix});
      }
    }
  }
  return m;
}

std::optional<core::Key> parse_key(const nlohmann::json& json, core::KeyKind kind) {
  if (!json.is_object()) {
    return std::nullopt;
  }
  core::Key k;
  k.kind = kind;
  k.id = kind == core::KeyKind::ssh_key
             ? string_at(json, "uuid").value_or(id_at(json, "id").value_or(""))
             : id_at(json, "id").value_or(string_at(json, "uuid").value_or(""));
  k.label = string_at(json, "label").value_or("");
  k.comment = string_at(json, "comment").value_or("");
  k.key_material = string_at(json, "key").value_or("");
  if (string_at(json, "created_on")) {
    k.created_on = time_at(json, "created_on");
    k.created_field = "created_on";
  } else if (string_at(json, "added_on")) {
    k.created_on = time_at(json, "added_on");
    k.created_field = "added_on";
  }
  k.last_used = time_at(json, "last_used");
  k.expires_on = time_at(json, "expires_on");
  if (const auto* owner = child(json, "owner")) {
    k.owner = string_at(*owner, "display_name").value_or("");
  }
  return k;
}

std::pair<std::string, std::string> url_scheme_and_host(std::string_view url) {
  std::string scheme;
  const auto colon = url.find("://");
  if (colon != std::string_view::npos) {
    scheme = text::ascii_lower(url.substr(0, colon));
    url.remove_prefix(colon + 3);
  }
  auto authority = url.substr(0, url.find_first_of("/?#"));
  if (const auto at = authority.rfind('@'); at != std::string_view::npos) {
    authority.remove_prefix(at + 1);  // user information can hold a password
  }
  return {scheme, std::string(authority)};
}

std::optional<core::Webhook> parse_webhook(const nlohmann::json& json) {
  if (!json.is_object()) {
    return std::nullopt;
  }
  core::Webhook h;
  h.uuid = string_at(json, "uuid").value_or("");
  h.description = string_at(json, "description").value_or("");
  std::tie(h.scheme, h.host) = url_scheme_and_host(string_at(json, "url").value_or(""));
  h.active = bool_at(json, "active");
  h.secret_set = bool_at(json, "secret_set");
  if (const auto* events = child(json, "events"); events && events->is_array()) {
    for (const auto& e : *events) {
      if (e.is_string()) {
        h.events.push_back(e.get<std::string>());
      }
    }
  }
  return h;
}

std::optional<core::PipelineVariable> parse_variable(const nlohmann::json& json,
                                                     core::VariableLevel level) {
  const auto key = string_at(json, "key");
  if (!key) {
    return std::nullopt;
  }
  // `value` is deliberately not read.
  core::PipelineVariable v;
  v.uuid = string_at(json, "uuid").value_or("");
  v.key = *key;
  v.secured = bool_at(json, "secured");
  v.level = level;
  return v;
}

std::optional<Environment> parse_environment(const nlohmann::json& json) {
  auto uuid = string_at(json, "uuid");
  if (!uuid) {
    return std::nullopt;
  }
  auto name = string_at(json, "name").value_or(*uuid);  // before the uuid is moved from
  return Environment{std::move(*uuid), std::move(name)};
}

std::optional<core::Member> parse_member(const nlohmann::json& json) {
  const auto* user = child(json, "user");
  if (user == nullptr || !user->is_object()) {
    return std::nullopt;
  }
  core::Member m;
  m.uuid = string_at(*user, "uuid").value_or("");
  m.account_id = string_at(*user, "account_id").value_or("");
  m.display_name = string_at(*user, "display_name")
                       .value_or(string_at(*user, "nickname").value_or(m.account_id));
  m.has_2fa_enabled = bool_at(*user, "has_2fa_enabled");
  return m;
}

std::optional<std::string> parse_workspace_slug(const nlohmann::json& json) {
  if (const auto* ws = child(json, "workspace"); ws && ws->is_object()) {
    return string_at(*ws, "slug");
  }
  return string_at(json, "slug");
}

}  // namespace bbp::bitbucket
