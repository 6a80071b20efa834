// The Data Center collector against a scripted server (a handler routing Data Center's paths):
// the walk's requests, paging by start/limit, the same snapshot at any concurrency (and under
// TSan), 401 before and after the identity check, the older required-builds spelling.
#include "bbp/bitbucket/datacenter_collector.hpp"

#include <map>
#include <mutex>
#include <set>
#include <string>

#include <gtest/gtest.h>

#include "bbp/bitbucket/url.hpp"
#include "bbp/core/snapshot_json.hpp"
#include "http_fakes.hpp"

namespace bbp::bitbucket {
namespace {

using nlohmann::json;

constexpr const char* kBase = "https://bitbucket.example.com/rest";

std::string query_value(const std::string& url, const std::string& name) {
  const auto at = url.find(name + "=");
  if (at == std::string::npos) {
    return {};
  }
  const auto end = url.find('&', at);
  return url.substr(at + name.size() + 1,
                    end == std::string::npos ? std::string::npos : end - at - name.size() - 1);
}

// A server of `repos` repositories in project P, every one alike; lists are paged by the
// request's start and limit (capped at `page_cap`).
class ScriptedServer {
 public:
  explicit ScriptedServer(int repos, std::size_t page_cap = 1000) : page_cap_(page_cap) {
    for (int i = 0; i < repos; ++i) {
      listing_.push_back({{"slug", "r" + std::to_string(i)},
                          {"id", i},
                          {"public", false},
                          {"project", {{"key", "P"}, {"name", "Proj"}, {"public", false}}}});
    }
  }

  // Overrides the answer of one path (status and body).
  void set(const std::string& path, int status, json body) {
    const std::lock_guard lock(mutex_);
    overrides_[path] = {status, std::move(body)};
  }

  http::Result answer(const http::Request& request) {
    const std::string path = path_of(request.url).substr(5);  // below /rest
    {
      const std::lock_guard lock(mutex_);
      if (const auto it = overrides_.find(path); it != overrides_.end()) {
        return fakes::make_response(it->second.first, it->second.second.dump());
      }
    }
    const auto [status, body] = route(path, request.url);
    http::Headers headers{{"X-AUSERNAME", "scanner"}};
    return fakes::make_response(status, body.dump(), headers);
  }

 private:
  json page(const json& all, const std::string& url) const {
    const auto start =
        std::stoul(query_value(url, "start").empty() ? "0" : query_value(url, "start"));
    const auto limit = std::min<std::size_t>(std::stoul(query_value(url, "limit")), page_cap_);
    json values = json::array();
    for (std::size_t i = start; i < all.size() && i < start + limit; ++i) {
      values.push_back(all[i]);
    }
    json out{{"values", values}, {"start", start}, {"isLastPage", start + limit >= all.size()}};
    if (!out["isLastPage"].get<bool>()) {
      out["nextPageStart"] = start + limit;
    }
    return out;
  }

  std::pair<int, json> route(const std::string& path, const std::string& url) const {
    const json restriction = {
        {"id", 1},
        {"type", "read-only"},
        {"matcher", {{"id", "refs/heads/main"}, {"type", {{"id", "BRANCH"}}}}}};
    const json key = {{"key", {{"id", 9}, {"label", "k"}, {"createdDate", 1790812800000}}}};
    if (path == "/api/latest/application-properties") {
      return {200, {{"version", "9.2.3"}}};
    }
    if (path == "/api/latest/users") {
      return {200, {{"values", json::array()}, {"isLastPage", true}}};
    }
    if (path == "/api/latest/repos") {
      return {200, page(listing_, url)};
    }
    if (path.ends_with("/default-branch")) {
      return {200, {{"id", "refs/heads/main"}, {"displayId", "main"}}};
    }
    if (path.ends_with("/commits")) {
      return {200, {{"values", {{{"committerTimestamp", 1790812800000}}}}, {"isLastPage", false}}};
    }
    if (path.ends_with("/restrictions")) {
      return {200, page(json::array({restriction}), url)};
    }
    if (path.ends_with("/settings/pull-requests")) {
      return {200, {{"requiredApprovers", 2}, {"unapproveOnUpdate", true}}};
    }
    if (path.ends_with("/conditions") && path.starts_with("/default-reviewers")) {
      return {200, json::array()};
    }
    if (path.ends_with("/conditions")) {
      return {200, page(json::array(), url)};
    }
    if (path.ends_with("/ssh") || path == "/ssh/latest/keys") {
      return {200, page(json::array({key}), url)};
    }
    return {404, {{"errors", {{{"message", "no such thing: " + path}}}}}};
  }

