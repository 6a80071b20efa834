#include "bbp/bitbucket/collector.hpp"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <fstream>
#include <map>
#include <mutex>
#include <optional>
#include <regex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "bbp/bitbucket/url.hpp"
#include "bbp/core/snapshot_json.hpp"
#include "http_fakes.hpp"

namespace bbp::bitbucket {
namespace {

using core::GapSubject;
using core::SshKeysStatus;
using core::UnknownReason;
using nlohmann::json;

constexpr const char* kApiBase = "https://api.bitbucket.org/2.0";

json fixture(const std::string& name) {
  std::ifstream in(std::string(BBP_TEST_DATA_DIR) + "/api/" + name);
  EXPECT_TRUE(in) << name;
  return json::parse(in);
}

// The decoded path of a request below the API base ("/users/{u-1}/ssh-keys"), without the
// query.
std::string api_path(const std::string& url) {
  std::string path = path_of(url);
  if (path.starts_with("/2.0")) {
    path = path.substr(4);
  }
  std::string decoded;
  for (std::size_t i = 0; i < path.size(); ++i) {
    if (path[i] == '%' && i + 2 < path.size()) {
      decoded.push_back(static_cast<char>(std::stoi(path.substr(i + 1, 2), nullptr, 16)));
      i += 2;
    } else {
      decoded.push_back(path[i]);
    }
  }
  return decoded;
}

// The value of query parameter `name`, if present.
std::optional<std::string> query_param(const std::string& url, const std::string& name) {
  const auto q = url.find('?');
  if (q == std::string::npos) {
    return std::nullopt;
  }
  std::size_t pos = q + 1;
  while (pos <= url.size()) {
    const auto end = std::min(url.find('&', pos), url.size());
    const std::string part = url.substr(pos, end - pos);
    if (part.starts_with(name + "=")) {
      return part.substr(name.size() + 1);
    }
    pos = end + 1;
  }
  return std::nullopt;
}

// A tiny Bitbucket: answers GETs by path (and `page`) from canned JSON. Read-only once the
// collector runs, so it is safe to call from several threads.
class FakeApi {
 public:
  // A paginated collection: one entry of `pages` per page, linked with absolute `next` URLs.
  void pages(const std::string& path, std::vector<std::vector<json>> pages) {
    for (std::size_t i = 0; i < pages.size(); ++i) {
      json body = {{"pagelen", 100}, {"page", i + 1}, {"values", pages[i]}};
      if (i + 1 < pages.size()) {
        body["next"] = std::string(kApiBase) + path + "?pagelen=100&page=" + std::to_string(i + 2);
      }
      routes_[key(path, i + 1)] = {200, body.dump()};
    }
  }
  void list(const std::string& path, std::vector<json> values) { pages(path, {std::move(values)}); }
  void object(const std::string& path, const json& body) {
    routes_[key(path, 1)] = {200, body.dump()};
  }
  void fail(const std::string& path, int status, std::string body) {
    routes_[key(path, 1)] = {status, std::move(body)};
  }
  // Answers 400 "Invalid pagelen" to pagelen values above `max`.
  void max_pagelen(const std::string& path, int max) { max_pagelen_[path] = max; }

  http::Result answer(const http::Request& request) const {
    if (request.method != http::Method::get || !request.url.starts_with(kApiBase)) {
      return fakes::make_error(http::TransportErrorKind::other, "unexpected " + request.url);
    }
    const std::string path = api_path(request.url);
    if (const auto it = max_pagelen_.find(path); it != max_pagelen_.end()) {
      if (const auto pagelen = query_param(request.url, "pagelen");
          pagelen && std::stoi(*pagelen) > it->second) {
        return fakes::make_response(400, fixture_text("error_invalid_pagelen.json"));
      }
    }
    const auto page = query_param(request.url, "page");
    const auto it = routes_.find(key(path, page ? std::stoul(*page) : 1));
    if (it == routes_.end()) {
      return fakes::make_response(
          404, R"({"type": "error", "error": {"message": "Resource not found"}})");
    }
    return fakes::make_response(it->second.first, it->second.second,
                                {{"Content-Type", "application/json"}});
  }

 private:
  static std::string key(const std::string& path, std::size_t page) {
    return path + "#" + std::to_string(page);
  }
  static std::string fixture_text(const std::string& name) { return fixture(name).dump(); }

  std::map<std::string, std::pair<int, std::string>> routes_;
  std::map<std::string, int> max_pagelen_;
};

json repo(const std::string& slug, const std::string& project = "PLAT",
          std::optional<std::string> mainbranch = "main") {
  json r = {{"slug", slug},
            {"name", slug},
            {"uuid", "{" + slug + "-uuid}"},
            {"is_private", true},
            {"updated_on", "2026-06-01T10:00:00.000000+00:00"},
            {"project", {{"key", project}, {"name", project + " project"}}}};
  r["mainbranch"] = mainbranch ? json{{"name", *mainbranch}, {"type", "branch"}} : json(nullptr);
  return r;
}

json restriction(int id, const std::string& kind, const std::string& pattern = "main") {
  return {{"id", id},
          {"kind", kind},
          {"branch_match_kind", "glob"},
          {"pattern", pattern},
          {"value", nullptr},
          {"users", json::array()},
          {"groups", json::array()},
          {"type", "branchrestriction"}};
}

json model_restriction(int id, const std::string& kind, const std::string& branch_type) {
  auto r = restriction(id, kind, "");
  r["branch_match_kind"] = "branching_model";
  r["branch_type"] = branch_type;
  return r;
}

json key(int id, const std::string& material, const std::string& created = "2025-01-01T00:00:00Z") {
  return {{"id", id},
          {"label", "key-" + std::to_string(id)},
          {"key", material},
          {"comment", ""},
          {"created_on", created},
          {"last_used", nullptr}};
}

const std::string kMissingScope =
    R"({"type": "error", "error": {"message": "Your credentials lack one or more required privilege scopes.", "detail": {"granted": ["repository"], "required": ["repository:admin"]}}})";

class CollectorTest : public ::testing::Test {
 protected:
  CollectorTest() {
    transport.set_handler([this](const http::Request& r) { return api.answer(r); });
    api.object("/user", {{"type", "user"},
                         {"uuid", "{u-1}"},
                         {"display_name", "Dev One"},
                         {"account_id", "557058:1"}});
    api.list("/users/{u-1}/ssh-keys", {fixture("ssh_key.json")});
  }

  // Three repositories in project PLAT of workspace acme; nothing else set up.
  void acme_basics() {
    api.list("/repositories/acme", {repo("api"), repo("web"), repo("ops")});
    for (const char* slug : {"api", "web", "ops"}) {
      api.list(std::string("/repositories/acme/") + slug + "/branch-restrictions",
               {restriction(1, "force")});
      api.list(std::string("/repositories/acme/") + slug + "/deploy-keys", {});
    }
    api.list("/workspaces/acme/projects/PLAT/deploy-keys", {});
  }

  CollectResult run(CollectOptions options, TokenSource* token_source = nullptr) {
    ApiClient client(transport, token_source ? *token_source : tokens, kApiBase);
    Collector collector(client, std::move(options), &progress);
    return collector.run();
  }

  static CollectOptions acme_only() {
    CollectOptions o;
    o.scope.workspaces = {"acme"};
    o.concurrency = 1;
    return o;
  }

  std::size_t count(const std::string& path) const {
    const auto requests = transport.requests();
    return static_cast<std::size_t>(
        std::count_if(requests.begin(), requests.end(),
                      [&](const http::Request& r) { return api_path(r.url) == path; }));
  }
  std::vector<std::string> paths() const {
    std::vector<std::string> out;
    for (const auto& r : transport.requests()) {
      out.push_back(api_path(r.url));
    }
    return out;
  }
  std::size_t count_containing(const std::string& text) const {
    const auto all = paths();
    return static_cast<std::size_t>(
        std::count_if(all.begin(), all.end(),
                      [&](const std::string& p) { return p.find(text) != std::string::npos; }));
  }

