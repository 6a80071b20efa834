// The two-workspace scenario the end-to-end scan tests run against. "Now" is BBP_NOW below.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "fake_scan_fixture.hpp"

namespace bbp::test {

inline constexpr const char* kScenarioNow = "2026-11-28T00:00:00Z";
inline constexpr const char* kRecent = "2026-10-01T12:00:00.000000+00:00";

// The scenario's OAuth client, with the clock at kScenarioNow.
inline std::vector<std::string> scan_credentials() {
  return client_credentials("scan-client", "scan-secret-value", kScenarioNow);
}

inline nlohmann::json restriction(int id, const std::string& kind, const std::string& pattern,
                                  nlohmann::json value = nullptr) {
  return {{"id", id},
          {"kind", kind},
          {"pattern", pattern},
          {"branch_match_kind", "glob"},
          {"value", value},
          {"users", nlohmann::json::array()},
          {"groups", nlohmann::json::array()}};
}

inline nlohmann::json model_restriction(int id, const std::string& kind,
                                        const std::string& branch_type) {
  auto r = restriction(id, kind, "");
  r["branch_match_kind"] = "branching_model";
  r["branch_type"] = branch_type;
  return r;
}

inline nlohmann::json key(int id, const std::string& label, const std::string& material,
                          const std::string& created_on) {
  return {{"id", id},      {"label", label},           {"key", material},
          {"comment", ""}, {"created_on", created_on}, {"last_used", nullptr}};
}

// acme (PLAT, WEB): fortress (everything protected), paged (restrictions over two pages),
// website (public, push exemptions), legacy (stale; restrictions unreadable), modelled
// (branching-model restrictions), empty (no main branch).
// globex (OPS): infra (approvals 0, force), tools (exactly 365 days old, unprotected).
inline nlohmann::json scan_scenario() {
  using nlohmann::json;
  json fortress_rs = json::array(
      {restriction(1, "require_approvals_to_merge", "main", 2), restriction(2, "push", "main"),
       restriction(3, "reset_pullrequest_approvals_on_change", "main"),
       restriction(4, "force", "main"),
       restriction(5, "require_passing_builds_to_merge", "main", 1),
       restriction(6, "delete", "main"), restriction(7, "enforce_merge_checks", "main")});
  json paged_rs = json::array();
  for (int i = 0; i < 100; ++i) {
    paged_rs.push_back(restriction(100 + i, "push", "feature/x" + std::to_string(i)));
  }
  paged_rs.push_back(restriction(300, "force", "main"));
  paged_rs.push_back(restriction(301, "delete", "ma*"));
  auto website_push = restriction(20, "push", "ma*");
  website_push["users"] =
      json::array({{{"display_name", "Release Bot"}, {"uuid", "{bot}"}, {"type", "user"}}});
  website_push["groups"] = json::array({{{"name", "Admins"}, {"slug", "admins"}}});

  json acme = {
      {"slug", "acme"},
      {"name", "Acme"},
      {"projects",
       json::array({{{"key", "PLAT"},
                     {"name", "Platform"},
                     {"deploy_keys", json::array({key(21, "shared-ci", "ssh-ed25519 AAAASHARED ci",
                                                      "2024-01-01T00:00:00.000000+00:00")})}},
                    {{"key", "WEB"}, {"name", "Web"}}})},
      {"repositories",
       json::array(
           {{{"slug", "fortress"},
             {"project", "PLAT"},
             {"is_private", true},
             {"updated_on", kRecent},
             {"branch_restrictions", fortress_rs},
             {"deploy_keys", json::array({key(11, "fresh", "ssh-ed25519 AAAAFRESH", kRecent),
                                          key(12, "shared-ci", "ssh-ed25519 AAAASHARED ci",
                                              "2024-01-01T00:00:00.000000+00:00")})}},
            {{"slug", "paged"},
             {"project", "PLAT"},
             {"is_private", true},
             {"updated_on", kRecent},
             {"branch_restrictions", paged_rs}},
            {{"slug", "website"},
             {"project", "WEB"},
             {"is_private", false},
             {"updated_on", kRecent},
             {"branch_restrictions", json::array({website_push})},
             {"deploy_keys", json::array({key(13, "old-deploy", "ssh-rsa AAAAOLD",
                                              "2025-01-01T00:00:00+00:00")})}},
            {{"slug", "legacy"},
             {"project", "PLAT"},
             {"is_private", true},
             {"mainbranch", "master"},
             {"updated_on", "2024-06-01T08:00:00.000000+00:00"}},
            {{"slug", "modelled"},
             {"project", "WEB"},
             {"is_private", true},
             {"updated_on", kRecent},
             {"branch_restrictions",
              json::array({model_restriction(40, "force", "production"),
                           model_restriction(41, "delete", "development"),
                           restriction(42, "require_approvals_to_merge", "*", 1)})},
             {"branching_model",
              {{"development", {{"name", "develop"}, {"use_mainbranch", false}}},
               {"production", {{"name", nullptr}, {"use_mainbranch", true}}},
               {"branch_types", json::array()}}}},
            {{"slug", "empty"},
             {"project", "WEB"},
             {"is_private", true},
             {"updated_on", kRecent},
             {"mainbranch", nullptr}}})}};
  json globex = {
      {"slug", "globex"},
      {"name", "Globex"},
      {"projects", json::array({{{"key", "OPS"}, {"name", "Operations"}}})},
      {"repositories",
       json::array({{{"slug", "infra"},
                     {"project", "OPS"},
                     {"is_private", true},
                     {"updated_on", kRecent},
                     {"branch_restrictions",
                      json::array({restriction(50, "require_approvals_to_merge", "main", 0),
                                   restriction(51, "force", "*")})}},
                    {{"slug", "tools"},
                     {"project", "OPS"},
                     {"is_private", true},
                     {"updated_on", "2025-11-28T00:00:00.000000+00:00"}}})}};
  return {
      {"oauth_clients", json::array({{{"client_id", "scan-client"},
                                      {"client_secret", "scan-secret-value"},
                                      {"scopes",
                                       {"account", "repository", "repository:admin", "project",
                                        "project:admin"}}}})},
      {"access_tokens",
       json::array({{{"token", "access-token-value"},
                     {"scopes", {"repository", "repository:admin", "project", "project:admin"}}}})},
      {"user",
       {{"type", "user"}, {"uuid", "{u-dana}"}, {"display_name", "Dana"}, {"nickname", "dana"}}},
      {"ssh_keys", json::array({{{"uuid", "{ssh-old}"},
                                 {"label", "laptop"},
                                 {"key", "ssh-ed25519 AAAALAPTOP"},
                                 {"created_on", "2025-01-01T00:00:00.000000+00:00"},
                                 {"last_used", nullptr}},
                                {{"uuid", "{ssh-new}"},
                                 {"label", "desktop"},
                                 {"key", "ssh-ed25519 AAAADESKTOP"},
                                 {"created_on", kRecent},
                                 {"last_used", kRecent}}})},
      {"workspaces", json::array({acme, globex})},
      {"faults",
       json::array(
           {{{"kind", "status"},
             {"path", "/2.0/repositories/acme/legacy/branch-restrictions"},
             {"times", -1},
             {"status", 403},
             {"body",
              R"({"type": "error", "error": {"message": "Your credentials lack one or more required privilege scopes.", "detail": {"granted": ["repository"], "required": ["repository:admin"]}}})"}},
            {{"kind", "status"},
             {"path", "/2.0/repositories/globex/infra/deploy-keys"},
             {"status", 429},
             {"content_type", "text/plain"},
             {"body", "Rate limit for this resource has been exceeded"}},
            {{"kind", "status"},
             {"path", "/2.0/repositories/acme/website/branch-restrictions"},
             {"status", 500},
             {"content_type", "text/html"},
             {"body", "<html><body><h1>500 Internal Server Error</h1></body></html>"}},
            {{"kind", "expire_tokens"}, {"path", "/2.0/repositories/globex/tools/deploy-keys"}}})}};
}

}  // namespace bbp::test
