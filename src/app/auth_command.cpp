// `bbposture auth check`: who am I, which scopes, and can every endpoint the rules need be read?
#include <iostream>
#include <set>
#include <sstream>

#include <spdlog/spdlog.h>

#include "bbp/bitbucket/api_client.hpp"
#include "bbp/bitbucket/collector.hpp"
#include "bbp/bitbucket/credentials.hpp"
#include "bbp/bitbucket/datacenter_reads.hpp"
#include "bbp/bitbucket/parse.hpp"
#include "bbp/bitbucket/reads.hpp"
#include "bbp/text/text.hpp"
#include "commands.hpp"
#include "config_file.hpp"
#include "option_table.hpp"
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

const char* status_text(Probe::Status status) {
  switch (status) {
    case Probe::Status::ok:
      return "ok      ";
    case Probe::Status::failed:
      return "FAILED  ";
    case Probe::Status::not_applicable:
      return "n/a     ";
    case Probe::Status::skipped:
      return "skipped ";
  }
  return "";
}

using bitbucket::Owner;
using bitbucket::Read;
using bitbucket::Target;

// One run of `auth check`, as its steps: identity, scopes, a probe of each read the rules
// need (on a workspace and a repository the scan would read), and the verdict. Every endpoint,
// scope and name comes from the reads table (bbp/bitbucket/reads.hpp).
class AuthCheck {
 public:
  // `json`: the text goes nowhere and one JSON document (doc_) is printed at the end.
  AuthCheck(bitbucket::ApiClient& api, const bitbucket::TokenSource& tokens,
            const bitbucket::Credentials& credentials, std::vector<const core::Rule*> rules,
            bool json)
      : api_(api),
        tokens_(tokens),
        credentials_(credentials),
        rules_(std::move(rules)),
        json_(json),
        out_(json ? static_cast<std::ostream&>(discarded_) : std::cout) {}

  int run(const ScanConfig& config) {
    const ConnectionConfig& connection = config.connection;
    out_ << "Credential:  " << bitbucket::describe(credentials_) << '\n'
         << "API:         " << connection.api_url << '\n';
    doc_["credential"] = {{"kind", bitbucket::to_string(credentials_.kind)},
                          {"description", bitbucket::describe(credentials_)},
                          {"variables", credentials_.variables}};
    doc_["api_url"] = connection.api_url;
    if (connection.platform == core::Platform::datacenter) {
      doc_["platform"] = "datacenter";
      run_datacenter(config);
    } else {
      run_cloud(config);
    }
    int code = 0;
    if (rejected_) {
      doc_["error"] = rejected_->message;
      code = say_auth_failure(
          {rejected_->message, rejected_->kind == bitbucket::ApiError::Kind::unreachable},
          credentials_);
    } else {
      code = verdict();
    }
    if (json_) {
      doc_["exit_code"] = code;
      std::cout << doc_.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
    }
    return code;
  }

 private:
  void run_cloud(const ScanConfig& config) {
    identify();
    report_scopes();
    if (config.auth_fix) {
      report_writes();
    }
    const auto workspace = probe_workspace(config.workspaces);
    if (workspace) {
      probe_repository(*workspace);
      probe_workspace_endpoints(*workspace);
    }
    probe_ssh_keys();
  }

  // Data Center: the server, who is calling (on an endpoint anonymous callers cannot read), and
  // each read on a repository and project the scan would read, naming the permission a failed
  // one needs.
  void run_datacenter(const ScanConfig& config) {
    datacenter_ = true;
    if (!identify_datacenter()) {
      return;
    }
    if (config.auth_fix) {
      out_ << "Writes:      `bbposture fix` does not write to Bitbucket Data Center\n";
      doc_["writes"] = nlohmann::json::array();
    }
    if (const auto repo = datacenter_repository(config.workspaces)) {
      probe_datacenter_reads(*repo);
    }
  }

