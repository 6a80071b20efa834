// The checks and messages of the eleven default (`casb`) rules: the repository, its default
// branch's restrictions and the keys. Their rows are in catalogue.cpp with the extended ones.
// Internal to core.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "bbp/core/catalogue.hpp"

namespace bbp::core::casb {

Verdict check_public(const RuleContext& ctx);
Verdict check_review_required(const RuleContext& ctx);
Verdict check_direct_push(const RuleContext& ctx);
Verdict check_stale(const RuleContext& ctx);
Verdict check_stale_approvals(const RuleContext& ctx);
Verdict check_force_push(const RuleContext& ctx);
Verdict check_protected(const RuleContext& ctx);
Verdict check_passing_builds(const RuleContext& ctx);
Verdict check_deletion(const RuleContext& ctx);
Verdict check_merge_checks(const RuleContext& ctx);
Verdict check_key_age(const RuleContext& ctx);

std::string message_public(const nlohmann::json& evidence);
std::string message_review_required(const nlohmann::json& evidence);
std::string message_direct_push(const nlohmann::json& evidence);
std::string message_stale(const nlohmann::json& evidence);
std::string message_stale_approvals(const nlohmann::json& evidence);
std::string message_force_push(const nlohmann::json& evidence);
std::string message_protected(const nlohmann::json& evidence);
std::string message_passing_builds(const nlohmann::json& evidence);
std::string message_deletion(const nlohmann::json& evidence);
std::string message_merge_checks(const nlohmann::json& evidence);
std::string message_key_age(const nlohmann::json& evidence);

}  // namespace bbp::core::casb