  FakeApi api;
  fakes::FakeTransport transport;
  StaticTokenSource tokens{Secret("Basic ZGV2QGV4YW1wbGUuY29tOmFwaS14eXo=")};
  CollectProgress progress;
};

const core::Repository* find_repo(const core::Snapshot& s, const std::string& full_name) {
  for (const auto& ws : s.workspaces) {
    for (const auto& r : ws.repositories) {
      if (r.full_name == full_name) {
        return &r;
      }
    }
  }
  return nullptr;
}

TEST_F(CollectorTest, ExactRequestCountsForOneWorkspace) {
  acme_basics();
  const auto result = run(acme_only());
  ASSERT_FALSE(result.auth_failure);
  EXPECT_FALSE(result.interrupted);
  // /user + repositories page + 3 × (branch restrictions + deploy keys) + project keys + SSH.
  EXPECT_EQ(transport.request_count(), 10u) << ::testing::PrintToString(paths());
  EXPECT_EQ(count("/user"), 1u);
  EXPECT_EQ(count("/user/workspaces"), 0u);
  EXPECT_EQ(count("/repositories/acme"), 1u);
  EXPECT_EQ(count("/repositories/acme/api/branch-restrictions"), 1u);
  EXPECT_EQ(count("/repositories/acme/web/deploy-keys"), 1u);
  EXPECT_EQ(count("/workspaces/acme/projects/PLAT/deploy-keys"), 1u);
  EXPECT_EQ(count_containing("effective-branching-model"), 0u);

  const auto& s = result.snapshot;
  EXPECT_EQ(s.api_url, kApiBase);
  EXPECT_TRUE(s.gaps.empty());
  ASSERT_EQ(s.workspaces.size(), 1u);
  const auto& ws = s.workspaces[0];
  EXPECT_EQ(ws.slug, "acme");
  EXPECT_TRUE(ws.listed);
  ASSERT_EQ(ws.repositories.size(), 3u);
  EXPECT_EQ(ws.repositories[0].full_name, "acme/api");
  for (const auto& r : ws.repositories) {
    ASSERT_TRUE(r.branch_restrictions) << r.full_name;
    ASSERT_EQ(r.branch_restrictions->size(), 1u);
    EXPECT_EQ((*r.branch_restrictions)[0].kind, "force");
    EXPECT_FALSE(r.branching_model);
  }
  ASSERT_EQ(ws.projects.size(), 1u);
  EXPECT_EQ(ws.projects[0].key, "PLAT");
  EXPECT_EQ(ws.projects[0].name, "PLAT project");
  EXPECT_EQ(s.ssh_keys_status, SshKeysStatus::read);
  ASSERT_EQ(s.ssh_keys.size(), 1u);
  EXPECT_EQ(s.ssh_keys[0].id, "{b15b6026-9c02-4626-b4ad-b905f99f763a}");

  EXPECT_EQ(progress.workspaces_total, 1u);
  EXPECT_EQ(progress.workspaces_done, 1u);
  EXPECT_EQ(progress.repositories_total, 3u);
  EXPECT_EQ(progress.repositories_done, 3u);
}

TEST_F(CollectorTest, RequestsUseSafePathsAndPagelen) {
  acme_basics();
  run(acme_only());
  const auto requests = transport.requests();
  bool saw_fields = false;
  for (const auto& r : requests) {
    EXPECT_EQ(http::find_header(r.headers, "Authorization"),
              "Basic ZGV2QGV4YW1wbGUuY29tOmFwaS14eXo=");
    if (api_path(r.url) == "/repositories/acme") {
      saw_fields = true;
      const auto fields = query_param(r.url, "fields");
      ASSERT_TRUE(fields) << r.url;
      EXPECT_NE(fields->find("next"), std::string::npos);
      EXPECT_EQ(query_param(r.url, "pagelen"), "100");
    }
  }
  EXPECT_TRUE(saw_fields);
  // The user's uuid keeps its braces, percent-encoded.
  EXPECT_EQ(std::count_if(requests.begin(), requests.end(),
                          [](const http::Request& r) {
                            return r.url.find("/users/%7Bu-1%7D/ssh-keys") != std::string::npos;
                          }),
            1);
}

TEST_F(CollectorTest, TwoWorkspacesFromTheUsersWorkspaceList) {
  api.list("/user/workspaces", fixture("user_workspaces.json")["values"].get<std::vector<json>>());
  acme_basics();
  api.list("/repositories/beta", {repo("site", "WEB")});
  api.list("/repositories/beta/site/branch-restrictions", {});
  api.list("/repositories/beta/site/deploy-keys", {key(5, "ssh-ed25519 BETA")});
  api.list("/workspaces/beta/projects/WEB/deploy-keys", {});

  CollectOptions options;
  options.concurrency = 1;
  const auto result = run(options);
  ASSERT_FALSE(result.auth_failure);
  EXPECT_TRUE(result.snapshot.gaps.empty());
  ASSERT_EQ(result.snapshot.workspaces.size(), 2u);
  EXPECT_EQ(result.snapshot.workspaces[0].slug, "acme");
  EXPECT_EQ(result.snapshot.workspaces[1].slug, "beta");
  EXPECT_EQ(result.snapshot.workspaces[0].repositories.size(), 3u);
  ASSERT_EQ(result.snapshot.workspaces[1].repositories.size(), 1u);
  const auto* site = find_repo(result.snapshot, "beta/site");
  ASSERT_NE(site, nullptr);
  ASSERT_TRUE(site->branch_restrictions);
  EXPECT_TRUE(site->branch_restrictions->empty());
  ASSERT_EQ(result.snapshot.workspaces[1].keys.size(), 1u);
  const auto& k = result.snapshot.workspaces[1].keys[0];
  EXPECT_EQ(k.kind, core::KeyKind::deploy_key);
  EXPECT_EQ(k.repository, "beta/site");
  EXPECT_EQ(k.workspace, "beta");
  EXPECT_EQ(k.project, "WEB");
  EXPECT_EQ(count("/user/workspaces"), 1u);
  EXPECT_EQ(progress.workspaces_total, 2u);
  EXPECT_EQ(progress.repositories_total, 4u);
}

TEST_F(CollectorTest, FiltersApplyBeforeAnyPerRepositoryRequest) {
  api.list("/repositories/acme", {repo("api", "PLAT"), repo("api-legacy", "PLAT"),
                                  repo("web", "WEB"), repo("ops", "PLAT")});
  for (const char* slug : {"api", "api-legacy", "web", "ops"}) {
    api.list(std::string("/repositories/acme/") + slug + "/branch-restrictions", {});
    api.list(std::string("/repositories/acme/") + slug + "/deploy-keys", {});
  }
  api.list("/workspaces/acme/projects/PLAT/deploy-keys", {});
  api.list("/workspaces/acme/projects/WEB/deploy-keys", {});

  auto options = acme_only();
  options.scope.repos = {"api*", "acme/web", "ops"};
  options.scope.exclude_repos = {"*-legacy"};
  options.scope.projects = {"PLAT"};
  const auto result = run(options);

  ASSERT_EQ(result.snapshot.workspaces.size(), 1u);
  std::vector<std::string> names;
  for (const auto& r : result.snapshot.workspaces[0].repositories) {
    names.push_back(r.slug);
  }
  EXPECT_EQ(names, (std::vector<std::string>{"api", "ops"}));
  EXPECT_EQ(count_containing("/repositories/acme/api-legacy"), 0u);
  EXPECT_EQ(count_containing("/repositories/acme/web"), 0u);
  EXPECT_EQ(count("/workspaces/acme/projects/WEB/deploy-keys"), 0u);
  EXPECT_EQ(count("/repositories/acme/api/branch-restrictions"), 1u);
  EXPECT_EQ(count("/repositories/acme/ops/deploy-keys"), 1u);
  ASSERT_EQ(result.snapshot.workspaces[0].projects.size(), 1u);
  EXPECT_EQ(result.snapshot.workspaces[0].projects[0].key, "PLAT");
  EXPECT_EQ(progress.repositories_total, 2u);
}

TEST_F(CollectorTest, EmptyRepositoryHasNoBranchReads) {
  api.list("/repositories/acme", {repo("empty", "PLAT", std::nullopt)});
  api.list("/repositories/acme/empty/deploy-keys", {});
  api.list("/workspaces/acme/projects/PLAT/deploy-keys", {});
  const auto result = run(acme_only());
  EXPECT_EQ(count_containing("/branch-restrictions"), 0u);
  EXPECT_EQ(count("/repositories/acme/empty/deploy-keys"), 1u);
  const auto* r = find_repo(result.snapshot, "acme/empty");
  ASSERT_NE(r, nullptr);
  EXPECT_FALSE(r->mainbranch);
  EXPECT_FALSE(r->branch_restrictions);
  EXPECT_TRUE(result.snapshot.gaps.empty());
}

TEST_F(CollectorTest, EffectiveBranchingModelOnlyWhenARestrictionUsesIt) {
  api.list("/repositories/acme", {repo("api"), repo("web")});
  api.list("/repositories/acme/api/branch-restrictions",
           {restriction(1, "force"), model_restriction(2, "delete", "production")});
  api.object("/repositories/acme/api/effective-branching-model", fixture("branching_model.json"));
  api.list("/repositories/acme/web/branch-restrictions", {restriction(3, "force")});
  api.list("/repositories/acme/api/deploy-keys", {});
  api.list("/repositories/acme/web/deploy-keys", {});
  api.list("/workspaces/acme/projects/PLAT/deploy-keys", {});

  const auto result = run(acme_only());
  EXPECT_EQ(count("/repositories/acme/api/effective-branching-model"), 1u);
  EXPECT_EQ(count("/repositories/acme/web/effective-branching-model"), 0u);
  const auto* api_repo = find_repo(result.snapshot, "acme/api");
  ASSERT_NE(api_repo, nullptr);
  ASSERT_TRUE(api_repo->branching_model);
  EXPECT_EQ(api_repo->branching_model->development.name, "master");
  ASSERT_TRUE(api_repo->branching_model->production);
  ASSERT_TRUE(api_repo->branch_restrictions);
  EXPECT_EQ(api_repo->branch_restrictions->size(), 2u);
  const auto* web = find_repo(result.snapshot, "acme/web");
  ASSERT_NE(web, nullptr);
  EXPECT_FALSE(web->branching_model);
  EXPECT_TRUE(result.snapshot.gaps.empty());
}

TEST_F(CollectorTest, BranchingModelFailureIsAGapButRestrictionsStay) {
  api.list("/repositories/acme", {repo("api")});
  api.list("/repositories/acme/api/branch-restrictions",
           {model_restriction(2, "push", "development")});
  api.fail("/repositories/acme/api/effective-branching-model", 500, "<html>oops</html>");
  api.list("/repositories/acme/api/deploy-keys", {});
  api.list("/workspaces/acme/projects/PLAT/deploy-keys", {});

  const auto result = run(acme_only());
  const auto* r = find_repo(result.snapshot, "acme/api");
  ASSERT_NE(r, nullptr);
  EXPECT_TRUE(r->branch_restrictions);
  EXPECT_FALSE(r->branching_model);
  ASSERT_EQ(result.snapshot.gaps.size(), 1u);
  EXPECT_EQ(result.snapshot.gaps[0].subject, GapSubject::branching_model);
  EXPECT_EQ(result.snapshot.gaps[0].repository, "acme/api");
  EXPECT_EQ(result.snapshot.gaps[0].http_status, 500);
}

TEST_F(CollectorTest, BranchingModelWithoutDevelopmentIsAGapWithTheFullEndpoint) {
  api.list("/repositories/acme", {repo("api")});
  api.list("/repositories/acme/api/branch-restrictions",
           {model_restriction(2, "push", "development")});
  api.object("/repositories/acme/api/effective-branching-model", {{"type", "branching_model"}});
  api.list("/repositories/acme/api/deploy-keys", {});
  api.list("/workspaces/acme/projects/PLAT/deploy-keys", {});

  const auto result = run(acme_only());
  ASSERT_EQ(result.snapshot.gaps.size(), 1u);
  const auto& gap = result.snapshot.gaps[0];
  EXPECT_EQ(gap.subject, GapSubject::branching_model);
  EXPECT_EQ(gap.reason, UnknownReason::invalid_response);
  // Same form as the endpoints of failed reads.
  EXPECT_EQ(gap.endpoint, "/2.0/repositories/acme/api/effective-branching-model");
}

TEST_F(CollectorTest, UserWithoutUuidIsAGapWithTheFullEndpoint) {
  acme_basics();
  api.object("/user", {{"type", "user"}, {"display_name", "Dev One"}});
  const auto result = run(acme_only());
  EXPECT_EQ(result.snapshot.ssh_keys_status, SshKeysStatus::unreadable);
  ASSERT_EQ(result.snapshot.gaps.size(), 1u);
  EXPECT_EQ(result.snapshot.gaps[0].subject, GapSubject::user);
  EXPECT_EQ(result.snapshot.gaps[0].endpoint, "/2.0/user");
  EXPECT_EQ(count_containing("/ssh-keys"), 0u);
}

TEST_F(CollectorTest, RestrictionsOnTwoPagesAreAllKept) {
  api.list("/repositories/acme", {repo("api")});
  api.pages("/repositories/acme/api/branch-restrictions",
            {{restriction(1, "force"), restriction(2, "delete")},
             {restriction(3, "push"), restriction(4, "require_passing_builds_to_merge")}});
  api.list("/repositories/acme/api/deploy-keys", {});
  api.list("/workspaces/acme/projects/PLAT/deploy-keys", {});

  const auto result = run(acme_only());
  EXPECT_EQ(count("/repositories/acme/api/branch-restrictions"), 2u);
  const auto* r = find_repo(result.snapshot, "acme/api");
  ASSERT_NE(r, nullptr);
  ASSERT_TRUE(r->branch_restrictions);
  std::vector<std::int64_t> ids;
  for (const auto& br : *r->branch_restrictions) {
    ids.push_back(br.id);
  }
  EXPECT_EQ(ids, (std::vector<std::int64_t>{1, 2, 3, 4}));
}

TEST_F(CollectorTest, MissingScopeOnOneRepositoryIsAGap) {
  acme_basics();
  api.fail("/repositories/acme/web/branch-restrictions", 403, kMissingScope);

  const auto result = run(acme_only());
  ASSERT_FALSE(result.auth_failure);
  ASSERT_EQ(result.snapshot.gaps.size(), 1u);
  const auto& gap = result.snapshot.gaps[0];
  EXPECT_EQ(gap.subject, GapSubject::branch_restrictions);
  EXPECT_EQ(gap.reason, UnknownReason::missing_scope);
  EXPECT_EQ(gap.workspace, "acme");
  EXPECT_EQ(gap.repository, "acme/web");
  EXPECT_EQ(gap.http_status, 403);
  EXPECT_EQ(gap.endpoint, "/2.0/repositories/acme/web/branch-restrictions");
  EXPECT_NE(gap.detail.find("repository:admin"), std::string::npos) << gap.detail;

  const auto* web = find_repo(result.snapshot, "acme/web");
  ASSERT_NE(web, nullptr);
  EXPECT_FALSE(web->branch_restrictions);
  for (const char* other : {"acme/api", "acme/ops"}) {
    const auto* r = find_repo(result.snapshot, other);
    ASSERT_NE(r, nullptr);
    EXPECT_TRUE(r->branch_restrictions) << other;
  }
  // Deploy keys of the repository were still read.
  EXPECT_EQ(count("/repositories/acme/web/deploy-keys"), 1u);
}

TEST_F(CollectorTest, ProjectKeyShowingThroughARepositoryIsKeptOnceAsProjectKey) {
  api.list("/repositories/acme", {repo("api"), repo("web")});
  api.list("/repositories/acme/api/branch-restrictions", {});
  api.list("/repositories/acme/web/branch-restrictions", {});
  api.list("/repositories/acme/api/deploy-keys",
           {key(11, "ssh-ed25519 SHARED"), key(12, "ssh-ed25519 OWN-API")});
  api.list("/repositories/acme/web/deploy-keys", {key(13, "ssh-ed25519 SHARED")});
  auto project_key = key(99, "ssh-ed25519 SHARED", "2024-01-01T00:00:00Z");
  project_key.erase("created_on");
  project_key["added_on"] = "2024-01-01T00:00:00Z";
  project_key["type"] = "project_deploy_key";
  api.list("/workspaces/acme/projects/PLAT/deploy-keys", {project_key});

  const auto result = run(acme_only());
  ASSERT_EQ(result.snapshot.workspaces.size(), 1u);
  const auto& keys = result.snapshot.workspaces[0].keys;
  ASSERT_EQ(keys.size(), 2u);
  const auto shared = std::find_if(keys.begin(), keys.end(), [](const core::Key& k) {
    return k.key_material == "ssh-ed25519 SHARED";
  });
  ASSERT_NE(shared, keys.end());
  EXPECT_EQ(shared->kind, core::KeyKind::project_deploy_key);
  EXPECT_EQ(shared->id, "99");
  EXPECT_EQ(shared->project, "PLAT");
  EXPECT_FALSE(shared->repository);
  EXPECT_EQ(shared->created_field, "added_on");
  EXPECT_EQ(std::count_if(keys.begin(), keys.end(),
                          [](const core::Key& k) {
                            return k.kind == core::KeyKind::deploy_key &&
                                   k.key_material == "ssh-ed25519 OWN-API" &&
                                   k.repository == "acme/api";
                          }),
            1);
}

TEST_F(CollectorTest, SameKeyMaterialInAnotherProjectIsNotDeduplicated) {
  api.list("/repositories/acme", {repo("api"), repo("ops-tool", "OPS")});
  api.list("/repositories/acme/api/branch-restrictions", {});
  api.list("/repositories/acme/ops-tool/branch-restrictions", {});
  api.list("/repositories/acme/api/deploy-keys", {key(11, "ssh-ed25519 SHARED")});
  api.list("/repositories/acme/ops-tool/deploy-keys", {key(12, "ssh-ed25519 SHARED")});
  auto project_key = key(99, "ssh-ed25519 SHARED");
  project_key["type"] = "project_deploy_key";
  api.list("/workspaces/acme/projects/PLAT/deploy-keys", {project_key});
  api.list("/workspaces/acme/projects/OPS/deploy-keys", {});

  const auto result = run(acme_only());
  ASSERT_EQ(result.snapshot.workspaces.size(), 1u);
  std::vector<std::string> ids;
  for (const auto& k : result.snapshot.workspaces[0].keys) {
    ids.push_back(k.id);
  }
  std::sort(ids.begin(), ids.end());
  // PLAT's key (99) once; ops-tool's key (12) is its own key, even with the same material.
  EXPECT_EQ(ids, (std::vector<std::string>{"12", "99"}));
}

TEST_F(CollectorTest, AccessTokenSkipsUserAndSshKeys) {
  acme_basics();
  auto options = acme_only();
  options.credential = CredentialKind::access_token;
  const auto result = run(options);
  EXPECT_EQ(count("/user"), 0u);
  EXPECT_EQ(count_containing("/ssh-keys"), 0u);
  EXPECT_EQ(result.snapshot.ssh_keys_status, SshKeysStatus::not_applicable);
  EXPECT_EQ(transport.request_count(), 8u);
}

TEST_F(CollectorTest, AppUserHasNoSshKeys) {
  acme_basics();
  api.object("/user", {{"type", "app_user"}, {"uuid", "{app-1}"}, {"account_id", "app:1"}});
  const auto result = run(acme_only());
  EXPECT_EQ(count("/user"), 1u);
  EXPECT_EQ(count_containing("/ssh-keys"), 0u);
  EXPECT_EQ(result.snapshot.ssh_keys_status, SshKeysStatus::not_applicable);
  EXPECT_TRUE(result.snapshot.gaps.empty());
}

TEST_F(CollectorTest, UserWithoutAccountScopeIsAGapAndSshKeysUnreadable) {
  acme_basics();
  api.fail(
      "/user", 403,
      R"({"type": "error", "error": {"message": "Your credentials lack one or more required privilege scopes.", "detail": {"granted": ["repository"], "required": ["account"]}}})");
  const auto result = run(acme_only());
  EXPECT_EQ(result.snapshot.ssh_keys_status, SshKeysStatus::unreadable);
  ASSERT_EQ(result.snapshot.gaps.size(), 1u);
  EXPECT_EQ(result.snapshot.gaps[0].subject, GapSubject::user);
  EXPECT_EQ(result.snapshot.gaps[0].reason, UnknownReason::missing_scope);
  EXPECT_EQ(result.snapshot.workspaces.at(0).repositories.size(), 3u);
}

TEST_F(CollectorTest, KeyRulesOffReadsNoKeysAndNoUser) {
  acme_basics();
  auto options = acme_only();
  for (const auto* rule : core::rule_set("casb")) {
    if (rule->subject != core::RuleSubject::key) {
      options.scope.rules.push_back(rule);
    }
  }
  const auto result = run(options);
  EXPECT_FALSE(result.snapshot.workspaces.at(0).deploy_keys_collected);
  EXPECT_FALSE(result.snapshot.workspaces.at(0).project_keys_collected);
  EXPECT_EQ(count("/user"), 0u);
  EXPECT_EQ(count_containing("deploy-keys"), 0u);
  EXPECT_EQ(result.snapshot.ssh_keys_status, SshKeysStatus::not_collected);
  EXPECT_EQ(transport.request_count(), 4u);  // repositories + 3 × branch restrictions
}

TEST_F(CollectorTest, UnrenewableRejectionIsAnAuthFailure) {
  acme_basics();
  api.fail("/user", 401, R"({"type": "error", "error": {"message": "Invalid credentials."}})");
  const auto result = run(acme_only());
  ASSERT_TRUE(result.auth_failure);
  EXPECT_NE(result.auth_failure->message.find("Invalid credentials."), std::string::npos);
  EXPECT_EQ(transport.request_count(), 1u);
}

TEST_F(CollectorTest, RejectionDuringRepositoryReadsStopsTheScan) {
  acme_basics();
  api.fail(
      "/repositories/acme/api/branch-restrictions", 401,
      R"({"type": "error", "error": {"message": "Token is invalid, expired, or not supported for this endpoint."}})");
  const auto result = run(acme_only());
  ASSERT_TRUE(result.auth_failure);
  // Nothing read after the rejection (one worker: the other repositories are never asked).
  EXPECT_EQ(count("/repositories/acme/web/branch-restrictions"), 0u);
  EXPECT_EQ(count("/repositories/acme/ops/branch-restrictions"), 0u);
  for (const auto& gap : result.snapshot.gaps) {
    EXPECT_NE(gap.reason, UnknownReason::forbidden) << gap.detail;
  }
}

TEST_F(CollectorTest, ClientCredentialsRenewedMidScan) {
  acme_basics();
  api.object("/user", {{"type", "app_user"}, {"uuid", "{app-1}"}});
  fakes::FakeTransport token_transport;
  fakes::FakeMonotonicClock clock;
  std::atomic<int> minted{0};
  token_transport.set_handler([&](const http::Request&) {
    return fakes::make_response(
        200,
        json{{"access_token", "tok-" + std::to_string(++minted)}, {"expires_in", 7200}}.dump());
  });
  ClientCredentialsTokenSource cc(token_transport, "https://bitbucket.org/site/oauth2/access_token",
                                  "cid", Secret("cs"), clock);
  // The first answer on the web repository's restrictions is a 401: the token is renewed and
  // the read retried.
  std::atomic<bool> failed_once{false};
  transport.set_handler([&](const http::Request& r) -> http::Result {
    if (api_path(r.url) == "/repositories/acme/web/branch-restrictions" &&
        !failed_once.exchange(true)) {
      return fakes::make_response(
          401, R"({"type": "error", "error": {"message": "Access token expired."}})");
    }
    return api.answer(r);
  });
  const auto result = run(acme_only(), &cc);
  ASSERT_FALSE(result.auth_failure) << result.auth_failure->message;
  EXPECT_TRUE(result.snapshot.gaps.empty());
  EXPECT_EQ(count("/repositories/acme/web/branch-restrictions"), 2u);
  EXPECT_EQ(cc.tokens_minted(), 2u);
  const auto* web = find_repo(result.snapshot, "acme/web");
  ASSERT_NE(web, nullptr);
  EXPECT_TRUE(web->branch_restrictions);
  const auto requests = transport.requests();
  EXPECT_EQ(http::find_header(requests.back().headers, "Authorization"), "Bearer tok-2");
}

TEST_F(CollectorTest, WorkspaceThatCannotBeListedIsAGapAndTheOtherIsCollected) {
  api.list("/user/workspaces", fixture("user_workspaces.json")["values"].get<std::vector<json>>());
  acme_basics();
  api.fail("/repositories/beta", 410,
           R"({"type": "error", "error": {"message": "This account has been marked as spam"}})");
  CollectOptions options;
  options.concurrency = 1;
  const auto result = run(options);
  ASSERT_EQ(result.snapshot.workspaces.size(), 2u);
  const auto& beta = result.snapshot.workspaces[1];
  EXPECT_EQ(beta.slug, "beta");
  EXPECT_FALSE(beta.listed);
  EXPECT_TRUE(beta.repositories.empty());
  const auto& acme = result.snapshot.workspaces[0];
  EXPECT_TRUE(acme.listed);
  EXPECT_EQ(acme.repositories.size(), 3u);
  ASSERT_EQ(result.snapshot.gaps.size(), 1u);
  EXPECT_EQ(result.snapshot.gaps[0].subject, GapSubject::repositories);
  EXPECT_EQ(result.snapshot.gaps[0].workspace, "beta");
  EXPECT_EQ(result.snapshot.gaps[0].reason, UnknownReason::gone);
}

TEST_F(CollectorTest, WorkspaceListFailureStillReadsTheUsersSshKeys) {
  api.fail("/user/workspaces", 403, kMissingScope);
  CollectOptions options;
  options.concurrency = 1;
  const auto result = run(options);
  ASSERT_FALSE(result.auth_failure);
  EXPECT_TRUE(result.snapshot.workspaces.empty());
  ASSERT_EQ(result.snapshot.gaps.size(), 1u);
  EXPECT_EQ(result.snapshot.gaps[0].subject, GapSubject::workspaces);
  EXPECT_EQ(result.snapshot.gaps[0].reason, UnknownReason::missing_scope);
  EXPECT_EQ(result.snapshot.ssh_keys_status, SshKeysStatus::read);
  EXPECT_EQ(result.snapshot.ssh_keys.size(), 1u);
}

TEST_F(CollectorTest, InvalidPagelenIsRetriedWithFifty) {
  acme_basics();
  api.max_pagelen("/repositories/acme/api/deploy-keys", 50);
  api.max_pagelen("/users/{u-1}/ssh-keys", 10);
  const auto result = run(acme_only());
  EXPECT_TRUE(result.snapshot.gaps.empty()) << result.snapshot.gaps[0].detail;
  std::vector<std::string> pagelens;
  std::vector<std::string> ssh_pagelens;
  for (const auto& r : transport.requests()) {
    if (api_path(r.url) == "/repositories/acme/api/deploy-keys") {
      pagelens.push_back(query_param(r.url, "pagelen").value_or("-"));
    }
    if (api_path(r.url) == "/users/{u-1}/ssh-keys") {
      ssh_pagelens.push_back(query_param(r.url, "pagelen").value_or("-"));
    }
  }
  EXPECT_EQ(pagelens, (std::vector<std::string>{"100", "50"}));
  EXPECT_EQ(ssh_pagelens, (std::vector<std::string>{"100", "50", "-"}));
  EXPECT_EQ(result.snapshot.ssh_keys.size(), 1u);
}

TEST_F(CollectorTest, OtherBadRequestsAreNotRetried) {
  acme_basics();
  api.fail("/repositories/acme/api/deploy-keys", 400,
           R"({"type": "error", "error": {"message": "Bad request"}})");
  const auto result = run(acme_only());
  EXPECT_EQ(count("/repositories/acme/api/deploy-keys"), 1u);
  ASSERT_EQ(result.snapshot.gaps.size(), 1u);
  EXPECT_EQ(result.snapshot.gaps[0].subject, GapSubject::deploy_keys);
}

TEST_F(CollectorTest, CancelledBeforeStartReadsNothingAndSaysSo) {
  acme_basics();
  std::atomic<bool> cancel{true};
  ApiClient client(transport, tokens, kApiBase, &cancel);
  Collector collector(client, acme_only(), nullptr, &cancel);
  const auto result = collector.run();
  EXPECT_TRUE(result.interrupted);
  EXPECT_EQ(transport.request_count(), 0u);
}

// A full, order-sensitive dump of everything in a snapshot.
std::string dump(const core::Snapshot& s) {
  json out;
  out["api_url"] = s.api_url;
  out["ssh_keys_status"] = static_cast<int>(s.ssh_keys_status);
  const auto key_json = [](const core::Key& k) {
    return json{{"kind", static_cast<int>(k.kind)},
                {"id", k.id},
                {"label", k.label},
                {"material", k.key_material},
                {"created", k.created_on ? core::format_timestamp(*k.created_on) : "-"},
                {"field", k.created_field},
                {"ws", k.workspace},
                {"repo", k.repository.value_or("-")},
                {"project", k.project.value_or("-")},
                {"url", k.url}};
  };
  for (const auto& k : s.ssh_keys) {
    out["ssh"].push_back(key_json(k));
  }
  for (const auto& g : s.gaps) {
    out["gaps"].push_back(json{{"subject", core::to_string(g.subject)},
                               {"ws", g.workspace},
                               {"repo", g.repository.value_or("-")},
                               {"project", g.project.value_or("-")},
                               {"endpoint", g.endpoint},
                               {"status", g.http_status.value_or(0)},
                               {"reason", core::to_string(g.reason)},
                               {"detail", g.detail}});
  }
  for (const auto& ws : s.workspaces) {
    json w = {{"slug", ws.slug}, {"listed", ws.listed}};
    for (const auto& r : ws.repositories) {
      json rj = {{"full_name", r.full_name}, {"main", r.mainbranch.value_or("-")}};
      if (r.branch_restrictions) {
        for (const auto& br : *r.branch_restrictions) {
          rj["restrictions"].push_back(json{{"id", br.id}, {"kind", br.kind}});
        }
      } else {
        rj["restrictions"] = "unknown";
      }
      rj["model"] = r.branching_model.has_value();
      w["repos"].push_back(rj);
    }
    for (const auto& p : ws.projects) {
      w["projects"].push_back(json{{"key", p.key}, {"name", p.name}, {"url", p.html_url}});
    }
    for (const auto& k : ws.keys) {
      w["keys"].push_back(key_json(k));
    }
    out["workspaces"].push_back(w);
  }
  return out.dump(1);
}

TEST_F(CollectorTest, ConcurrencyDoesNotChangeTheSnapshot) {
  api.list("/user/workspaces", fixture("user_workspaces.json")["values"].get<std::vector<json>>());
  std::vector<json> acme_repos;
  for (int i = 0; i < 12; ++i) {
    const std::string slug = "r" + std::to_string(i);
    const std::string project = i % 3 == 0 ? "OPS" : "PLAT";
    acme_repos.push_back(
        repo(slug, project, i == 5 ? std::nullopt : std::optional<std::string>("main")));
    const std::string base = "/repositories/acme/" + slug;
    if (i % 4 == 1) {
      api.fail(base + "/branch-restrictions", 403, kMissingScope);
    } else if (i % 4 == 2) {
      api.pages(
          base + "/branch-restrictions",
          {{restriction(i * 10, "force")}, {model_restriction(i * 10 + 1, "push", "development")}});
      api.object(base + "/effective-branching-model", fixture("branching_model.json"));
    } else {
      api.list(base + "/branch-restrictions", {restriction(i * 10, "delete")});
    }
    if (i == 7) {
      api.fail(base + "/deploy-keys", 500, "<html>boom</html>");
    } else {
      api.list(base + "/deploy-keys", {key(i * 100, "ssh-ed25519 K" + std::to_string(i)),
                                       key(i * 100 + 1, "ssh-ed25519 SHARED")});
    }
  }
  api.list("/repositories/acme", acme_repos);
  api.list("/workspaces/acme/projects/PLAT/deploy-keys", {key(1, "ssh-ed25519 SHARED")});
  api.fail("/workspaces/acme/projects/OPS/deploy-keys", 403, kMissingScope);
  api.list("/repositories/beta", {repo("site", "WEB")});
  api.list("/repositories/beta/site/branch-restrictions", {});
  api.list("/repositories/beta/site/deploy-keys", {key(7, "ssh-ed25519 SHARED")});
  api.list("/workspaces/beta/projects/WEB/deploy-keys", {});

  CollectOptions options;
  options.concurrency = 1;
  const auto serial = run(options);
  const auto serial_requests = transport.request_count();
  ASSERT_FALSE(serial.snapshot.gaps.empty());
  for (int round = 0; round < 5; ++round) {
    SCOPED_TRACE(round);
    options.concurrency = 4;
    const auto parallel = run(options);
    EXPECT_EQ(dump(parallel.snapshot), dump(serial.snapshot));
    EXPECT_EQ(transport.request_count(), serial_requests * static_cast<std::size_t>(round + 2));
  }
}

// Holds whichever of two requests arrives first until the other one has arrived too (or a
// generous guard runs out, so that a walk making them one after the other fails the test
// instead of hanging it): the two met only if they were in flight at the same time, in either
// order. No timing is asserted: a concurrent walk meets at once, a sequential one never does.
class Rendezvous {
 public:
  Rendezvous(std::string one, std::string other,
             std::chrono::milliseconds guard = std::chrono::seconds(10))
      : one_(std::move(one)), other_(std::move(other)), guard_(guard) {}

