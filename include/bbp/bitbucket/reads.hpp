// What a read is, as data: one row per read the scanner makes of Bitbucket Cloud (whose data it
// is, its path, query and scopes, how its answer is parsed, what it costs per owner, and the
// gap a failure leaves), and the free functions that make one read for one owner.
//
// The collector walks the rows (what to read, in which order, on which thread), `auth check`
// probes them and `scan --plan` counts them: none of them names an endpoint. A second platform
// would be a second table of reads feeding the same snapshot.
//
// How to add a read: one row in `reads()` (src/bitbucket/reads.cpp), its parser, and its test
// (tests/unit/bitbucket/reads_test.cpp checks the table against the catalogue's rules; the
// collector's tests check what the walk does with it).
#pragma once

#include <atomic>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>
#include <tl/expected.hpp>

#include "bbp/bitbucket/api_client.hpp"
#include "bbp/bitbucket/parse.hpp"
#include "bbp/core/catalogue.hpp"
#include "bbp/core/models.hpp"
#include "bbp/core/scope.hpp"

namespace bbp::bitbucket {

// Whose data a read is: what its path names, and how many times a scan makes it.
enum class Owner { user, workspace, project, repository, environment };

// What a read is for.
enum class Role {
  caller,   // who is calling (GET /user): made first, by --plan too
  listing,  // finds the owners of the other reads (workspaces, repositories): every scan, --plan
  data,     // what the rules judge: made only when a selected rule lists it in Rule::reads
};

// Which owners in scope a data read is made for.
enum class When {
  always,          // every owner
  default_branch,  // every repository with a default branch (an empty one has none to protect)
  referred_to,     // only when an earlier answer refers to it: neither foreseen nor probed
};

// How the answer comes: one JSON object (or array), a list over Cloud's pages (every page is
// read, asked with pagelen=100, then 50, then none when the API refuses the page length), or a
// list over Data Center's pages (start/limit, until isLastPage).
enum class Shape { object, pages, start_pages };

// The values a path template names ("{workspace}", "{repository}", …) for one owner.
struct Target {
  std::string user;         // {user}: the caller's uuid
  std::string workspace;    // {workspace}: its slug
  std::string repository;   // {repository}: the repository's slug
  std::string project;      // {project}: the project's key
  std::string environment;  // {environment}: a deployment environment's uuid
  std::string item;         // {item}: a branch restriction's id, a deploy key's id (writes)

