#include "bbp/core/catalogue.hpp"

#include <algorithm>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "bbp/core/engine.hpp"
#include "bbp/core/models.hpp"
#include "bbp/core/outcome.hpp"
#include "bbp/core/settings.hpp"

namespace bbp::core {
namespace {

struct Expected {
  int number;
  const char* slug;
  const char* id;
  const char* title;
  const char* severity;
};

// Copied from the specification's finding table: must match character for character.
const Expected kExpected[] = {
    {1, "public-repository", "be273f0a-678e-49af-b9f8-8f3913acef97",
     "Repository is publicly accessible", "Critical"},
    {2, "pr-review-not-required", "6ad95c13-0d13-4595-bc76-bd86f4eba4b9",
     "Repository Default Branch Protection does not have PR Review Required", "High"},
    {3, "direct-push-allowed", "c60a7b00-1592-429a-8a32-d58101e4551f",
     "Repository Default Branch Protection does not disable direct pushes for all users/groups",
     "Medium"},
    {4, "stale-repository", "a1bd3076-a68d-492e-9947-a01e15a4d1b3",
     "Repository not updated in 12+ months", "Medium"},
    {5, "stale-approvals-kept", "738c9839-5e1e-4048-85a3-7935ec4c647a",
     "Repository Default Branch Protection does not have Stale PR Approvals Disabled", "Medium"},
    {6, "force-push-allowed", "4c52f441-0c24-4dbd-8f5e-0e5b829ee8e2",
     "Repository Default Branch Protection does not have Force Pushes Disabled", "Medium"},
    {7, "no-default-branch-protection", "324f2014-4d4b-4aa6-89a8-72a6c7da09d7",
     "Repository has no Default Branch Protection", "Medium"},
    {8, "passing-builds-not-required", "afe4a27e-ee01-4ebe-914c-d480ac49a5c2",
     "Repository Default Branch Protection does not require passing builds to merge", "Low"},
    {9, "branch-deletion-allowed", "86411562-4b85-4677-b048-7887cc5b1567",
     "Repository Default Branch Protection allows branch deletion", "Low"},
    {10, "merge-checks-not-enforced", "64440d40-91de-4d13-9280-d5afa418ccf0",
     "Repository Default Branch Protection does not enforce merge checks", "Low"},
    {11, "old-key", "0a135600-a109-434f-877c-1a6594dcd76d", "Key is older than 180 days", "Low"},
    // The extended set: generated once, frozen from then on like the eleven.
    {12, "private-repository-forkable", "6ffad4e3-a629-4a0d-8f20-e6902346ef47",
     "Private repository allows public forks", "High"},
    {13, "webhook-without-secret", "b861eaea-23b1-4f1a-bc32-74f358952cfe", "Webhook has no secret",
     "Medium"},
    {14, "webhook-over-http", "5d07e46e-ce97-401a-ab4b-c8d587db4abd",
     "Webhook delivers over plain HTTP", "High"},
    {15, "unsecured-secret-variable", "2ded0cec-50f0-4570-b018-cc12af12d4d1",
     "Secret-looking pipeline variable is not secured", "High"},
    {16, "member-without-2fa", "5b380bd2-14fd-47d0-9b8d-0bddb9a01065",
     "Workspace member without two-step verification", "High"},
    {17, "workspace-owner-count", "dea01eb7-1c6a-4445-9beb-bf6773fcb7df",
     "Workspace has too many owners or a single owner", "Medium"},
};

TEST(CatalogueTest, HasTheElevenRulesExactlyThenTheExtendedSet) {
  const auto rules = catalogue();
  ASSERT_EQ(rules.size(), 17U);
  for (std::size_t i = 0; i < rules.size(); ++i) {
    const auto& want = kExpected[i];
    const auto& got = rules[i];
    EXPECT_EQ(got.number, want.number);
    EXPECT_EQ(got.slug, want.slug);
    EXPECT_EQ(got.id, want.id);
    EXPECT_EQ(got.title, want.title);
    EXPECT_EQ(to_string(got.severity), want.severity);
    EXPECT_NE(got.check, nullptr);
    EXPECT_NE(got.message, nullptr) << "every finding gets a message";
    EXPECT_FALSE(got.remediation.empty());
    EXPECT_FALSE(got.description.empty());
    EXPECT_FALSE(got.oauth_scopes.empty());
    EXPECT_FALSE(got.api_token_scopes.empty());
    EXPECT_EQ(got.set, got.number <= 11 ? RuleSet::casb : RuleSet::extended);
    // Every extended rule says what it reads; the eleven read what their subject needs.
    EXPECT_EQ(got.set == RuleSet::extended, !got.reads.empty() && got.subject != RuleSubject::key &&
                                                got.subject != RuleSubject::default_branch);
  }
}

TEST(CatalogueTest, RuleSetsByName) {
  EXPECT_EQ(rule_set("casb").size(), 11U);
  EXPECT_EQ(rule_set("extended").size(), 6U);
  EXPECT_EQ(rule_set("all").size(), 17U);
  EXPECT_TRUE(rule_set("everything").empty());
  EXPECT_EQ(rule_set("extended").front()->slug, "private-repository-forkable");
  for (const auto* rule : rule_set("casb")) {
    EXPECT_TRUE(in_default_set(*rule));
  }
}

// Evidence that lacks what the wording needs (hand-made evaluations, evidence of another rule,
// a value of the wrong type) gives a shorter message, never an exception or an empty one.
TEST(CatalogueTest, MessagesNeverFailOnOddEvidence) {
  const std::vector<nlohmann::json> odd{
      nlohmann::json::object(),
      nlohmann::json::array(),
      nlohmann::json(),
      nlohmann::json{{"age_days", "many"}, {"stale_days", nullptr}, {"default_branch", 7}},
      nlohmann::json{{"allowed_to_push", {{"users", "x"}, {"groups", {1, 2}}}},
                     {"checks_not_enforced", "all"},
                     {"highest_required_approvals", 1.5}},
  };
  for (const auto& rule : catalogue()) {
    for (const auto& evidence : odd) {
      std::string message;
      EXPECT_NO_THROW(message = message_of(rule, evidence)) << rule.slug << " " << evidence;
      EXPECT_FALSE(message.empty()) << rule.slug << " " << evidence;
    }
  }
}

TEST(CatalogueTest, FindsRulesBySlugOrId) {
  EXPECT_EQ(find_rule("old-key")->number, 11);
  EXPECT_EQ(find_rule("be273f0a-678e-49af-b9f8-8f3913acef97")->number, 1);
  EXPECT_EQ(find_rule("OLD-KEY"), nullptr);
  EXPECT_EQ(find_rule(""), nullptr);
}

TEST(CatalogueTest, SlugsAndIdsAreUnique) {
  std::set<std::string_view> slugs;
  std::set<std::string_view> ids;
  for (const auto& r : catalogue()) {
    EXPECT_TRUE(slugs.insert(r.slug).second);
    EXPECT_TRUE(ids.insert(r.id).second);
  }
}

// Short names label narrow places (the HTML grid's columns): each rule has one of its own.
TEST(CatalogueTest, ShortNamesAreShortAndUnique) {
  std::set<std::string_view> names;
  for (const auto& r : catalogue()) {
    EXPECT_FALSE(r.short_name.empty()) << r.slug;
    EXPECT_LE(r.short_name.size(), 18U) << r.slug;
    EXPECT_TRUE(names.insert(r.short_name).second) << r.short_name;
  }
  EXPECT_EQ(find_rule("direct-push-allowed")->short_name, "Direct push");
}

TEST(CatalogueTest, BranchRulesNeedRepositoryAdmin) {
  for (const auto& r : catalogue()) {
    if (r.subject == RuleSubject::default_branch) {
      EXPECT_NE(std::find(r.oauth_scopes.begin(), r.oauth_scopes.end(), "repository:admin"),
                r.oauth_scopes.end())
          << r.slug;
    }
  }
}

// The value a message shows for a threshold, in the evidence below: one no other part of any
// message shows, so finding it in a message means the message quotes that threshold.
int marker_of(const ThresholdRow& row) {
  return 4101 + 101 * static_cast<int>(row.id);
}

// Evidence with every threshold and what the messages quote beside them (ages, counts).
nlohmann::json evidence_with_thresholds() {
  nlohmann::json evidence{{"default_branch", "main"},
                          {"age_days", 9000},
                          {"highest_required_approvals", 1},
                          {"owner_count", 9},
                          {"owners", {"a", "b"}}};
  for (const auto& row : thresholds()) {
    evidence[std::string(row.key)] = marker_of(row);
  }
  return evidence;
}

// A rule whose description names a threshold's key, or whose message quotes a threshold, reads
// that threshold and lists it in `thresholds` (reports print the thresholds of the rules they
// selected from that list); a rule lists no threshold it does not mention.
TEST(CatalogueTest, RulesListTheThresholdsTheyMention) {
  const auto evidence = evidence_with_thresholds();
  std::set<Threshold> used;
  for (const auto& rule : catalogue()) {
    const auto message = message_of(rule, evidence);
    for (const auto& row : thresholds()) {
      const bool mentioned = rule.description.find(row.key) != std::string_view::npos ||
                             message.find(row.key) != std::string::npos ||
                             message.find(std::to_string(marker_of(row))) != std::string::npos;
      const bool listed = std::find(rule.thresholds.begin(), rule.thresholds.end(), row.id) !=
                          rule.thresholds.end();
      EXPECT_EQ(mentioned, listed) << rule.slug << " and " << row.key << ": " << message;
    }
    used.insert(rule.thresholds.begin(), rule.thresholds.end());
  }
  for (const auto& row : thresholds()) {
    EXPECT_TRUE(used.contains(row.id)) << row.key << " is used by no rule";
  }
}

TEST(CatalogueTest, ThresholdsOfTheRulesThatReadThem) {
  EXPECT_EQ(find_rule("pr-review-not-required")->thresholds,
            std::vector<Threshold>{Threshold::min_approvals});
  EXPECT_EQ(find_rule("stale-repository")->thresholds,
            std::vector<Threshold>{Threshold::stale_days});
  EXPECT_EQ(find_rule("old-key")->thresholds, std::vector<Threshold>{Threshold::key_max_age_days});
  EXPECT_EQ(find_rule("workspace-owner-count")->thresholds,
            std::vector<Threshold>{Threshold::max_owners});
}

// Every threshold has one row, found by its id, whose default is the value in Settings{}.
TEST(ThresholdTableTest, EveryThresholdHasARowWithTheSettingsDefault) {
  const Settings defaults;
  const std::vector<std::pair<Threshold, int>> expected{
      {Threshold::stale_days, defaults.stale_days},
      {Threshold::key_max_age_days, defaults.key_max_age_days},
      {Threshold::min_approvals, defaults.min_approvals},
      {Threshold::max_owners, defaults.max_owners},
  };
  ASSERT_EQ(thresholds().size(), expected.size());
  std::set<std::string_view> keys;
  for (const auto& [id, value] : expected) {
    const auto& row = threshold(id);
    EXPECT_EQ(row.id, id) << row.key;
    EXPECT_EQ(default_value(row), value) << row.key;
    EXPECT_TRUE(keys.insert(row.key).second) << row.key;
  }
  for (const auto& row : thresholds()) {
    EXPECT_EQ(&threshold(row.id), &row) << row.key;
    EXPECT_EQ(default_value(row), Settings{}.*row.field) << row.key;
    EXPECT_GE(default_value(row), row.min) << row.key;
    EXPECT_LE(default_value(row), row.max) << row.key;
  }
}

TEST(SeverityTest, ParsesAnyCase) {
  EXPECT_EQ(severity_from_string("critical"), Severity::critical);
  EXPECT_EQ(severity_from_string("HIGH"), Severity::high);
  EXPECT_EQ(severity_from_string("Low"), Severity::low);
  EXPECT_FALSE(severity_from_string("none"));
}

// Every value of every enum written to reports or snapshots has its own name, and reading the
// name back gives the value: a value missing from its table would be written as "unknown".
TEST(NameTablesTest, EveryValueHasADistinctNameThatReadsBack) {
  std::set<std::string_view> reasons;
  for (int i = 0; i <= static_cast<int>(UnknownReason::timeout); ++i) {
    const auto value = static_cast<UnknownReason>(i);
    EXPECT_TRUE(reasons.insert(to_string(value)).second);
    EXPECT_EQ(unknown_reason_from_string(to_string(value)), value);
  }
  std::set<std::string_view> subjects;
  for (int i = 0; i <= static_cast<int>(GapSubject::ssh_keys); ++i) {
    const auto value = static_cast<GapSubject>(i);
    EXPECT_TRUE(subjects.insert(to_string(value)).second);
    EXPECT_EQ(gap_subject_from_string(to_string(value)), value);
  }
  for (const auto kind : {KeyKind::deploy_key, KeyKind::project_deploy_key, KeyKind::ssh_key}) {
    EXPECT_EQ(key_kind_from_string(to_string(kind)), kind);
    EXPECT_EQ(to_string(resource_type(kind)), to_string(kind));  // reports and snapshots agree
  }
  std::set<std::string_view> types;
  for (int i = 0; i <= static_cast<int>(ResourceType::workspace); ++i) {
    EXPECT_TRUE(types.insert(to_string(static_cast<ResourceType>(i))).second);
    EXPECT_NE(to_string(static_cast<ResourceType>(i)), "unknown");
  }
  std::set<std::string_view> outcomes;
  for (int i = 0; i <= static_cast<int>(Outcome::not_applicable); ++i) {
    outcomes.insert(to_string(static_cast<Outcome>(i)));
  }
  EXPECT_EQ(outcomes, (std::set<std::string_view>{"fail", "pass", "unknown", "not_applicable"}));
}

}  // namespace
}  // namespace bbp::core
