// The scan report: everything a reporter prints, assembled once from the evaluations.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "bbp/core/engine.hpp"
#include "bbp/core/models.hpp"
#include "bbp/core/settings.hpp"

namespace bbp::report {

// A failed read, as listed under "errors".
struct ErrorEntry {
  std::optional<std::string> workspace;
  std::optional<std::string> repository;
  std::string endpoint;
  std::optional<int> http_status;
  std::string message;
};

struct ScanReport {
  std::string tool_version;
  core::TimePoint started_at{};
  core::TimePoint finished_at{};
  std::string api_url;
  std::vector<std::string> workspaces;
  bool complete = true;
  bool interrupted = false;
  std::size_t repositories = 0;
  std::size_t keys = 0;
  std::uint64_t api_requests = 0;
  core::Settings settings;
  std::vector<core::Evaluation> findings;  // outcome fail, sorted for the report
  std::vector<core::Evaluation> unknown;   // outcome unknown, sorted for the report
  std::vector<ErrorEntry> errors;
  // What a repository x rule view needs to tell a pass from a rule that does not apply, was
  // left out (--min-severity) or was not evaluated (--rule / --skip-rule). The engine keeps only
  // failures and unknowns, so these are carried beside them.
  std::vector<const core::Rule*> rules;         // the rules evaluated, catalogue order
  std::optional<core::Severity> min_severity;   // findings below it were left out
  std::vector<std::string> empty_repositories;  // "workspace/slug" without a default branch, sorted
};

struct ReportInputs {
  std::string tool_version;
  core::TimePoint started_at{};
  core::TimePoint finished_at{};
  std::uint64_t api_requests = 0;
  core::Settings settings;
  bool interrupted = false;
  std::optional<core::Severity> min_severity;  // findings below it are left out
  std::vector<const core::Rule*> rules;        // the rules evaluated; empty: all of them
};

// Builds the report from what was collected and evaluated. `evaluations` are already limited
// to the selected rules.
ScanReport build_report(const core::Snapshot& snapshot, std::vector<core::Evaluation> evaluations,
                        const ReportInputs& inputs);

// Findings per severity, in report order Critical..Low.
std::array<std::size_t, 4> count_by_severity(const ScanReport& report);

// Where an evaluation points, for a person: "acme/api", "acme project PLAT", "workspace acme",
// "your account".
std::string where(const core::Evaluation& evaluation);

// `where` plus the key, for key evaluations: "acme/api deploy key 'ci'".
std::string describe(const core::Evaluation& evaluation);

}  // namespace bbp::report
