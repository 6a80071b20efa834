// The reads table against the rule catalogue, and the free functions that make one read.
#include "bbp/bitbucket/reads.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "bbp/bitbucket/token_source.hpp"
#include "bbp/bitbucket/url.hpp"
#include "http_fakes.hpp"

namespace bbp::bitbucket {
namespace {

using core::GapSubject;
using nlohmann::json;
using Scopes = std::set<std::string>;

constexpr const char* kApiBase = "https://api.bitbucket.org/2.0";

bool rule_lists(const core::Rule& rule, GapSubject subject) {
  return std::find(rule.reads.begin(), rule.reads.end(), subject) != rule.reads.end();
}

Scopes set_of(const std::vector<std::string_view>& scopes) {
  return {scopes.begin(), scopes.end()};
}

// Every subject a rule of the catalogue lists in Rule::reads.
std::set<GapSubject> subjects_rules_list() {
  std::set<GapSubject> out;
  for (const auto& rule : core::catalogue()) {
    out.insert(rule.reads.begin(), rule.reads.end());
  }
  return out;
}

TEST(ReadsTable, EachSubjectAndOwnerHasExactlyOneRow) {
  std::map<std::pair<GapSubject, Owner>, int> rows;
  for (const auto& read : reads()) {
    rows[{read.subject, read.owner}] += 1;
  }
  for (const auto& [key, count] : rows) {
    EXPECT_EQ(count, 1) << core::to_string(key.first);
  }
}

// Every read a rule lists has a row, and exactly one for each owner it is read for. Three
// subjects are read for two owners (one gap subject, two endpoints); `projects` is listed by
// the key rule but no read leaves it: the projects come from the repository listing.
TEST(ReadsTable, EveryReadARuleListsHasItsRows) {
  const std::map<GapSubject, std::set<Owner>> two_owners{
      {GapSubject::hooks, {Owner::repository, Owner::workspace}},
      {GapSubject::pipeline_variables, {Owner::repository, Owner::workspace}},
      {GapSubject::environments, {Owner::repository, Owner::environment}},
  };
  for (const auto subject : subjects_rules_list()) {
    SCOPED_TRACE(core::to_string(subject));
    std::set<Owner> owners;
    for (const auto& read : reads()) {
      if (read.subject == subject) {
        owners.insert(read.owner);
      }
    }
    if (subject == GapSubject::projects) {
      EXPECT_TRUE(owners.empty());
    } else if (const auto it = two_owners.find(subject); it != two_owners.end()) {
      EXPECT_EQ(owners, it->second);
    } else {
      EXPECT_EQ(owners.size(), 1U);
    }
  }
}

// A data read is one some rule needs; a listing is needed by every rule and listed by none.
TEST(ReadsTable, RolesMatchTheCatalogue) {
  const auto listed = subjects_rules_list();
  for (const auto& read : reads()) {
    SCOPED_TRACE(read.path);
    EXPECT_EQ(read.role != Role::listing, listed.contains(read.subject));
    EXPECT_NE(read.parse, nullptr);
    EXPECT_GE(read.requests, 1);
    EXPECT_FALSE(read.noun.empty());
    EXPECT_FALSE(read.label.empty());
  }
  EXPECT_EQ(read_of(GapSubject::user, Owner::user).role, Role::caller);
}

// What the collector gates on Rule::reads was gated on the rules' subjects before: they agree.
TEST(ReadsTable, DefaultBranchAndKeyRulesListTheirReads) {
  for (const auto& rule : core::catalogue()) {
    SCOPED_TRACE(rule.slug);
    EXPECT_EQ(rule.subject == core::RuleSubject::default_branch,
              rule_lists(rule, GapSubject::branch_restrictions));
    EXPECT_EQ(rule.subject == core::RuleSubject::default_branch,
              rule_lists(rule, GapSubject::branching_model));
    EXPECT_EQ(rule.subject == core::RuleSubject::key, rule_lists(rule, GapSubject::deploy_keys));
    EXPECT_EQ(rule.subject == core::RuleSubject::key, rule_lists(rule, GapSubject::ssh_keys));
  }
}

// A rule's declared scopes cover the scopes of every read it lists.
TEST(ReadsTable, ADataReadsScopesAreWithinTheScopesOfEveryRuleThatNeedsIt) {
  for (const auto& read : reads()) {
    if (read.role == Role::listing) {
      continue;  // below
    }
    for (const auto& rule : core::catalogue()) {
      if (!needs(rule, read)) {
        continue;
      }
      SCOPED_TRACE(std::string(read.path) + " for " + std::string(rule.slug));
      const auto oauth = set_of(rule.oauth_scopes);
      const auto token = set_of(rule.api_token_scopes);
      for (const auto scope : read.oauth_scopes) {
        EXPECT_TRUE(oauth.contains(std::string(scope))) << scope;
      }
      for (const auto scope : read.api_token_scopes) {
        EXPECT_TRUE(token.contains(std::string(scope))) << scope;
      }
    }
  }
}

struct SetScopes {
  Scopes rules_oauth, reads_oauth, rules_token, reads_token;
};

SetScopes scopes_of_set(const std::string& name) {
  SetScopes s;
  const auto rules = core::rule_set(name);
  for (const auto* rule : rules) {
    s.rules_oauth.insert(rule->oauth_scopes.begin(), rule->oauth_scopes.end());
    s.rules_token.insert(rule->api_token_scopes.begin(), rule->api_token_scopes.end());
  }
  for (const auto& read : reads()) {
    if (std::any_of(rules.begin(), rules.end(), [&](const auto* r) { return needs(*r, read); })) {
      s.reads_oauth.insert(read.oauth_scopes.begin(), read.oauth_scopes.end());
      s.reads_token.insert(read.api_token_scopes.begin(), read.api_token_scopes.end());
    }
  }
  return s;
}

// The listings are every rule's reads, so their scopes are not within each rule's (rule 13
// needs the repository listing but declares only "webhook"); over a rule set, the OAuth scopes
// the reads need are exactly those the rules declare, so `auth check`, which asks the reads,
// names the same missing scopes as the catalogue would. The API token scopes differ, as
// written here: the workspace list (GET /user/workspaces, made when no -w is given) needs
// read:workspace:bitbucket, which no default rule declares, and the key rule declares
// read:project:bitbucket, which none of its reads needs.
TEST(ReadsTable, OverARuleSetTheReadsNeedTheScopesTheRulesDeclare) {
  for (const char* name : {"casb", "extended", "all"}) {
    SCOPED_TRACE(name);
    const auto s = scopes_of_set(name);
    EXPECT_EQ(s.reads_oauth, s.rules_oauth);
    Scopes only_reads;
    Scopes only_rules;
    std::set_difference(s.reads_token.begin(), s.reads_token.end(), s.rules_token.begin(),
                        s.rules_token.end(), std::inserter(only_reads, only_reads.end()));
    std::set_difference(s.rules_token.begin(), s.rules_token.end(), s.reads_token.begin(),
                        s.reads_token.end(), std::inserter(only_rules, only_rules.end()));
    const std::string set(name);
    EXPECT_EQ(only_reads, set == "casb" ? Scopes{"read:workspace:bitbucket"} : Scopes{});
    EXPECT_EQ(only_rules, set == "extended" ? Scopes{} : Scopes{"read:project:bitbucket"});
  }
}

// A path names only what its owner has.
TEST(ReadsTable, PathsNameOnlyTheirOwnersValues) {
  const std::map<Owner, std::set<std::string>> names{
      {Owner::user, {"user"}},
      {Owner::workspace, {"workspace"}},
      {Owner::project, {"workspace", "project"}},
      {Owner::repository, {"workspace", "repository"}},
      {Owner::environment, {"workspace", "repository", "environment"}},
  };
  for (const auto& read : reads()) {
    SCOPED_TRACE(read.path);
    EXPECT_TRUE(read.path.starts_with("/"));
    std::string_view rest = read.path;
    while (rest.find('{') != std::string_view::npos) {
      const auto open = rest.find('{');
      const auto close = rest.find('}', open);
      ASSERT_NE(close, std::string_view::npos);
      EXPECT_TRUE(
          names.at(read.owner).contains(std::string(rest.substr(open + 1, close - open - 1))));
      rest.remove_prefix(close + 1);
    }
  }
}

core::Repository api_repository() {
  core::Repository repo;
  repo.workspace = "acme";
  repo.slug = "api x";
  repo.full_name = "acme/api x";
  return repo;
}

TEST(ReadsTable, UrlsAndLabelsForAnOwner) {
  const auto repo = api_repository();
  EXPECT_EQ(url_for(read_of(GapSubject::branch_restrictions, Owner::repository), Target::of(repo)),
            "/repositories/acme/api%20x/branch-restrictions");
  EXPECT_EQ(url_for(read_of(GapSubject::environments, Owner::environment),
                    Target::of_environment(repo, "{e-1}")),
            "/repositories/acme/api%20x/deployments_config/environments/%7Be-1%7D/variables");
  EXPECT_EQ(url_for(read_of(GapSubject::members, Owner::workspace), Target::of_workspace("acme")),
            "/workspaces/acme/members?fields=%2Bvalues.user.has_2fa_enabled");
  EXPECT_EQ(url_for(read_of(GapSubject::owners, Owner::workspace), Target::of_workspace("acme")),
            "/workspaces/acme/permissions?q=permission%3D%22owner%22");
  EXPECT_EQ(url_for(read_of(GapSubject::ssh_keys, Owner::user), Target::caller("{u-1}")),
            "/users/%7Bu-1%7D/ssh-keys");
  const auto& listing = read_of(GapSubject::repositories, Owner::workspace);
  EXPECT_EQ(path_for(listing, Target::of_workspace("acme")), "/repositories/acme");
  EXPECT_TRUE(url_for(listing, Target::of_workspace("acme"), "values.fork_policy")
                  .ends_with("values.links.html.href%2Cvalues.fork_policy"));
  EXPECT_EQ(label_for(read_of(GapSubject::deploy_keys, Owner::repository), Target::of(repo)),
            "deploy keys of acme/api x");
  EXPECT_EQ(label_for(read_of(GapSubject::project_deploy_keys, Owner::project),
                      Target::of_project("acme", "PLAT")),
            "deploy keys of project PLAT");
}

TEST(ReadsTable, TheListingAsksForWhatTheSelectedRulesNeedFromIt) {
  core::Scope scope;
  EXPECT_EQ(more_listing_fields(scope), "");
  scope.rules = {core::find_rule("private-repository-forkable")};
  EXPECT_EQ(more_listing_fields(scope), "values.fork_policy");
  scope.rules = {core::find_rule("webhook-over-http")};
  EXPECT_EQ(more_listing_fields(scope), "");
}

TEST(ReadsTable, AMissingRowIsAProgrammingError) {
  EXPECT_THROW(read_of(GapSubject::projects, Owner::workspace), std::logic_error);
  EXPECT_THROW(read_of(GapSubject::hooks, Owner::project), std::logic_error);
}

// ---- Making one read -------------------------------------------------------------------------

class MakeRead : public ::testing::Test {
 protected:
  fakes::FakeTransport transport;
  StaticTokenSource tokens{Secret("Bearer t")};
  ApiClient api{transport, tokens, kApiBase};