  std::size_t page_cap_;
  json listing_ = json::array();
  mutable std::mutex mutex_;
  std::map<std::string, std::pair<int, json>> overrides_;
};

CollectResult collect(ScriptedServer& server, int concurrency,
                      fakes::FakeTransport* seen = nullptr) {
  fakes::FakeTransport local;
  auto& transport = seen != nullptr ? *seen : local;
  transport.set_handler([&server](const http::Request& r) { return server.answer(r); });
  StaticTokenSource tokens{Secret("Bearer t")};
  ApiClient api(transport, tokens, kBase);
  CollectOptions options;
  options.concurrency = concurrency;
  options.credential = CredentialKind::access_token;
  return DataCenterCollector(api, options).run();
}

TEST(DataCenterCollectorTest, TheSameSnapshotAtAnyConcurrencyWithExactRequests) {
  ScriptedServer server(40);
  fakes::FakeTransport one;
  auto serial = collect(server, 1, &one);
  auto parallel = collect(server, 8);
  ASSERT_FALSE(serial.auth_failure);
  EXPECT_TRUE(serial.snapshot.gaps.empty());
  EXPECT_EQ(serial.snapshot.identity, "scanner");
  EXPECT_EQ(serial.snapshot.platform, core::Platform::datacenter);
  EXPECT_EQ(serial.snapshot.server_version, "9.2.3");
  // server, users, 1 listing page, 2 for the project, 7 per repository, SSH keys
  EXPECT_EQ(one.request_count(), 3U + 2U + 40U * 7U + 1U);
  serial.snapshot.collected_at = parallel.snapshot.collected_at = {};
  EXPECT_EQ(core::snapshot_to_json(serial.snapshot), core::snapshot_to_json(parallel.snapshot));
  const auto& ws = serial.snapshot.workspaces.at(0);
  EXPECT_TRUE(ws.project_restrictions_read);
  EXPECT_EQ(ws.repositories.size(), 40U);
  // The repository's read-only (push, force), the project's (push, force) and the settings.
  const auto& rs = *ws.repositories.at(0).branch_restrictions;
  EXPECT_EQ(std::count_if(rs.begin(), rs.end(),
                          [](const core::BranchRestriction& r) { return r.kind == "push"; }),
            2);
}

TEST(DataCenterCollectorTest, EveryPageIsReadByStartAndLimit) {
  ScriptedServer server(25, 10);  // pages of 10: three of them
  fakes::FakeTransport seen;
  const auto result = collect(server, 2, &seen);
  EXPECT_EQ(result.snapshot.workspaces.at(0).repositories.size(), 25U);
  std::vector<std::string> starts;
  for (const auto& r : seen.requests()) {
    if (path_of(r.url) == "/rest/api/latest/repos") {
      starts.push_back(query_value(r.url, "start"));
      EXPECT_EQ(query_value(r.url, "archived"), "ALL");
    }
  }
  EXPECT_EQ(starts, (std::vector<std::string>{"0", "10", "20"}));
  // A page that says neither isLastPage nor where the next starts is not read as the end.
  server.set("/api/latest/repos", 200, {{"values", json::array()}});
  const auto broken = collect(server, 1);
  ASSERT_FALSE(broken.snapshot.gaps.empty());
  EXPECT_EQ(broken.snapshot.gaps.front().reason, core::UnknownReason::invalid_response);
}

TEST(DataCenterCollectorTest, A401BeforeTheIdentityIsKnownEndsTheScanAfterItIsAGap) {
  ScriptedServer anonymous(2);
  anonymous.set("/api/latest/users", 401, {{"errors", {{{"message", "Authentication failed"}}}}});
  const auto refused = collect(anonymous, 2);
  ASSERT_TRUE(refused.auth_failure);
  EXPECT_NE(refused.auth_failure->message.find("anonymous"), std::string::npos);
  EXPECT_TRUE(refused.snapshot.workspaces.empty());

  ScriptedServer reader(2);
  reader.set("/branch-permissions/latest/projects/P/repos/r0/restrictions", 401,
             {{"errors", {{{"message", "You are not permitted to access this resource"}}}}});
  const auto partial = collect(reader, 2);
  ASSERT_FALSE(partial.auth_failure);
  ASSERT_EQ(partial.snapshot.gaps.size(), 1U);
  const auto& gap = partial.snapshot.gaps.front();
  EXPECT_EQ(gap.subject, core::GapSubject::branch_restrictions);
  EXPECT_EQ(gap.reason, core::UnknownReason::forbidden);
  EXPECT_NE(gap.detail.find("(needs REPO_ADMIN)"), std::string::npos) << gap.detail;
  EXPECT_EQ(gap.repository, "P/r0");
}

TEST(DataCenterCollectorTest, RequiredBuildsFallBackToTheOlderSpellingThenAGap) {
  ScriptedServer older(1);
  older.set("/required-builds/latest/projects/P/repos/r0/conditions", 404, json::object());
  older.set("/required-builds/latest/projects/P/repos/r0/condition", 200,
            json::array({{{"id", 1},
                          {"buildParentKeys", {"ci"}},
                          {"refMatcher", {{"id", "ANY_REF_MATCHER_ID"}, {"type", "ANY_REF"}}}}}));
  const auto found = collect(older, 1);
  EXPECT_TRUE(found.snapshot.gaps.empty());
  const auto& rs = *found.snapshot.workspaces.at(0).repositories.at(0).branch_restrictions;
  EXPECT_TRUE(std::any_of(rs.begin(), rs.end(), [](const core::BranchRestriction& r) {
    return r.kind == "require_passing_builds_to_merge";
  }));
  older.set("/required-builds/latest/projects/P/repos/r0/condition", 404, json::object());
  const auto absent = collect(older, 1);
  ASSERT_EQ(absent.snapshot.gaps.size(), 1U);
  EXPECT_EQ(absent.snapshot.gaps.front().subject, core::GapSubject::required_builds);
  EXPECT_EQ(absent.snapshot.gaps.front().reason, core::UnknownReason::not_found);
}

// A required-builds check that exempts a branch-model branch, while the branch model cannot be
// read: not counted, and a gap (rule 8 unknown, not passed).
TEST(DataCenterCollectorTest, AnExemptionThatCannotBeResolvedIsAGapNotAPass) {
  ScriptedServer server(1);
  server.set("/required-builds/latest/projects/P/repos/r0/conditions", 200,
             {{"values",
               {{{"id", 4},
                 {"buildParentKeys", {"ci"}},
                 {"refMatcher", {{"id", "ANY_REF_MATCHER_ID"}, {"type", "ANY_REF"}}},
                 {"exemptRefMatcher", {{"id", "production"}, {"type", "MODEL_BRANCH"}}}}}},
              {"isLastPage", true}});
  server.set("/branch-utils/latest/projects/P/repos/r0/branchmodel", 503, json::object());
  const auto result = collect(server, 1);
  const auto& repo = result.snapshot.workspaces.at(0).repositories.at(0);
  const auto& rs = *repo.branch_restrictions;
  EXPECT_FALSE(std::any_of(rs.begin(), rs.end(), [](const core::BranchRestriction& r) {
    return r.kind == "require_passing_builds_to_merge";
  }));
  std::set<core::GapSubject> subjects;
  for (const auto& gap : result.snapshot.gaps) {
    subjects.insert(gap.subject);
  }
  EXPECT_EQ(subjects.count(core::GapSubject::required_builds), 1U);
  EXPECT_EQ(subjects.count(core::GapSubject::branching_model), 1U);
}

TEST(DataCenterCollectorTest, AServerThatIsNotDataCenterIsSaidNotScanned) {
  ScriptedServer cloud(1);
  cloud.set("/api/latest/application-properties", 404, {{"type", "error"}});
  const auto result = collect(cloud, 1);
  ASSERT_TRUE(result.wrong_platform);
  EXPECT_NE(result.wrong_platform->find("not a Bitbucket Data Center server"), std::string::npos);
  EXPECT_TRUE(result.snapshot.workspaces.empty());
}

}  // namespace
}  // namespace bbp::bitbucket