  static Target caller(std::string uuid);
  static Target of_workspace(std::string slug);
  static Target of_project(std::string workspace, std::string key);
  static Target of(const core::Repository& repository);
  static Target of_environment(const core::Repository& repository, std::string uuid);
};

// What the parsers make of an answer.
struct Caller {
  bool is_user = true;  // false: an app user (no SSH keys)
  std::optional<std::string> uuid;
  std::optional<std::string> name;  // nickname, else display name, when the answer has one
};
struct WorkspaceSettings {
  std::string forking_mode;
};
// A repository of the listing, with the name of its project (the listing is where project
// names come from).
struct ListedRepository {
  core::Repository repository;
  std::optional<std::string> project_name;
};
// Data Center's answers (bitbucket/datacenter_reads.hpp) that are not yet one of the above.
struct ServerInfo {  // application-properties
  std::string version;
  std::string display_name;
};
struct DefaultBranch {  // the repository's configured default branch
  std::string name;     // "main" (the ref's displayId)
};
struct LastCommit {  // the default branch's latest commit; none on an empty repository
  std::optional<core::TimePoint> committed;
  bool none = false;  // the branch has no commit
};
// The pull-request settings as restrictions of the kinds the rules judge, and whether the
// answer said if approvals are reset on update (some versions do not).
struct MergeSettings {
  std::vector<core::BranchRestriction> restrictions;
  bool approval_reset_known = false;
};
// A required-builds merge check: the restriction it is, and the branches it exempts (matched
// against the default branch by the collector).
struct BuildCondition {
  core::BranchRestriction restriction;
  std::optional<core::BranchRestriction> exempt;
  bool exempt_unreadable = false;  // an exempt matcher bbposture cannot read: not counted
};
using Parsed =
    std::variant<Caller, std::vector<std::string>, std::vector<ListedRepository>,
                 std::vector<core::BranchRestriction>, core::BranchingModel, std::vector<core::Key>,
                 std::vector<core::Webhook>, std::vector<core::PipelineVariable>,
                 std::vector<Environment>, std::vector<core::Member>, WorkspaceSettings, ServerInfo,
                 DefaultBranch, LastCommit, MergeSettings, std::vector<BuildCondition>>;

// A parser: the answer (the object, or the entries of every page as one JSON array) into its
// value, or what is wrong with it (an invalid-response gap). A list's parser skips entries it
// cannot use and is also called on each page's entries on their own.
using Parser = tl::expected<Parsed, std::string> (*)(const nlohmann::json& answer,
                                                     const Target& target);

struct Read {
  // The gap a failure leaves; with `owner`, it identifies the read.
  core::GapSubject subject = core::GapSubject::repositories;
  Owner owner = Owner::workspace;
  Role role = Role::data;
  When when = When::always;
  // Below the API base, e.g. "/repositories/{workspace}/{repository}/hooks"; the names in
  // braces are percent-encoded values of the Target.
  std::string_view path{};
  std::string_view query_name{};  // "fields", "q"; empty: no query of its own
  std::string_view query_value{};
  Shape shape = Shape::pages;
  std::vector<std::string_view> oauth_scopes{};      // OAuth consumer / access token scopes
  std::vector<std::string_view> api_token_scopes{};  // Atlassian API token scopes
  Parser parse = nullptr;
  // Requests per owner when every list fits one page: what --plan counts (and the progress
  // line's estimate).
  int requests = 1;
  // What this read's rules also need from the repository listing ("values.fork_policy"), added
  // to its fields= when the scan makes this read.
  std::string_view listing_fields{};
  // What it reads, as --plan counts it: "project deploy keys".
  std::string_view noun{};
  // The read for a person, as `auth check` names its probe: "deploy keys of {repository}"
  // ({repository} is the full name, {workspace} the slug, {project} the key).
  std::string_view label{};
  // Data Center: the permission the read needs (REPO_READ, REPO_ADMIN, PROJECT_ADMIN…), named
  // in the gap a refusal leaves and by `auth check`.
  std::string_view permission{};
};

// Every read, in the order a scan of one repository, project and workspace makes them (and
// `auth check` probes them).
std::span<const Read> reads();

// The row of `subject` for `owner`; a missing row is a programming error (std::logic_error).
const Read& read_of(core::GapSubject subject, Owner owner);

// The path below the API base, without a query.
std::string path_for(const Read& read, const Target& target);
// The path with the row's query; `more_fields` (comma-separated) are added to a fields= query.
std::string url_for(const Read& read, const Target& target, std::string_view more_fields = {});
// The row's label for `target`.
std::string label_for(const Read& read, const Target& target);

// Whether `rule` needs the read: every rule needs the listings; otherwise the rule lists the
// read's subject in Rule::reads.
bool needs(const core::Rule& rule, const Read& read);
// Whether a scan with the default rules makes the read (a rule of the default set needs it).
bool read_by_default(const Read& read);
// The fields the scope's selected rules need from the repository listing beyond its own
// (comma-separated; empty when none).
std::string more_listing_fields(const core::Scope& scope);

// True when the error ends a scan: the credential was rejected, or no token could be had.
bool ends_the_scan(const ApiError& error);

// The result of one read for one owner: its value when it was read, the gaps a failure left,
// and the error that ends the scan (then there is neither value nor gap).
template <typename T>
struct ReadResult {
  std::optional<T> value;
  std::vector<core::Gap> gaps;
  std::optional<ApiError> fatal;
};

// What a read may be told: `stop` (set by another thread when the credential was rejected)
// ends a list after the page being read; `more_fields` as for url_for.
struct ReadOptions {
  const std::atomic<bool>* stop = nullptr;
  std::string more_fields;
};

// Makes `read` for `target`: every page, parsed by the row's parser. A failed request becomes
// a gap of the row's subject and owner (or the fatal error), an answer the parser refuses an
// invalid-response gap.
ReadResult<Parsed> make_read(ApiClient& api, const Read& read, const Target& target,
                             const ReadOptions& options = {});

// make_read, with the value taken as the type the row's parser makes (a mismatch is a
// programming error: std::bad_variant_access).
template <typename T>
ReadResult<T> make_read_as(ApiClient& api, const Read& read, const Target& target,
                           const ReadOptions& options = {}) {
  auto made = make_read(api, read, target, options);
  ReadResult<T> out{std::nullopt, std::move(made.gaps), std::move(made.fatal)};
  if (made.value) {
    out.value = std::get<T>(std::move(*made.value));
  }
  return out;
}

// Makes a list read page by page, handing each page's parsed entries to `on_page` as they
// arrive (a listing restarted with a smaller page length hands out no entry twice). The value
// is set when every page was read; what was handed out before a failure stays handed out.
using PageSink = std::function<void(Parsed&& page)>;
ReadResult<std::monostate> stream_read(ApiClient& api, const Read& read, const Target& target,
                                       const PageSink& on_page, const ReadOptions& options = {});

// ---- Writes ----------------------------------------------------------------------------------
//
// What a write is, as data, beside the reads: only `bbposture fix` makes them (docs/fix.md).
// Each row names its request, the read that looks at its target right before it is sent (the
// API has no If-Match, so the comparison is made by hand), the scopes it needs, and whether
// what it does can be undone.
enum class WriteKind {
  create_restriction,         // a branch restriction that does not exist yet
  update_restriction,         // fields of an existing one ("fields not present are ignored")
  delete_restriction,         // only to undo a restriction bbposture created
  update_repository,          // is_private, fork_policy
  delete_deploy_key,          // irreversible
  delete_project_deploy_key,  // irreversible
};

struct Write {
  WriteKind kind = WriteKind::create_restriction;
  Owner owner = Owner::repository;
  http::Method method = http::Method::post;
  std::string_view path{};    // the names in braces as in Read::path, {item} included
  std::string_view reread{};  // the GET that reads the target before the write
  std::vector<std::string_view> oauth_scopes{};
  std::vector<std::string_view> api_token_scopes{};
  bool reversible = true;
  std::string_view noun{};  // "create a branch restriction"
};

// Every write, one row per kind.
std::span<const Write> writes();
const Write& write_of(WriteKind kind);
// The write's path, and its re-read's, for `target`.
std::string path_for(const Write& write, const Target& target);
std::string reread_path_for(const Write& write, const Target& target);

// The detail of a gap for a read that was not made, or was abandoned, because the scan was
// interrupted (SIGINT/SIGTERM).
inline constexpr const char* kInterruptedDetail = "scan interrupted before this was read";

// Every failed read at -v (the scan ends with one warning per cause, see gap_summary in the
// app); the reads skipped after an interruption only at debug level, so ^C does not flood.
// Both collectors log each gap once, through this.
void log_gap(const core::Gap& gap);

// Maps a failed read to a gap (missing scope named when Bitbucket says which; a cancelled read
// says that the scan was interrupted).
core::Gap gap_from_error(const ApiError& error, core::GapSubject subject, std::string workspace,
                         std::optional<std::string> repository = std::nullopt,
                         std::optional<std::string> project = std::nullopt);

}  // namespace bbp::bitbucket
