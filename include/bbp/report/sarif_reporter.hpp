#pragma once

#include <string_view>

#include <nlohmann/json.hpp>

#include "bbp/core/catalogue.hpp"
#include "bbp/report/reporter.hpp"

namespace bbp::report {

// SARIF 2.1.0: one run. `tool.driver.rules` lists every rule of the catalogue (id = slug);
// results carry logical locations (workspace / repository / key) and the finding fingerprint
// as a partial fingerprint; unknowns and failed reads are tool execution notifications, the
// settings and scan totals are run properties.
class SarifReporter final : public Reporter {
 public:
  void write(const ScanReport& report, std::ostream& out) const override;
};

nlohmann::json to_sarif(const ScanReport& report);

// "error" for Critical and High, "warning" for Medium, "note" for Low.
std::string_view sarif_level(core::Severity severity);
// The `security-severity` score code-scanning tools read: "9.5", "8.0", "5.5", "3.0".
std::string_view security_severity(core::Severity severity);
// One `tool.driver.rules` entry.
nlohmann::json sarif_rule(const core::Rule& rule);

inline constexpr std::string_view kSarifSchemaUri =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";
inline constexpr std::string_view kFingerprintKey = "bbpostureFinding/v1";
// The project's home page, as `tool.driver.informationUri` (set at configure time).
std::string_view information_uri();

}  // namespace bbp::report
