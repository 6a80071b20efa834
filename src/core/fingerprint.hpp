// Internal to core: the engine gives every evaluation its fingerprint.
#pragma once

#include <string>
#include <string_view>

namespace bbp::core {

// 64-bit FNV-1a of `text`, as 16 lower-case hex digits. Stable across runs and platforms.
std::string fnv1a_hex(std::string_view text);

struct Evaluation;

// Fingerprint of a finding: hash of finding type ID + workspace + repository + resource
// type + resource id. Thresholds, evidence and titles do not change it.
std::string fingerprint(const Evaluation& evaluation);

}  // namespace bbp::core