  // The slugs of the checked rules that need `read` (every checked rule, for a listing).
  std::vector<std::string> slugs_needing(const Read& read) const {
    std::vector<std::string> out;
    for (const auto* r : rules_) {
      const auto& dc = r->datacenter.reads;
      const bool needed = datacenter_
                              ? read.role == bitbucket::Role::listing ||
                                    std::find(dc.begin(), dc.end(), read.subject) != dc.end()
                              : bitbucket::needs(*r, read);
      if (needed) {
        out.emplace_back(r->slug);
      }
    }
    return out;
  }

  bool identify_datacenter() {
    const auto& server = bitbucket::datacenter_read_of(core::GapSubject::server, Owner::user);
    auto answer = api_.get_json(bitbucket::url_for(server, {}));
    if (!answer && bitbucket::ends_the_scan(answer.error())) {
      rejected_ = answer.error();
      return false;
    }
    const auto version = answer ? bitbucket::string_at(*answer, "version") : std::nullopt;
    if (!version) {
      const auto why =
          answer ? std::string("no Data Center version in its answer") : answer.error().message;
      out_ << "Server:      not Bitbucket Data Center (" << why << ")\n";
      doc_["server"] = {{"error", why}};
      usage_problem_ = true;
      return false;
    }
    out_ << "Server:      Bitbucket Data Center " << *version << '\n';
    doc_["server"] = {{"version", *version}};
    const auto& users = bitbucket::datacenter_read_of(core::GapSubject::user, Owner::user);
    auto me = api_.get_response(bitbucket::path_for(users, {}));
    if (!me && bitbucket::ends_the_scan(me.error())) {
      rejected_ = me.error();
      rejected_->message = "the server did not take the credential for a signed-in user: GET " +
                           me.error().endpoint +
                           " answered 401 (Data Center serves a token it does not recognise as "
                           "an anonymous caller)";
      return false;
    }
    if (!me) {
      rejected_ = me.error();  // an outage: exit 3, not a verdict on the credential
      rejected_->kind = bitbucket::ApiError::Kind::unreachable;
      return false;
    }
    user_uuid_ = me->header("X-AUSERNAME").value_or(credentials_.username);
    out_ << "Identity:    " << *user_uuid_ << '\n';
    doc_["identity"] = {{"name", *user_uuid_}};
    api_.treat_unauthorized_as_forbidden();
    return true;
  }

  // A repository of the first page of the listing (of a project given with -w).
  std::optional<core::Repository> datacenter_repository(const std::vector<std::string>& given) {
    const auto& listing =
        bitbucket::datacenter_read_of(core::GapSubject::repositories, Owner::user);
    const auto page = probe({bitbucket::label_for(listing, {}),
                             bitbucket::url_for(listing, {}),
                             {},
                             {},
                             slugs_needing(listing)},
                            "limit", "100");
    if (!page) {
      return std::nullopt;
    }
    auto parsed = bitbucket::datacenter::parse_listing(*page, {});
    for (auto& entry : std::get<std::vector<bitbucket::ListedRepository>>(*parsed)) {
      if (given.empty() ||
          std::find(given.begin(), given.end(), entry.repository.workspace) != given.end()) {
        return std::move(entry.repository);
      }
    }
    probes_.push_back({"repository endpoints",
                       "",
                       Probe::Status::skipped,
                       given.empty() ? "no repository visible to probe"
                                     : "no repository visible in " + text::join(given),
                       {}});
    usage_problem_ = !given.empty();
    return std::nullopt;
  }

  void probe_datacenter_reads(const core::Repository& repo) {
    Target target = Target::of(repo);
    for (const auto& read : bitbucket::datacenter_reads()) {
      if (read.role != bitbucket::Role::data || read.when == bitbucket::When::referred_to) {
        continue;
      }
      if (read.owner == Owner::project) {
        probe(read, Target::of_project(repo.workspace, repo.workspace));
      } else if (read.owner == Owner::user) {
        probe(read, Target::caller(user_uuid_.value_or("")));
      } else if (read.subject == core::GapSubject::default_branch) {
        const auto branch = probe(read, target);
        const auto id = branch ? bitbucket::string_at(*branch, "id") : std::nullopt;
        target.item = id.value_or("refs/heads/main");
      } else {
        probe(read, target);
      }
    }
  }

