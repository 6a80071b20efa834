// Applying the config file's `ignore:` entries to a scan's findings. Pure: the time is passed
// in (the run's clock, app::run_clock_now, not the snapshot's time, so an offline
// re-evaluation of an old snapshot honours today's expiry dates).
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "bbp/core/engine.hpp"
#include "bbp/core/models.hpp"
#include "bbp/core/policy.hpp"
#include "bbp/core/time.hpp"

namespace bbp::core {

// The fewest hex digits of a finding fingerprint an `ignore:` entry may give: the table prints
// this many, and a longer prefix (up to the whole fingerprint) is accepted too.
inline constexpr std::size_t kShortFingerprint = 8;

// Whether `entry` still applies at `now`: through its `expires` day (UTC), not from the next
// day on. An entry without `expires` always applies; an unparsable date never does.
bool suppression_active(const Suppression& entry, TimePoint now);

// Whether `entry` selects `finding` (its rule and its selector; the expiry is not looked at). A
// fingerprint selector matches a fingerprint that starts with it (at least kShortFingerprint
// digits); apply_suppressions refuses one that more than one finding starts with.
// `key_fingerprint` is the SSH fingerprint of the finding's key, when it is a key finding and
// the key's material is known ("" otherwise).
bool suppression_selects(const Suppression& entry, const Evaluation& finding,
                         std::string_view key_fingerprint);

// The SSH fingerprint of a public key as `ssh-keygen -lf` prints it: "SHA256:" and the
// unpadded base64 of the SHA-256 of the decoded key blob ("ssh-ed25519 AAAA… comment").
// nullopt when the text holds no valid base64 blob.
std::optional<std::string> ssh_fingerprint(std::string_view public_key);

// The hex SHA-256 of `data` (FIPS 180-4); used by ssh_fingerprint and its tests.
std::string sha256_hex(std::string_view data);

// Sets `suppressed` on every failed evaluation that an active entry selects (the first such
// entry, in the order given). Returns the warnings to show before the report: each expired
// entry ("no longer applies"), each active entry that selected nothing (a stale suppression
// is a risk of its own) and each fingerprint prefix that several findings share (ambiguous: it
// suppresses none of them, and the warning lists their fingerprints). `snapshot` gives key material
// for fingerprint selectors.
std::vector<std::string> apply_suppressions(std::vector<Evaluation>& evaluations,
                                            std::span<const Suppression> entries,
                                            const Snapshot& snapshot, TimePoint now);

}  // namespace bbp::core
