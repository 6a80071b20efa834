// `bbposture fix --apply PLAN` and `--undo JOURNAL`: the writes, one step at a time, each
// checked against the target as it is right before it (docs/fix.md).
//
// For every step: re-read the target; when it is already as the plan wants it, nothing is
// written (so applying a plan twice writes nothing the second time); when it is neither as the
// plan read it nor as it wants it, the step is skipped as drift; otherwise the journal records
// the target's pre-image, the write is sent, and the journal records the answer and the request
// that undoes it. The undo journal is JSON Lines, mode 0600, appended to and synced per line:
//   {"journal":"bbposture-fix-journal","version":1,"plan":"sha256:…","api_url":…,"identity":…}
//   {"event":"intent","step":…,"action":…,"target":…,"request":…,"pre_image":…,"desired":…,…}
//   {"event":"applied","step":…,"status":201,"undo":{method,path,body}|null,"check":{…}}
//   {"event":"failed"|"unknown"|"skipped"|"undone"|"undo_skipped","step":…,"why":…}
#pragma once

#include <atomic>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "bbp/bitbucket/api_client.hpp"
#include "bbp/bitbucket/json_lines.hpp"
#include "bbp/fix/plan.hpp"
#include "bbp/fix/planner.hpp"

namespace bbp::fix {

inline constexpr const char* kJournalFormat = "bbposture-fix-journal";
inline constexpr int kJournalVersion = 1;

enum class Outcome {
  applied,          // written, and Bitbucket accepted it
  already_applied,  // the target was already as the plan wants it: nothing written
  drift,            // the target changed since the plan: skipped
  cannot_apply,     // the credential lacks what the step needs: nothing sent
  refused,          // Bitbucket refused the re-read or the write (403, 404, 409, …)
  unknown,          // the write was sent and no answer came (interrupted, network): see journal
  not_reached,      // the run stopped first (interrupted, rate limit, rejected credential)
  undone,           // --undo: restored to its pre-image
  changed_since,    // --undo: changed since it was applied: left as it is
  irreversible,     // --undo: a deleted key cannot be restored
};

std::string_view to_string(Outcome outcome);

struct StepResult {
  std::string step;    // the step's id
  std::string target;  // "acme/api"
  std::string summary;
  Outcome outcome = Outcome::not_reached;
  std::string detail;  // for a person: what the re-read saw, what Bitbucket said
};

struct RunResult {
  std::vector<StepResult> steps;
  std::size_t writes = 0;                       // write requests sent
  std::optional<bitbucket::ApiError> rejected;  // the credential was rejected (exit 4)
  // Why the run stopped before its end (exit 3): interrupted, the rate limit outlasted
  // --max-wait, Bitbucket could not be reached.
  std::optional<std::string> stopped;
};

struct ApplyOptions {
  int concurrency = 4;  // targets written at once
  const std::atomic<bool>* cancel = nullptr;
  Grants grants;                         // what the applying credential may write
  std::function<core::TimePoint()> now;  // the journal's timestamps; the wall clock if unset
  // Tests only: called after a write was answered and before the journal records it, where a
  // process killed leaves an intent without its outcome.
  std::function<void()> after_write;
};

// Opens (or continues) the undo journal of `plan` at `path`: a journal of another plan is
// refused.
tl::expected<std::unique_ptr<bitbucket::JsonLinesFile>, std::string> open_journal(
    const std::string& path, const Plan& plan);

RunResult apply_plan(bitbucket::ApiClient& api, const Plan& plan, bitbucket::JsonLinesFile& journal,
                     const ApplyOptions& options);

// What a journal says: its header, for the checks made before any request.
struct JournalHeader {
  std::string plan;
  std::string api_url;
  Identity identity;
};
tl::expected<JournalHeader, std::string> journal_header(const std::vector<nlohmann::json>& lines);

// Restores what the journal's steps changed, newest first, each only when the target is still as
// the step left it; the undo is recorded in the same journal, so a second undo does nothing.
RunResult undo_journal(bitbucket::ApiClient& api, bitbucket::JsonLinesFile& journal,
                       const ApplyOptions& options);

}  // namespace bbp::fix
