// The plan file (read back as written; anything changed, of another version or not a plan is
// refused), the state comparison --apply makes, the journal file, and docs/fix.md against the
// writes table.
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "bbp/bitbucket/json_lines.hpp"
#include "bbp/bitbucket/reads.hpp"
#include "bbp/fix/plan.hpp"
#include "bbp/fix/state.hpp"

namespace bbp::fix {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

Plan sample() {
  Plan p;
  p.tool_version = "test";
  p.created_at = *core::parse_timestamp("2026-11-28T00:00:00Z");
  p.api_url = "https://api.bitbucket.org/2.0";
  p.identity = {"{u}", "dana"};
  Step s;
  s.id = "0123abcd";
  s.workspace = "acme";
  s.repository = "api";
  s.target = "acme/api";
  s.rules = {"force-push-allowed"};
  s.summary = "add 'force' on 'main'";
  s.current = nullptr;
  s.desired = {{"kind", "force"},
               {"branch_match_kind", "glob"},
               {"pattern", "main"},
               {"users", json::array()},
               {"groups", json::array()}};
  s.request = {"POST", "/repositories/acme/api/branch-restrictions",
               json{{"type", "branchrestriction"},
                    {"kind", "force"},
                    {"branch_match_kind", "glob"},
                    {"pattern", "main"}}};
  s.reread = {"GET", "/repositories/acme/api/branch-restrictions?kind=force&pattern=main",
              std::nullopt};
  p.steps.push_back(s);
  p.left_alone.push_back({"stale-repository", "acme/old", "ff", "why", std::nullopt});
  p.unread.push_back({"acme/x", "forbidden"});
  seal(p);
  return p;
}

TEST(Plan, ReadsBackWhatItWrote) {
  const auto p = sample();
  const auto back = plan_from_json(to_json(p));
  ASSERT_TRUE(back) << back.error();
  EXPECT_EQ(to_json(*back), to_json(p));
  EXPECT_EQ(back->checksum, p.checksum);
  EXPECT_THAT(p.checksum, ::testing::StartsWith("sha256:"));
}

TEST(Plan, AnyChangeToWhatItSaysIsRefused) {
  for (const auto& edit : std::vector<std::function<void(json&)>>{
           [](json& d) { d["steps"][0]["request"]["body"]["kind"] = "push"; },
           [](json& d) { d["steps"][0]["request"]["path"] = "/repositories/acme/other/x"; },
           [](json& d) { d["api_url"] = "https://elsewhere.example/2.0"; },
           [](json& d) { d["flags"].push_back("--allow-visibility"); },
           [](json& d) { d["steps"][0]["current"] = json::object(); },
       }) {
    auto doc = to_json(sample());
    edit(doc);
    const auto read = plan_from_json(doc);
    ASSERT_FALSE(read) << doc.dump();
    EXPECT_THAT(read.error(), HasSubstr("changed after it was made"));
  }
}

// A raise of restriction 7 on acme/api from `from` to `to`, sealed.
Plan raise(int from, int to) {
  auto p = sample();
  auto& s = p.steps[0];
  s.action = Action::raise_value;
  s.current = s.desired;
  s.current["id"] = 7;
  s.current["kind"] = "require_approvals_to_merge";
  s.current["value"] = from;
  s.desired = s.current;
  s.desired["value"] = to;
  s.request = {"PUT", "/repositories/acme/api/branch-restrictions/7", json{{"value", to}}};
  s.reread = {"GET", "/repositories/acme/api/branch-restrictions/7", std::nullopt};
  seal(p);
  return p;
}

// A checksum recomputed after an edit does not make a step bbposture would not make.
TEST(Plan, AStepThatDoesNotTightenOrIsNotItsActionsRequestIsRefusedEvenResealed) {
  ASSERT_TRUE(plan_from_json(to_json(raise(1, 2)))) << plan_from_json(to_json(raise(1, 2))).error();
  EXPECT_THAT(plan_from_json(to_json(raise(3, 2))).error(), HasSubstr("never raise"));
  const auto refused = [](const std::function<void(Plan&)>& edit, const std::string& said) {
    auto p = sample();
    edit(p);
    seal(p);
    const auto read = plan_from_json(to_json(p));
    ASSERT_FALSE(read);
    EXPECT_THAT(read.error(), HasSubstr(said));
  };
  refused([](Plan& p) { p.steps[0].request.method = "DELETE"; }, "is not the create");
  refused([](Plan& p) { p.steps[0].request.path = "/repositories/acme/other/branch-restrictions"; },
          "is not the create");
  refused(
      [](Plan& p) {
        (*p.steps[0].request.body)["users"] = json::array({{{"uuid", "{x}"}}});
      },
      "would exempt someone");
  refused([](Plan& p) { (*p.steps[0].request.body)["pattern"] = "*"; }, "'pattern'");
  refused([](Plan& p) { p.steps[0].reread.path = "/user"; }, "re-read");
  refused(
      [](Plan& p) {
        auto& s = p.steps[0];
        s.action = Action::make_private;
        s.flag = "--allow-visibility";
        s.request = {"PUT", "/repositories/acme/api",
                     json{{"type", "repository"}, {"is_private", true}}};
      },
      "which the plan was not made with");
}

TEST(Plan, ADocumentThatIsNotAPlanOfThisVersionIsRefusedWithWhatIsWrong) {
  EXPECT_THAT(plan_from_json(json{{"findings", json::array()}}).error(),
              HasSubstr("not a bbposture fix plan"));
  auto newer = to_json(sample());
  newer["version"] = 2;
  EXPECT_THAT(plan_from_json(newer).error(), HasSubstr("plan version 2"));
  auto broken = to_json(sample());
  broken["steps"][0].erase("request");
  EXPECT_THAT(plan_from_json(broken).error(), HasSubstr("steps[0]: 'request' is missing"));
  auto unknown = to_json(sample());
  unknown["steps"][0]["action"] = "delete_repository";
  EXPECT_THAT(plan_from_json(unknown).error(), HasSubstr("not an action this version knows"));
}

TEST(Plan, ATruncatedFileIsRefused) {
  const auto path = std::filesystem::temp_directory_path() / "bbp-plan-truncated.json";
  std::ofstream(path) << to_json(sample()).dump().substr(0, 100);
  const auto read = read_plan_file(path.string());
  ASSERT_FALSE(read);
  EXPECT_THAT(read.error(), HasSubstr("not valid JSON"));
  std::filesystem::remove(path);
}

TEST(State, ATargetIsInAStateWhenEveryMemberItNamesIsEqual) {
  const json desired{{"kind", "force"}, {"pattern", "main"}, {"users", json::array()}};
  EXPECT_TRUE(in_state(
      json{{"id", 5}, {"kind", "force"}, {"pattern", "main"}, {"users", json::array()}}, desired));
  EXPECT_FALSE(in_state(
      json{{"id", 5}, {"kind", "force"}, {"pattern", "main"}, {"users", json::array({"{bot}"})}},
      desired));
  EXPECT_TRUE(in_state(nullptr, nullptr));
  EXPECT_FALSE(in_state(nullptr, desired));
  EXPECT_FALSE(in_state(desired, nullptr));
}

// A restriction read without a value that has one now has changed: not the state the plan read.
TEST(State, AMemberThatAppearedSinceIsAChange) {
  const json read{{"id", 7}, {"kind", "require_approvals_to_merge"}, {"users", json::array()}};
  auto now = read;
  now["value"] = 5;
  EXPECT_FALSE(in_state(now, read));
  auto created = read;
  created.erase("id");
  EXPECT_TRUE(in_state(read, created));  // the id aside, when the expected state has none
}

TEST(State, ARestrictionReadsTheSameWhateverTheOrderOfItsExemptions) {
  core::BranchRestriction a;
  a.kind = "push";
  a.pattern = "main";
  a.users = {{"b", "{b}"}, {"a", "{a}"}};
  auto b = a;
  std::reverse(b.users.begin(), b.users.end());
  EXPECT_EQ(restriction_state(a), restriction_state(b));
}

TEST(JsonLines, ATornLastLineIsDroppedAndTheFileIsCreatedForItsOwnerOnly) {
  const auto path = (std::filesystem::temp_directory_path() / "bbp-journal-test.jsonl").string();
  std::filesystem::remove(path);
  {
    auto file = bitbucket::JsonLinesFile::open(path, "the journal");
    ASSERT_TRUE(file) << file.error();
    ASSERT_TRUE((*file)->append(json{{"n", 1}}));
  }
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600U);
  std::ofstream(path, std::ios::app) << R"({"n": 2, "tor)";
  auto file = bitbucket::JsonLinesFile::open(path, "the journal");
  ASSERT_TRUE(file) << file.error();
  ASSERT_EQ((*file)->lines().size(), 1U);
  ASSERT_TRUE((*file)->append(json{{"n", 3}}));
  const auto lines = bitbucket::JsonLinesFile::read(path, "the journal");
  ASSERT_TRUE(lines);
  ASSERT_EQ(lines->size(), 2U);
  EXPECT_EQ((*lines)[1].at("n"), 3);
  std::ofstream(path, std::ios::app) << "not json\n{\"n\": 4}\n";
  EXPECT_THAT(bitbucket::JsonLinesFile::read(path, "the journal").error(),
              HasSubstr("line 3 is not a JSON line"));
  std::filesystem::remove(path);
}

