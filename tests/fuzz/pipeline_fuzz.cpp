// Fuzzes the whole pipeline: a repository page (read through ApiClient::for_each_page from an
// in-process fake transport) → parsers → snapshot → rule engine → report in every format; and
// the same for a saved snapshot (snapshot_from_json), when the input is one.
//
// Besides the fields Bitbucket sends, a repository value may carry what the collector would
// have read for it, so the fuzzer reaches every rule:
//   "branch_restrictions": a page or list of restrictions (absent: unreadable, a gap),
//   "branching_model": the effective branching model, "deploy_keys": a page or list of keys;
// and the page may carry "ssh_keys" (the caller's SSH keys).
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "bbp/bitbucket/api_client.hpp"
#include "bbp/bitbucket/collector.hpp"
#include "bbp/bitbucket/parse.hpp"
#include "bbp/core/default_branch.hpp"
#include "bbp/core/engine.hpp"
#include "bbp/core/snapshot_json.hpp"
#include "bbp/report/json_reporter.hpp"
#include "bbp/report/report.hpp"
#include "bbp/report/reporter.hpp"
#include "bbp/report/sarif_reporter.hpp"
#include "fuzz_support.hpp"
#include "http_fakes.hpp"

namespace {

using namespace bbp;

constexpr const char* kApiBase = "https://api.bitbucket.org/2.0";

core::TimePoint fixed_now() {
  return core::TimePoint{std::chrono::sys_days{std::chrono::year{2026} / 6 / 1}};
}

// The values of a page ({"values": [...]}) or a plain list.
const nlohmann::json* values_of(const nlohmann::json& value, const char* key) {
  if (!value.is_object()) {
    return nullptr;
  }
  const auto it = value.find(key);
  if (it == value.end()) {
    return nullptr;
  }
  if (it->is_array()) {
    return &*it;
  }
  if (it->is_object()) {
    const auto values = it->find("values");
    if (values != it->end() && values->is_array()) {
      return &*values;
    }
  }
  return nullptr;
}

void add_repository(const nlohmann::json& value, core::Snapshot& snapshot) {
  auto& ws = snapshot.workspaces.front();
  auto repo = bitbucket::parse_repository(value, ws.slug);
  if (!repo) {
    return;
  }
  if (repo->mainbranch) {
    if (const auto* restrictions = values_of(value, "branch_restrictions")) {
      std::vector<core::BranchRestriction> parsed;
      for (const auto& r : *restrictions) {
        if (auto restriction = bitbucket::parse_restriction(r)) {
          parsed.push_back(std::move(*restriction));
        }
      }
      if (core::needs_branching_model(parsed)) {
        const auto model = value.find("branching_model");
        if (model != value.end()) {
          repo->branching_model = bitbucket::parse_branching_model(*model);
        }
        if (!repo->branching_model) {
          snapshot.gaps.push_back({core::GapSubject::branching_model, ws.slug, repo->full_name,
                                   std::nullopt, "/2.0/effective-branching-model", 200,
                                   core::UnknownReason::invalid_response, "no development branch"});
        }
      }
      repo->branch_restrictions = std::move(parsed);
    } else {
      snapshot.gaps.push_back({core::GapSubject::branch_restrictions, ws.slug, repo->full_name,
                               std::nullopt, "/2.0/branch-restrictions", 403,
                               core::UnknownReason::missing_scope, "repository:admin"});
    }
  }
  if (const auto* keys = values_of(value, "deploy_keys")) {
    for (const auto& k : *keys) {
      if (auto key = bitbucket::parse_key(k, core::KeyKind::deploy_key)) {
        key->workspace = ws.slug;
        key->repository = repo->full_name;
        key->project = repo->project_key;
        key->url = repo->html_url + "/admin/access-keys/";
        ws.keys.push_back(std::move(*key));
      }
    }
  }
  ws.repositories.push_back(std::move(*repo));
}

void check_report_output(report::Format format, const std::string& text) {
  switch (format) {
    case report::Format::json:
    case report::Format::sarif:
      BBP_FUZZ_REQUIRE(!nlohmann::json::parse(text, nullptr, false).is_discarded());
      break;
    case report::Format::jsonl: {
      std::istringstream lines(text);
      for (std::string line; std::getline(lines, line);) {
        BBP_FUZZ_REQUIRE(!nlohmann::json::parse(line, nullptr, false).is_discarded());
      }
      break;
    }
    case report::Format::table:
    case report::Format::csv:
    case report::Format::html:
    case report::Format::junit:
      BBP_FUZZ_REQUIRE(!text.empty());
      break;
  }
}

void evaluate_and_report(const core::Snapshot& snapshot) {
  // A snapshot that was written must read back, and read back the same.
  const auto saved = core::snapshot_to_json(snapshot);
  core::Snapshot reread;
  try {
    reread = core::snapshot_from_json(nlohmann::json::parse(saved.dump()));
  } catch (const std::invalid_argument& e) {
    std::fprintf(stderr, "a saved snapshot does not read back: %s\n", e.what());
    BBP_FUZZ_REQUIRE(false);
  }
  BBP_FUZZ_REQUIRE(core::snapshot_to_json(reread) == saved);

  const core::Settings settings;
  auto evaluations = core::evaluate(snapshot, settings, fixed_now());
  for (const auto& evaluation : evaluations) {
    BBP_FUZZ_REQUIRE(evaluation.rule != nullptr);
    BBP_FUZZ_REQUIRE(!evaluation.fingerprint.empty());
    BBP_FUZZ_REQUIRE(evaluation.reason.has_value() ==
                     (evaluation.outcome == core::Outcome::unknown));
  }
  report::ReportInputs inputs;
  inputs.tool_version = "fuzz";
  inputs.started_at = fixed_now();
  inputs.finished_at = fixed_now();
  inputs.settings = settings;
  const auto scan = report::build_report(snapshot, std::move(evaluations), inputs);
  for (const auto format :
       {report::Format::table, report::Format::json, report::Format::jsonl, report::Format::sarif,
        report::Format::csv, report::Format::html, report::Format::junit}) {
    std::ostringstream out;
    report::make_reporter(format, {false, 80})->write(scan, out);
    check_report_output(format, out.str());
    // The streamed documents are byte for byte the whole document pretty-printed.
    constexpr auto kReplace = nlohmann::json::error_handler_t::replace;
    if (format == report::Format::json) {
      BBP_FUZZ_REQUIRE(out.str() == report::to_json(scan).dump(2, ' ', false, kReplace) + "\n");
    } else if (format == report::Format::sarif) {
      BBP_FUZZ_REQUIRE(out.str() == report::to_sarif(scan).dump(2, ' ', false, kReplace) + "\n");
    }
  }
  std::ostringstream saved_text;
  core::write_snapshot(saved_text, snapshot);
  BBP_FUZZ_REQUIRE(saved_text.str() ==
                   saved.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::quiet();
  const std::string body(fuzz::as_text(data, size));
  const auto json = fuzz::parse_json(body);
  if (json.is_discarded()) {
    return 0;
  }

  // A saved snapshot: invalid ones are refused with std::invalid_argument, by design. Reading
  // the text as --from-snapshot does (repositories converted while parsing) must give the same
  // snapshot, or the same error, as parsing the whole document.
  if (json.is_object() && json.contains("snapshot_version")) {
    std::string whole;
    try {
      whole = core::snapshot_to_json(core::snapshot_from_json(json)).dump();
    } catch (const std::invalid_argument& e) {
      whole = std::string("error: ") + e.what();
    }
    std::string streamed;
    std::istringstream in(body);
    try {
      streamed = core::snapshot_to_json(core::read_snapshot(in)).dump();
    } catch (const std::invalid_argument& e) {
      streamed = std::string("error: ") + e.what();
    }
    BBP_FUZZ_REQUIRE(streamed == whole);
    try {
      evaluate_and_report(core::snapshot_from_json(json));
    } catch (const std::invalid_argument&) {
    }
    return 0;
  }

  // A repository page.
  fakes::FakeTransport transport;
  transport.push_response(200, body, {{"Content-Type", "application/json"}});
  bitbucket::StaticTokenSource tokens{bitbucket::Secret("Bearer fuzz-token")};
  bitbucket::ApiClient api{transport, tokens, kApiBase};
  core::Snapshot snapshot;
  snapshot.api_url = kApiBase;
  snapshot.collected_at = fixed_now();
  core::WorkspaceSnapshot acme;
  acme.slug = "acme";
  acme.deploy_keys_collected = acme.project_keys_collected = true;
  snapshot.workspaces.push_back(acme);
  const auto listed = api.for_each_page("/repositories/acme", [&](const nlohmann::json& values) {
    for (const auto& value : values) {
      add_repository(value, snapshot);
    }
    return true;
  });
  if (!listed) {
    // Only the first page is scripted: a `next` link ends the listing with a transport error.
    snapshot.workspaces.front().listed = false;
    snapshot.gaps.push_back(
        bitbucket::gap_from_error(listed.error(), core::GapSubject::repositories, "acme"));
  }
  if (const auto* keys = values_of(json, "ssh_keys")) {
    snapshot.ssh_keys_status = core::SshKeysStatus::read;
    for (const auto& k : *keys) {
      if (auto key = bitbucket::parse_key(k, core::KeyKind::ssh_key)) {
        key->url = "https://bitbucket.org/account/settings/ssh-keys/";
        snapshot.ssh_keys.push_back(std::move(*key));
      }
    }
  }
  evaluate_and_report(snapshot);
  return 0;
}
