// What a user states in the config file about their findings and their branch protection:
// findings they accept (suppressions) and restrictions Bitbucket's API does not show
// (declarations, e.g. Premium project-level branch restrictions). Both are plain data; the
// config file reader fills them, core/suppression and core/declared apply them.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "bbp/core/catalogue.hpp"
#include "bbp/core/models.hpp"
#include "bbp/core/time.hpp"

namespace bbp::core {

// One `ignore:` entry. It selects findings of `rule` (nullptr: any rule, only with a
// fingerprint selector) by exactly one selector.
struct Suppression {
  enum class Selector {
    repository,   // glob over "workspace/slug"
    project,      // project key, optionally "workspace/KEY"
    key,          // a key's resource id or its SSH fingerprint ("SHA256:…")
    fingerprint,  // a finding's fingerprint, as reports print it
  };
  const Rule* rule = nullptr;
  Selector selector = Selector::repository;
  std::string value;
  std::string reason;                  // required: why the risk is accepted
  std::optional<std::string> expires;  // "YYYY-MM-DD": applies through that day (UTC)
  std::string source;                  // "bbposture.yaml:12", for messages and reports
};

// A suppressed finding carries which entry accepted it.
struct SuppressionMark {
  std::string reason;
  std::optional<std::string> expires;  // "YYYY-MM-DD"
  std::string source;                  // "bbposture.yaml:12"
};

// Against a --baseline report: whether a finding was there before.
enum class BaselineState { new_finding, unchanged };

// One `declared_restrictions:` entry: restrictions that exist for the repositories it selects
// although /branch-restrictions does not return them. All selectors given must match.
struct DeclaredRestrictions {
  std::optional<std::string> workspace;        // workspace slug
  std::optional<std::string> project;          // project key
  std::optional<std::string> repository_glob;  // glob over "workspace/slug"
  std::optional<std::string> branch_glob;      // nullopt: the repository's default branch
  // Kinds, values, users and groups in the API's vocabulary; `declared_in` is set to `source`.
  std::vector<BranchRestriction> restrictions;
  std::string source;  // "bbposture.yaml:14"
};

}  // namespace bbp::core
