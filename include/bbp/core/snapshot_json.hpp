// Snapshots as versioned JSON: what a scan read, kept for audits and re-evaluated offline.
#pragma once

#include <stdexcept>

#include <nlohmann/json.hpp>

#include "bbp/core/models.hpp"

namespace bbp::core {

inline constexpr int kSnapshotVersion = 1;

nlohmann::json snapshot_to_json(const Snapshot& snapshot);

// Throws std::invalid_argument naming the first problem (wrong version, missing field, bad
// timestamp). Never returns a half-read snapshot.
Snapshot snapshot_from_json(const nlohmann::json& json);

}  // namespace bbp::core
