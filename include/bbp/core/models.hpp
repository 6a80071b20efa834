// The normalised view of what bbposture read from Bitbucket Cloud or Bitbucket Data Center.
//
// The collectors fill these from API responses; the rule engine only ever reads them. Nothing
// here knows about HTTP or JSON wire formats, so a saved snapshot can be re-evaluated offline.
// Data Center is read into the same shapes (docs/architecture.md, "Two platforms, one
// snapshot"): a project takes the workspace's place, and its branch permissions and merge
// checks become branch restrictions of the kinds the rules judge, each naming its source.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "bbp/core/outcome.hpp"
#include "bbp/core/time.hpp"

namespace bbp::core {

// Which Bitbucket a snapshot was read from.
enum class Platform { cloud, datacenter };

// "cloud", "datacenter": the names options, snapshots and reports use.
std::string_view to_string(Platform platform);
std::optional<Platform> platform_from_string(std::string_view text);

// A user or group exempted by a branch restriction (for `push`: allowed to push).
struct Principal {
  std::string name;  // display name (user) or slug (group)
  std::string id;    // uuid / account id (user) or full_slug (group)
};

struct BranchRestriction {
  std::int64_t id = 0;
  std::string kind;  // as Bitbucket writes it; unknown kinds are kept
  // "glob" (Cloud) | "pattern" (Data Center, core/glob.hpp) | "branching_model"; others never
  // apply
  std::string branch_match_kind = "glob";
  std::string pattern;                     // glob pattern; "" for branching_model
  std::optional<std::string> branch_type;  // development|production|feature|bugfix|release|hotfix
  std::optional<std::int64_t> value;       // null for kinds without a number
  std::vector<Principal> users;
  std::vector<Principal> groups;
  // Set for a restriction the user declared in the config file ("bbposture.yaml:14") rather
  // than one the API returned; never written to a snapshot.
  std::optional<std::string> declared_in;
  // Data Center: what the restriction was made from ("project PLAT branch permission 3
  // (read-only)", "pull-request settings"); written to snapshots. Empty on Cloud.
  std::optional<std::string> source;
};

struct BranchingModelBranch {
  bool use_mainbranch = false;
  std::optional<std::string> name;         // configured branch name (may be null)
  std::optional<std::string> branch_name;  // name of the real branch object, when it exists
};

struct BranchType {
  std::string kind;  // feature | bugfix | release | hotfix
  std::string prefix;
};

// The repository's *effective* branching model (production only when enabled).
struct BranchingModel {
  BranchingModelBranch development;
  std::optional<BranchingModelBranch> production;
  std::vector<BranchType> branch_types;  // only the enabled types
};

// A webhook of a repository or workspace. Only the URL's scheme and host are kept: its path and
// query can carry a token, and nothing else of the URL is needed to judge it.
struct Webhook {
  std::string uuid;
  std::string description;
  std::string scheme;              // lower case ("https", "http"); "" when the URL had none
  std::string host;                // host[:port], without any user information
  std::optional<bool> active;      // nullopt: missing in the response
  std::optional<bool> secret_set;  // nullopt: missing in the response
  std::vector<std::string> events;
};

enum class VariableLevel { repository, workspace, deployment };

// "repository", "workspace", "deployment": the names snapshots and reports use.
std::string_view to_string(VariableLevel level);
std::optional<VariableLevel> variable_level_from_string(std::string_view text);

// A Pipelines variable. Its value is never kept: Bitbucket returns the value of an unsecured
// variable, and the parser drops it, so no report, log or snapshot can hold it.
struct PipelineVariable {
  std::string uuid;
  std::string key;
  std::optional<bool> secured;  // nullopt: missing in the response
  VariableLevel level = VariableLevel::repository;
  std::optional<std::string> environment;  // the deployment environment's name
};

// A workspace member as /workspaces/{ws}/members and /permissions list them.
struct Member {
  std::string display_name;
  std::string uuid;
  std::string account_id;
  // nullopt: Bitbucket did not say (the field is shown to workspace administrators only).
  std::optional<bool> has_2fa_enabled;
};

struct Repository {
  std::string workspace;
  std::string slug;
  std::string full_name;  // "workspace/slug"
  std::string uuid;       // with braces, as Bitbucket writes it
  std::string name;
  std::optional<std::string> project_key;
  std::optional<bool> is_private;  // nullopt: missing or malformed in the response
  // Data Center: whether the repository's project is public (a public project makes every
  // repository in it public); nullopt on Cloud.
  std::optional<bool> project_public;
  std::optional<TimePoint> updated_on;    // nullopt: missing or malformed (Data Center: the
                                          // default branch's latest commit)
  std::optional<std::string> mainbranch;  // nullopt: empty repository
  std::string html_url;

  // Branch restrictions from every page; nullopt when they could not be read (see gaps).
  std::optional<std::vector<BranchRestriction>> branch_restrictions;
  // Read only when a branching_model restriction exists; nullopt otherwise or on failure.
  std::optional<BranchingModel> branching_model;

