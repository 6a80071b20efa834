// The setting of every end-to-end test: the fake Bitbucket server on loopback serving a
// scenario, a scratch folder, and the real bbposture binary run against them with the
// credentials the scenario accepts. A test (or its GoogleTest fixture) owns one:
//
//   FakeScanFixture bb{BBP_BINARY, scan_scenario(), client_credentials("scan-client", "s3cret")};
//   const auto r = bb.scan({"-f", "json", "-o", bb.path("report.json")});
//   EXPECT_EQ(r.exit_code, 1) << r.err;
//   EXPECT_EQ(bb.fake().token_requests(), 1U);
//
// Header-only; a target that includes it links bbp_fake_bitbucket (tests/CMakeLists.txt:
// bbp_fake_scan_fixture), the unit tests do not.
#pragma once

#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "child_process.hpp"
#include "fake_bitbucket/server.hpp"

namespace bbp::test {

// The environment of a scan with OAuth client credentials and the clock frozen at `now`.
inline std::vector<std::string> client_credentials(
    const std::string& id, const std::string& secret,
    const std::string& now = "2026-11-28T00:00:00Z") {
  return {"BITBUCKET_CLIENT_ID=" + id, "BITBUCKET_CLIENT_SECRET=" + secret, "BBP_NOW=" + now};
}

// A scenario file (tests/data/scenarios/*.json, examples/demo-workspace.json) as JSON.
inline nlohmann::json scenario_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    throw std::invalid_argument("cannot read scenario " + path);
  }
  return nlohmann::json::parse(in);
}

class FakeScanFixture {
 public:
  using Env = std::vector<std::string>;
  // Called with the fake before it starts: TLS files, a request observer.
  using Prepare = std::function<void(fake::FakeBitbucket&)>;

  // `binary` is the bbposture executable (the target's BBP_BINARY or BBPOSTURE_BINARY); `env`
  // holds the NAME=VALUE entries every run gets unless it passes its own. No server runs
  // until start().
  explicit FakeScanFixture(std::string binary, Env env = {})
      : binary_(std::move(binary)), env_(std::move(env)) {}
  // Starts the fake with `scenario` at once.
  FakeScanFixture(std::string binary, nlohmann::json scenario, Env env = {})
      : FakeScanFixture(std::move(binary), std::move(env)) {
    start(std::move(scenario));
  }

  // A fake serving `scenario` on 127.0.0.1 and a free port, in place of any running one.
  void start(nlohmann::json scenario, const Prepare& prepare = {}) {
    if (fake_) {
      fake_->stop();
    }
    fake_ = std::make_unique<fake::FakeBitbucket>(std::move(scenario));
    if (prepare) {
      prepare(*fake_);
    }
    fake_->start();
  }

  // The running fake: its address, request counts and log, faults to add.
  fake::FakeBitbucket& fake() { return running(); }
  const fake::FakeBitbucket& fake() const { return running(); }

  // The scratch folder, removed with the fixture.
  const TempDir& dir() const { return dir_; }
  std::string path(const std::string& name) const { return dir_.file(name); }

  const std::string& binary() const { return binary_; }
  const Env& env() const { return env_; }

  // --api-url and --token-url of the fake.
  std::vector<std::string> connection() const {
    return {"--api-url", fake().api_url(), "--token-url", fake().token_url()};
  }

  // `scan`, the fake's connection, then `extra`.
  std::vector<std::string> scan_args(const std::vector<std::string>& extra = {}) const {
    std::vector<std::string> args{"scan"};
    const auto conn = connection();
    args.insert(args.end(), conn.begin(), conn.end());
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  }

  // The binary with `args` and the fixture's environment, or `env` instead of it; it is
  // killed after `limit` (the result then says timed_out).
  RunResult run(const std::vector<std::string>& args) const { return run(args, env_); }
  RunResult run(const std::vector<std::string>& args, const Env& env,
                Millis limit = Millis{120'000}) const {
    CliProcess process(binary_, args, env);
    return process.wait(limit);
  }

  // `bbposture scan` against the fake (scan_args) with the fixture's environment or `env`.
  RunResult scan(const std::vector<std::string>& extra = {}) const { return run(scan_args(extra)); }
  RunResult scan(const std::vector<std::string>& extra, const Env& env,
                 Millis limit = Millis{120'000}) const {
    return run(scan_args(extra), env, limit);
  }

  // The binary started but not waited for, to be signalled while it runs.
  std::unique_ptr<CliProcess> spawn(const std::vector<std::string>& args) const {
    return std::make_unique<CliProcess>(binary_, args, env_);
  }

 private:
  fake::FakeBitbucket& running() const {
    if (!fake_) {
      throw std::logic_error("FakeScanFixture: start() the fake first");
    }
    return *fake_;
  }

  std::string binary_;
  Env env_;
  TempDir dir_;
  std::unique_ptr<fake::FakeBitbucket> fake_;
};

}  // namespace bbp::test
