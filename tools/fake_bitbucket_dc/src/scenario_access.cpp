#include "scenario_access.hpp"

#include <algorithm>
#include <array>

#include "scenario_fields.hpp"
#include "util.hpp"

namespace bbp::fake_dc::detail {
namespace {

using nlohmann::json;

constexpr std::array<std::string_view, 4> kRestrictionTypes = {
    "read-only", "no-deletes", "fast-forward-only", "pull-request-only"};
constexpr std::array<std::string_view, 4> kModelCategories = {"FEATURE", "BUGFIX", "HOTFIX",
                                                              "RELEASE"};
constexpr std::array<std::string_view, 2> kModelBranches = {"development", "production"};

template <std::size_t N>
bool one_of(const std::array<std::string_view, N>& values, std::string_view value) {
  return std::find(values.begin(), values.end(), value) != values.end();
}

std::string capitalised(std::string_view text) {
  std::string out = to_lower(text);
  if (!out.empty()) {
    out[0] = static_cast<char>(out[0] - 'a' + 'A');
  }
  return out;
}

// Checks the matcher's type and id and works out the displayId Data Center shows for it.
void parse_matcher(const json& entry, Restriction& restriction, const std::string& where) {
  const auto* matcher = member(entry, "matcher");
  if (matcher == nullptr || !matcher->is_object()) {
    scenario_error(where, "needs a \"matcher\" object");
  }
  restriction.matcher_type = string_field(*matcher, "type", where + ".matcher");
  const std::string& type = restriction.matcher_type;
  const std::string fallback_id = type == "ANY_REF" ? "ANY_REF_MATCHER_ID" : "";
  restriction.matcher_id = string_field(*matcher, "id", where + ".matcher", fallback_id);
  const std::string& id = restriction.matcher_id;
  std::string display = id;
  if (type == "BRANCH") {
    if (id.rfind("refs/heads/", 0) != 0) {
      scenario_error(where, "a BRANCH matcher's id is a full ref name (refs/heads/…)");
    }
    display = id.substr(std::string_view("refs/heads/").size());
  } else if (type == "MODEL_CATEGORY") {
    if (!one_of(kModelCategories, id)) {
      scenario_error(where, "MODEL_CATEGORY id \"" + id +
                                "\" is not FEATURE, BUGFIX, HOTFIX or "
                                "RELEASE");
    }
    display = capitalised(id);
  } else if (type == "MODEL_BRANCH") {
    if (!one_of(kModelBranches, id)) {
      scenario_error(where, "MODEL_BRANCH id \"" + id + "\" is not development or production");
    }
    display = capitalised(id);
  } else if (type == "PATTERN" || type == "ANY_REF") {
    if (id.empty()) {
      scenario_error(where, "a PATTERN matcher needs a non-empty id");
    }
  } else {
    scenario_error(where, "unknown matcher type \"" + type + "\"");
  }
  restriction.matcher_display = string_field(*matcher, "displayId", where + ".matcher", display);
}

// Resolves the users, groups and access keys a restriction exempts.
void parse_exemptions(const json& entry, Restriction& restriction, const Scenario& scenario,
                      const std::vector<const std::vector<AccessKey>*>& keys,
                      const std::string& where) {
  for (const auto& user : array_field(entry, "users", where)) {
    const auto it = user.is_string() ? scenario.user_by_name.find(user.get<std::string>())
                                     : scenario.user_by_name.end();
    if (it == scenario.user_by_name.end()) {
      scenario_error(where, "unknown user " + user.dump());
    }
    restriction.users.push_back(it->second);
  }
  for (const auto& group : array_field(entry, "groups", where)) {
    if (!group.is_string() || scenario.groups.count(group.get<std::string>()) == 0) {
      scenario_error(where, "unknown group " + group.dump());
    }
    restriction.groups.push_back(group.get<std::string>());
  }
  for (const auto& id : array_field(entry, "access_keys", where)) {
    const bool known =
        id.is_number_integer() && std::any_of(keys.begin(), keys.end(), [&id](const auto* list) {
          return std::any_of(list->begin(), list->end(), [&id](const AccessKey& k) {
            return k.key.id == id.get<std::int64_t>();
          });
        });
    if (!known) {
      scenario_error(where, "unknown access key id " + id.dump());
    }
    restriction.access_keys.push_back(id.get<std::int64_t>());
  }
}

}  // namespace

Grants parse_grants(const json& object, const Scenario& scenario, Scope scope,
                    const std::string& where) {
  Grants grants;
  if (object.is_null()) {
    return grants;
  }
  if (!object.is_object()) {
    scenario_error(where, R"("permissions" must be an object)");
  }
  const std::string prefix = scope == Scope::project ? "PROJECT_" : "REPO_";
  for (const auto& [name, value] : object.items()) {
    const auto level = value.is_string() ? level_of(value.get<std::string>()) : std::nullopt;
    if (!level || value.get<std::string>().rfind(prefix, 0) != 0) {
      std::string message = "permission of \"";
      message.append(name).append("\" must be ").append(prefix).append("READ, ");
      message.append(prefix).append("WRITE or ").append(prefix).append("ADMIN");
      scenario_error(where, message);
    }
    if (name.rfind("group:", 0) == 0) {
      const std::string group = name.substr(6);
      if (scenario.groups.count(group) == 0) {
        scenario_error(where, "unknown group \"" + group + R"(" in "permissions")");
      }
      grants.groups[group] = *level;
    } else if (scenario.user_by_name.count(name) == 0) {
      scenario_error(where, "unknown user \"" + name + R"(" in "permissions")");
    } else {
      grants.users[name] = *level;
    }
  }
  return grants;
}

SshKey parse_ssh_key(const json& entry, const std::string& where, std::int64_t& next_id) {
  if (!entry.is_object()) {
    scenario_error(where, "must be an object");
  }
  SshKey key;
  key.id = int_field(entry, "id", where, next_id++, 1);
  key.label = string_field(entry, "label", where, "");
  key.text = string_field(entry, "text", where);
  if (const auto* created = member(entry, "created"); created != nullptr && !created->is_null()) {
    key.created = string_field(entry, "created", where);
    const auto millis = rfc3339_to_millis(*key.created);
    if (!millis) {
      scenario_error(where, "\"created\" must be an RFC 3339 date-time");
    }
    key.created_ms = *millis;
  }
  key.overrides = json::object();
  for (const char* name :
       {"fingerprint", "algorithmType", "bitLength", "expiryDays", "lastAuthenticated"}) {
    if (const auto* value = member(entry, name); value != nullptr) {
      key.overrides[name] = *value;
    }
  }
  return key;
}

std::vector<AccessKey> parse_access_keys(const json& array, Scope scope, const std::string& where,
                                         std::int64_t& next_id) {
  std::vector<AccessKey> keys;
  const std::string read = scope == Scope::project ? "PROJECT_READ" : "REPO_READ";
  const std::string write = scope == Scope::project ? "PROJECT_WRITE" : "REPO_WRITE";
  for (std::size_t i = 0; i < array.size(); ++i) {
    const std::string entry_where = where + ".access_keys[" + std::to_string(i) + "]";
    AccessKey key;
    key.key = parse_ssh_key(array[i], entry_where, next_id);
    key.permission = string_field(array[i], "permission", entry_where, read);
    if (key.permission != read && key.permission != write) {
      std::string message = R"("permission" must be )";
      message.append(read).append(" or ").append(write);
      scenario_error(entry_where, message);
    }
    keys.push_back(std::move(key));
  }
  return keys;
}

std::vector<Restriction> parse_restrictions(const json& array, const Scenario& scenario,
                                            const std::vector<const std::vector<AccessKey>*>& keys,
                                            const std::string& where, std::int64_t& next_id) {
  std::vector<Restriction> restrictions;
  for (std::size_t i = 0; i < array.size(); ++i) {
    const std::string entry_where = where + ".restrictions[" + std::to_string(i) + "]";
    const json& entry = array[i];
    if (!entry.is_object()) {
      scenario_error(entry_where, "must be an object");
    }
    Restriction restriction;
    restriction.id = int_field(entry, "id", entry_where, next_id++, 1);
    restriction.type = string_field(entry, "type", entry_where);
    if (!one_of(kRestrictionTypes, restriction.type)) {
      scenario_error(entry_where, "unknown restriction type \"" + restriction.type + "\"");
    }
    parse_matcher(entry, restriction, entry_where);
    parse_exemptions(entry, restriction, scenario, keys, entry_where);
    restrictions.push_back(std::move(restriction));
  }
  return restrictions;
}

}  // namespace bbp::fake_dc::detail
