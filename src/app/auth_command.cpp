// `bbposture auth check`: who am I, which scopes, and can every endpoint the rules need be read?
#include <iostream>
#include <set>

#include <spdlog/spdlog.h>

#include "bbp/bitbucket/api_client.hpp"
#include "bbp/bitbucket/collector.hpp"
#include "bbp/bitbucket/credentials.hpp"
#include "bbp/bitbucket/parse.hpp"
#include "commands.hpp"
#include "runtime.hpp"

namespace bbp::app {
namespace {

struct Probe {
  std::string what;
  std::string endpoint;
  enum class Status { ok, failed, not_applicable, skipped } status = Status::skipped;
  std::string detail;
  std::vector<std::string> affects;  // rule slugs that cannot be evaluated when it fails
};

std::vector<std::string> slugs_of(core::RuleSubject subject) {
  std::vector<std::string> out;
  for (const auto& r : core::catalogue()) {
    if (r.subject == subject) {
      out.emplace_back(r.slug);
    }
  }
  return out;
}

std::string join(const std::vector<std::string>& items, const char* separator = ", ") {
  std::string out;
  for (const auto& item : items) {
    out += (out.empty() ? "" : separator) + item;
  }
  return out;
}

}  // namespace

void setup_auth_check(CLI::App& app, AuthCheckOptions& o) {
  app.add_option("-w,--workspace", o.workspaces, "Workspace to probe (default: the first one)");
  add_connection_options(app, o.connection);
  add_log_options(app, o.log);
}

int run_auth_check(const AuthCheckOptions& options, const std::atomic<bool>& cancel) {
  auto connection = validate(options.connection);
  if (!connection) {
    std::cerr << "bbposture: " << connection.error() << '\n';
    return kExitUsage;
  }
  auto credentials = bitbucket::credentials_from_environment(bitbucket::process_environment());
  if (!credentials) {
    std::cerr << "bbposture: " << credentials.error() << '\n';
    return kExitUsage;
  }
  TransportStack stack(*connection, cancel);
  const auto tokens = bitbucket::make_token_source(*credentials, stack.token_transport(),
                                                   connection->token_url, stack.clock());
  bitbucket::ApiClient api(stack.transport(), *tokens, connection->api_url, &cancel,
                           &stack.limiter());
  const auto auth_failed = [](const bitbucket::ApiError& e) {
    std::cerr << "bbposture: authentication failed: " << e.message << '\n';
    return kExitAuth;
  };

  std::cout << "Credential:  " << bitbucket::describe(*credentials) << '\n'
            << "API:         " << connection->api_url << '\n';

  // Identity.
  auto user = api.get_json("/user");
  std::optional<std::string> user_uuid;
  bool ssh_applicable = credentials->kind != bitbucket::CredentialKind::access_token;
  if (!user) {
    if (user.error().kind == bitbucket::ApiError::Kind::auth) {
      return auth_failed(user.error());
    }
    std::cout << "Identity:    unknown (" << user.error().message << ")\n";
  } else {
    const auto type = bitbucket::string_at(*user, "type").value_or("user");
    const auto name = bitbucket::string_at(*user, "display_name")
                          .value_or(bitbucket::string_at(*user, "nickname").value_or("?"));
    user_uuid = bitbucket::string_at(*user, "uuid");
    std::cout << "Identity:    " << name << " (" << type << ", " << user_uuid.value_or("no uuid")
              << ")\n";
    ssh_applicable = ssh_applicable && type == "user";
  }

  // Scopes.
  const auto granted = tokens->granted_scopes();
  std::vector<std::string> missing_scopes;
  if (credentials->kind == bitbucket::CredentialKind::client_credentials) {
    std::cout << "Scopes:      " << (granted.empty() ? "(none reported)" : join(granted, " "))
              << '\n';
    std::set<std::string> needed;
    for (const auto& r : core::catalogue()) {
      needed.insert(r.oauth_scopes.begin(), r.oauth_scopes.end());
    }
    for (const auto& scope : needed) {
      if (std::find(granted.begin(), granted.end(), scope) == granted.end()) {
        missing_scopes.push_back(scope);
      }
    }
    if (!missing_scopes.empty()) {
      std::cout << "             missing for a full scan: " << join(missing_scopes, " ") << '\n';
    }
  } else {
    std::cout << "Scopes:      not reported for this credential type; see the probes below\n";
  }

  // Probes: one page of each endpoint the rules read.
  // A refused credential ends the probing: later probes make no request.
  std::vector<Probe> probes;
  std::optional<bitbucket::ApiError> rejected;
  const auto probe = [&](Probe p) -> std::optional<nlohmann::json> {
    if (rejected) {
      return std::nullopt;
    }
    auto answer = api.get_json(bitbucket::with_query(p.endpoint, "pagelen", "1"));
    if (!answer) {
      if (answer.error().kind == bitbucket::ApiError::Kind::auth) {
        rejected = answer.error();
        return std::nullopt;
      }
      p.status = Probe::Status::failed;
      p.detail = answer.error().message;
      probes.push_back(std::move(p));
      return std::nullopt;
    }
    p.status = Probe::Status::ok;
    probes.push_back(std::move(p));
    return std::move(*answer);
  };
  const auto first_value = [](const std::optional<nlohmann::json>& page) -> const nlohmann::json* {
    if (page && page->is_object() && page->contains("values") && (*page)["values"].is_array() &&
        !(*page)["values"].empty()) {
      return &(*page)["values"][0];
    }
    return nullptr;
  };
  const auto all_rules = [] {
    std::vector<std::string> out;
    for (const auto& r : core::catalogue()) {
      out.emplace_back(r.slug);
    }
    return out;
  }();
  {
    std::optional<std::string> workspace;
    if (!options.workspaces.empty()) {
      workspace = options.workspaces.front();
    } else {
      const auto page = probe({"list workspaces", "/user/workspaces", {}, {}, all_rules});
      if (const auto* v = first_value(page)) {
        workspace = bitbucket::parse_workspace_slug(*v);
      }
    }
    std::optional<core::Repository> repo;
    if (workspace) {
      const auto page = probe({"list repositories in " + *workspace,
                               "/repositories/" + bitbucket::percent_encode(*workspace),
                               {},
                               {},
                               all_rules});
      if (const auto* v = first_value(page)) {
        repo = bitbucket::parse_repository(*v, *workspace);
      }
    }
    if (repo) {
      const auto base = "/repositories/" + bitbucket::percent_encode(repo->workspace) + "/" +
                        bitbucket::percent_encode(repo->slug);
      probe({"branch restrictions of " + repo->full_name,
             base + "/branch-restrictions",
             {},
             {},
             slugs_of(core::RuleSubject::default_branch)});
      probe({"deploy keys of " + repo->full_name, base + "/deploy-keys", {}, {}, {"old-key"}});
      if (repo->project_key) {
        probe({"deploy keys of project " + *repo->project_key,
               "/workspaces/" + bitbucket::percent_encode(repo->workspace) + "/projects/" +
                   bitbucket::percent_encode(*repo->project_key) + "/deploy-keys",
               {},
               {},
               {"old-key"}});
      }
    } else if (workspace) {
      probes.push_back({"repository endpoints",
                        "",
                        Probe::Status::skipped,
                        "no repository visible in " + *workspace + " to probe",
                        {}});
    }
    if (ssh_applicable && user_uuid) {
      probe({"your SSH keys",
             "/users/" + bitbucket::percent_encode(*user_uuid) + "/ssh-keys",
             {},
             {},
             {"old-key"}});
    } else {
      probes.push_back({"your SSH keys",
                        "",
                        Probe::Status::not_applicable,
                        "access tokens and app users have no SSH keys",
                        {}});
    }
  }
  if (rejected) {
    return auth_failed(*rejected);
  }

  std::cout << "\nProbes:\n";
  bool any_failed = false;
  std::set<std::string> blocked;
  for (const auto& p : probes) {
    const char* status = "ok      ";
    switch (p.status) {
      case Probe::Status::ok:
        break;
      case Probe::Status::failed:
        status = "FAILED  ";
        any_failed = true;
        blocked.insert(p.affects.begin(), p.affects.end());
        break;
      case Probe::Status::not_applicable:
        status = "n/a     ";
        break;
      case Probe::Status::skipped:
        status = "skipped ";
        break;
    }
    std::cout << "  " << status << p.what;
    if (!p.detail.empty()) {
      std::cout << ": " << p.detail;
    }
    std::cout << '\n';
  }
  if (blocked.empty()) {
    std::cout << "\nEvery rule can be evaluated with this credential.\n";
  } else {
    std::cout << "\nThese rules cannot be evaluated with this credential (they will be reported as "
                 "unknown):\n  "
              << join(std::vector<std::string>(blocked.begin(), blocked.end())) << '\n';
    if (!missing_scopes.empty()) {
      std::cout << "Grant the missing scopes to the OAuth consumer: " << join(missing_scopes, " ")
                << '\n';
    }
  }
  spdlog::info("{} requests", stack.requests());
  return any_failed ? kExitIncomplete : kExitClean;
}

}  // namespace bbp::app
