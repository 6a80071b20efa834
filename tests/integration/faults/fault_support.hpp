// Shared by the fault-matrix, interruption and security tests: a child-process runner that can
// signal the real bbposture binary and time it, a small scenario, and report helpers.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

extern char** environ;  // NOLINT(readability-redundant-declaration)

namespace bbp::test {

using nlohmann::json;
using Millis = std::chrono::milliseconds;

inline constexpr const char* kNow = "2026-11-28T00:00:00Z";
inline constexpr const char* kFresh = "2026-10-01T12:00:00.000000+00:00";
inline constexpr const char* kClientId = "fault-client";
inline constexpr const char* kClientSecret = "fault-secret-4f1c9a";  // must never be printed

inline std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// A fresh, empty directory under the system temporary directory, removed with the object.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "bbp_faults_XXXXXX").string();
    std::vector<char> name(pattern.begin(), pattern.end());
    name.push_back('\0');
    if (::mkdtemp(name.data()) == nullptr) {
      throw std::runtime_error("mkdtemp failed");
    }
    path_ = name.data();
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  TempDir(TempDir&&) = delete;
  TempDir& operator=(TempDir&&) = delete;

  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }
  std::vector<std::string> entries() const {
    std::vector<std::string> out;
    for (const auto& e : std::filesystem::directory_iterator(path_)) {
      out.push_back(e.path().filename().string());
    }
    std::sort(out.begin(), out.end());
    return out;
  }

 private:
  std::string path_;
};

struct RunResult {
  int exit_code = -1;  // -1 when killed by a signal or by the time limit
  bool timed_out = false;
  std::string out;
  std::string err;
  Millis elapsed{0};
};

// The real binary as a child process: its own stdout/stderr files, stdin /dev/null, and an
// environment without the caller's Bitbucket credentials. Can be signalled while it runs.
class CliProcess {
 public:
  CliProcess(const std::string& binary, const std::vector<std::string>& args,
             const std::vector<std::string>& env)
      : out_path_(dir_.file("stdout")), err_path_(dir_.file("stderr")) {
    std::vector<std::string> argv_text{binary};
    argv_text.insert(argv_text.end(), args.begin(), args.end());
    std::vector<std::string> env_text;
    for (char** e = environ; *e != nullptr; ++e) {
      const std::string entry(*e);
      if (entry.starts_with("BITBUCKET_") || entry.starts_with("NO_COLOR=") ||
          entry.starts_with("BBP_NOW=")) {
        continue;
      }
      env_text.push_back(entry);
    }
    env_text.insert(env_text.end(), env.begin(), env.end());
    std::vector<char*> argv;
    for (auto& a : argv_text) {
      argv.push_back(a.data());
    }
    argv.push_back(nullptr);
    std::vector<char*> envp;
    for (auto& e : env_text) {
      envp.push_back(e.data());
    }
    envp.push_back(nullptr);

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, out_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                     0600);
    posix_spawn_file_actions_addopen(&actions, 2, err_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                     0600);
    // Default signal dispositions and an empty mask, whatever the test runner set up.
    posix_spawnattr_t attributes;
    posix_spawnattr_init(&attributes);
    sigset_t defaults;
    sigemptyset(&defaults);
    sigaddset(&defaults, SIGINT);
    sigaddset(&defaults, SIGTERM);
    sigaddset(&defaults, SIGPIPE);
    sigset_t empty;
    sigemptyset(&empty);
    posix_spawnattr_setsigdefault(&attributes, &defaults);
    posix_spawnattr_setsigmask(&attributes, &empty);
    posix_spawnattr_setflags(&attributes,
                             static_cast<short>(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK));
    started_ = std::chrono::steady_clock::now();
    const int rc =
        ::posix_spawn(&pid_, binary.c_str(), &actions, &attributes, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attributes);
    if (rc != 0) {
      throw std::runtime_error(std::string("posix_spawn failed: ") + std::strerror(rc));
    }
  }
  ~CliProcess() {
    if (pid_ > 0 && !reaped_) {
      ::kill(pid_, SIGKILL);
      int status = 0;
      ::waitpid(pid_, &status, 0);
    }
  }
  CliProcess(const CliProcess&) = delete;
  CliProcess& operator=(const CliProcess&) = delete;
  CliProcess(CliProcess&&) = delete;
  CliProcess& operator=(CliProcess&&) = delete;

  void signal(int sig) const { ::kill(pid_, sig); }

  // Waits for the exit; after `limit` the process is killed and the result says timed_out.
  RunResult wait(Millis limit = Millis{120'000}) {
    RunResult r;
    const auto deadline = started_ + limit;
    int status = 0;
    for (;;) {
      const pid_t done = ::waitpid(pid_, &status, WNOHANG);
      if (done == pid_) {
        break;
      }
      if (std::chrono::steady_clock::now() >= deadline) {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, &status, 0);
        r.timed_out = true;
        break;
      }
      std::this_thread::sleep_for(Millis{5});
    }
    reaped_ = true;
    r.elapsed = std::chrono::duration_cast<Millis>(std::chrono::steady_clock::now() - started_);
    r.exit_code = !r.timed_out && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    r.out = slurp(out_path_);
    r.err = slurp(err_path_);
    return r;
  }

 private:
  TempDir dir_;
  std::string out_path_;
  std::string err_path_;
  pid_t pid_ = -1;
  bool reaped_ = false;
  std::chrono::steady_clock::time_point started_;
};