// docs/fix.md lists every row of the writes table with its request, re-read and scopes.
TEST(WritesTable, DocsFixMdListsEveryWrite) {
  std::ifstream in(std::string(BBP_SOURCE_DIR) + "/docs/fix.md");
  std::stringstream doc;
  doc << in.rdbuf();
  for (const auto& w : bitbucket::writes()) {
    const auto at = doc.str().find("| " + std::string(w.noun) + " |");
    ASSERT_NE(at, std::string::npos) << w.noun;
    const auto line = doc.str().substr(at, doc.str().find('\n', at) - at);
    EXPECT_THAT(line, HasSubstr("`" + std::string(http::to_string(w.method)) + " " +
                                std::string(w.path) + "`"));
    EXPECT_THAT(line, HasSubstr("`GET " + std::string(w.reread)));
    for (const auto& scope : w.oauth_scopes) {
      EXPECT_THAT(line, HasSubstr("`" + std::string(scope) + "`")) << w.noun;
    }
    for (const auto& scope : w.api_token_scopes) {
      EXPECT_THAT(line, HasSubstr("`" + std::string(scope) + "`")) << w.noun;
    }
    EXPECT_EQ(line.find("irreversible") != std::string::npos, !w.reversible) << w.noun;
  }
}

}  // namespace
}  // namespace bbp::fix