  // Whether a data read is probed: a checked rule needs it, or a default scan makes it (what a
  // default scan reads is probed whichever rules are checked). A read made only when another
  // answer refers to it is not probed.
  bool probed(const Read& read) const {
    return read.role == bitbucket::Role::data && read.when != bitbucket::When::referred_to &&
           (!slugs_needing(read).empty() || bitbucket::read_by_default(read));
  }

  // The workspace's own reads.
  void probe_workspace_endpoints(const std::string& workspace) {
    if (usage_problem_) {
      return;  // the workspace was not found
    }
    for (const auto& read : bitbucket::reads()) {
      if (read.owner == Owner::workspace && probed(read)) {
        probe(read, Target::of_workspace(workspace));
      }
    }
  }

  // GET /user: who is calling, and whether the caller's SSH keys apply.
  void identify() {
    auto user = api_.get_json(
        bitbucket::url_for(bitbucket::read_of(core::GapSubject::user, Owner::user), {}));
    if (!user) {
      if (bitbucket::ends_the_scan(user.error())) {
        rejected_ = user.error();
        return;
      }
      user_failure_ = user.error().message;
      doc_["identity"] = {{"error", *user_failure_}};
      out_ << "Identity:    unknown (" << *user_failure_ << ")\n";
      return;
    }
    const auto type = bitbucket::string_at(*user, "type").value_or("user");
    doc_["identity"] = {{"display_name", bitbucket::string_at(*user, "display_name").value_or("")},
                        {"type", type},
                        {"uuid", bitbucket::string_at(*user, "uuid").value_or("")}};
    const auto name = bitbucket::string_at(*user, "display_name")
                          .value_or(bitbucket::string_at(*user, "nickname").value_or("?"));
    user_uuid_ = bitbucket::string_at(*user, "uuid");
    app_user_ = type != "user";
    out_ << "Identity:    " << name << " (" << type << ", " << user_uuid_.value_or("no uuid")
         << ")\n";
  }

  // The OAuth scopes the reads of the checked rules need.
  std::set<std::string> needed_scopes() const {
    std::set<std::string> needed;
    for (const auto& read : bitbucket::reads()) {
      if (!slugs_needing(read).empty()) {
        needed.insert(read.oauth_scopes.begin(), read.oauth_scopes.end());
      }
    }
    return needed;
  }

  void report_scopes() {
    if (credentials_.kind != bitbucket::CredentialKind::client_credentials) {
      out_ << "Scopes:      not reported for this credential type; see the probes below\n";
      return;
    }
    const auto granted = tokens_.granted_scopes();
    out_ << "Scopes:      " << (granted.empty() ? "(none reported)" : text::join(granted, " "))
         << '\n';
    for (const auto& scope : needed_scopes()) {
      if (std::find(granted.begin(), granted.end(), scope) == granted.end()) {
        missing_scopes_.push_back(scope);
      }
    }
    doc_["scopes"] = {{"granted", granted}, {"missing", missing_scopes_}};
    if (!missing_scopes_.empty()) {
      out_ << "             missing for a full scan: " << text::join(missing_scopes_, " ") << '\n';
    }
  }

