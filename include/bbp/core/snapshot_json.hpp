// Snapshots as versioned JSON: what a scan read, kept for audits and re-evaluated offline.
#pragma once

#include <cstddef>
#include <functional>
#include <istream>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "bbp/core/models.hpp"

namespace bbp::core {

// Version 2 records per workspace whether keys were collected ("deploy_keys_collected",
// "project_keys_collected"). Version 1 is still read: its keys count as collected exactly when
// its "ssh_keys_status" shows that the key rule was part of the scan (the caller's SSH keys are
// looked at only then), otherwise as not collected.
inline constexpr int kSnapshotVersion = 2;

nlohmann::json snapshot_to_json(const Snapshot& snapshot);

// The same document with the value of each workspace's "repositories" given by
// `repositories(workspace index)` (used to write large snapshots one repository at a time).
nlohmann::json snapshot_to_json(const Snapshot& snapshot,
                                const std::function<nlohmann::json(std::size_t)>& repositories);

// One entry of a workspace's "repositories", as snapshot_to_json writes it, and back (throws
// std::invalid_argument as snapshot_from_json does).
nlohmann::json repository_to_json(const Repository& repository);
Repository repository_from_json(const nlohmann::json& json);

// One entry of a workspace's "keys" (or of "ssh_keys"), and back.
nlohmann::json key_to_json(const Key& key);
Key key_from_json(const nlohmann::json& json);

// Throws std::invalid_argument naming the first problem (wrong version, missing field, bad
// timestamp). Never returns a half-read snapshot.
Snapshot snapshot_from_json(const nlohmann::json& json);

// The text of a saved snapshot is not JSON at all.
struct SnapshotSyntaxError : std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};

// Reads a saved snapshot from JSON text without holding its repositories as one JSON document
// (they are converted as they are parsed). Throws SnapshotSyntaxError when the text is not
// JSON, and std::invalid_argument as snapshot_from_json does.
Snapshot read_snapshot(std::istream& in);

}  // namespace bbp::core
