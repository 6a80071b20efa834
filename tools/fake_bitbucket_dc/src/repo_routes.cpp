// A repository's content and settings under api/…: default branch, latest commit,
// pull-request settings.
#include "routes.hpp"

namespace bbp::fake_dc::detail {
namespace {

Reply no_default_branch(const RouteContext& ctx) {
  if (ctx.scenario.empty_default_branch_status == 204) {
    return Reply{204, "", "application/json", {}};
  }
  return not_found("Repository " + ctx.params.at("projectKey") + "/" +
                       ctx.params.at("repositorySlug") +
                       " has no default branch; it is probably empty.",
                   "com.atlassian.bitbucket.repository.NoDefaultBranchException");
}

Reply no_such_commit(const std::string& ref, const RouteContext& ctx) {
  return not_found("Commit '" + ref + "' does not exist in repository '" +
                       ctx.params.at("repositorySlug") + "'.",
                   "com.atlassian.bitbucket.commit.NoSuchCommitException");
}

}  // namespace

RouteResult get_default_branch(const RouteContext& ctx) {
  const auto lookup = find_repo(ctx, Level::read);
  if (lookup.error) {
    return *lookup.error;
  }
  if (!lookup.repo->default_branch) {
    return no_default_branch(ctx);
  }
  return ctx.render.default_branch(*lookup.repo);
}

// Serves only the latest commit of the default branch: `until` may name that branch (short or
// full name) or that commit; anything else is unknown.
RouteResult list_commits(const RouteContext& ctx) {
  const auto lookup = find_repo(ctx, Level::read);
  if (lookup.error) {
    return *lookup.error;
  }
  const Repository& repo = *lookup.repo;
  const std::string until = query_value(ctx.query, "until").value_or("");
  if (!repo.default_branch) {
    return no_such_commit(until.empty() ? "HEAD" : until, ctx);
  }
  const std::string& branch = *repo.default_branch;
  const bool known = until.empty() || until == branch || until == "refs/heads/" + branch ||
                     (repo.last_commit && until == repo.last_commit->id);
  if (!known) {
    return no_such_commit(until, ctx);
  }
  if (!repo.last_commit) {
    return Listing{0, {}};
  }
  return Listing{1, [&ctx, &repo](std::size_t) { return ctx.render.commit(*repo.last_commit); }};
}

RouteResult get_pull_request_settings(const RouteContext& ctx) {
  const auto lookup = find_repo(ctx, Level::read);
  if (lookup.error) {
    return *lookup.error;
  }
  return lookup.repo->pull_request_settings;
}

}  // namespace bbp::fake_dc::detail