  // What a credential can be told to do about one write of `bbposture fix --apply`.
  std::pair<std::string, std::vector<std::string>> write_status(const bitbucket::Write& w) const {
    using bitbucket::CredentialKind;
    const bool deletes_key = w.kind == bitbucket::WriteKind::delete_deploy_key ||
                             w.kind == bitbucket::WriteKind::delete_project_deploy_key;
    if (credentials_.kind == CredentialKind::access_token && deletes_key) {
      return {"not possible with an access token (Bitbucket refuses it)", {}};
    }
    const auto& scopes =
        credentials_.kind == CredentialKind::api_token ? w.api_token_scopes : w.oauth_scopes;
    const std::vector<std::string> needed(scopes.begin(), scopes.end());
    if (credentials_.kind != CredentialKind::client_credentials) {
      return {"needs " + text::join(needed, " ") + "; cannot be told before a write", {}};
    }
    const auto granted = tokens_.granted_scopes();
    std::vector<std::string> missing;
    for (const auto& scope : needed) {
      if (std::find(granted.begin(), granted.end(), scope) == granted.end()) {
        missing.push_back(scope);
      }
    }
    return {missing.empty() ? "granted (" + text::join(needed, " ") + ")"
                            : "missing " + text::join(missing, " "),
            missing};
  }

  // auth check --fix: the writes `bbposture fix --apply` makes, from the writes table.
  void report_writes() {
    out_ << "Writes of `bbposture fix --apply`:\n";
    auto list = nlohmann::json::array();
    for (const auto& w : bitbucket::writes()) {
      const auto [status, missing] = write_status(w);
      out_ << "  " << w.noun << ": " << status << '\n';
      list.push_back({{"write", w.noun},
                      {"oauth_scopes", w.oauth_scopes},
                      {"api_token_scopes", w.api_token_scopes},
                      {"status", status},
                      {"missing", missing}});
    }
    doc_["writes"] = list;
  }

  // One page of `read` for `target`, recorded as a probe named by the read's label.
  std::optional<nlohmann::json> probe(const Read& read, const Target& target) {
    Probe p{bitbucket::label_for(read, target),
            bitbucket::url_for(read, target),
            {},
            {},
            slugs_needing(read)};
    if (!datacenter_) {
      return probe(std::move(p));
    }
    needs_ = read.permission;
    const bool paged = read.shape == bitbucket::Shape::start_pages;
    auto page = paged ? probe(std::move(p), "limit", "1") : probe(std::move(p), "", "");
    needs_ = {};
    return page;
  }

  // One page of `endpoint` (with `size_name`=`size`, none when empty), recorded as a probe; the
  // page when it could be read. A refused credential ends the probing: later probes make no
  // request. On Data Center a refusal names the permission the read needs.
  std::optional<nlohmann::json> probe(Probe p, const char* size_name = "pagelen",
                                      const char* size = "1") {
    if (rejected_) {
      return std::nullopt;
    }
    auto answer =
        api_.get_json(*size_name ? bitbucket::with_query(p.endpoint, size_name, size) : p.endpoint);
    if (!answer && bitbucket::ends_the_scan(answer.error())) {
      rejected_ = answer.error();
      return std::nullopt;
    }
    p.status = answer ? Probe::Status::ok : Probe::Status::failed;
    p.detail = answer ? "" : answer.error().message;
    if (!answer && answer.error().reason == core::UnknownReason::forbidden && !needs_.empty()) {
      p.detail += " (needs " + std::string(needs_) + ")";
    }
    last_reason_ = answer ? std::nullopt : std::optional(answer.error().reason);
    probes_.push_back(std::move(p));
    return answer ? std::optional(std::move(*answer)) : std::nullopt;
  }

  static const nlohmann::json* values_of(const std::optional<nlohmann::json>& page) {
    if (page && page->is_object() && page->contains("values") && (*page)["values"].is_array()) {
      return &(*page)["values"];
    }
    return nullptr;
  }

  // The workspace given with -w, else the first one the credential can list.
  std::optional<std::string> probe_workspace(const std::vector<std::string>& given) {
    if (!given.empty()) {
      return given.front();
    }
    const auto& listing = bitbucket::read_of(core::GapSubject::workspaces, Owner::user);
    if (credentials_.kind == bitbucket::CredentialKind::access_token) {
      // Repository, project and workspace access tokens cannot list workspaces.
      probes_.push_back({bitbucket::label_for(listing, {}),
                         "",
                         Probe::Status::skipped,
                         "an access token cannot list workspaces: pass -w WORKSPACE",
                         {}});
      usage_problem_ = true;
      return std::nullopt;
    }
    const auto page = probe(listing, {});
    const auto* values = values_of(page);
    if (values == nullptr || values->empty()) {
      return std::nullopt;
    }
    return bitbucket::parse_workspace_slug((*values)[0]);
  }

