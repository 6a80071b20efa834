// Shared by the fault-matrix, interruption and security tests: a small scenario, its
// credentials, and report helpers. They run the binary through FakeScanFixture.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "fake_scan_fixture.hpp"

namespace bbp::test {

using nlohmann::json;

inline constexpr const char* kNow = "2026-11-28T00:00:00Z";
inline constexpr const char* kFresh = "2026-10-01T12:00:00.000000+00:00";
inline constexpr const char* kClientId = "fault-client";
inline constexpr const char* kClientSecret = "fault-secret-4f1c9a";  // must never be printed

inline std::vector<std::string> client_env() {
  return client_credentials(kClientId, kClientSecret, kNow);
}

// ---- Scenario ------------------------------------------------------------------------------

inline json restriction(int id, const std::string& kind, const std::string& pattern = "main",
                        json value = nullptr) {
  return {{"id", id},
          {"kind", kind},
          {"pattern", pattern},
          {"branch_match_kind", "glob"},
          {"value", std::move(value)},
          {"users", json::array()},
          {"groups", json::array()}};
}

// Every branch rule passes on "main" with these.
inline json full_protection(int first_id) {
  return json::array({restriction(first_id, "require_approvals_to_merge", "main", 2),
                      restriction(first_id + 1, "push", "main"),
                      restriction(first_id + 2, "reset_pullrequest_approvals_on_change", "main"),
                      restriction(first_id + 3, "force", "main"),
                      restriction(first_id + 4, "require_passing_builds_to_merge", "main", 1),
                      restriction(first_id + 5, "delete", "main"),
                      restriction(first_id + 6, "enforce_merge_checks", "main")});
}

inline json deploy_key(int id, const std::string& label, const std::string& material,
                       const std::string& created_on) {
  return {{"id", id},      {"label", label},           {"key", material},
          {"comment", ""}, {"created_on", created_on}, {"last_used", nullptr}};
}

// acme (project PLAT): api (fully protected), web (unprotected: the eight branch findings),
// keys (protected; an old deploy key), docs (public, protected). Project PLAT has a fresh key.
// globex: infra (protected). The caller has one fresh SSH key.
inline json fault_scenario() {
  json acme = {
      {"slug", "acme"},
      {"projects",
       json::array({{{"key", "PLAT"},
                     {"name", "Platform"},
                     {"deploy_keys",
                      json::array({deploy_key(90, "plat-ci", "ssh-ed25519 AAAAPLAT", kFresh)})}}})},
      {"repositories",
       json::array(
           {{{"slug", "api"},
             {"project", "PLAT"},
             {"is_private", true},
             {"updated_on", kFresh},
             {"branch_restrictions", full_protection(10)}},
            {{"slug", "web"}, {"project", "PLAT"}, {"is_private", true}, {"updated_on", kFresh}},
            {{"slug", "keys"},
             {"project", "PLAT"},
             {"is_private", true},
             {"updated_on", kFresh},
             {"branch_restrictions", full_protection(20)},
             {"deploy_keys", json::array({deploy_key(31, "old-deploy", "ssh-rsa AAAAOLD",
                                                     "2025-01-01T00:00:00.000000+00:00")})}},
            {{"slug", "docs"},
             {"project", "PLAT"},
             {"is_private", false},
             {"updated_on", kFresh},
             {"branch_restrictions", full_protection(40)}}})}};
  json globex = {{"slug", "globex"},
                 {"repositories", json::array({{{"slug", "infra"},
                                                {"is_private", true},
                                                {"updated_on", kFresh},
                                                {"branch_restrictions", full_protection(60)}}})}};
  return {{"oauth_clients", json::array({{{"client_id", kClientId},
                                          {"client_secret", kClientSecret},
                                          {"scopes",
                                           {"account", "repository", "repository:admin", "project",
                                            "project:admin"}}}})},
          {"user", {{"type", "user"}, {"uuid", "{u-fault}"}, {"display_name", "Fay"}}},
          {"ssh_keys", json::array({{{"uuid", "{ssh-1}"},
                                     {"label", "laptop"},
                                     {"key", "ssh-ed25519 AAAALAPTOP"},
                                     {"created_on", kFresh},
                                     {"last_used", nullptr}}})},
          {"workspaces", json::array({acme, globex})}};
}

// ---- Reports -------------------------------------------------------------------------------

// "rule resource-name" for each finding.
inline std::set<std::string> findings_of(const json& report) {
  std::set<std::string> out;
  for (const auto& f : report.at("findings")) {
    out.insert(f.at("rule").get<std::string>() + " " +
               f.at("resource").at("name").get<std::string>());
  }
  return out;
}

// "rule resource-name" → reason, for each unknown.
inline std::map<std::string, std::string> unknown_of(const json& report) {
  std::map<std::string, std::string> out;
  for (const auto& u : report.at("unknown")) {
    out[u.at("rule").get<std::string>() + " " + u.at("resource").at("name").get<std::string>()] =
        u.at("reason").get<std::string>();
  }
  return out;
}

inline const std::vector<std::string>& branch_rules() {
  static const std::vector<std::string> kRules = {
      "pr-review-not-required",  "direct-push-allowed",          "stale-approvals-kept",
      "force-push-allowed",      "no-default-branch-protection", "passing-builds-not-required",
      "branch-deletion-allowed", "merge-checks-not-enforced"};
  return kRules;
}

// The unknowns expected when the branch restrictions of `repo` could not be read.
inline std::map<std::string, std::string> branch_unknowns(const std::string& repo,
                                                          const std::string& reason) {
  std::map<std::string, std::string> out;
  for (const auto& rule : branch_rules()) {
    out[rule + " " + repo] = reason;
  }
  return out;
}

}  // namespace bbp::test
