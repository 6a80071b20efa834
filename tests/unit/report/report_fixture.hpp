// A scan report built from the core builders, shared by the reporter unit tests.
#pragma once

#include <sstream>
#include <string>

#include "bbp/core/declared.hpp"
#include "bbp/core/engine.hpp"
#include "bbp/report/report.hpp"
#include "bbp/report/reporter.hpp"
#include "builders.hpp"

namespace bbp::report::testing {

// acme/web is public and unprotected (every repository and branch rule fails), acme/api has a
// deploy key whose label needs CSV quoting, the project PLAT has an old key, and acme/legacy's
// branch restrictions could not be read (a missing scope).
inline core::Snapshot sample_snapshot() {
  using test::KeyBuilder;
  using test::RepositoryBuilder;
  auto snapshot = test::snapshot_of(
      {RepositoryBuilder("web").is_private(false).updated_days_ago(400),
       RepositoryBuilder("api")
           .restrict(test::restriction("push"))
           .restrict(test::restriction("require_approvals_to_merge").value(1))
           .restrict(test::restriction("force"))
           .restrict(test::restriction("delete"))
           .restrict(test::restriction("reset_pullrequest_approvals_on_change"))
           .restrict(test::restriction("require_passing_builds_to_merge").value(1))
           .restrict(test::restriction("enforce_merge_checks")),
       RepositoryBuilder("legacy").restrictions_unreadable()},
      {KeyBuilder(core::KeyKind::deploy_key, "123")
           .label("build, \"prod\"\nserver")
           .created_days_ago(400),
       KeyBuilder(core::KeyKind::project_deploy_key, "7").label("ci").created_days_ago(500)});
  core::Key ssh =
      KeyBuilder(core::KeyKind::ssh_key, "{ssh-1}").label("laptop").created_days_ago(200);
  snapshot.ssh_keys.push_back(ssh);
  core::Gap gap;
  gap.subject = core::GapSubject::branch_restrictions;
  gap.workspace = "acme";
  gap.repository = "acme/legacy";
  gap.endpoint = "/2.0/repositories/acme/legacy/branch-restrictions";
  gap.http_status = 403;
  gap.reason = core::UnknownReason::missing_scope;
  gap.detail = "missing scope: repository:admin (granted: repository)";
  snapshot.gaps.push_back(gap);
  return snapshot;
}

// The report's evidence refers to the snapshot, which lives as long as the test program.
inline ScanReport sample_report() {
  static const core::Snapshot snapshot = sample_snapshot();
  ReportInputs inputs;
  inputs.tool_version = "9.9.9";
  inputs.started_at = test::test_now();
  inputs.finished_at = test::test_now() + std::chrono::seconds{3};
  inputs.api_requests = 42;
  Selection selection;
  selection.rule_set = "casb";
  selection.user_keys = true;
  selection.fail_on = core::Severity::low;
  inputs.selection = selection;
  return build_report(snapshot, core::evaluate(snapshot, inputs.settings, test::test_now()),
                      inputs);
}

// acme/site is protected only by a project-level restriction the config file declares
// (bbposture.yaml:14 declares push, force and delete for project SITE): four checks pass
// because of it (direct push, force push, deletion, protected at all); the others fail.
inline ScanReport declared_report() {
  static const core::Snapshot snapshot = [] {
    auto s = test::snapshot_of({test::RepositoryBuilder("site").project("SITE")});
    core::DeclaredRestrictions declared;
    declared.project = "SITE";
    declared.source = "bbposture.yaml:14";
    for (const char* kind : {"push", "force", "delete"}) {
      core::BranchRestriction r;
      r.kind = kind;
      declared.restrictions.push_back(r);
    }
    core::apply_declarations(s, {declared});
    return s;
  }();
  ReportInputs inputs;
  inputs.tool_version = "9.9.9";
  inputs.started_at = test::test_now();
  inputs.finished_at = test::test_now();
  auto report = build_report(
      snapshot, core::evaluate(snapshot, inputs.settings, test::test_now(), {{}, true, true}),
      inputs);
  report.declarations_applied = true;
  return report;
}

inline std::string render(const Reporter& reporter, const ScanReport& report) {
  std::ostringstream out;
  reporter.write(report, out);
  return out.str();
}

}  // namespace bbp::report::testing