inline RunResult run_bbposture(const std::vector<std::string>& args,
                               const std::vector<std::string>& env,
                               Millis limit = Millis{120'000}) {
  CliProcess process(BBP_BINARY, args, env);
  return process.wait(limit);
}

inline std::vector<std::string> client_env() {
  return {std::string("BITBUCKET_CLIENT_ID=") + kClientId,
          std::string("BITBUCKET_CLIENT_SECRET=") + kClientSecret, std::string("BBP_NOW=") + kNow};
}

// ---- Scenario ------------------------------------------------------------------------------

inline json restriction(int id, const std::string& kind, const std::string& pattern = "main",
                        json value = nullptr) {
  return {{"id", id},
          {"kind", kind},
          {"pattern", pattern},
          {"branch_match_kind", "glob"},
          {"value", std::move(value)},
          {"users", json::array()},
          {"groups", json::array()}};
}

// Every branch rule passes on "main" with these.
inline json full_protection(int first_id) {
  return json::array({restriction(first_id, "require_approvals_to_merge", "main", 2),
                      restriction(first_id + 1, "push", "main"),
                      restriction(first_id + 2, "reset_pullrequest_approvals_on_change", "main"),
                      restriction(first_id + 3, "force", "main"),
                      restriction(first_id + 4, "require_passing_builds_to_merge", "main", 1),
                      restriction(first_id + 5, "delete", "main"),
                      restriction(first_id + 6, "enforce_merge_checks", "main")});
}

inline json deploy_key(int id, const std::string& label, const std::string& material,
                       const std::string& created_on) {
  return {{"id", id},      {"label", label},           {"key", material},
          {"comment", ""}, {"created_on", created_on}, {"last_used", nullptr}};
}

// acme (project PLAT): api (fully protected), web (unprotected: the eight branch findings),
// keys (protected; an old deploy key), docs (public, protected). Project PLAT has a fresh key.
// globex: infra (protected). The caller has one fresh SSH key.
inline json fault_scenario() {
  json acme = {
      {"slug", "acme"},
      {"projects",
       json::array({{{"key", "PLAT"},
                     {"name", "Platform"},
                     {"deploy_keys",
                      json::array({deploy_key(90, "plat-ci", "ssh-ed25519 AAAAPLAT", kFresh)})}}})},
      {"repositories",
       json::array(
           {{{"slug", "api"},
             {"project", "PLAT"},
             {"is_private", true},
             {"updated_on", kFresh},
             {"branch_restrictions", full_protection(10)}},
            {{"slug", "web"}, {"project", "PLAT"}, {"is_private", true}, {"updated_on", kFresh}},
            {{"slug", "keys"},
             {"project", "PLAT"},
             {"is_private", true},
             {"updated_on", kFresh},
             {"branch_restrictions", full_protection(20)},
             {"deploy_keys", json::array({deploy_key(31, "old-deploy", "ssh-rsa AAAAOLD",
                                                     "2025-01-01T00:00:00.000000+00:00")})}},
            {{"slug", "docs"},
             {"project", "PLAT"},
             {"is_private", false},
             {"updated_on", kFresh},
             {"branch_restrictions", full_protection(40)}}})}};
  json globex = {{"slug", "globex"},
                 {"repositories", json::array({{{"slug", "infra"},
                                                {"is_private", true},
                                                {"updated_on", kFresh},
                                                {"branch_restrictions", full_protection(60)}}})}};
  return {{"oauth_clients", json::array({{{"client_id", kClientId},
                                          {"client_secret", kClientSecret},
                                          {"scopes",
                                           {"account", "repository", "repository:admin", "project",
                                            "project:admin"}}}})},
          {"user", {{"type", "user"}, {"uuid", "{u-fault}"}, {"display_name", "Fay"}}},
          {"ssh_keys", json::array({{{"uuid", "{ssh-1}"},
                                     {"label", "laptop"},
                                     {"key", "ssh-ed25519 AAAALAPTOP"},
                                     {"created_on", kFresh},
                                     {"last_used", nullptr}}})},
          {"workspaces", json::array({acme, globex})}};
}

// ---- Reports -------------------------------------------------------------------------------

// "rule resource-name" for each finding.
inline std::set<std::string> findings_of(const json& report) {
  std::set<std::string> out;
  for (const auto& f : report.at("findings")) {
    out.insert(f.at("rule").get<std::string>() + " " +
               f.at("resource").at("name").get<std::string>());
  }
  return out;
}

// "rule resource-name" → reason, for each unknown.
inline std::map<std::string, std::string> unknown_of(const json& report) {
  std::map<std::string, std::string> out;
  for (const auto& u : report.at("unknown")) {
    out[u.at("rule").get<std::string>() + " " + u.at("resource").at("name").get<std::string>()] =
        u.at("reason").get<std::string>();
  }
  return out;
}

inline const std::vector<std::string>& branch_rules() {
  static const std::vector<std::string> kRules = {
      "pr-review-not-required",  "direct-push-allowed",          "stale-approvals-kept",
      "force-push-allowed",      "no-default-branch-protection", "passing-builds-not-required",
      "branch-deletion-allowed", "merge-checks-not-enforced"};
  return kRules;
}

// The unknowns expected when the branch restrictions of `repo` could not be read.
inline std::map<std::string, std::string> branch_unknowns(const std::string& repo,
                                                          const std::string& reason) {
  std::map<std::string, std::string> out;
  for (const auto& rule : branch_rules()) {
    out[rule + " " + repo] = reason;
  }
  return out;
}

}  // namespace bbp::test
