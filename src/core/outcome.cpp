#include "bbp/core/outcome.hpp"

#include <array>

#include "bbp/core/engine.hpp"
#include "bbp/core/models.hpp"
#include "bbp/text/names.hpp"

namespace bbp::core {
namespace {

using text::Named;

constexpr std::array<Named<Outcome>, 4> kOutcomes{{
    {Outcome::fail, "fail"},
    {Outcome::pass, "pass"},
    {Outcome::unknown, "unknown"},
    {Outcome::not_applicable, "not_applicable"},
}};

constexpr std::array<Named<UnknownReason>, 8> kReasons{{
    {UnknownReason::missing_scope, "missing_scope"},
    {UnknownReason::forbidden, "forbidden"},
    {UnknownReason::not_found, "not_found"},
    {UnknownReason::gone, "gone"},
    {UnknownReason::api_error, "api_error"},
    {UnknownReason::rate_limited, "rate_limited"},
    {UnknownReason::invalid_response, "invalid_response"},
    {UnknownReason::timeout, "timeout"},
}};

constexpr std::array<Named<Severity>, 4> kSeverities{{
    {Severity::critical, "Critical"},
    {Severity::high, "High"},
    {Severity::medium, "Medium"},
    {Severity::low, "Low"},
}};

constexpr std::array<Named<Platform>, 2> kPlatforms{{
    {Platform::cloud, "cloud"},
    {Platform::datacenter, "datacenter"},
}};

constexpr std::array<Named<GapSubject>, 23> kSubjects{{
    {GapSubject::workspaces, "workspaces"},
    {GapSubject::repositories, "repositories"},
    {GapSubject::projects, "projects"},
    {GapSubject::branch_restrictions, "branch_restrictions"},
    {GapSubject::branching_model, "branching_model"},
    {GapSubject::deploy_keys, "deploy_keys"},
    {GapSubject::project_deploy_keys, "project_deploy_keys"},
    {GapSubject::user, "user"},
    {GapSubject::ssh_keys, "ssh_keys"},
    {GapSubject::workspace, "workspace"},
    {GapSubject::hooks, "hooks"},
    {GapSubject::pipeline_variables, "pipeline_variables"},
    {GapSubject::environments, "environments"},
    {GapSubject::members, "members"},
    {GapSubject::owners, "owners"},
    {GapSubject::server, "server"},
    {GapSubject::default_branch, "default_branch"},
    {GapSubject::project_restrictions, "project_restrictions"},
    {GapSubject::pull_request_settings, "pull_request_settings"},
    {GapSubject::approval_reset, "approval_reset"},
    {GapSubject::default_reviewers, "default_reviewers"},
    {GapSubject::required_builds, "required_builds"},
    {GapSubject::last_commit, "last_commit"},
}};

constexpr std::array<Named<VariableLevel>, 3> kVariableLevels{{
    {VariableLevel::repository, "repository"},
    {VariableLevel::workspace, "workspace"},
    {VariableLevel::deployment, "deployment"},
}};

constexpr std::array<Named<KeyKind>, 3> kKeyKinds{{
    {KeyKind::deploy_key, "deploy_key"},
    {KeyKind::project_deploy_key, "project_deploy_key"},
    {KeyKind::ssh_key, "ssh_key"},
}};

constexpr std::array<Named<ResourceType>, 9> kResourceTypes{{
    {ResourceType::repository, "repository"},
    {ResourceType::deploy_key, "deploy_key"},
    {ResourceType::project_deploy_key, "project_deploy_key"},
    {ResourceType::ssh_key, "ssh_key"},
    {ResourceType::project, "project"},
    {ResourceType::user, "user"},
    {ResourceType::workspace, "workspace"},
    {ResourceType::webhook, "webhook"},
    {ResourceType::pipeline_variable, "pipeline_variable"},
}};

}  // namespace

std::string_view to_string(Outcome outcome) {
  return text::name_of(kOutcomes, outcome);
}

std::string_view to_string(UnknownReason reason) {
  return text::name_of(kReasons, reason);
}

std::optional<UnknownReason> unknown_reason_from_string(std::string_view name) {
  return text::value_of(kReasons, name);
}

std::string_view to_string(Severity severity) {
  return text::name_of(kSeverities, severity);
}

std::optional<Severity> severity_from_string(std::string_view name) {
  return text::value_of(kSeverities, name, text::Case::insensitive);
}

std::string_view to_string(Platform platform) {
  return text::name_of(kPlatforms, platform);
}

std::optional<Platform> platform_from_string(std::string_view name) {
  return text::value_of(kPlatforms, name);
}

std::string_view to_string(GapSubject subject) {
  return text::name_of(kSubjects, subject);
}

std::optional<GapSubject> gap_subject_from_string(std::string_view name) {
  return text::value_of(kSubjects, name);
}

std::string_view to_string(KeyKind kind) {
  return text::name_of(kKeyKinds, kind);
}

std::optional<KeyKind> key_kind_from_string(std::string_view name) {
  return text::value_of(kKeyKinds, name);
}

std::string_view to_string(VariableLevel level) {
  return text::name_of(kVariableLevels, level);
}

std::optional<VariableLevel> variable_level_from_string(std::string_view name) {
  return text::value_of(kVariableLevels, name);
}

std::string_view to_string(ResourceType type) {
  return text::name_of(kResourceTypes, type);
}

std::optional<ResourceType> resource_type_from_string(std::string_view text) {
  return text::value_of(kResourceTypes, text);
}

ResourceType resource_type(KeyKind kind) {
  switch (kind) {
    case KeyKind::deploy_key:
      return ResourceType::deploy_key;
    case KeyKind::project_deploy_key:
      return ResourceType::project_deploy_key;
    case KeyKind::ssh_key:
      return ResourceType::ssh_key;
  }
  return ResourceType::deploy_key;
}

}  // namespace bbp::core
