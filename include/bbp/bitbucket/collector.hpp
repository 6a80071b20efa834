// The collector: reads everything the rules need from Bitbucket Cloud into a Snapshot.
// Every read that fails becomes a recorded gap; one repository's failure never stops the scan.
// What each read is (its endpoint, owner, parser, cost) is a row of the reads table
// (bbp/bitbucket/reads.hpp); the collector keeps the walk, the threads, the checkpoint and the
// merge.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "bbp/bitbucket/api_client.hpp"
#include "bbp/bitbucket/checkpoint.hpp"
#include "bbp/bitbucket/credentials.hpp"
#include "bbp/bitbucket/reads.hpp"
#include "bbp/core/models.hpp"
#include "bbp/core/scope.hpp"

namespace bbp::bitbucket {

struct CollectOptions {
  // Which workspaces and repositories to read, and (from the selected rules) what to read of
  // them. Empty workspaces: every workspace from /user/workspaces.
  core::Scope scope;
  CredentialKind credential = CredentialKind::client_credentials;
  int concurrency = 8;
  // Only identify the caller and list workspaces and repositories (bbposture scan --plan).
  bool plan_only = false;
  // Reads found here are not made again; every read that succeeds is written to it.
  Checkpoint* checkpoint = nullptr;
  // --max-requests-per-hour (0: not paced): with it, the time the rest of the scan takes is said
  // once the listing shows how many requests are left, when that is more than a few minutes.
  std::uint32_t requests_per_hour = 0;
};

// Live counters for a progress line (read from another thread).
struct CollectProgress {
  std::atomic<std::size_t> workspaces_total{0};
  std::atomic<std::size_t> workspaces_done{0};
  std::atomic<std::size_t> repositories_total{0};
  std::atomic<std::size_t> repositories_done{0};
  // Requests the listing has shown to be needed so far (one per read still to make: more when
  // a list spans pages or restrictions refer to the branching model), and whether every
  // workspace has been listed (the count is then complete).
  std::atomic<std::size_t> requests_planned{0};
  std::atomic<std::size_t> reads_done{0};  // of those
  std::atomic<bool> listed{false};
  std::atomic<std::size_t> resumed_reads{0};  // reads taken from the checkpoint
};

struct CollectResult {
  core::Snapshot snapshot;
  std::optional<AuthFailure> auth_failure;  // the credential was rejected: nothing to trust
  bool interrupted = false;                 // cancelled before every read was made
  // Workspaces named in the scope that Bitbucket answered 404 for, and, when any, the
  // workspaces the credential can see (nullopt when they could not be listed).
  std::vector<std::string> missing_workspaces;
  std::optional<std::vector<std::string>> visible_workspaces;
  // Repository filters that matched no listed repository ("--repo 'api-*'").
  std::vector<std::string> unmatched_filters;
  // The server is not the platform the scan was told (--platform): what its first answer
  // showed, and how to fix the command (exit 2; nothing else was read).
  std::optional<std::string> wrong_platform;
};

// What a paced scan says once the listing is done: "about 1,200 requests to make at
// --max-requests-per-hour 300: the scan takes about 4 h 0 min more", or nullopt when the scan is
// not paced or takes five minutes or less.
std::optional<std::string> paced_duration(std::size_t requests, std::uint32_t per_hour);

class Collector {
 public:
  Collector(ApiClient& api, CollectOptions options, CollectProgress* progress = nullptr,
            const std::atomic<bool>* cancel = nullptr);

  CollectResult run();

 private:
  class Run;

  ApiClient& api_;
  CollectOptions options_;
  CollectProgress* progress_;
  const std::atomic<bool>* cancel_;
};

}  // namespace bbp::bitbucket
