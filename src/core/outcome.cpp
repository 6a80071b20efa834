#include "bbp/core/outcome.hpp"

#include <algorithm>
#include <array>
#include <string>
#include <utility>

#include "bbp/core/models.hpp"

namespace bbp::core {
namespace {

constexpr std::array<std::pair<UnknownReason, std::string_view>, 8> kReasons{{
    {UnknownReason::missing_scope, "missing_scope"},
    {UnknownReason::forbidden, "forbidden"},
    {UnknownReason::not_found, "not_found"},
    {UnknownReason::gone, "gone"},
    {UnknownReason::api_error, "api_error"},
    {UnknownReason::rate_limited, "rate_limited"},
    {UnknownReason::invalid_response, "invalid_response"},
    {UnknownReason::timeout, "timeout"},
}};

constexpr std::array<std::pair<GapSubject, std::string_view>, 9> kSubjects{{
    {GapSubject::workspaces, "workspaces"},
    {GapSubject::repositories, "repositories"},
    {GapSubject::projects, "projects"},
    {GapSubject::branch_restrictions, "branch_restrictions"},
    {GapSubject::branching_model, "branching_model"},
    {GapSubject::deploy_keys, "deploy_keys"},
    {GapSubject::project_deploy_keys, "project_deploy_keys"},
    {GapSubject::user, "user"},
    {GapSubject::ssh_keys, "ssh_keys"},
}};

constexpr std::array<std::pair<KeyKind, std::string_view>, 3> kKeyKinds{{
    {KeyKind::deploy_key, "deploy_key"},
    {KeyKind::project_deploy_key, "project_deploy_key"},
    {KeyKind::ssh_key, "ssh_key"},
}};

}  // namespace

std::string ascii_lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : static_cast<char>(c);
  });
  return out;
}

std::string_view to_string(KeyKind kind) {
  for (const auto& [value, name] : kKeyKinds) {
    if (value == kind) {
      return name;
    }
  }
  return "deploy_key";
}

std::optional<KeyKind> key_kind_from_string(std::string_view text) {
  for (const auto& [value, name] : kKeyKinds) {
    if (name == text) {
      return value;
    }
  }
  return std::nullopt;
}

std::string_view to_string(Outcome outcome) {
  switch (outcome) {
    case Outcome::fail:
      return "fail";
    case Outcome::pass:
      return "pass";
    case Outcome::unknown:
      return "unknown";
    case Outcome::not_applicable:
      return "not_applicable";
  }
  return "unknown";
}

std::string_view to_string(UnknownReason reason) {
  for (const auto& [value, name] : kReasons) {
    if (value == reason) {
      return name;
    }
  }
  return "api_error";
}

std::optional<UnknownReason> unknown_reason_from_string(std::string_view text) {
  for (const auto& [value, name] : kReasons) {
    if (name == text) {
      return value;
    }
  }
  return std::nullopt;
}

std::string_view to_string(Severity severity) {
  switch (severity) {
    case Severity::critical:
      return "Critical";
    case Severity::high:
      return "High";
    case Severity::medium:
      return "Medium";
    case Severity::low:
      return "Low";
  }
  return "Low";
}

std::optional<Severity> severity_from_string(std::string_view text) {
  const std::string wanted = ascii_lower(text);
  for (const Severity s : {Severity::critical, Severity::high, Severity::medium, Severity::low}) {
    if (ascii_lower(to_string(s)) == wanted) {
      return s;
    }
  }
  return std::nullopt;
}

std::string_view to_string(GapSubject subject) {
  for (const auto& [value, name] : kSubjects) {
    if (value == subject) {
      return name;
    }
  }
  return "repositories";
}

std::optional<GapSubject> gap_subject_from_string(std::string_view text) {
  for (const auto& [value, name] : kSubjects) {
    if (name == text) {
      return value;
    }
  }
  return std::nullopt;
}

}  // namespace bbp::core
