// The thresholds the rules use: their values for one scan, and the table that describes each
// one once (its config key, command-line flag, range and help). The option table of the command
// line and the config file, the rule rows and the reports all read that table.
#pragma once

#include <span>
#include <string_view>

namespace bbp::core {

// Thresholds used by the rules; a report prints those of the rules it selected.
struct Settings {
  int stale_days = 365;        // rule 4: repository not updated for longer than this
  int key_max_age_days = 180;  // rule 11: key created longer ago than this
  int min_approvals = 1;       // rule 2: approvals a pull request needs
  int max_owners = 3;          // workspace-owner-count: more owners than this fail
};

enum class Threshold { stale_days, key_max_age_days, min_approvals, max_owners };

struct ThresholdRow {
  Threshold id = Threshold::stale_days;
  std::string_view key;   // "stale_days": the config key, the JSON name, the report's label
  std::string_view flag;  // "--stale-days"
  int Settings::*field = nullptr;
  int min = 1;
  int max = 1;
  std::string_view unit;  // "days", or "" for a count
  std::string_view help;  // one line, for --help, `config example` and the docs
};

// Every threshold, in the order reports print them.
std::span<const ThresholdRow> thresholds();
const ThresholdRow& threshold(Threshold id);

// A threshold's default: its value in Settings{}.
int default_value(const ThresholdRow& row);

}  // namespace bbp::core
