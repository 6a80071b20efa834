// Bitbucket Data Center as a second table of reads feeding the same snapshot (docs/architecture.md,
// "Two platforms, one snapshot"). The rows are `Read`s like Cloud's, below the server's `/rest`,
// paged by start/limit; each names the Data Center permission it needs. Their parsers turn Data
// Center's answers into the snapshot's shapes: a project stands where a Cloud workspace does
// ("PROJ/repo"), and branch permissions and merge checks become branch restrictions of the kinds
// the rules judge, each naming its source. How each of the eleven rules reads there is its
// catalogue row's OnDataCenter (docs/rules.md).
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>
#include <tl/expected.hpp>

#include "bbp/bitbucket/reads.hpp"
#include "bbp/core/models.hpp"
#include "bbp/core/scope.hpp"

namespace bbp::bitbucket {

// Every Data Center read, in the order a scan makes them.
std::span<const Read> datacenter_reads();

// The row of `subject` for `owner` (the first, when a read has an older spelling after it); a
// missing row is a programming error (std::logic_error).
const Read& datacenter_read_of(core::GapSubject subject, Owner owner);

// The row to try when `read` answered 404: the older spelling of the same read, or nullptr.
const Read* older_spelling_of(const Read& read);

// Whether a Data Center scan with `scope` makes `read`: the caller's and listing reads always,
// a data read when a selected rule rests on it (OnDataCenter::reads).
bool datacenter_needs(const core::Scope& scope, const Read& read);

namespace datacenter {

// The key under which newer servers keep the minimum-approvals merge check in the pull-request
// settings.
inline constexpr const char* kApproversMergeCheck =
    "com.atlassian.bitbucket.server.bundled-hooks.requiredApproversMergeHook";

// The match part of a branch restriction from a Data Center ref matcher (BRANCH → an exact
// glob, PATTERN and ANY_REF → a Data Center pattern, MODEL_BRANCH / MODEL_CATEGORY → the
// branching model); nullopt for a matcher bbposture does not know.
std::optional<core::BranchRestriction> from_matcher(const nlohmann::json& matcher);

// The branch restrictions a Data Center restriction (branch permission) stands for: read-only
// and pull-request-only → push and force; fast-forward-only → force; no-deletes → delete. The
// users, groups and access keys it exempts are kept; `level` ("repository", "project PLAT")
// goes into each one's source. Empty when it has no type or no known matcher.
std::vector<core::BranchRestriction> restrictions_of(const nlohmann::json& restriction,
                                                     const std::string& level);

// The row parsers (Read::parse), exposed for their tests.
tl::expected<Parsed, std::string> parse_server(const nlohmann::json& answer, const Target& target);
tl::expected<Parsed, std::string> parse_caller(const nlohmann::json& answer, const Target& target);
tl::expected<Parsed, std::string> parse_listing(const nlohmann::json& answer, const Target& target);
tl::expected<Parsed, std::string> parse_restrictions(const nlohmann::json& answer,
                                                     const Target& target);
tl::expected<Parsed, std::string> parse_merge_settings(const nlohmann::json& answer,
                                                       const Target& target);
tl::expected<Parsed, std::string> parse_default_reviewers(const nlohmann::json& answer,
                                                          const Target& target);
tl::expected<Parsed, std::string> parse_build_conditions(const nlohmann::json& answer,
                                                         const Target& target);
tl::expected<Parsed, std::string> parse_branch_model(const nlohmann::json& answer,
                                                     const Target& target);
tl::expected<Parsed, std::string> parse_default_branch(const nlohmann::json& answer,
                                                       const Target& target);
tl::expected<Parsed, std::string> parse_last_commit(const nlohmann::json& answer,
                                                    const Target& target);
// Repository access keys (target names a repository), project access keys (a project) or the
// caller's SSH keys (target.user set). A key without createdDate keeps no creation date.
tl::expected<Parsed, std::string> parse_keys(const nlohmann::json& answer, const Target& target);

}  // namespace datacenter
}  // namespace bbp::bitbucket
