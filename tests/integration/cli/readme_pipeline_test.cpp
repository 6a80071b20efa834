// The README's Bitbucket Pipelines example, run as far as a machine without Bitbucket can: the
// YAML is read from README.md and parsed, its shape checked (a custom pipeline for the
// schedule, the reports as artifacts, a second step that carries the exit code), and the first
// step's scan commands run in bash against the fake server, with the variables Pipelines would
// set (BITBUCKET_WORKSPACE, and the secured BITBUCKET_ACCESS_TOKEN). Only the lines that build
// and install bbposture are not run here (scripts/package-test builds and installs the package).
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>
#include <nlohmann/json.hpp>

#include "cli_runner.hpp"  // run_cli for bash
#include "fake_scan_fixture.hpp"
#include "scan_scenario.hpp"

namespace bbp::test {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// The fenced block of README.md that starts with "# bitbucket-pipelines.yml".
std::string pipeline_yaml() {
  const auto readme = read_file(std::string(BBP_SOURCE_DIR) + "/README.md");
  const auto start = readme.find("```yaml\n# bitbucket-pipelines.yml\n");
  if (start == std::string::npos) {
    return {};
  }
  const auto body = start + std::string("```yaml\n").size();
  return readme.substr(body, readme.find("\n```", body) - body);
}

bool builds_bbposture(const std::string& line) {
  return line.rfind("scripts/bootstrap", 0) == 0 || line.rfind("cmake ", 0) == 0 ||
         line.rfind("(cd build/release && cpack", 0) == 0;
}

class ReadmePipeline : public ::testing::Test {
 protected:
  // The scan scenario without its faults: a workspace whose every read succeeds.
  static json scenario() {
    auto scenario = scan_scenario();
    scenario.erase("faults");
    return scenario;
  }

  void SetUp() override {
    fs::create_directories(dir_ / "baseline");
    // The one thing Pipelines would not need: where "Bitbucket" is.
    std::ofstream(dir_ / "bbposture.yaml") << "api_url: " << bb_.fake().api_url() << "\n";
    const auto yaml = pipeline_yaml();
    ASSERT_FALSE(yaml.empty()) << "README.md has no bitbucket-pipelines.yml block";
    pipeline_ = YAML::Load(yaml);
  }

  YAML::Node steps() const { return pipeline_["pipelines"]["custom"]["bbposture-nightly"]; }

  // The script of step `index` without the lines that build and install bbposture, run in one
  // bash session in the clone directory, as Pipelines runs a step's script.
  CliResult run_step(std::size_t index) const {
    std::string script = "set -e\ncd " + shell_quote(dir_.string()) + "\n";
    for (const auto& line : steps()[index]["step"]["script"]) {
      const auto command = line.as<std::string>();
      if (!builds_bbposture(command)) {
        script += command + "\n";
      }
    }
    const auto bin = fs::path(BBP_BINARY).parent_path().string();
    return run_cli(
        "/bin/bash", {"-c", script},
        {"PATH=" + bin + ":/usr/bin:/bin", "BITBUCKET_WORKSPACE=acme",
         "BITBUCKET_ACCESS_TOKEN=access-token-value", std::string("BBP_NOW=") + kScenarioNow});
  }

  // A JSON report of the workspace as it is, the way README.md says to make the baseline.
  json current_report() const {
    const auto path = (dir_ / "current.json").string();
    const auto scan = bb_.run(
        {"scan", "--config", (dir_ / "bbposture.yaml").string(), "-w", "acme", "--no-progress",
         "-f", "json", "-o", path, "--fail-on", "none"},
        {"BITBUCKET_ACCESS_TOKEN=access-token-value", std::string("BBP_NOW=") + kScenarioNow});
    EXPECT_EQ(scan.exit_code, 0) << scan.err;
    return json::parse(read_file(path));
  }

  void write_baseline(const json& report) const {
    std::ofstream(dir_ / "baseline" / "report.json") << report.dump(2) << "\n";
  }

  FakeScanFixture bb_{BBP_BINARY, scenario()};
  fs::path dir_ = bb_.dir().path();  // the clone directory
  YAML::Node pipeline_;
};

TEST_F(ReadmePipeline, HasTheShapeTheReadmeDescribes) {
  ASSERT_TRUE(steps().IsSequence());
  ASSERT_EQ(steps().size(), 2U);
  const auto scan = steps()[0]["step"];
  std::vector<std::string> artifacts;
  for (const auto& a : scan["artifacts"]) {
    artifacts.push_back(a.as<std::string>());
  }
  EXPECT_EQ(artifacts, (std::vector<std::string>{"report.json", "report.html", "snapshot.json",
                                                 "scan-status"}));
  std::size_t build_lines = 0;
  for (const auto& line : scan["script"]) {
    build_lines += builds_bbposture(line.as<std::string>()) ? 1U : 0U;
  }
  EXPECT_EQ(build_lines, 3U) << "bootstrap, build, package and install";
  EXPECT_FALSE(steps()[1]["step"]["clone"]["enabled"].as<bool>());
}

// The baseline holds every finding: both steps pass, and the artifacts are there.
TEST_F(ReadmePipeline, AcceptedFindingsPass) {
  const auto report = current_report();
  ASSERT_FALSE(report.at("findings").empty());
  write_baseline(report);
  const auto scan = run_step(0);
  ASSERT_EQ(scan.exit_code, 0) << scan.err;
  for (const char* artifact : {"report.json", "report.html", "snapshot.json", "scan-status"}) {
    EXPECT_TRUE(fs::exists(dir_ / artifact)) << artifact;
  }
  EXPECT_EQ(read_file((dir_ / "scan-status").string()), "0\n");
  const auto html = read_file((dir_ / "report.html").string());
  EXPECT_NE(html.find("<h2>Findings (" + std::to_string(report.at("findings").size()) + ")"),
            std::string::npos);
  EXPECT_NE(html.find("<dd id=\"credential\">access token</dd>"), std::string::npos)
      << "the credential kind is shown";
  EXPECT_EQ(run_step(1).exit_code, 0);
  const auto requests = bb_.fake().requests();
  for (const auto& r : requests) {
    EXPECT_EQ(r.auth_scheme, "Bearer") << r.path;
  }
}

// A High finding that is not in the baseline: the scan step still passes (its artifacts are
// kept) and the second step fails with the scan's exit code, 1.
TEST_F(ReadmePipeline, ANewHighFindingFailsTheSecondStep) {
  auto report = current_report();
  auto& findings = report.at("findings");
  const auto before = findings.size();
  findings.erase(std::remove_if(findings.begin(), findings.end(),
                                [](const json& f) { return f.at("severity") == "High"; }),
                 findings.end());
  ASSERT_LT(findings.size(), before) << "the scenario has a High finding";
  write_baseline(report);
  const auto scan = run_step(0);
  ASSERT_EQ(scan.exit_code, 0) << scan.err;
  EXPECT_EQ(read_file((dir_ / "scan-status").string()), "1\n");
  EXPECT_TRUE(fs::exists(dir_ / "report.html"));
  EXPECT_EQ(run_step(1).exit_code, 1);
}

}  // namespace
}  // namespace bbp::test
