#include "bbp/core/suppression.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <map>

#include "bbp/core/glob.hpp"
#include "bbp/text/base64.hpp"

namespace bbp::core {
namespace {

// ---- SHA-256 (FIPS 180-4) -------------------------------------------------------------------

constexpr std::array<std::uint32_t, 64> kRoundConstants{
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

constexpr std::uint32_t rotr(std::uint32_t x, int n) {
  return (x >> n) | (x << (32 - n));
}

void compress(std::array<std::uint32_t, 8>& h, const unsigned char* block) {
  std::array<std::uint32_t, 64> w{};
  for (std::size_t i = 0; i < 16; ++i) {
    w[i] = (std::uint32_t{block[4 * i]} << 24) | (std::uint32_t{block[4 * i + 1]} << 16) |
           (std::uint32_t{block[4 * i + 2]} << 8) | std::uint32_t{block[4 * i + 3]};
  }
  for (std::size_t i = 16; i < 64; ++i) {
    const auto s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
    const auto s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
    w[i] = w[i - 16] + s0 + w[i - 7] + s1;
  }
  auto v = h;
  for (std::size_t i = 0; i < 64; ++i) {
    const auto s1 = rotr(v[4], 6) ^ rotr(v[4], 11) ^ rotr(v[4], 25);
    const auto ch = (v[4] & v[5]) ^ (~v[4] & v[6]);
    const auto t1 = v[7] + s1 + ch + kRoundConstants[i] + w[i];
    const auto s0 = rotr(v[0], 2) ^ rotr(v[0], 13) ^ rotr(v[0], 22);
    const auto maj = (v[0] & v[1]) ^ (v[0] & v[2]) ^ (v[1] & v[2]);
    v = {t1 + s0 + maj, v[0], v[1], v[2], v[3] + t1, v[4], v[5], v[6]};
  }
  for (std::size_t i = 0; i < 8; ++i) {
    h[i] += v[i];
  }
}

std::array<unsigned char, 32> sha256(std::string_view data) {
  std::array<std::uint32_t, 8> h{0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
  std::string padded(data);
  padded += static_cast<char>(0x80);
  while (padded.size() % 64 != 56) {
    padded += '\0';
  }
  const std::uint64_t bits = static_cast<std::uint64_t>(data.size()) * 8;
  for (int shift = 56; shift >= 0; shift -= 8) {
    padded += static_cast<char>((bits >> shift) & 0xFFU);
  }
  for (std::size_t at = 0; at < padded.size(); at += 64) {
    compress(h, reinterpret_cast<const unsigned char*>(padded.data() + at));
  }
  std::array<unsigned char, 32> digest{};
  for (std::size_t i = 0; i < 32; ++i) {
    digest[i] = static_cast<unsigned char>((h[i / 4] >> (24 - 8 * (i % 4))) & 0xFFU);
  }
  return digest;
}

}  // namespace

std::string sha256_hex(std::string_view data) {
  constexpr std::string_view kHex = "0123456789abcdef";
  std::string out;
  for (const auto byte : sha256(data)) {
    out += kHex[byte >> 4U];
    out += kHex[byte & 0xFU];
  }
  return out;
}

std::optional<std::string> ssh_fingerprint(std::string_view public_key) {
  // "type blob [comment]": the blob is the second field.
  const auto start = public_key.find_first_not_of(" \t");
  if (start == std::string_view::npos) {
    return std::nullopt;
  }
  const auto type_end = public_key.find_first_of(" \t", start);
  if (type_end == std::string_view::npos) {
    return std::nullopt;
  }
  const auto blob_start = public_key.find_first_not_of(" \t", type_end);
  if (blob_start == std::string_view::npos) {
    return std::nullopt;
  }
  const auto blob_end = public_key.find_first_of(" \t\r\n", blob_start);
  const auto blob = text::base64_decode(public_key.substr(blob_start, blob_end - blob_start));
  if (!blob) {
    return std::nullopt;
  }
  const auto digest = sha256(*blob);
  return "SHA256:" + text::base64_encode(std::string(digest.begin(), digest.end()),
                                         /*padded=*/false);
}

// ---- matching --------------------------------------------------------------------------------

bool suppression_active(const Suppression& entry, TimePoint now) {
  if (!entry.expires) {
    return true;
  }
  // Through the whole `expires` day in UTC: until the start of the next day.
  const auto day = parse_timestamp(*entry.expires + "T00:00:00Z");
  if (!day || entry.expires->size() != 10) {
    return false;
  }
  return now < *day + std::chrono::days(1);
}

namespace {

bool project_matches(std::string_view value, const Evaluation& finding) {
  if (!finding.project) {
    return false;
  }
  const auto slash = value.find('/');
  if (slash == std::string_view::npos) {
    return value == *finding.project;
  }
  return finding.workspace && value.substr(0, slash) == *finding.workspace &&
         value.substr(slash + 1) == *finding.project;
}

}  // namespace

bool suppression_selects(const Suppression& entry, const Evaluation& finding,
                         std::string_view key_fingerprint) {
  if (entry.rule != nullptr && entry.rule->id != finding.rule->id) {
    return false;
  }
  switch (entry.selector) {
    case Suppression::Selector::repository:
      return finding.repository && glob_match(entry.value, *finding.repository);
    case Suppression::Selector::project:
      return project_matches(entry.value, finding);
    case Suppression::Selector::key:
      return is_key(finding.resource.type) &&
             (entry.value == finding.resource.id ||
              (!key_fingerprint.empty() && entry.value == key_fingerprint));
    case Suppression::Selector::fingerprint:
      return entry.value.size() >= kShortFingerprint &&
             finding.fingerprint.starts_with(entry.value);
  }
  return false;
}

namespace {

std::string key_identity(ResourceType type, std::string_view workspace, std::string_view id) {
  return std::string(to_string(type)) + '\x1f' + std::string(workspace) + '\x1f' + std::string(id);
}

// The SSH fingerprints of the snapshot's keys, by key identity; computed only when an entry
// selects a key by fingerprint.
std::map<std::string, std::string> key_fingerprints(const Snapshot& snapshot) {
  std::map<std::string, std::string> out;
  const auto add = [&](const Key& key) {
    if (const auto print = ssh_fingerprint(key.key_material)) {
      out.emplace(key_identity(resource_type(key.kind), key.workspace, key.id), *print);
    }
  };
  for (const auto& workspace : snapshot.workspaces) {
    for (const auto& key : workspace.keys) {
      add(key);
    }
  }
  for (const auto& key : snapshot.ssh_keys) {
    add(key);
  }
  return out;
}

bool needs_key_fingerprints(std::span<const Suppression> entries) {
  for (const auto& entry : entries) {
    if (entry.selector == Suppression::Selector::key && entry.value.starts_with("SHA256:")) {
      return true;
    }
  }
  return false;
}

std::string entry_name(const Suppression& entry) {
  return "the suppression at " + entry.source + " ('" + entry.reason + "')";
}

// The distinct fingerprints of the findings a fingerprint entry selects, when there are more
// than one: a prefix they share names none of them. Empty for other entries.
std::vector<std::string> ambiguous_fingerprints(const Suppression& entry,
                                                const std::vector<Evaluation>& evaluations) {
  std::vector<std::string> prints;
  if (entry.selector != Suppression::Selector::fingerprint) {
    return prints;
  }
  for (const auto& e : evaluations) {
    if (e.outcome == Outcome::fail && suppression_selects(entry, e, "") &&
        std::find(prints.begin(), prints.end(), e.fingerprint) == prints.end()) {
      prints.push_back(e.fingerprint);
    }
  }
  if (prints.size() < 2) {
    prints.clear();
  }
  std::sort(prints.begin(), prints.end());
  return prints;
}

// "… names the fingerprint prefix 3f1c9a2b, which 2 findings start with (3f1c9a2b…, …): …".
std::string ambiguity_warning(const Suppression& entry, const std::vector<std::string>& prints) {
  std::string list;
  for (const auto& print : prints) {
    list += (list.empty() ? "" : ", ") + print;
  }
  return entry_name(entry) + " gives the fingerprint prefix " + entry.value + ", which " +
         std::to_string(prints.size()) + " findings start with (" + list +
         "): it suppresses none of them; write enough digits to name one";
}

}  // namespace

std::vector<std::string> apply_suppressions(std::vector<Evaluation>& evaluations,
                                            std::span<const Suppression> entries,
                                            const Snapshot& snapshot, TimePoint now) {
  const auto prints = needs_key_fingerprints(entries) ? key_fingerprints(snapshot)
                                                      : std::map<std::string, std::string>{};
  std::vector<bool> used(entries.size(), false);
  std::vector<std::vector<std::string>> ambiguous;
  ambiguous.reserve(entries.size());
  for (const auto& entry : entries) {
    ambiguous.push_back(ambiguous_fingerprints(entry, evaluations));
  }
  for (auto& e : evaluations) {
    if (e.outcome != Outcome::fail) {
      continue;
    }
    std::string_view print;
    if (const auto it =
            prints.find(key_identity(e.resource.type, e.workspace.value_or(""), e.resource.id));
        it != prints.end()) {
      print = it->second;
    }
    for (std::size_t i = 0; i < entries.size(); ++i) {
      if (ambiguous[i].empty() && suppression_active(entries[i], now) &&
          suppression_selects(entries[i], e, print)) {
        e.suppressed = SuppressionMark{entries[i].reason, entries[i].expires, entries[i].source};
        used[i] = true;
        break;
      }
    }
  }
  std::vector<std::string> warnings;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    if (!suppression_active(entries[i], now)) {
      warnings.push_back(entry_name(entries[i]) + " expired on " + entries[i].expires.value_or("") +
                         ": it no longer applies");
    } else if (!ambiguous[i].empty()) {
      warnings.push_back(ambiguity_warning(entries[i], ambiguous[i]));
    } else if (!used[i]) {
      warnings.push_back(entry_name(entries[i]) +
                         " matched no finding: remove it, or check its selector");
    }
  }
  return warnings;
}

}  // namespace bbp::core