  // The extended rules' data, each read only when a rule that needs it is selected; nullopt
  // when it was not read or could not be (a gap says which).
  std::optional<std::string> fork_policy;  // allow_forks | no_public_forks | no_forks
  std::optional<std::vector<Webhook>> hooks;
  std::optional<std::vector<PipelineVariable>> pipeline_variables;    // repository level
  std::optional<std::vector<PipelineVariable>> deployment_variables;  // every environment's
};

enum class KeyKind { deploy_key, project_deploy_key, ssh_key };

// "deploy_key", "project_deploy_key", "ssh_key": the names snapshots use.
std::string_view to_string(KeyKind kind);
std::optional<KeyKind> key_kind_from_string(std::string_view text);

struct Key {
  KeyKind kind = KeyKind::deploy_key;
  std::string id;  // numeric id as a string (deploy keys) or uuid (SSH keys)
  std::string label;
  std::string comment;
  std::string key_material;  // the public key text ("ssh-ed25519 AAAA…"); used to de-duplicate
  std::optional<TimePoint> created_on;
  std::string created_field = "created_on";  // which field gave created_on (or "added_on")
  std::optional<TimePoint> last_used;
  std::optional<TimePoint> expires_on;
  std::string workspace;                  // "" for the user's SSH keys
  std::optional<std::string> repository;  // "workspace/slug" for repository deploy keys
  std::optional<std::string> project;     // project key for project deploy keys
  std::string owner;                      // SSH keys: the owner's display name
  std::string url;                        // a link a person can open
};

struct Project {
  std::string key;
  std::string uuid;
  std::string name;
  std::string html_url;
};

// What part of the picture a failed read left blank.
enum class GapSubject {
  workspaces,           // GET /user/workspaces
  repositories,         // GET /repositories/{ws}
  projects,             // GET /workspaces/{ws}/projects
  branch_restrictions,  // per repository
  branching_model,      // per repository, only when needed
  deploy_keys,          // per repository
  project_deploy_keys,  // per project
  user,                 // GET /user
  ssh_keys,             // GET /users/{uuid}/ssh-keys
  // The extended rules' reads.
  workspace,           // GET /workspaces/{ws} (forking_mode)
  hooks,               // repository hooks (repository set) or the workspace's
  pipeline_variables,  // repository variables (repository set) or the workspace's
  environments,        // a repository's deployment environments and their variables
  members,             // GET /workspaces/{ws}/members
  owners,              // GET /workspaces/{ws}/permissions?q=permission="owner"
  // Data Center's reads (their rows: bitbucket/datacenter_reads.cpp).
  server,                 // application-properties: which server and version
  default_branch,         // a repository's configured default branch
  project_restrictions,   // a project's branch permissions
  pull_request_settings,  // a repository's pull-request settings
  approval_reset,         // the settings did not say whether approvals are reset on update
  default_reviewers,      // a repository's default-reviewer conditions
  required_builds,        // a repository's required-builds merge checks
  last_commit,            // the default branch's latest commit (its date of last activity)
};

std::string_view to_string(GapSubject subject);
std::optional<GapSubject> gap_subject_from_string(std::string_view text);

struct Gap {
  GapSubject subject = GapSubject::repositories;
  std::string workspace;                  // "" when not workspace-bound (user, SSH keys)
  std::optional<std::string> repository;  // "workspace/slug"
  std::optional<std::string> project;     // project key
  std::string endpoint;                   // path that failed, e.g. "/repositories/acme/api/..."
  std::optional<int> http_status;         // nullopt for transport failures
  UnknownReason reason = UnknownReason::api_error;
  std::string detail;  // for a person: what went wrong; for missing_scope: which scope
};

struct WorkspaceSnapshot {
  std::string slug;
  bool listed = true;  // false when its repositories could not be listed (see gaps)
  // Whether the scan read (or tried to read: failures are gaps) the deploy keys of every listed
  // repository, and of every project in `projects`. False: keys were not part of the scan, and
  // rule 11 is unknown here rather than passed.
  bool deploy_keys_collected = false;
  bool project_keys_collected = false;
  // Data Center: project-level branch permissions were read (or their failure is a gap) and are
  // among each repository's restrictions. Cloud cannot read them, and says so in its evidence.
  bool project_restrictions_read = false;
  std::vector<Repository> repositories;
  std::vector<Project> projects;  // projects with repositories in scope
  std::vector<Key> keys;          // repository and project deploy keys, de-duplicated

  // The extended rules' workspace-wide data; nullopt when not read or unreadable (see gaps).
  std::optional<std::string> forking_mode;  // allow_forks | internal_only
  std::optional<std::vector<Webhook>> hooks;
  std::optional<std::vector<PipelineVariable>> pipeline_variables;
  std::optional<std::vector<Member>> members;
  std::optional<std::vector<Member>> owners;
};

// Whether the caller's own SSH keys apply to this credential.
enum class SshKeysStatus {
  read,            // keys were read (possibly none)
  not_applicable,  // access tokens and app users have no SSH keys
  unreadable,      // a gap records why
  not_collected,   // not part of this scan (e.g. rule 11 skipped)
};

struct Snapshot {
  Platform platform = Platform::cloud;  // absent in snapshots from before Data Center: cloud
  std::string api_url;
  // Data Center: the server's version, as application-properties answered.
  std::optional<std::string> server_version;
  TimePoint collected_at{};
  std::vector<WorkspaceSnapshot> workspaces;
  SshKeysStatus ssh_keys_status = SshKeysStatus::not_collected;
  std::vector<Key> ssh_keys;
  std::vector<Gap> gaps;
  // The kind of credential the scan signed in with, by name ("client_credentials",
  // "access_token", "api_token"); never anything secret. Absent in snapshots saved before it
  // was recorded.
  std::optional<std::string> credential;
  // Who the credential resolved to, as GET /user answered ("nickname {uuid}"), when the scan
  // read it; never anything secret.
  std::optional<std::string> identity;
  // Data Center: the reads the scan made (named by the gap a failure of each leaves). A rule
  // resting on one that is not here was not collected, and is unknown.
  std::vector<GapSubject> collected;
  // The requests the collection took, when the snapshot was saved by a live scan.
  std::optional<std::uint64_t> api_requests;
};

}  // namespace bbp::core