  // A repository the scan would read: one with a default branch, so that its branch
  // restrictions are read, not skipped as an empty repository's would be. The listing is
  // probed without its fields=, fifty whole entries to choose from.
  void probe_repository(const std::string& workspace) {
    const auto& listing = bitbucket::read_of(core::GapSubject::repositories, Owner::workspace);
    const auto target = Target::of_workspace(workspace);
    const auto page = probe({bitbucket::label_for(listing, target),
                             bitbucket::path_for(listing, target),
                             {},
                             {},
                             slugs_needing(listing)},
                            "pagelen", "50");
    if (!page && last_reason_ == core::UnknownReason::not_found) {
      probes_.back().detail =
          "workspace '" + workspace + "' was not found, or this credential cannot see it (404)";
      probes_.back().affects.clear();  // a wrong -w, not a missing permission
      usage_problem_ = true;
      return;
    }
    std::optional<core::Repository> repo;
    if (const auto* values = values_of(page)) {
      for (const auto& v : *values) {
        auto parsed = bitbucket::parse_repository(v, workspace);
        if (parsed && (!repo || (!repo->mainbranch && parsed->mainbranch))) {
          repo = std::move(parsed);
        }
      }
    }
    if (!repo) {
      if (page) {
        probes_.push_back({"repository endpoints",
                           "",
                           Probe::Status::skipped,
                           "no repository visible in " + workspace + " to probe",
                           {}});
      }
      return;
    }
    probe_repository_endpoints(*repo);
  }

  // The reads of the repository and of its project, in table order.
  void probe_repository_endpoints(const core::Repository& repo) {
    for (const auto& read : bitbucket::reads()) {
      if (!probed(read)) {
        continue;
      }
      switch (read.owner) {
        case Owner::repository:
          probe_repository_read(read, repo);
          break;
        case Owner::project:
          if (repo.project_key) {
            probe(read, Target::of_project(repo.workspace, *repo.project_key));
          }
          break;
        case Owner::user:
        case Owner::workspace:
        case Owner::environment:
          break;  // the caller's and the workspace's are probed on their own; environments not
      }
    }
  }

  void probe_repository_read(const Read& read, const core::Repository& repo) {
    if (read.when == bitbucket::When::default_branch && !repo.mainbranch) {
      probes_.push_back({std::string(read.noun),
                         "",
                         Probe::Status::skipped,
                         "every repository probed is empty (no default branch)",
                         {}});
      return;
    }
    probe(read, Target::of(repo));
  }

  // The caller's SSH keys: not for access tokens and app users; unknown when /user failed.
  void probe_ssh_keys() {
    const auto& read = bitbucket::read_of(core::GapSubject::ssh_keys, Owner::user);
    const auto what = bitbucket::label_for(read, {});
    if (credentials_.kind == bitbucket::CredentialKind::access_token || app_user_) {
      probes_.push_back({what,
                         "",
                         Probe::Status::not_applicable,
                         "access tokens and app users have no SSH keys",
                         {}});
    } else if (user_failure_) {
      probes_.push_back({what, "", Probe::Status::failed,
                         "not probed: GET /user failed (" + *user_failure_ + ")",
                         slugs_needing(read)});
    } else if (!user_uuid_) {
      probes_.push_back({what, "", Probe::Status::failed,
                         "not probed: the /user answer has no uuid", slugs_needing(read)});
    } else {
      probe(read, Target::caller(*user_uuid_));
    }
  }

