// The checks and messages of the extended rule set (forks, webhooks, Pipelines variables,
// workspace members and owners). Their rows are in catalogue.cpp with the eleven.
// Internal to core.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "bbp/core/catalogue.hpp"

namespace bbp::core::extended {

Verdict check_public_forks(const RuleContext& ctx);
Verdict check_webhook_secret(const RuleContext& ctx);
Verdict check_webhook_http(const RuleContext& ctx);
Verdict check_secret_variable(const RuleContext& ctx);
Verdict check_members_2fa(const RuleContext& ctx);
Verdict check_owner_count(const RuleContext& ctx);

std::string message_public_forks(const nlohmann::json& evidence);
std::string message_webhook_secret(const nlohmann::json& evidence);
std::string message_webhook_http(const nlohmann::json& evidence);
std::string message_secret_variable(const nlohmann::json& evidence);
std::string message_members_2fa(const nlohmann::json& evidence);
std::string message_owner_count(const nlohmann::json& evidence);

// The pattern a variable key matches when it looks like a credential ("TOKEN" for
// "DEPLOY_TOKEN"), or nullopt. Case-insensitive; see secret_key_patterns().
std::optional<std::string_view> secret_pattern(std::string_view key);

}  // namespace bbp::core::extended
