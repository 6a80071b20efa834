#include "fingerprint.hpp"

#include <cstdint>
#include <cstdio>

#include "bbp/core/engine.hpp"

namespace bbp::core {

std::string fnv1a_hex(std::string_view text) {
  std::uint64_t hash = 14695981039346656037ULL;
  for (const char c : text) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 1099511628211ULL;
  }
  char buffer[17];
  std::snprintf(buffer, sizeof buffer, "%016llx", static_cast<unsigned long long>(hash));
  return buffer;
}

std::string fingerprint(const Evaluation& evaluation) {
  std::string identity;
  identity += evaluation.rule->id;
  for (const auto* part : {&evaluation.workspace, &evaluation.repository}) {
    identity += '\x1f';
    identity += part->value_or("");
  }
  identity += '\x1f';
  identity += to_string(evaluation.resource.type);
  identity += '\x1f';
  identity += evaluation.resource.id;
  return fnv1a_hex(identity);
}

}  // namespace bbp::core
