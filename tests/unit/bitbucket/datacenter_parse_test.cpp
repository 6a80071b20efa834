// Data Center's answers into the snapshot's shapes: every shape versions use, and what is not
// said staying unsaid (never read as the safe value).
#include <algorithm>
#include <fstream>
#include <map>

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "bbp/bitbucket/datacenter_reads.hpp"
#include "bbp/core/engine.hpp"
#include "bbp/core/glob.hpp"

namespace bbp::bitbucket {
namespace {

using nlohmann::json;
namespace dc = datacenter;

template <typename T>
T parsed(tl::expected<Parsed, std::string> result) {
  EXPECT_TRUE(result.has_value()) << (result ? "" : result.error());
  return std::get<T>(std::move(*result));
}

Target repo_target() {
  Target t = Target::of_workspace("PLAT");
  t.repository = "api";
  return t;
}

TEST(DataCenterPatternTest, MatchesASuffixOfTheRefAtASlash) {
  EXPECT_TRUE(core::ref_pattern_match("main", "main"));
  EXPECT_TRUE(core::ref_pattern_match("main", "team/main"));
  EXPECT_FALSE(core::ref_pattern_match("main", "domain"));
  EXPECT_TRUE(core::ref_pattern_match("refs/heads/main", "main"));
  EXPECT_TRUE(core::ref_pattern_match("heads/main", "main"));
  EXPECT_TRUE(core::ref_pattern_match("*", "main"));
  EXPECT_TRUE(core::ref_pattern_match("*", "release/1.0"));  // "*" matches the last segment
  EXPECT_TRUE(core::ref_pattern_match("release/*", "release/1.0"));
  EXPECT_FALSE(core::ref_pattern_match("release/*", "release/1.0/hotfix"));
  EXPECT_TRUE(core::ref_pattern_match("release/", "release/1.0/hotfix"));  // "/" adds "**"
  EXPECT_TRUE(core::ref_pattern_match("release/**", "release/1.0/hotfix"));
  EXPECT_TRUE(core::ref_pattern_match("ma?n", "main"));
  EXPECT_FALSE(core::ref_pattern_match("ma?n", "maiin"));
  EXPECT_TRUE(core::ref_pattern_match("**", "anything/at/all"));
  EXPECT_FALSE(core::ref_pattern_match("Main", "main"));  // case-sensitive
  EXPECT_FALSE(core::ref_pattern_match("", "main"));
  EXPECT_FALSE(core::ref_pattern_match("refs/tags/*", "main"));
}

TEST(DataCenterParseTest, MatchersBecomeTheSnapshotsMatchKinds) {
  const auto branch = dc::from_matcher(
      json{{"id", "refs/heads/main"}, {"type", {{"id", "BRANCH"}, {"name", "Branch"}}}});
  ASSERT_TRUE(branch);
  EXPECT_EQ(branch->branch_match_kind, "glob");
  EXPECT_EQ(branch->pattern, "main");
  const auto tag = dc::from_matcher(json{{"id", "refs/tags/v1"}, {"type", "BRANCH"}});
  ASSERT_TRUE(tag);
  EXPECT_EQ(tag->branch_match_kind, "ref");  // never applies to a branch
  const auto pattern = dc::from_matcher(json{{"id", "release/*"}, {"type", "PATTERN"}});
  EXPECT_EQ(pattern->branch_match_kind, "pattern");
  EXPECT_EQ(pattern->pattern, "release/*");
  const auto any = dc::from_matcher(json{{"id", "ANY_REF_MATCHER_ID"}, {"type", "ANY_REF"}});
  EXPECT_EQ(any->pattern, "**");
  const auto model = dc::from_matcher(json{{"id", "production"}, {"type", "MODEL_BRANCH"}});
  EXPECT_EQ(model->branch_match_kind, "branching_model");
  EXPECT_EQ(model->branch_type, "production");
  const auto category = dc::from_matcher(json{{"id", "RELEASE"}, {"type", "MODEL_CATEGORY"}});
  EXPECT_EQ(category->branch_type, "release");
  EXPECT_FALSE(dc::from_matcher(json{{"id", "x"}, {"type", "SOMETHING_NEW"}}));
  EXPECT_FALSE(dc::from_matcher(json{{"type", "BRANCH"}}));
}

TEST(DataCenterParseTest, RestrictionTypesMapToKindsWithTheirExemptions) {
  const json answer = {
      {"values",
       {{{"id", 7},
         {"type", "read-only"},
         {"matcher", {{"id", "refs/heads/main"}, {"type", {{"id", "BRANCH"}}}}},
         {"users", {{{"name", "ada"}, {"slug", "ada"}, {"displayName", "Ada"}}}},
         {"groups", {"release-managers"}},
         {"accessKeys", {{{"key", {{"id", 12}, {"label", "ci"}}}}}}},
        {{"id", 8},
         {"type", {{"id", "no-deletes"}, {"name", "Prevent deletion"}}},  // the object shape
         {"matcher", {{"id", "main"}, {"type", "PATTERN"}}}},
        {{"id", 9}, {"type", "fast-forward-only"}, {"matcher", {{"id", "x"}, {"type", "PATTERN"}}}},
        {{"id", 10},
         {"type", "pull-request-only"},
         {"matcher", {{"id", "ANY_REF_MATCHER_ID"}, {"type", "ANY_REF"}}}}}},
      {"isLastPage", true}};
  const auto rs =
      parsed<std::vector<core::BranchRestriction>>(dc::parse_restrictions(answer, repo_target()));
  std::vector<std::string> kinds;
  for (const auto& r : rs) {
    kinds.push_back(r.kind + "#" + std::to_string(r.id));
  }
  EXPECT_EQ(kinds, (std::vector<std::string>{"push#7", "force#7", "delete#8", "force#9", "push#10",
                                             "force#10"}));
  ASSERT_EQ(rs[0].users.size(), 2U);
  EXPECT_EQ(rs[0].users[0].name, "Ada");
  EXPECT_EQ(rs[0].users[1].name, "access key 'ci'");
  EXPECT_EQ(rs[0].users[1].id, "access-key:12");
  EXPECT_EQ(rs[0].groups.at(0).name, "release-managers");
  EXPECT_EQ(rs[0].source, "repository branch permission 7 (read-only)");
  EXPECT_TRUE(rs[2].users.empty());

  Target project = Target::of_project("PLAT", "PLAT");
  const auto at_project =
      parsed<std::vector<core::BranchRestriction>>(dc::parse_restrictions(answer, project));
  EXPECT_EQ(at_project[0].source, "project PLAT branch permission 7 (read-only)");
}

// What cannot be read is not read as nothing: a permission, condition or check bbposture cannot
// parse makes the whole answer invalid (a gap), and a page with more after it, where one list
// was expected, is not taken for the list.
TEST(DataCenterParseTest, WhatCannotBeReadIsNotReadAsNone) {
  const json unknown_matcher = {
      {"values",
       {{{"id", 1}, {"type", "read-only"}, {"matcher", {{"id", "x"}, {"type", "NEW"}}}}}}};
  EXPECT_FALSE(dc::parse_restrictions(unknown_matcher, repo_target()));
  const json no_type = {{"values", {{{"id", 1}, {"matcher", {{"id", "x"}, {"type", "PATTERN"}}}}}}};
  EXPECT_FALSE(dc::parse_restrictions(no_type, repo_target()));
  EXPECT_FALSE(dc::parse_restrictions(json{{"values", {42}}}, repo_target()));
  const json more = {{"values", json::array()}, {"isLastPage", false}, {"nextPageStart", 25}};
  EXPECT_FALSE(dc::parse_build_conditions(more, repo_target()));
  EXPECT_FALSE(dc::parse_build_conditions(json{{"size", 0}}, repo_target()));
  EXPECT_FALSE(dc::parse_default_reviewers(json{{"size", 0}}, repo_target()));
  EXPECT_FALSE(dc::parse_default_reviewers(json::array({7}), repo_target()));
  const json odd_target = json::array(
      {{{"requiredApprovals", 1}, {"targetRefMatcher", {{"id", "x"}, {"type", "NEW"}}}}});
  EXPECT_FALSE(dc::parse_default_reviewers(odd_target, repo_target()));
  const json odd_exempt = {{"values",
                            {{{"id", 9},
                              {"buildParentKeys", {"ci"}},
                              {"refMatcher", {{"id", "ANY_REF_MATCHER_ID"}, {"type", "ANY_REF"}}},
                              {"exemptRefMatcher", {{"id", "x"}, {"type", "NEW"}}}}}},
                           {"isLastPage", true}};
  const auto conditions =
      parsed<std::vector<BuildCondition>>(dc::parse_build_conditions(odd_exempt, repo_target()));
  ASSERT_EQ(conditions.size(), 1U);
  EXPECT_TRUE(conditions[0].exempt_unreadable);
  // An entry that is not an object never stops the listing or the keys.
  EXPECT_TRUE(dc::parse_listing(json{{"values", {1, "x"}}}, Target{}));
  EXPECT_TRUE(dc::parse_keys(json{{"values", {1}}}, repo_target()));
}

TEST(DataCenterParseTest, RequiredApproversInEveryShape) {
  const auto approvals = [](const json& settings) -> std::optional<std::int64_t> {
    const auto s = parsed<MergeSettings>(dc::parse_merge_settings(settings, repo_target()));
    for (const auto& r : s.restrictions) {
      if (r.kind == "require_approvals_to_merge") {
        return r.value;
      }
    }
    return std::nullopt;
  };
  EXPECT_EQ(approvals(json{{"requiredApprovers", 2}}), 2);  // older servers: an integer
  EXPECT_EQ(approvals(json{{"requiredApprovers", {{"enabled", true}, {"count", 3}}}}), 3);
  EXPECT_EQ(approvals(json{{"requiredApprovers", {{"enabled", true}, {"count", "2"}}}}), 2);
  EXPECT_EQ(approvals(json{{"requiredApprovers", {{"enabled", false}, {"count", 3}}}}),
            std::nullopt);
  EXPECT_EQ(approvals(json{{"requiredApproversDeprecated", 1}}), 1);
  EXPECT_EQ(approvals(json{{dc::kApproversMergeCheck, {{"enabled", true}, {"count", 4}}}}), 4);
  EXPECT_EQ(approvals(json{{"requiredApprovers", 0}}), std::nullopt);
  EXPECT_EQ(approvals(json::object()), std::nullopt);
  EXPECT_FALSE(dc::parse_merge_settings(json::array(), repo_target()));
}

TEST(DataCenterParseTest, ApprovalResetIsKnownOnlyWhenTheAnswerSaysSo) {
  const auto settings = [](const json& answer) {
    return parsed<MergeSettings>(dc::parse_merge_settings(answer, repo_target()));
  };
  const auto has = [](const MergeSettings& s, std::string_view kind) {
    return std::any_of(s.restrictions.begin(), s.restrictions.end(),
                       [&](const core::BranchRestriction& r) { return r.kind == kind; });
  };
  const auto on = settings(json{{"unapproveOnUpdate", true}});
  EXPECT_TRUE(on.approval_reset_known);
  EXPECT_TRUE(has(on, "reset_pullrequest_approvals_on_change"));
  const auto text = settings(json{{"unapproveOnUpdate", "true"}});  // one version's string
  EXPECT_TRUE(has(text, "reset_pullrequest_approvals_on_change"));
  const auto off = settings(json{{"unapproveOnUpdate", false}});
  EXPECT_TRUE(off.approval_reset_known);
  EXPECT_FALSE(has(off, "reset_pullrequest_approvals_on_change"));
  const auto absent = settings(json::object());
  EXPECT_FALSE(absent.approval_reset_known);
  EXPECT_FALSE(has(absent, "reset_pullrequest_approvals_on_change"));
  const auto odd = settings(json{{"unapproveOnUpdate", "yes"}});
  EXPECT_FALSE(odd.approval_reset_known);
  // Every enabled merge check is enforced; successful builds count as a build requirement.
  EXPECT_TRUE(has(absent, "enforce_merge_checks"));
  const auto builds =
      settings(json{{"requiredSuccessfulBuilds", {{"enabled", true}, {"count", 1}}}});
  EXPECT_TRUE(has(builds, "require_passing_builds_to_merge"));
}

TEST(DataCenterParseTest, DefaultReviewerConditionsCountOnlyForPullRequestsFromAnyBranch) {
  const json conditions = json::array(
      {{{"id", 1},
        {"requiredApprovals", 2},
        {"sourceRefMatcher", {{"id", "ANY_REF_MATCHER_ID"}, {"type", {{"id", "ANY_REF"}}}}},
        {"targetRefMatcher", {{"id", "refs/heads/main"}, {"type", {{"id", "BRANCH"}}}}}},
       {{"id", 2},
        {"requiredApprovals", 3},
        {"sourceRefMatcher", {{"id", "feature/*"}, {"type", {{"id", "PATTERN"}}}}},
        {"targetRefMatcher", {{"id", "refs/heads/main"}, {"type", {{"id", "BRANCH"}}}}}},
       {{"id", 3},
        {"requiredApprovals", 0},
        {"sourceRefMatcher", {{"id", "ANY_REF_MATCHER_ID"}, {"type", {{"id", "ANY_REF"}}}}},
        {"targetRefMatcher", {{"id", "refs/heads/main"}, {"type", {{"id", "BRANCH"}}}}}}});
  const auto rs = parsed<std::vector<core::BranchRestriction>>(
      dc::parse_default_reviewers(conditions, repo_target()));
  ASSERT_EQ(rs.size(), 1U);
  EXPECT_EQ(rs[0].kind, "require_default_reviewer_approvals_to_merge");
  EXPECT_EQ(rs[0].value, 2);
  EXPECT_EQ(rs[0].pattern, "main");
  // A paged answer is read the same way.
  const auto paged = parsed<std::vector<core::BranchRestriction>>(dc::parse_default_reviewers(
      json{{"values", conditions}, {"isLastPage", true}}, repo_target()));
  EXPECT_EQ(paged.size(), 1U);
}

TEST(DataCenterParseTest, BuildConditionsKeepTheirExemptBranches) {
  const json answer = {
      {"values",
       {{{"id", 5},
         {"buildParentKeys", {"CI", "LINT"}},
         {"refMatcher", {{"id", "ANY_REF_MATCHER_ID"}, {"type", {{"id", "ANY_REF"}}}}},
         {"exemptRefMatcher", {{"id", "refs/heads/main"}, {"type", {{"id", "BRANCH"}}}}}},
        {{"id", 6},
         {"buildParentKeys", json::array()},  // requires no build
         {"refMatcher", {{"id", "ANY_REF_MATCHER_ID"}, {"type", {{"id", "ANY_REF"}}}}}}}}};
  const auto conditions =
      parsed<std::vector<BuildCondition>>(dc::parse_build_conditions(answer, repo_target()));
  ASSERT_EQ(conditions.size(), 1U);
  EXPECT_EQ(conditions[0].restriction.kind, "require_passing_builds_to_merge");
  EXPECT_EQ(conditions[0].restriction.value, 2);
  ASSERT_TRUE(conditions[0].exempt);
  EXPECT_EQ(conditions[0].exempt->pattern, "main");
  // The older spelling may answer a plain list.
  const auto older = parsed<std::vector<BuildCondition>>(
      dc::parse_build_conditions(answer["values"], repo_target()));
  EXPECT_EQ(older.size(), 1U);
}

TEST(DataCenterParseTest, BranchModelDefaultBranchAndLastCommit) {
  const auto model = parsed<core::BranchingModel>(dc::parse_branch_model(
      json{{"development", {{"refId", "refs/heads/develop"}, {"displayId", "develop"}}},
           {"production", {{"displayId", "main"}, {"useDefault", true}}},
           {"types",
            {{{"id", "FEATURE"}, {"prefix", "feature/"}},
             {{"id", "HOTFIX"}, {"prefix", "hotfix/"}, {"enabled", false}}}}},
      repo_target()));
  EXPECT_EQ(model.development.name, "develop");
  ASSERT_TRUE(model.production);
  EXPECT_TRUE(model.production->use_mainbranch);
  ASSERT_EQ(model.branch_types.size(), 1U);
  EXPECT_EQ(model.branch_types[0].kind, "feature");
  EXPECT_FALSE(dc::parse_branch_model(json::object(), repo_target()));

  const auto branch = parsed<DefaultBranch>(dc::parse_default_branch(
      json{{"id", "refs/heads/main"}, {"displayId", "main"}}, repo_target()));
  EXPECT_EQ(branch.name, "main");
  EXPECT_FALSE(dc::parse_default_branch(json{{"id", "refs/tags/v1"}}, repo_target()));

  const auto commit = parsed<LastCommit>(dc::parse_last_commit(
      json{{"values", {{{"committerTimestamp", 1700000000000}}}}, {"isLastPage", false}},
      repo_target()));
  ASSERT_TRUE(commit.committed);
  EXPECT_EQ(core::format_timestamp(*commit.committed), "2023-11-14T22:13:20Z");
  const auto none = parsed<LastCommit>(
      dc::parse_last_commit(json{{"values", json::array()}, {"isLastPage", true}}, repo_target()));
  EXPECT_TRUE(none.none);
  EXPECT_FALSE(dc::parse_last_commit(json{{"values", {{{"id", "abc"}}}}}, repo_target()));
}

TEST(DataCenterParseTest, KeysWithAndWithoutACreationDate) {
  const json answer = {
      {"values",
       {{{"key",
          {{"id", 1},
           {"label", "ci"},
           {"text", "ssh-ed25519 AAAA"},
           {"createdDate", "2024-01-05T10:00:00Z"}}},
         {"permission", "REPO_READ"}},
        {{"key", {{"id", 2}, {"label", "deploy"}, {"createdDate", 1700000000000}}}},
        {{"key", {{"id", 3}, {"label", "old"}}}}}}};  // added before 8.7: no date
  const auto keys = parsed<std::vector<core::Key>>(dc::parse_keys(answer, repo_target()));
  ASSERT_EQ(keys.size(), 3U);
  EXPECT_EQ(keys[0].kind, core::KeyKind::deploy_key);
  EXPECT_EQ(keys[0].repository, "PLAT/api");
  EXPECT_EQ(core::format_timestamp(*keys[0].created_on), "2024-01-05T10:00:00Z");
  EXPECT_EQ(core::format_timestamp(*keys[1].created_on), "2023-11-14T22:13:20Z");
  EXPECT_FALSE(keys[2].created_on);
  EXPECT_EQ(keys[2].created_field, "createdDate");

  const auto project =
      parsed<std::vector<core::Key>>(dc::parse_keys(answer, Target::of_project("PLAT", "PLAT")));
  EXPECT_EQ(project[0].kind, core::KeyKind::project_deploy_key);
  EXPECT_EQ(project[0].project, "PLAT");
  const auto own = parsed<std::vector<core::Key>>(
      dc::parse_keys(json{{"values", {{{"id", 4}, {"label", "laptop"}}}}}, Target::caller("ada")));
  EXPECT_EQ(own.at(0).kind, core::KeyKind::ssh_key);
}

TEST(DataCenterParseTest, ARepositoryIsPublicWhenItOrItsProjectIs) {
  const auto repo = [](const json& is_public, const json& project_public) {
    json project = {{"key", "PLAT"}, {"name", "Platform"}};
    if (!project_public.is_null()) {
      project["public"] = project_public;
    }
    json entry = {{"slug", "api"}, {"id", 10}, {"project", project}};
    if (!is_public.is_null()) {
      entry["public"] = is_public;
    }
    auto listed = parsed<std::vector<ListedRepository>>(
        dc::parse_listing(json{{"values", {entry}}}, Target{}));
    return listed.at(0).repository;
  };
  EXPECT_EQ(repo(false, false).is_private, true);
  EXPECT_EQ(repo(true, false).is_private, false);
  EXPECT_EQ(repo(false, true).is_private, false);
  EXPECT_EQ(repo(false, true).project_public, true);
  EXPECT_EQ(repo(false, nullptr).is_private, std::nullopt);  // the project's is not said
  EXPECT_EQ(repo(nullptr, false).is_private, std::nullopt);
  const auto r = repo(false, false);
  EXPECT_EQ(r.full_name, "PLAT/api");
  EXPECT_EQ(r.workspace, "PLAT");
  EXPECT_EQ(r.project_key, "PLAT");
}

TEST(DataCenterParseTest, ServerVersionOrNotDataCenter) {
  const auto server = parsed<ServerInfo>(
      dc::parse_server(json{{"version", "9.2.3"}, {"displayName", "Bitbucket"}}, Target{}));
  EXPECT_EQ(server.version, "9.2.3");
  EXPECT_FALSE(dc::parse_server(json{{"type", "error"}}, Target{}));
}

// On Data Center a branch permission's exempted users, groups and access keys may still do what
// it forbids: rules 6 and 9 pass only on one that exempts nobody, and name the exempted.
TEST(DataCenterRulesTest, ExemptionsKeepForceAndDeleteFromPassing) {
  const json answer = {{"values",
                        {{{"id", 1},
                          {"type", "no-deletes"},
                          {"matcher", {{"id", "refs/heads/main"}, {"type", "BRANCH"}}},
                          {"groups", {"release-managers"}}},
                         {{"id", 2},
                          {"type", "fast-forward-only"},
                          {"matcher", {{"id", "refs/heads/main"}, {"type", "BRANCH"}}}}}}};
  core::Snapshot snapshot;
  snapshot.platform = core::Platform::datacenter;
  snapshot.collected = {core::GapSubject::default_branch, core::GapSubject::branch_restrictions,
                        core::GapSubject::project_restrictions, core::GapSubject::branching_model};
  core::WorkspaceSnapshot ws;
  ws.slug = "PLAT";
  ws.project_restrictions_read = true;
  core::Repository repo;
  repo.workspace = "PLAT";
  repo.slug = "api";
  repo.full_name = "PLAT/api";
  repo.project_key = "PLAT";
  repo.mainbranch = "main";
  repo.branch_restrictions =
      parsed<std::vector<core::BranchRestriction>>(dc::parse_restrictions(answer, repo_target()));
  ws.repositories.push_back(repo);
  snapshot.workspaces.push_back(ws);
  std::map<std::string, core::Outcome> outcome;
  std::string deletion_message;
  for (const auto& e : core::evaluate(snapshot, core::Settings{}, core::TimePoint{})) {
    outcome[std::string(e.rule->slug)] = e.outcome;
    if (e.rule->slug == "branch-deletion-allowed") {
      deletion_message = core::message_of(*e.rule, e.evidence.value());
    }
  }
  EXPECT_EQ(outcome.at("force-push-allowed"), core::Outcome::pass);
  EXPECT_EQ(outcome.at("branch-deletion-allowed"), core::Outcome::fail);
  EXPECT_EQ(deletion_message, "'main' can be deleted by release-managers");
}

// docs/datacenter.md's table of reads is checked against the rows: each row's path (with the
// docs' {key} and {slug}) and permission stand on one line of it, so a new row needs its line.
TEST(DataCenterReadsTest, TheDocsListEveryReadWithItsPermission) {
  std::ifstream in(std::string(BBP_SOURCE_DIR) + "/docs/datacenter.md");
  ASSERT_TRUE(in);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) {
    lines.push_back(line);
  }
  for (const auto& read : datacenter_reads()) {
    std::string path(read.path.substr(1));
    for (const auto& [from, to] : {std::pair<std::string, std::string>{"{workspace}", "{key}"},
                                   {"{project}", "{key}"},
                                   {"{repository}", "{slug}"}}) {
      for (auto at = path.find(from); at != std::string::npos; at = path.find(from)) {
        path.replace(at, from.size(), to);
      }
    }
    const bool listed = std::any_of(lines.begin(), lines.end(), [&](const std::string& line) {
      return line.find("| `" + path) != std::string::npos &&
             line.find("| " + std::string(read.permission) + " |") != std::string::npos;
    });
    EXPECT_TRUE(listed) << path << " (" << read.permission << ") is not in docs/datacenter.md";
  }
}

TEST(DataCenterReadsTest, EveryRowNamesItsPermissionAndRulesOnlyNeedReadsThatExist) {
  for (const auto& read : datacenter_reads()) {
    EXPECT_FALSE(read.permission.empty()) << read.path;
    EXPECT_NE(read.parse, nullptr) << read.path;
  }
  for (const auto& rule : core::catalogue()) {
    for (const auto subject : rule.datacenter.reads) {
      const auto& rows = datacenter_reads();
      EXPECT_TRUE(std::any_of(rows.begin(), rows.end(),
                              [&](const Read& r) {
                                return r.subject == subject ||
                                       subject == core::GapSubject::approval_reset;
                              }))
          << rule.slug << " rests on " << core::to_string(subject);
    }
  }
  const auto& builds = datacenter_read_of(core::GapSubject::required_builds, Owner::repository);
  ASSERT_NE(older_spelling_of(builds), nullptr);
  EXPECT_TRUE(older_spelling_of(builds)->path.ends_with("/condition"));
}

}  // namespace
}  // namespace bbp::bitbucket
