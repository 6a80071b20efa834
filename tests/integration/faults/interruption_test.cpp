// SIGINT/SIGTERM: no new requests after the signal, in-flight ones abandoned within a bound, a
// report of what was evaluated marked `complete: false`, exit 3, and never a partial file.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>

#include "fake_bitbucket/server.hpp"
#include "fault_support.hpp"

namespace bbp::test {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

const std::string kInterrupted = "scan interrupted before this was read";
// From the signal to the exit: in-flight transfers notice the cancellation within ~50 ms; the
// rest is evaluating and writing the report (slower under the sanitizers).
constexpr Millis kExitBound{2500};

// acme with `count` unprotected private repositories r00, r01, ...
json many_repositories(int count) {
  json scenario = fault_scenario();
  json repos = json::array();
  for (int i = 0; i < count; ++i) {
    const std::string slug = (i < 10 ? "r0" : "r") + std::to_string(i);
    repos.push_back({{"slug", slug}, {"is_private", true}, {"updated_on", kFresh}});
  }
  scenario["workspaces"] = json::array({{{"slug", "acme"}, {"repositories", repos}}});
  return scenario;
}

class Interruption : public ::testing::Test {
 protected:
  void start(json scenario) { bb_.start(std::move(scenario)); }

  // A scan in `format` that does not fail on findings, started and left running.
  std::unique_ptr<CliProcess> spawn(const std::vector<std::string>& extra,
                                    const std::string& format = "json") const {
    std::vector<std::string> args{"-f", format, "--fail-on", "none", "--no-progress"};
    args.insert(args.end(), extra.begin(), extra.end());
    return bb_.spawn(bb_.scan_args(args));
  }

  // Polls until `done` or the time limit; false on time-out.
  static bool wait_until(const std::function<bool()>& done, Millis limit = Millis{30'000}) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!done()) {
      if (std::chrono::steady_clock::now() >= deadline) {
        return false;
      }
      std::this_thread::sleep_for(Millis{2});
    }
    return true;
  }

  std::size_t answered(const std::string& needle) const {
    std::size_t n = 0;
    for (const auto& r : bb_.fake().requests()) {
      n += r.path.find(needle) != std::string::npos ? 1U : 0U;
    }
    return n;
  }

