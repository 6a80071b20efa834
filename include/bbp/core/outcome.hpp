// Outcomes of one (rule, resource) evaluation. Unknown is a first-class result: a read that
// failed is never turned into a pass or a finding.
#pragma once

#include <optional>
#include <string_view>

namespace bbp::core {

enum class Outcome { fail, pass, unknown, not_applicable };

enum class UnknownReason {
  missing_scope,
  forbidden,
  not_found,
  gone,
  api_error,
  rate_limited,
  invalid_response,
  timeout,
};

enum class Severity { critical, high, medium, low };

std::string_view to_string(Outcome outcome);
std::string_view to_string(UnknownReason reason);
std::optional<UnknownReason> unknown_reason_from_string(std::string_view text);

// "Critical", "High", "Medium", "Low" — the spelling used in reports.
std::string_view to_string(Severity severity);
// Accepts any case: "critical", "HIGH", …
std::optional<Severity> severity_from_string(std::string_view text);

// Critical ranks 0; Low ranks 3. Lower is worse.
constexpr int rank(Severity severity) {
  return static_cast<int>(severity);
}

}  // namespace bbp::core
