#pragma once

namespace bbp::core {

// Thresholds used by the rules; every report prints the values used.
struct Settings {
  int stale_days = 365;        // rule 4: repository not updated for longer than this
  int key_max_age_days = 180;  // rule 11: key created longer ago than this
  int min_approvals = 1;       // rule 2: approvals a pull request needs
  int max_owners = 3;          // workspace-owner-count: more owners than this fail
};

}  // namespace bbp::core
