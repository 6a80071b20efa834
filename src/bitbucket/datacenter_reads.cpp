// Data Center's rows of the reads table: what a scan reads of a Data Center server, below its
// `/rest`, with the permission each read needs. Paths use the `latest` version every supported
// server answers.
#include <algorithm>
#include <stdexcept>
#include <string>
#include <vector>

#include "bbp/bitbucket/datacenter_reads.hpp"

namespace bbp::bitbucket {
namespace {

using core::GapSubject;
namespace dc = datacenter;

// Who is calling, and the one listing: every repository the credential can read, archived ones
// too (servers list only active ones unless asked).
std::vector<Read> caller_and_listing_rows() {
  return {
      {.subject = GapSubject::server,
       .owner = Owner::user,
       .role = Role::caller,
       .path = "/api/latest/application-properties",
       .shape = Shape::object,
       .parse = dc::parse_server,
       .noun = "server versions",
       .label = "which server and version",
       .permission = "none (anonymous callers may read it)"},
      {.subject = GapSubject::user,
       .owner = Owner::user,
       .role = Role::caller,
       .path = "/api/latest/users?limit=1",
       .shape = Shape::object,
       .parse = dc::parse_caller,
       .noun = "the caller",
       .label = "who is calling (refused to anonymous callers)",
       .permission = "a signed-in user (LICENSED_USER)"},
      {.subject = GapSubject::repositories,
       .owner = Owner::user,
       .role = Role::listing,
       .path = "/api/latest/repos",
       .query_name = "archived",
       .query_value = "ALL",
       .shape = Shape::start_pages,
       .parse = dc::parse_listing,
       .noun = "repository listings",
       .label = "list repositories",
       .permission = "REPO_READ"},
  };
}

// A project's reads, made once per project with repositories in scope.
std::vector<Read> project_rows() {
  return {
      {.subject = GapSubject::project_restrictions,
       .owner = Owner::project,
       .path = "/branch-permissions/latest/projects/{project}/restrictions",
       .shape = Shape::start_pages,
       .parse = dc::parse_restrictions,
       .noun = "project branch permissions",
       .label = "branch permissions of project {project}",
       .permission = "PROJECT_ADMIN"},
      {.subject = GapSubject::project_deploy_keys,
       .owner = Owner::project,
       .path = "/keys/latest/projects/{project}/ssh",
       .shape = Shape::start_pages,
       .parse = dc::parse_keys,
       .noun = "project access keys",
       .label = "access keys of project {project}",
       .permission = "PROJECT_ADMIN"},
  };
}

// A repository's reads, in the order they are made.
std::vector<Read> repository_rows() {
  return {
      {.subject = GapSubject::default_branch,
       .owner = Owner::repository,
       .path = "/api/latest/projects/{workspace}/repos/{repository}/default-branch",
       .shape = Shape::object,
       .parse = dc::parse_default_branch,
       .noun = "default branches",
       .label = "default branch of {repository}",
       .permission = "REPO_READ"},
      {.subject = GapSubject::last_commit,
       .owner = Owner::repository,
       .when = When::default_branch,
       .path = "/api/latest/projects/{workspace}/repos/{repository}/commits?limit=1",
       .query_name = "until",
       .query_value = "{item}",  // the default branch's ref
       .shape = Shape::object,
       .parse = dc::parse_last_commit,
       .noun = "latest commits",
       .label = "latest commit of {repository}",
       .permission = "REPO_READ"},
      {.subject = GapSubject::branch_restrictions,
       .owner = Owner::repository,
       .when = When::default_branch,
       .path = "/branch-permissions/latest/projects/{workspace}/repos/{repository}/restrictions",
       .shape = Shape::start_pages,
       .parse = dc::parse_restrictions,
       .noun = "branch permissions",
       .label = "branch permissions of {repository}",
       .permission = "REPO_ADMIN"},
      {.subject = GapSubject::pull_request_settings,
       .owner = Owner::repository,
       .when = When::default_branch,
       .path = "/api/latest/projects/{workspace}/repos/{repository}/settings/pull-requests",
       .shape = Shape::object,
       .parse = dc::parse_merge_settings,
       .noun = "pull-request settings",
       .label = "pull-request settings of {repository}",
       .permission = "REPO_READ"},
      {.subject = GapSubject::default_reviewers,
       .owner = Owner::repository,
       .when = When::default_branch,
       .path = "/default-reviewers/latest/projects/{workspace}/repos/{repository}/conditions",
       .shape = Shape::object,  // a plain array, not a page
       .parse = dc::parse_default_reviewers,
       .noun = "default-reviewer conditions",
       .label = "default-reviewer conditions of {repository}",
       .permission = "REPO_READ"},
      {.subject = GapSubject::required_builds,
       .owner = Owner::repository,
       .when = When::default_branch,
       .path = "/required-builds/latest/projects/{workspace}/repos/{repository}/conditions",
       .shape = Shape::start_pages,
       .parse = dc::parse_build_conditions,
       .noun = "required-builds merge checks",
       .label = "required builds of {repository}",
       .permission = "REPO_READ"},
      {.subject = GapSubject::required_builds,  // older servers' spelling, after a 404
       .owner = Owner::repository,
       .when = When::referred_to,
       .path = "/required-builds/latest/projects/{workspace}/repos/{repository}/condition",
       .shape = Shape::object,  // a list or a page: both are read
       .parse = dc::parse_build_conditions,
       .noun = "required-builds merge checks (older spelling)",
       .label = "required builds of {repository} (older spelling)",
       .permission = "REPO_READ"},
      {.subject = GapSubject::branching_model,
       .owner = Owner::repository,
       .when = When::referred_to,  // when a matcher refers to the branch model
       .path = "/branch-utils/latest/projects/{workspace}/repos/{repository}/branchmodel",
       .shape = Shape::object,
       .parse = dc::parse_branch_model,
       .noun = "branch models",
       .label = "branch model of {repository}",
       .permission = "REPO_READ"},
      {.subject = GapSubject::deploy_keys,
       .owner = Owner::repository,
       .path = "/keys/latest/projects/{workspace}/repos/{repository}/ssh",
       .shape = Shape::start_pages,
       .parse = dc::parse_keys,
       .noun = "repository access keys",
       .label = "access keys of {repository}",
       .permission = "REPO_ADMIN"},
  };
}

std::vector<Read> user_key_rows() {
  return {
      {.subject = GapSubject::ssh_keys,
       .owner = Owner::user,
       .path = "/ssh/latest/keys",
       .shape = Shape::start_pages,
       .parse = dc::parse_keys,
       .noun = "SSH key lists",
       .label = "the caller's SSH keys",
       .permission = "a signed-in user"},
  };
}

std::vector<Read> all_rows() {
  std::vector<Read> out;
  for (auto rows :
       {caller_and_listing_rows(), project_rows(), repository_rows(), user_key_rows()}) {
    out.insert(out.end(), rows.begin(), rows.end());
  }
  return out;
}

}  // namespace

std::span<const Read> datacenter_reads() {
  static const std::vector<Read> table = all_rows();
  return table;
}

const Read& datacenter_read_of(GapSubject subject, Owner owner) {
  const auto table = datacenter_reads();
  const auto it = std::find_if(table.begin(), table.end(), [&](const Read& r) {
    return r.subject == subject && r.owner == owner;
  });
  if (it == table.end()) {
    throw std::logic_error("no Data Center read of " + std::string(core::to_string(subject)) +
                           " for this owner");
  }
  return *it;
}

const Read* older_spelling_of(const Read& read) {
  const auto table = datacenter_reads();
  const auto it = std::find_if(table.begin(), table.end(), [&](const Read& r) {
    return &r != &read && r.subject == read.subject && r.owner == read.owner &&
           r.when == When::referred_to && read.when != When::referred_to;
  });
  return it == table.end() ? nullptr : &*it;
}

bool datacenter_needs(const core::Scope& scope, const Read& read) {
  return read.role != Role::data || scope.reads_on_datacenter(read.subject);
}

}  // namespace bbp::bitbucket