  int verdict() {
    out_ << "\nProbes:\n";
    std::set<std::string> blocked;
    doc_["probes"] = nlohmann::json::array();
    for (const auto& p : probes_) {
      doc_["probes"].push_back({{"what", p.what},
                                {"endpoint", p.endpoint},
                                {"status", text::trim(status_text(p.status))},
                                {"detail", p.detail},
                                {"affects", p.affects}});
      if (p.status == Probe::Status::failed) {
        blocked.insert(p.affects.begin(), p.affects.end());
      }
      out_ << "  " << status_text(p.status) << p.what << (p.detail.empty() ? "" : ": " + p.detail)
           << '\n';
    }
    const bool any_failed = std::any_of(probes_.begin(), probes_.end(), [](const Probe& p) {
      return p.status == Probe::Status::failed;
    });
    doc_["blocked_rules"] = blocked;
    if (usage_problem_) {
      out_ << "\nThe repository endpoints were not probed: "
           << (datacenter_ ? "pass --api-url with a Data Center server's base URL, and -w with "
                             "a project this credential can read.\n"
                           : "pass -w with a workspace this credential can see.\n");
      return kExitUsage;
    }
    if (blocked.empty()) {
      out_ << "\nEvery rule can be evaluated with this credential.\n";
    } else {
      out_ << "\nThese rules cannot be evaluated with this credential (they will be "
              "reported as unknown):\n  "
           << text::join(std::vector<std::string>(blocked.begin(), blocked.end())) << '\n';
      if (!missing_scopes_.empty()) {
        out_ << "Grant the missing scopes to the OAuth consumer: "
             << text::join(missing_scopes_, " ") << '\n';
      }
    }
    return any_failed ? kExitIncomplete : kExitClean;
  }

  bitbucket::ApiClient& api_;
  const bitbucket::TokenSource& tokens_;
  const bitbucket::Credentials& credentials_;
  const std::vector<const core::Rule*> rules_;  // the rules whose needs are checked
  std::optional<std::string> user_uuid_;
  std::optional<std::string> user_failure_;  // why /user could not be read
  bool app_user_ = false;
  std::vector<std::string> missing_scopes_;
  std::vector<Probe> probes_;
  bool json_;
  std::ostringstream discarded_;  // the text, when the output is JSON
  std::ostream& out_;
  nlohmann::json doc_ = nlohmann::json::object();
  std::optional<bitbucket::ApiError> rejected_;
  std::optional<core::UnknownReason> last_reason_;  // of the last probe, when it failed
  bool usage_problem_ = false;  // a -w that does not exist, or none where one is needed
  bool datacenter_ = false;     // --platform datacenter: Data Center's reads and permissions
  std::string_view needs_;      // the permission of the read being probed (Data Center)
};

}  // namespace

void setup_auth_check(CLI::App& app, AuthCheckOptions& o) {
  add_options(app, Command::auth_check, o);
}

int run_auth_check(const AuthCheckOptions& given, const std::atomic<bool>& cancel) {
  // The config file's keys that auth check takes (the option table's), under the command line's.
  const auto config = configured(given, Command::auth_check);
  if (!config) {
    std::cerr << "bbposture: " << config.error() << '\n';
    return kExitUsage;
  }
  const ConnectionConfig* connection = &config->connection;
  for (const auto& warning : connection->warnings) {
    spdlog::warn("{}", warning);
  }
  auto credentials = credentials_for(connection->platform);
  if (!credentials) {
    std::cerr << "bbposture: " << credentials.error() << '\n';
    return kExitUsage;
  }
  TransportStack stack(*connection, cancel);
  const auto tokens = bitbucket::make_token_source(*credentials, stack.token_transport(),
                                                   connection->token_url, stack.clock());
  bitbucket::ApiClient api(stack.transport(), *tokens, connection->api_url, &cancel,
                           &stack.limiter());
  const int code =
      AuthCheck(api, *tokens, *credentials, config->rules, config->format == report::Format::json)
          .run(*config);
  spdlog::info("{} requests", stack.requests());
  return code;
}

}  // namespace bbp::app