  void arrived(const std::string& path) {
    if (path != one_ && path != other_) {
      return;
    }
    std::unique_lock lock(mutex_);
    arrived_.insert(path);
    cv_.notify_all();
    if (!cv_.wait_for(lock, guard_, [&] { return arrived_.size() == 2; })) {
      timed_out_ = true;  // the other one was not in flight while this one waited
    }
  }
  bool met() const {
    const std::lock_guard lock(mutex_);
    return arrived_.size() == 2 && !timed_out_;
  }

 private:
  std::string one_;
  std::string other_;
  std::chrono::milliseconds guard_;
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  std::set<std::string> arrived_;
  bool timed_out_ = false;
};

// The helper itself: two requests made one after the other never meet, in either order; two
// in flight together do.
TEST(RendezvousHelper, MeetsOnlyRequestsInFlightTogether) {
  for (const bool reversed : {false, true}) {
    Rendezvous sequential("/a", "/b", std::chrono::milliseconds(20));
    sequential.arrived(reversed ? "/b" : "/a");
    sequential.arrived(reversed ? "/a" : "/b");
    EXPECT_FALSE(sequential.met()) << reversed;
  }
  Rendezvous together("/a", "/b");
  std::jthread other([&] { together.arrived("/b"); });
  together.arrived("/a");
  other.join();
  EXPECT_TRUE(together.met());
}

// A worker that throws does not end the process: the scan stops and the one error surfaces
// on the caller's thread.
TEST_F(CollectorTest, AnExceptionOnAWorkerSurfacesAsOneError) {
  acme_basics();
  transport.set_handler([&](const http::Request& r) -> http::Result {
    if (api_path(r.url).ends_with("/deploy-keys")) {
      throw std::runtime_error("unexpected failure in a worker");
    }
    return api.answer(r);
  });
  CollectOptions options = acme_only();
  options.concurrency = 4;
  EXPECT_THROW(run(options), std::runtime_error);
}

TEST_F(CollectorTest, UserIsReadAlongsideTheWorkspaceList) {
  api.list("/user/workspaces", {{{"slug", "acme"}}});
  acme_basics();
  Rendezvous rendezvous("/user", "/user/workspaces");
  transport.set_handler([&](const http::Request& r) {
    rendezvous.arrived(api_path(r.url));
    return api.answer(r);
  });
  CollectOptions options;
  options.concurrency = 2;
  const auto result = run(options);
  EXPECT_TRUE(rendezvous.met()) << "/user was not in flight with /user/workspaces";
  EXPECT_TRUE(result.snapshot.gaps.empty());
  EXPECT_EQ(result.snapshot.ssh_keys_status, SshKeysStatus::read);
  EXPECT_EQ(count("/user"), 1u);
  EXPECT_EQ(count("/user/workspaces"), 1u);
  EXPECT_EQ(transport.request_count(), 11u);  // 2 + listing + 3 × 2 + project keys + SSH keys
}

TEST_F(CollectorTest, AtConcurrencyOneTheUserComesFirst) {
  api.list("/user/workspaces", {{{"slug", "acme"}}});
  acme_basics();
  CollectOptions options;
  options.concurrency = 1;
  const auto result = run(options);
  const auto all = paths();
  ASSERT_GE(all.size(), 2u);
  EXPECT_EQ(all[0], "/user");
  EXPECT_EQ(all[1], "/user/workspaces");
  EXPECT_EQ(transport.request_count(), 11u);
}

TEST_F(CollectorTest, RejectedCredentialAlongsideTheWorkspaceListEndsTheScan) {
  api.list("/user/workspaces", {{{"slug", "acme"}}});
  acme_basics();
  api.fail("/user", 401, R"({"type": "error", "error": {"message": "Invalid credentials."}})");
  CollectOptions options;
  options.concurrency = 4;
  const auto result = run(options);
  ASSERT_TRUE(result.auth_failure);
  EXPECT_TRUE(result.snapshot.workspaces.empty());
  EXPECT_LE(transport.request_count(), 2u);  // /user and at most the workspace list
  EXPECT_EQ(count("/repositories/acme"), 0u);
}

TEST_F(CollectorTest, OneRepositorysRestrictionsAndDeployKeysAreReadInParallel) {
  api.list("/repositories/acme", {repo("api")});
  api.list("/repositories/acme/api/branch-restrictions", {restriction(1, "force")});
  api.list("/repositories/acme/api/deploy-keys", {key(3, "ssh-ed25519 A")});
  api.list("/workspaces/acme/projects/PLAT/deploy-keys", {});
  Rendezvous rendezvous("/repositories/acme/api/branch-restrictions",
                        "/repositories/acme/api/deploy-keys");
  transport.set_handler([&](const http::Request& r) {
    rendezvous.arrived(api_path(r.url));
    return api.answer(r);
  });
  auto options = acme_only();
  options.concurrency = 3;  // the listing thread and two workers
  const auto result = run(options);
  EXPECT_TRUE(rendezvous.met()) << "the two reads of one repository were made one after the other";
  EXPECT_TRUE(result.snapshot.gaps.empty());
  ASSERT_EQ(result.snapshot.workspaces.at(0).keys.size(), 1u);
  EXPECT_EQ(progress.repositories_done, 1u);
}

TEST_F(CollectorTest, SshKeysAreReadWhileTheFirstPageIsListed) {
  acme_basics();
  Rendezvous rendezvous("/repositories/acme", "/users/{u-1}/ssh-keys");
  transport.set_handler([&](const http::Request& r) {
    rendezvous.arrived(api_path(r.url));
    return api.answer(r);
  });
  auto options = acme_only();
  options.concurrency = 2;
  const auto result = run(options);
  EXPECT_TRUE(rendezvous.met()) << "the SSH keys waited for the repository listing";
  EXPECT_EQ(result.snapshot.ssh_keys.size(), 1u);
  EXPECT_EQ(transport.request_count(), 10u);  // /user, listing, 3 × 2, project keys, SSH keys
}

TEST_F(CollectorTest, SshKeyGapComesAfterTheRepositoryGaps) {
  acme_basics();
  api.fail("/repositories/acme/web/deploy-keys", 403, kMissingScope);
  api.fail("/users/{u-1}/ssh-keys", 500, "<html>boom</html>");
  for (const int concurrency : {1, 4}) {
    SCOPED_TRACE(concurrency);
    auto options = acme_only();
    options.concurrency = concurrency;
    const auto result = run(options);
    ASSERT_EQ(result.snapshot.gaps.size(), 2u);
    EXPECT_EQ(result.snapshot.gaps[0].subject, GapSubject::deploy_keys);
    EXPECT_EQ(result.snapshot.gaps[1].subject, GapSubject::ssh_keys);
    EXPECT_EQ(result.snapshot.ssh_keys_status, SshKeysStatus::unreadable);
  }
}

// ---- The extended rules' reads ---------------------------------------------------------------

class ExtendedCollectorTest : public CollectorTest {
 protected:
  // Workspace acme with two repositories: api (a webhook, a variable, one environment with a
  // variable) and web (nothing), and every workspace-wide extended endpoint.
  void acme_extended() {
    auto api_repo = repo("api");
    api_repo["fork_policy"] = "allow_forks";
    auto web_repo = repo("web");
    web_repo["fork_policy"] = "no_forks";
    api.list("/repositories/acme", {api_repo, web_repo});
    for (const char* slug : {"api", "web"}) {
      const std::string base = std::string("/repositories/acme/") + slug;
      api.list(base + "/branch-restrictions", {restriction(1, "force")});
      api.list(base + "/deploy-keys", {});
    }
    api.list("/workspaces/acme/projects/PLAT/deploy-keys", {});
    api.object("/workspaces/acme", {{"type", "workspace"},
                                    {"slug", "acme"},
                                    {"uuid", "{ws-acme}"},
                                    {"forking_mode", "allow_forks"}});
    api.list("/repositories/acme/api/hooks", {{{"uuid", "{h-1}"},
                                               {"url", "http://ci.example.com/hook?token=abc"},
                                               {"active", true},
                                               {"secret_set", false},
                                               {"events", {"repo:push"}}}});
    api.list("/repositories/acme/web/hooks", {});
    api.list(
        "/repositories/acme/api/pipelines_config/variables",
        {{{"uuid", "{v-1}"}, {"key", "DEPLOY_TOKEN"}, {"value", "v4lue"}, {"secured", false}}});
    api.list("/repositories/acme/web/pipelines_config/variables", {});
    api.list("/repositories/acme/api/environments", {{{"uuid", "{e-1}"}, {"name", "Production"}}});
    api.list("/repositories/acme/web/environments", {});
    api.list("/repositories/acme/api/deployments_config/environments/{e-1}/variables",
             {{{"uuid", "{v-2}"}, {"key", "DB_PASSWORD"}, {"secured", true}}});
    api.list("/workspaces/acme/hooks", {});
    api.list("/workspaces/acme/pipelines-config/variables",
             {{{"uuid", "{v-3}"}, {"key", "NPM_TOKEN"}, {"value", "v4lue"}, {"secured", false}}});
    api.list(
        "/workspaces/acme/members",
        {{{"user", {{"display_name", "Ana"}, {"uuid", "{u-a}"}, {"has_2fa_enabled", true}}}},
         {{"user", {{"display_name", "Ben"}, {"uuid", "{u-b}"}, {"has_2fa_enabled", false}}}}});
    api.list("/workspaces/acme/permissions",
             {{{"permission", "owner"}, {"user", {{"display_name", "Ana"}, {"uuid", "{u-a}"}}}}});
  }

