// history_bench DAYS FINDINGS CHANGE_PERCENT FILE.db: appends DAYS daily scans of FINDINGS
// findings to a new history, CHANGE_PERCENT of them replaced each day (as many fixed as
// opened), and prints one JSON line: the file's size and the slowest and mean append.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <string>

#include "bbp/core/catalogue.hpp"
#include "bbp/history/history.hpp"

namespace {

using namespace bbp;

// Finding number `n`: a public repository of its own, with a realistic evidence object.
core::Evaluation finding(std::size_t n, const core::Rule* rule) {
  core::Evaluation e;
  e.rule = rule;
  e.outcome = core::Outcome::fail;
  const auto slug = "service-" + std::to_string(n);
  e.workspace = "acme";
  e.repository = "acme/" + slug;
  e.project = "PLAT";
  e.resource = {core::ResourceType::repository, "{" + std::to_string(100000000 + n) + "-uuid}",
                "acme/" + slug, "https://bitbucket.org/acme/" + slug};
  char fingerprint[17];
  std::snprintf(fingerprint, sizeof fingerprint, "%016zx", n * 2654435761U);
  e.fingerprint = fingerprint;
  e.evidence = nlohmann::json{{"is_private", false}, {"project", "PLAT"}};
  return e;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 5) {
    std::cerr << "usage: history_bench DAYS FINDINGS CHANGE_PERCENT FILE.db\n";
    return 2;
  }
  const auto days = std::stoul(argv[1]);
  const auto count = std::stoul(argv[2]);
  const auto change = count * std::stoul(argv[3]) / 100;
  const std::string file = argv[4];
  std::filesystem::remove(file);
  const auto* rule = core::find_rule("public-repository");
  report::ScanReport r;
  r.tool_version = "bench";
  r.api_url = "https://api.bitbucket.org/2.0";
  r.workspaces = {"acme"};
  r.rules = core::rule_set("casb");
  r.selection = report::Selection{};
  r.selection->rule_set = "casb";
  auto history = history::History::open(file, history::History::Mode::write);
  if (!history) {
    std::cerr << history.error() << '\n';
    return 2;
  }
  const auto start = *core::parse_timestamp("2026-01-01T02:00:00Z");
  std::chrono::duration<double> total{0};
  std::chrono::duration<double> slowest{0};
  for (std::size_t day = 0; day < days; ++day) {
    r.findings.clear();
    for (std::size_t n = day * change; n < day * change + count; ++n) {
      r.findings.push_back(finding(n, rule));
    }
    r.started_at = start + std::chrono::days{day};
    r.finished_at = r.started_at;
    const auto before = std::chrono::steady_clock::now();
    if (auto added = history->append(r); !added) {
      std::cerr << added.error() << '\n';
      return 1;
    }
    const std::chrono::duration<double> took = std::chrono::steady_clock::now() - before;
    total += took;
    slowest = std::max(slowest, took);
  }
  history = tl::unexpected(std::string("closed"));  // the last connection checkpoints the WAL
  std::cout << "{\"days\": " << days << ", \"findings\": " << count
            << ", \"changed_per_day\": " << change
            << ", \"bytes\": " << std::filesystem::file_size(file)
            << ", \"append_mean_s\": " << total.count() / static_cast<double>(days)
            << ", \"append_max_s\": " << slowest.count() << "}\n";
  return 0;
}