  void answer(int status, const json& body) {
    transport.push_response(status, body.dump(), {{"Content-Type", "application/json"}});
  }
  static json page(json values) { return {{"values", std::move(values)}}; }
};

const std::string kForbidden =
    R"({"type": "error", "error": {"message": "You do not have access to this resource."}})";

TEST_F(MakeRead, AListIsParsedByItsRow) {
  answer(200, page({{{"id", 1}, {"key", "ssh-ed25519 A"}}, 7}));
  const auto read = make_read_as<std::vector<core::Key>>(
      api, read_of(GapSubject::deploy_keys, Owner::repository), Target::of(api_repository()));
  ASSERT_TRUE(read.value);
  ASSERT_EQ(read.value->size(), 1U);  // an entry that is not an object is skipped
  EXPECT_EQ(read.value->at(0).kind, core::KeyKind::deploy_key);
  EXPECT_TRUE(read.gaps.empty());
  EXPECT_FALSE(read.fatal);
  EXPECT_EQ(transport.requests().at(0).url,
            std::string(kApiBase) + "/repositories/acme/api%20x/deploy-keys?pagelen=100");
}

// The gap a failure leaves names the read's subject and its owner.
TEST_F(MakeRead, AFailureIsAGapOfTheRowsSubjectAndOwner) {
  struct Case {
    const Read& read;
    Target target;
    std::string workspace;
    std::optional<std::string> repository;
    std::optional<std::string> project;
  };
  const auto repo = api_repository();
  const std::vector<Case> cases{
      {read_of(GapSubject::ssh_keys, Owner::user), Target::caller("{u}"), "", {}, {}},
      {read_of(GapSubject::members, Owner::workspace),
       Target::of_workspace("acme"),
       "acme",
       {},
       {}},
      {read_of(GapSubject::project_deploy_keys, Owner::project),
       Target::of_project("acme", "PLAT"),
       "acme",
       {},
       "PLAT"},
      {read_of(GapSubject::hooks, Owner::repository), Target::of(repo), "acme", "acme/api x", {}},
      {read_of(GapSubject::environments, Owner::environment),
       Target::of_environment(repo, "{e}"),
       "acme",
       "acme/api x",
       {}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.read.path);
    transport.push_response(403, kForbidden);
    const auto read = make_read(api, c.read, c.target);
    EXPECT_FALSE(read.value);
    EXPECT_FALSE(read.fatal);
    ASSERT_EQ(read.gaps.size(), 1U);
    const auto& gap = read.gaps[0];
    EXPECT_EQ(gap.subject, c.read.subject);
    EXPECT_EQ(gap.workspace, c.workspace);
    EXPECT_EQ(gap.repository, c.repository);
    EXPECT_EQ(gap.project, c.project);
    EXPECT_EQ(gap.http_status, 403);
    EXPECT_EQ(gap.reason, core::UnknownReason::forbidden);
    EXPECT_EQ(gap.endpoint, path_of(api.url_for(path_for(c.read, c.target))));
  }
}

TEST_F(MakeRead, ARejectedCredentialIsFatalAndLeavesNoGap) {
  transport.push_response(401,
                          R"({"type": "error", "error": {"message": "Invalid credentials."}})");
  const auto read = make_read(api, read_of(GapSubject::user, Owner::user), {});
  EXPECT_FALSE(read.value);
  EXPECT_TRUE(read.gaps.empty());
  ASSERT_TRUE(read.fatal);
  EXPECT_TRUE(ends_the_scan(*read.fatal));
}

// An answer the parser refuses: an invalid response (HTTP 200), named by its path alone.
TEST_F(MakeRead, AnAnswerTheParserRefusesIsAnInvalidResponseGap) {
  answer(200, {{"type", "user"}, {"display_name", "No Uuid"}});
  const auto user = make_read(api, read_of(GapSubject::user, Owner::user), {});
  answer(200, {{"type", "workspace"}});
  const auto workspace = make_read(api, read_of(GapSubject::workspace, Owner::workspace),
                                   Target::of_workspace("acme"));
  for (const auto* read : {&user, &workspace}) {
    EXPECT_FALSE(read->value);
    ASSERT_EQ(read->gaps.size(), 1U);
    EXPECT_EQ(read->gaps[0].reason, core::UnknownReason::invalid_response);
    EXPECT_EQ(read->gaps[0].http_status, 200);
  }
  EXPECT_EQ(user.gaps[0].endpoint, "/2.0/user");
  EXPECT_EQ(user.gaps[0].detail, "the /user answer has no uuid");
  EXPECT_EQ(workspace.gaps[0].endpoint, "/2.0/workspaces/acme");
  EXPECT_EQ(workspace.gaps[0].detail, "the workspace has no 'forking_mode'");
}

TEST_F(MakeRead, AnAppUserIsACallerWithoutKeys) {
  answer(200, {{"type", "app_user"}, {"uuid", "{app}"}});
  const auto caller = make_read_as<Caller>(api, read_of(GapSubject::user, Owner::user), {});
  ASSERT_TRUE(caller.value);
  EXPECT_FALSE(caller.value->is_user);
}

// A listing restarted with a smaller page length hands out each entry once.
TEST_F(MakeRead, AStreamedListingHandsOutEachEntryOnce) {
  json first = page({{{"workspace", {{"slug", "a"}}}}, {{"workspace", {{"slug", "b"}}}}});
  first["next"] = std::string(kApiBase) + "/user/workspaces?page=2";
  answer(200, first);
  transport.push_response(400, R"({"type": "error", "error": {"message": "Invalid pagelen"}})");
  answer(200, first);
  answer(200, page({{{"workspace", {{"slug", "c"}}}}}));
  std::vector<std::string> slugs;
  const auto listed =
      stream_read(api, read_of(GapSubject::workspaces, Owner::user), {}, [&](Parsed&& parsed) {
        for (auto& slug : std::get<std::vector<std::string>>(parsed)) {
          slugs.push_back(slug);
        }
      });
  EXPECT_EQ(slugs, (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_TRUE(listed.value);
  EXPECT_TRUE(listed.gaps.empty());
  EXPECT_EQ(transport.request_count(), 4U);
}

// A page that fails keeps what was handed out before it, and leaves the gap.
TEST_F(MakeRead, AStreamedListingThatFailsKeepsWhatItHandedOut) {
  json first = page({{{"workspace", {{"slug", "a"}}}}});
  first["next"] = std::string(kApiBase) + "/user/workspaces?page=2";
  answer(200, first);
  transport.push_response(500, "<html>boom</html>");
  std::vector<std::string> slugs;
  const auto listed =
      stream_read(api, read_of(GapSubject::workspaces, Owner::user), {}, [&](Parsed&& parsed) {
        for (auto& slug : std::get<std::vector<std::string>>(parsed)) {
          slugs.push_back(slug);
        }
      });
  EXPECT_EQ(slugs, (std::vector<std::string>{"a"}));
  EXPECT_FALSE(listed.value);
  ASSERT_EQ(listed.gaps.size(), 1U);
  EXPECT_EQ(listed.gaps[0].subject, GapSubject::workspaces);
  EXPECT_EQ(listed.gaps[0].http_status, 500);
}

}  // namespace
}  // namespace bbp::bitbucket