  static CollectOptions all_rules() {
    auto o = acme_only();
    o.scope.rules = core::rule_set("all");
    return o;
  }

  // The raw URL of the one request to `path` (below the API base, decoded).
  std::string url_of(const std::string& path) const {
    std::vector<std::string> found;
    for (const auto& r : transport.requests()) {
      if (api_path(r.url) == path) {
        found.push_back(r.url);
      }
    }
    EXPECT_EQ(found.size(), 1u) << path;
    return found.empty() ? "" : found[0];
  }

  static const core::Gap* gap_about(const core::Snapshot& s, GapSubject subject,
                                    const std::optional<std::string>& repository) {
    for (const auto& g : s.gaps) {
      if (g.subject == subject && g.repository == repository) {
        return &g;
      }
    }
    return nullptr;
  }
};

TEST_F(ExtendedCollectorTest, EveryRuleSelectedMakesExactlyTheseRequests) {
  acme_extended();
  const auto result = run(all_rules());
  ASSERT_FALSE(result.auth_failure);
  auto all = paths();
  std::sort(all.begin(), all.end());
  EXPECT_EQ(all, (std::vector<std::string>{
                     "/repositories/acme",
                     "/repositories/acme/api/branch-restrictions",
                     "/repositories/acme/api/deploy-keys",
                     "/repositories/acme/api/deployments_config/environments/{e-1}/variables",
                     "/repositories/acme/api/environments",
                     "/repositories/acme/api/hooks",
                     "/repositories/acme/api/pipelines_config/variables",
                     "/repositories/acme/web/branch-restrictions",
                     "/repositories/acme/web/deploy-keys",
                     "/repositories/acme/web/environments",
                     "/repositories/acme/web/hooks",
                     "/repositories/acme/web/pipelines_config/variables",
                     "/user",
                     "/users/{u-1}/ssh-keys",
                     "/workspaces/acme",
                     "/workspaces/acme/hooks",
                     "/workspaces/acme/members",
                     "/workspaces/acme/permissions",
                     "/workspaces/acme/pipelines-config/variables",
                     "/workspaces/acme/projects/PLAT/deploy-keys",
                 }));
  // The listing asks for the fork policy; members for their 2FA flag; permissions for owners.
  const auto fields = query_param(url_of("/repositories/acme"), "fields");
  ASSERT_TRUE(fields);
  EXPECT_TRUE(fields->ends_with("%2Cvalues.fork_policy")) << *fields;
  EXPECT_EQ(query_param(url_of("/workspaces/acme/members"), "fields"),
            "%2Bvalues.user.has_2fa_enabled");
  EXPECT_EQ(query_param(url_of("/workspaces/acme/permissions"), "q"), "permission%3D%22owner%22");
  EXPECT_NE(url_of("/repositories/acme/api/deployments_config/environments/{e-1}/variables")
                .find("/environments/%7Be-1%7D/variables"),
            std::string::npos);
  EXPECT_EQ(progress.repositories_done, 2u);
  EXPECT_EQ(progress.repositories_total, 2u);
}

// The reads-table row a request was made for, from its (decoded) path; nullptr for none.
const Read* row_of(const std::string& path) {
  for (const auto& read : reads()) {
    const std::regex pattern(
        std::regex_replace(std::string(read.path), std::regex(R"(\{[a-z]+\})"), "[^/]+"));
    if (std::regex_match(path, pattern)) {
      return &read;
    }
  }
  return nullptr;
}

// The requests the walk makes, read by read, are what the reads table says: each row's
// requests for each owner it is made for (what --plan counts and auth check probes).
TEST_F(ExtendedCollectorTest, EachReadMakesTheRequestsItsRowSaysPerOwner) {
  acme_extended();
  auto api_repo = repo("api");
  api_repo["fork_policy"] = "allow_forks";
  api.list("/repositories/acme", {api_repo, repo("web"), repo("hollow", "PLAT", std::nullopt)});
  api.list("/user/workspaces", {{{"slug", "acme"}}});
  auto options = all_rules();
  options.scope.workspaces.clear();  // the workspace list is read too
  const auto result = run(options);
  ASSERT_FALSE(result.auth_failure);
  std::map<const Read*, std::size_t> made;
  for (const auto& path : paths()) {
    const auto* read = row_of(path);
    ASSERT_NE(read, nullptr) << path;
    made[read] += 1;
  }
  const auto& ws = result.snapshot.workspaces.at(0);
  ASSERT_EQ(ws.repositories.size(), 3U);
  const std::map<Owner, std::size_t> owners{
      {Owner::user, 1},  // the caller
      {Owner::workspace, 1},  {Owner::project, ws.projects.size()},
      {Owner::repository, 3}, {Owner::environment, 1},  // acme/api's Production
  };
  for (const auto& read : reads()) {
    SCOPED_TRACE(read.path);
    std::size_t expected = static_cast<std::size_t>(read.requests) * owners.at(read.owner);
    if (read.when == When::default_branch) {
      expected = static_cast<std::size_t>(read.requests) * 2;  // hollow is empty
    } else if (read.when == When::referred_to) {
      expected = 0;  // no restriction here refers to the branching model
    }
    EXPECT_EQ(made[&read], expected);
  }
}

TEST_F(ExtendedCollectorTest, WhatIsReadLandsInTheSnapshot) {
  acme_extended();
  const auto result = run(all_rules());
  const auto& s = result.snapshot;
  EXPECT_TRUE(s.gaps.empty()) << s.gaps.size();
  const auto& ws = s.workspaces.at(0);
  EXPECT_EQ(ws.forking_mode, "allow_forks");
  ASSERT_TRUE(ws.hooks);
  EXPECT_TRUE(ws.hooks->empty());
  ASSERT_TRUE(ws.pipeline_variables);
  ASSERT_EQ(ws.pipeline_variables->size(), 1u);
  EXPECT_EQ(ws.pipeline_variables->at(0).level, core::VariableLevel::workspace);
  ASSERT_TRUE(ws.members);
  ASSERT_EQ(ws.members->size(), 2u);
  EXPECT_EQ(ws.members->at(1).has_2fa_enabled, false);
  ASSERT_TRUE(ws.owners);
  ASSERT_EQ(ws.owners->size(), 1u);
  EXPECT_EQ(ws.owners->at(0).display_name, "Ana");

  const auto* api_repo = find_repo(s, "acme/api");
  ASSERT_NE(api_repo, nullptr);
  EXPECT_EQ(api_repo->fork_policy, "allow_forks");
  ASSERT_TRUE(api_repo->hooks);
  ASSERT_EQ(api_repo->hooks->size(), 1u);
  EXPECT_EQ(api_repo->hooks->at(0).host, "ci.example.com");
  ASSERT_TRUE(api_repo->pipeline_variables);
  EXPECT_EQ(api_repo->pipeline_variables->at(0).key, "DEPLOY_TOKEN");
  ASSERT_TRUE(api_repo->deployment_variables);
  ASSERT_EQ(api_repo->deployment_variables->size(), 1u);
  EXPECT_EQ(api_repo->deployment_variables->at(0).environment, "Production");
  EXPECT_EQ(api_repo->deployment_variables->at(0).level, core::VariableLevel::deployment);
  const auto* web = find_repo(s, "acme/web");
  ASSERT_NE(web, nullptr);
  EXPECT_EQ(web->fork_policy, "no_forks");
  ASSERT_TRUE(web->deployment_variables);
  EXPECT_TRUE(web->deployment_variables->empty());
}

TEST_F(ExtendedCollectorTest, ForbiddenReadsAreGapsOfTheRightSubjectAndOwner) {
  acme_extended();
  const std::string webhook_scope =
      R"({"type": "error", "error": {"message": "Your credentials lack one or more required privilege scopes.", "detail": {"granted": ["repository"], "required": ["webhook"]}}})";
  const std::string forbidden =
      R"({"type": "error", "error": {"message": "You do not have access to this resource."}})";
  api.fail("/repositories/acme/api/hooks", 403, webhook_scope);
  api.fail("/workspaces/acme/hooks", 403, forbidden);
  api.fail("/repositories/acme/web/environments", 403, forbidden);
  api.fail("/repositories/acme/api/deployments_config/environments/{e-1}/variables", 403,
           forbidden);
  api.fail("/workspaces/acme/members", 403, forbidden);
  api.fail("/workspaces/acme/permissions", 403, forbidden);
  const auto result = run(all_rules());
  ASSERT_FALSE(result.auth_failure);
  const auto& s = result.snapshot;
  EXPECT_EQ(s.gaps.size(), 6u);

  const auto* repo_hooks = gap_about(s, GapSubject::hooks, "acme/api");
  ASSERT_NE(repo_hooks, nullptr);
  EXPECT_EQ(repo_hooks->workspace, "acme");
  EXPECT_EQ(repo_hooks->reason, UnknownReason::missing_scope);
  EXPECT_EQ(repo_hooks->http_status, 403);
  EXPECT_EQ(repo_hooks->endpoint, "/2.0/repositories/acme/api/hooks");
  EXPECT_NE(repo_hooks->detail.find("webhook"), std::string::npos) << repo_hooks->detail;

  const auto* ws_hooks = gap_about(s, GapSubject::hooks, std::nullopt);
  ASSERT_NE(ws_hooks, nullptr);
  EXPECT_EQ(ws_hooks->reason, UnknownReason::forbidden);
  EXPECT_EQ(ws_hooks->endpoint, "/2.0/workspaces/acme/hooks");
  for (const char* repo_name : {"acme/web", "acme/api"}) {
    const auto* env = gap_about(s, GapSubject::environments, repo_name);
    ASSERT_NE(env, nullptr) << repo_name;
    EXPECT_EQ(env->reason, UnknownReason::forbidden);
    EXPECT_FALSE(find_repo(s, repo_name)->deployment_variables) << repo_name;
  }
  ASSERT_NE(gap_about(s, GapSubject::members, std::nullopt), nullptr);
  ASSERT_NE(gap_about(s, GapSubject::owners, std::nullopt), nullptr);

  // What failed is unread; everything else was read.
  const auto& ws = s.workspaces.at(0);
  EXPECT_FALSE(ws.hooks);
  EXPECT_FALSE(ws.members);
  EXPECT_FALSE(ws.owners);
  EXPECT_TRUE(ws.forking_mode);
  EXPECT_TRUE(ws.pipeline_variables);
  EXPECT_FALSE(find_repo(s, "acme/api")->hooks);
  EXPECT_TRUE(find_repo(s, "acme/web")->hooks);
  EXPECT_TRUE(find_repo(s, "acme/api")->pipeline_variables);
}

TEST_F(ExtendedCollectorTest, AWorkspaceWithoutForkingModeIsAnInvalidResponseGap) {
  acme_extended();
  api.object("/workspaces/acme", {{"type", "workspace"}, {"slug", "acme"}});
  auto options = acme_only();
  options.scope.rules = {core::find_rule("private-repository-forkable")};
  const auto result = run(options);
  const auto& s = result.snapshot;
  ASSERT_EQ(s.gaps.size(), 1u);
  const auto& gap = s.gaps[0];
  EXPECT_EQ(gap.subject, GapSubject::workspace);
  EXPECT_EQ(gap.workspace, "acme");
  EXPECT_FALSE(gap.repository);
  EXPECT_EQ(gap.reason, UnknownReason::invalid_response);
  EXPECT_EQ(gap.http_status, 200);
  EXPECT_EQ(gap.endpoint, "/2.0/workspaces/acme");
  EXPECT_NE(gap.detail.find("forking_mode"), std::string::npos) << gap.detail;
  EXPECT_FALSE(s.workspaces.at(0).forking_mode);
  // The one rule needs the listing and the workspace: nothing else.
  EXPECT_EQ(transport.request_count(), 2u) << ::testing::PrintToString(paths());
  EXPECT_EQ(find_repo(s, "acme/api")->fork_policy, "allow_forks");
}

TEST_F(ExtendedCollectorTest, EachRuleAloneReadsOnlyWhatItNeeds) {
  acme_extended();
  const std::vector<std::pair<std::string, std::vector<std::string>>> reads{
      {"webhook-without-secret",
       {"/repositories/acme", "/repositories/acme/api/hooks", "/repositories/acme/web/hooks",
        "/workspaces/acme/hooks"}},
      {"unsecured-secret-variable",
       {"/repositories/acme", "/repositories/acme/api/pipelines_config/variables",
        "/repositories/acme/api/environments",
        "/repositories/acme/api/deployments_config/environments/{e-1}/variables",
        "/repositories/acme/web/pipelines_config/variables", "/repositories/acme/web/environments",
        "/workspaces/acme/pipelines-config/variables"}},
      {"member-without-2fa", {"/repositories/acme", "/workspaces/acme/members"}},
      {"workspace-owner-count", {"/repositories/acme", "/workspaces/acme/permissions"}},
  };
  for (const auto& [slug, expected] : reads) {
    const auto before = transport.request_count();
    auto options = acme_only();
    options.scope.rules = {core::find_rule(slug)};
    run(options);
    const auto requests = transport.requests();
    std::vector<std::string> made;
    for (std::size_t i = before; i < requests.size(); ++i) {
      made.push_back(api_path(requests[i].url));
      if (made.back() == "/repositories/acme") {
        EXPECT_EQ(requests[i].url.find("fork_policy"), std::string::npos) << slug;
      }
    }
    std::sort(made.begin(), made.end());
    auto wanted = expected;
    std::sort(wanted.begin(), wanted.end());
    EXPECT_EQ(made, wanted) << slug;
  }
}

TEST_F(ExtendedCollectorTest, TheDefaultRulesMakeNoExtendedRequest) {
  acme_extended();
  const auto result = run(acme_only());
  // /user + listing + 2 × (branch restrictions + deploy keys) + project keys + SSH keys.
  EXPECT_EQ(transport.request_count(), 8u) << ::testing::PrintToString(paths());
  for (const char* part : {"hooks", "variables", "environments", "members", "permissions"}) {
    EXPECT_EQ(count_containing(part), 0u) << part;
  }
  EXPECT_EQ(count("/workspaces/acme"), 0u);
  const auto fields = query_param(url_of("/repositories/acme"), "fields");
  ASSERT_TRUE(fields);
  EXPECT_EQ(fields->find("fork_policy"), std::string::npos);
  const auto& ws = result.snapshot.workspaces.at(0);
  EXPECT_FALSE(ws.forking_mode || ws.hooks || ws.pipeline_variables || ws.members || ws.owners);
  for (const auto& r : ws.repositories) {
    EXPECT_FALSE(r.hooks || r.pipeline_variables || r.deployment_variables) << r.full_name;
    // The fake answers with the fork policy anyway: a default scan keeps what it was given,
    // and no extended rule reads it.
  }
}

// Workspace-wide reads write their own member of the workspace, repository reads their own
// repository: the snapshot does not depend on how many threads read it.
TEST_F(ExtendedCollectorTest, ConcurrencyDoesNotChangeTheSnapshot) {
  acme_extended();
  api.fail("/repositories/acme/web/hooks", 403, kMissingScope);
  api.fail("/workspaces/acme/members", 403, kMissingScope);
  auto options = all_rules();
  const auto one = core::snapshot_to_json(run(options).snapshot);
  for (const int concurrency : {2, 4, 8}) {
    options.concurrency = concurrency;
    EXPECT_EQ(core::snapshot_to_json(run(options).snapshot), one) << concurrency;
  }
}

TEST(PacedDuration, SaidOnlyWhenPacingMakesTheScanLongerThanFiveMinutes) {
  EXPECT_FALSE(paced_duration(1000, 0));  // not paced
  EXPECT_FALSE(paced_duration(25, 300));  // exactly five minutes
  EXPECT_EQ(paced_duration(1200, 300),
            "about 1200 requests to make at --max-requests-per-hour 300: the scan takes about 4 h "
            "0 min more");
  EXPECT_EQ(paced_duration(26, 300),
            "about 26 requests to make at --max-requests-per-hour 300: the scan takes about 0 h "
            "6 min more");  // 5.2 minutes, rounded up
}

TEST(GapFromError, CopiesWhatAPersonNeeds) {
  ApiError e;
  e.kind = ApiError::Kind::http;
  e.endpoint = "/2.0/workspaces/acme/projects/PLAT/deploy-keys";
  e.http_status = 403;
  e.reason = UnknownReason::missing_scope;
  e.message = "missing scope: project:admin";
  const auto gap = gap_from_error(e, GapSubject::project_deploy_keys, "acme", std::nullopt, "PLAT");
  EXPECT_EQ(gap.subject, GapSubject::project_deploy_keys);
  EXPECT_EQ(gap.workspace, "acme");
  EXPECT_FALSE(gap.repository);
  EXPECT_EQ(gap.project, "PLAT");
  EXPECT_EQ(gap.endpoint, e.endpoint);
  EXPECT_EQ(gap.http_status, 403);
  EXPECT_EQ(gap.reason, UnknownReason::missing_scope);
  EXPECT_EQ(gap.detail, "missing scope: project:admin");
}

}  // namespace
}  // namespace bbp::bitbucket