  // Signals the scan once `ready` holds, then checks the exit code and the time to exit.
  static RunResult interrupt(CliProcess& process, const std::function<bool()>& ready, int sig,
                             Millis* signal_to_exit = nullptr) {
    EXPECT_TRUE(wait_until(ready)) << "the scan never reached the point to interrupt";
    const auto signalled = std::chrono::steady_clock::now();
    process.signal(sig);
    auto r = process.wait(Millis{60'000});
    const auto took =
        std::chrono::duration_cast<Millis>(std::chrono::steady_clock::now() - signalled);
    if (signal_to_exit != nullptr) {
      *signal_to_exit = took;
    }
    EXPECT_FALSE(r.timed_out);
    EXPECT_EQ(r.exit_code, 3) << r.err;
    EXPECT_LT(took, kExitBound);
    return r;
  }

  static json report_of(const std::string& text) {
    auto j = json::parse(text, nullptr, false);
    EXPECT_TRUE(j.is_object()) << text;
    return j.is_object() ? j : json::object();
  }

  FakeScanFixture bb_{BBP_BINARY, client_env()};
};

TEST_F(Interruption, SigintMidScanReportsWhatWasReadAndMarksTheRestInterrupted) {
  constexpr int kRepos = 16;
  start(many_repositories(kRepos));
  bb_.fake().add_fault({{"kind", "latency"},
                        {"path", "/2.0/repositories/acme/*/branch-restrictions"},
                        {"times", -1},
                        {"ms", 150}});
  const auto process = spawn({"--concurrency", "2", "-w", "acme"});
  std::size_t requests_at_signal = 0;
  const auto r = interrupt(
      *process,
      [&] {
        requests_at_signal = bb_.fake().request_count();
        return answered("/deploy-keys") >= 3;
      },
      SIGINT);
  // No new request after the signal: at most those in flight or starting while the signal was
  // on its way (one or two per worker), against 20-odd reads still queued.
  EXPECT_LE(bb_.fake().request_count(), requests_at_signal + 4);
  // One line says so; the reads left out are in the report, not one warning each.
  EXPECT_THAT(r.err, HasSubstr("bbposture: interrupted: no further requests"));
  EXPECT_THAT(r.err, ::testing::Not(HasSubstr(kInterrupted)));

  const auto report = report_of(r.out);
  EXPECT_EQ(report["scan"]["complete"], false);
  EXPECT_EQ(report["scan"]["repositories"], kRepos);
  // Each repository was either read (its eight branch findings are there) or not (its branch
  // rules are unknown, saying why); none is silently missing.
  const auto findings = findings_of(report);
  const auto unknown = unknown_of(report);
  std::size_t read = 0;
  std::size_t not_read = 0;
  for (int i = 0; i < kRepos; ++i) {
    const std::string repo = std::string("acme/") + (i < 10 ? "r0" : "r") + std::to_string(i);
    const bool has_findings = findings.contains("force-push-allowed " + repo);
    const bool is_unknown = unknown.contains("force-push-allowed " + repo);
    EXPECT_NE(has_findings, is_unknown) << repo;
    read += has_findings ? 1U : 0U;
    not_read += is_unknown ? 1U : 0U;
  }
  EXPECT_GE(read, 2U);
  EXPECT_GE(not_read, 1U);
  for (const auto& u : report["unknown"]) {
    EXPECT_EQ(u["detail"], kInterrupted) << u.dump();
    EXPECT_EQ(u["reason"], "api_error");
  }
  EXPECT_FALSE(report["errors"].empty());
  for (const auto& e : report["errors"]) {
    EXPECT_EQ(e["message"], kInterrupted);
    EXPECT_EQ(e["http_status"], nullptr);
  }
}

TEST_F(Interruption, SigtermWithOutputFileWritesTheWholeReportAndNothingElse) {
  start(many_repositories(12));
  bb_.fake().add_fault({{"kind", "latency"},
                        {"path", "/2.0/repositories/acme/*/branch-restrictions"},
                        {"times", -1},
                        {"ms", 150}});
  const std::string output = bb_.path("report.json");
  {
    std::ofstream previous(output);
    previous << "the report of an earlier run\n";
  }
  const auto process = spawn({"--concurrency", "2", "-w", "acme", "-o", output, "--save-snapshot",
                              bb_.path("snapshot.json")});
  const auto r = interrupt(
      *process, [&] { return answered("/branch-restrictions") >= 2; }, SIGTERM);
  EXPECT_THAT(r.out, IsEmpty());
  // Exactly the two files, both whole: no temporary file is left behind.
  EXPECT_THAT(bb_.dir().entries(), ElementsAre("report.json", "snapshot.json"));
  const auto report = report_of(read_file(output));
  EXPECT_EQ(report["scan"]["complete"], false);
  EXPECT_EQ(report["scan"]["repositories"], 12);
  const auto snapshot = json::parse(read_file(bb_.path("snapshot.json")), nullptr, false);
  EXPECT_TRUE(snapshot.is_object());
}

TEST_F(Interruption, InFlightRequestToAHangingServerIsAbandoned) {
  start(fault_scenario());
  bb_.fake().add_fault({{"kind", "latency"},
                        {"path", "/2.0/repositories/acme/web/branch-restrictions"},
                        {"times", -1},
                        {"ms", 60'000}});
  const auto process = spawn({"--timeout", "120"});
  Millis took{0};
  const auto r = interrupt(
      *process,
      [&] {
        return bb_.fake().request_count("/2.0/repositories/acme/web/branch-restrictions") > 0;
      },
      SIGINT, &took);
  const auto report = report_of(r.out);
  EXPECT_EQ(report["scan"]["complete"], false);
  // The abandoned read is reported as interrupted, not as a network error.
  bool web_interrupted = false;
  for (const auto& u : report["unknown"]) {
    if (u["repository"] == "acme/web") {
      web_interrupted = true;
      EXPECT_EQ(u["detail"], kInterrupted);
    }
  }
  EXPECT_TRUE(web_interrupted);
}

TEST_F(Interruption, SignalDuringARetryWaitEndsTheWait) {
  start(fault_scenario());
  bb_.fake().add_fault({{"kind", "status"},
                        {"path", "/2.0/repositories/acme/web/branch-restrictions"},
                        {"times", -1},
                        {"status", 503},
                        {"headers", {{"Retry-After", "50"}}}});
  const auto process = spawn({});
  const auto r = interrupt(
      *process, [&] { return answered("/repositories/acme/web/branch-restrictions") >= 1; },
      SIGTERM);
  EXPECT_EQ(bb_.fake().request_count("/2.0/repositories/acme/web/branch-restrictions"), 1U);
  const auto report = report_of(r.out);
  EXPECT_EQ(report["scan"]["complete"], false);
}

TEST_F(Interruption, SignalWhileTheTokenIsMintedIsAnInterruptionNotAnAuthFailure) {
  start(fault_scenario());
  bb_.fake().add_fault(
      {{"kind", "latency"}, {"path", "/site/oauth2/access_token"}, {"ms", 60'000}});
  const auto process = spawn({});
  const auto r = interrupt(
      *process, [&] { return bb_.fake().token_requests() > 0; }, SIGINT);
  EXPECT_THAT(r.err, ::testing::Not(HasSubstr("authentication failed")));
  const auto report = report_of(r.out);
  EXPECT_EQ(report["scan"]["complete"], false);
  EXPECT_EQ(bb_.fake().request_count(), 1U);  // the token request only
  for (const auto& e : report["errors"]) {
    EXPECT_EQ(e["message"], kInterrupted);
  }
}

TEST_F(Interruption, TableReportSaysTheScanWasInterrupted) {
  start(many_repositories(8));
  bb_.fake().add_fault({{"kind", "latency"},
                        {"path", "/2.0/repositories/acme/*/branch-restrictions"},
                        {"times", -1},
                        {"ms", 150}});
  const auto process = spawn({"--concurrency", "1", "-w", "acme"}, "table");
  const auto r = interrupt(
      *process, [&] { return answered("/branch-restrictions") >= 1; }, SIGINT);
  EXPECT_THAT(r.out, HasSubstr("interrupted"));
}

}  // namespace
}  // namespace bbp::test
