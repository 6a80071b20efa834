// Snapshots as versioned JSON: what a scan read, kept for audits and re-evaluated offline.
// The one home of the format, read and written side by side: --save-snapshot writes it
// (write_snapshot), --from-snapshot reads it (read_snapshot) and the checkpoint journal keeps
// its repository and key entries. It lives in core, beside the models it describes, because
// both the bitbucket layer (the checkpoint) and the app (the scan) need it and core is below
// both. Core does no I/O, and this stays true here: it reads and writes streams the caller
// opened, never a file (the app opens, replaces and reports on the files).
#pragma once

#include <istream>
#include <ostream>
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

// Writes exactly what `snapshot_to_json(snapshot).dump(2)` and a newline would, without holding
// the snapshot as one JSON document: one repository at a time (invalid UTF-8 replaced, never
// fatal).
void write_snapshot(std::ostream& out, const Snapshot& snapshot);

}  // namespace bbp::core
