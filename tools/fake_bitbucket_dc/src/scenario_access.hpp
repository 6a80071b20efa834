// Parsing of the access-control parts of a scenario: permission grants, SSH and access keys,
// and branch restrictions (with their references to users, groups and access keys checked).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "scenario.hpp"

namespace bbp::fake_dc::detail {

enum class Scope { project, repository };

// {"alice": "REPO_ADMIN", "group:devs": "REPO_READ"}: names must be known users or groups and
// permissions of the scope's kind (PROJECT_* or REPO_*).
Grants parse_grants(const nlohmann::json& object, const Scenario& scenario, Scope scope,
                    const std::string& where);

// A user's key or the key of an access key; `next_id` numbers keys without an id.
SshKey parse_ssh_key(const nlohmann::json& entry, const std::string& where, std::int64_t& next_id);

std::vector<AccessKey> parse_access_keys(const nlohmann::json& array, Scope scope,
                                         const std::string& where, std::int64_t& next_id);

// `keys` are the access keys a restriction may name (the repository's and its project's, or
// the project's).
std::vector<Restriction> parse_restrictions(const nlohmann::json& array, const Scenario& scenario,
                                            const std::vector<const std::vector<AccessKey>*>& keys,
                                            const std::string& where, std::int64_t& next_id);

}  // namespace bbp::fake_dc::detail
