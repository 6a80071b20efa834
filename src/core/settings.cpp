#include "bbp/core/settings.hpp"

#include <array>

namespace bbp::core {
namespace {

// The one description of each threshold. Its default is the value in Settings{}.
constexpr std::array<ThresholdRow, 4> kThresholds{{
    {.id = Threshold::stale_days,
     .key = "stale_days",
     .flag = "--stale-days",
     .field = &Settings::stale_days,
     .min = 1,
     .max = 100'000,
     .unit = "days",
     .help = "Days without an update after which a repository is stale"},
    {.id = Threshold::key_max_age_days,
     .key = "key_max_age_days",
     .flag = "--key-max-age-days",
     .field = &Settings::key_max_age_days,
     .min = 1,
     .max = 100'000,
     .unit = "days",
     .help = "Maximum age of a deploy or SSH key, in days"},
    {.id = Threshold::min_approvals,
     .key = "min_approvals",
     .flag = "--min-approvals",
     .field = &Settings::min_approvals,
     .min = 1,
     .max = 100,
     .unit = "",
     .help = "Approvals a pull request to the default branch needs"},
    {.id = Threshold::max_owners,
     .key = "max_owners",
     .flag = "--max-owners",
     .field = &Settings::max_owners,
     .min = 1,
     .max = 1000,
     .unit = "",
     .help = "Most workspace owners allowed"},
}};

}  // namespace

std::span<const ThresholdRow> thresholds() {
  return kThresholds;
}

const ThresholdRow& threshold(Threshold id) {
  for (const auto& row : kThresholds) {
    if (row.id == id) {
      return row;
    }
  }
  return kThresholds.front();  // unreachable: every Threshold has a row (core tests)
}

int default_value(const ThresholdRow& row) {
  return Settings{}.*row.field;
}

}  // namespace bbp::core
