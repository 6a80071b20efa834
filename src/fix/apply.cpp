#include "bbp/fix/apply.hpp"

#include <algorithm>
#include <array>
#include <map>
#include <mutex>

#include "bbp/bitbucket/task_pool.hpp"
#include "bbp/fix/state.hpp"
#include "bbp/text/names.hpp"
#include "observe.hpp"

namespace bbp::fix {
namespace {

using bitbucket::ApiError;
using detail::Look;
using detail::Observed;
using nlohmann::json;

constexpr std::array<text::Named<Outcome>, 10> kOutcomes{{
    {Outcome::applied, "applied"},
    {Outcome::already_applied, "already applied"},
    {Outcome::drift, "skipped: changed since the plan"},
    {Outcome::cannot_apply, "cannot apply"},
    {Outcome::refused, "refused"},
    {Outcome::unknown, "unknown"},
    {Outcome::not_reached, "not reached"},
    {Outcome::undone, "undone"},
    {Outcome::changed_since, "left: changed since it was applied"},
    {Outcome::irreversible, "cannot be undone"},
}};

http::Method method_of(const std::string& name) {
  if (name == "POST") {
    return http::Method::post;
  }
  if (name == "PUT") {
    return http::Method::put;
  }
  return name == "DELETE" ? http::Method::del : http::Method::get;
}

core::TimePoint now_of(const ApplyOptions& options) {
  return options.now ? options.now()
                     : std::chrono::time_point_cast<core::TimePoint::duration>(
                           std::chrono::system_clock::now());
}

// A step's record in the journal, with the event's name and time.
json event(const std::string& name, const std::string& step, const ApplyOptions& options) {
  return {{"event", name}, {"step", step}, {"at", core::format_timestamp(now_of(options))}};
}

std::string short_state(const json& state) {
  return state.is_null() ? "absent" : state.dump();
}

// What a failed request does to the run and to the step: the run stops for a rejected
// credential, an interruption, a rate limit past --max-wait or an unreachable token endpoint.
struct Stop {
  std::optional<ApiError> rejected;
  std::optional<std::string> why;
};

Stop stop_for(const ApiError& e) {
  if (e.kind == ApiError::Kind::auth) {
    return {e, std::nullopt};
  }
  if (e.kind == ApiError::Kind::cancelled) {
    return {std::nullopt, "interrupted"};
  }
  if (e.kind == ApiError::Kind::unreachable || e.kind == ApiError::Kind::transport) {
    return {std::nullopt, "Bitbucket could not be reached: " + e.message};
  }
  if (e.kind == ApiError::Kind::http && e.http_status && *e.http_status >= 500) {
    return {std::nullopt, "Bitbucket failed (HTTP " + std::to_string(*e.http_status) +
                              ") after the retries: " + e.message};
  }
  if (e.reason == core::UnknownReason::rate_limited &&
      (e.message == bitbucket::kRateLimitWaitDetail ||
       e.message == bitbucket::kRateLimitWaitWriteDetail)) {
    return {std::nullopt, "the rate limit outlasted --max-wait"};
  }
  return {};
}

// Whether a write that failed may still have taken effect: it was sent and no answer came (a
// timeout, a run interrupted mid-request), Bitbucket answered 5xx (a proxy's, perhaps, after
// the change was made), or it answered 2xx with a body that could not be read. A write refused
// before it was sent (no connection, an interrupted wait) or answered 4xx did not.
bool may_have_taken_effect(const ApiError& e) {
  using http::TransportErrorKind;
  switch (e.kind) {
    case ApiError::Kind::transport:
    case ApiError::Kind::cancelled:
      return e.transport && *e.transport != TransportErrorKind::connect &&
             *e.transport != TransportErrorKind::dns && *e.transport != TransportErrorKind::tls &&
             *e.transport != TransportErrorKind::local;
    case ApiError::Kind::invalid_response:
      return true;
    case ApiError::Kind::http:
      return e.http_status && *e.http_status >= 500;
    case ApiError::Kind::refused_url:
    case ApiError::Kind::auth:
    case ApiError::Kind::unreachable:
      return false;
  }
  return true;
}

std::string said(const ApiError& e) {
  std::string out = e.http_status ? std::to_string(*e.http_status) + ": " : std::string();
  return out + e.message;
}

// The state of a run shared by the threads that write: the journal, the results, the stop.
class Run {
 public:
  Run(bitbucket::ApiClient& api, bitbucket::JsonLinesFile& journal, const ApplyOptions& options)
      : api_(api), journal_(journal), options_(options) {}

  bool stopping() const {
    return stop_.load() || (options_.cancel != nullptr && options_.cancel->load());
  }

  // Records why the run ends; the first reason is kept.
  void stop(const Stop& s) {
    const std::lock_guard lock(mutex_);
    if (s.rejected && !result_.rejected) {
      result_.rejected = s.rejected;
    }
    if (s.why && !result_.stopped) {
      result_.stopped = s.why;
    }
    stop_ = true;
  }

  // False (and the run stopped) when the journal could not be written.
  bool record(const json& line) {
    if (auto written = journal_.append(line); !written) {
      stop({std::nullopt, written.error()});
      return false;
    }
    return true;
  }

  tl::expected<bitbucket::WriteAnswer, ApiError> send(const Request& r) {
    ++writes_;
    return api_.send_json(method_of(r.method), r.path, r.body);
  }

  bitbucket::ApiClient& api() { return api_; }
  const ApplyOptions& options() const { return options_; }

  RunResult finish(std::vector<StepResult> steps) {
    if (!result_.stopped && options_.cancel != nullptr && options_.cancel->load()) {
      result_.stopped = "interrupted";
    }
    result_.steps = std::move(steps);
    result_.writes = writes_.load();
    return std::move(result_);
  }

 private:
  bitbucket::ApiClient& api_;
  bitbucket::JsonLinesFile& journal_;
  const ApplyOptions& options_;
  std::mutex mutex_;
  RunResult result_;  // guarded by mutex_
  std::atomic<bool> stop_{false};
  std::atomic<std::size_t> writes_{0};
};

// ---- Apply -----------------------------------------------------------------------------------

json intent_of(const Step& s, const Observed& seen, const ApplyOptions& options) {
  auto line = event("intent", s.id, options);
  line["action"] = to_string(s.action);
  line["target"] = s.target;
  line["request"] = to_json(s.request);
  line["reread"] = s.reread.path;
  line["pre_image"] = seen.raw;
  line["current"] = s.current;
  line["desired"] = s.desired;
  line["reversible"] = s.reversible;
  return line;
}

json applied_line(const Step& s, const json& intent, const json& made, int status,
                  const ApplyOptions& options) {
  const auto undo = detail::undo_for(intent, made);
  auto line = event("applied", s.id, options);
  line["status"] = status;
  line["undo"] = undo.request ? to_json(*undo.request) : json();
  line["check"] = {
      {"look", to_string(undo.look)}, {"path", undo.check_path}, {"state", undo.check_state}};
  if (!s.reversible) {
    line["irreversible"] = "a deleted key cannot be restored: add a new key instead";
  }
  return line;
}

// A re-read that failed: the step's result, and the run's stop when it ends the run.
StepResult unread_step(Run& run, StepResult r, const ApiError& e) {
  const auto stop = stop_for(e);
  if (stop.rejected || stop.why) {
    run.stop(stop);
    r.outcome = Outcome::not_reached;
    r.detail = stop.why.value_or("the credential was rejected");
  } else if (e.reason == core::UnknownReason::missing_scope) {
    r.outcome = Outcome::cannot_apply;
    r.detail = "missing scope" + (e.required_scopes.empty()
                                      ? std::string(" (Bitbucket says ") + e.message + ")"
                                      : " " + e.required_scopes.front());
  } else {
    r.outcome = Outcome::refused;
    r.detail = "could not read the target first (" + said(e) + ")";
  }
  return r;
}

// A create answered 409 may be this run's own earlier attempt (a retry after a lost answer): the
// target is read again, and the step counts as applied when it now is as the plan wants it.
bool created_already(Run& run, const Step& s, const json& intent, const ApiError& e) {
  if (s.action != Action::create_restriction || e.http_status != 409) {
    return false;
  }
  auto again = detail::observe(run.api(), Look::restriction_list, s.reread.path, s.desired);
  if (!again || !in_state(again->state, s.desired)) {
    return false;
  }
  run.record(applied_line(s, intent, again->raw, 409, run.options()));
  return true;
}

// A write that failed, recorded as `prefix` + "failed" (or "unknown" when it may have taken
// effect); the run stops when the error ends it.
StepResult failed_write(Run& run, StepResult r, const ApiError& e, const std::string& prefix) {
  const auto stop = stop_for(e);
  const bool unsure = may_have_taken_effect(e);
  auto line = event(prefix + (unsure ? "unknown" : "failed"), r.step, run.options());
  line["why"] = said(e);
  run.record(line);
  if (stop.rejected || stop.why) {
    run.stop(stop);
  }
  r.outcome = unsure ? Outcome::unknown : Outcome::refused;
  r.detail = said(e);
  return r;
}

StepResult apply_step(Run& run, const Step& s) {
  StepResult r{s.id, s.target, s.summary, Outcome::not_reached, {}};
  if (const auto missing =
          s.cannot_apply ? s.cannot_apply : missing_grant(s, run.options().grants)) {
    return {s.id, s.target, s.summary, Outcome::cannot_apply, *missing};
  }
  if (run.stopping()) {
    return r;
  }
  auto seen = detail::observe(run.api(), detail::look_of(s.action), s.reread.path, s.desired);
  if (!seen) {
    return unread_step(run, r, seen.error());
  }
  if (in_state(seen->state, s.desired)) {
    r.outcome = Outcome::already_applied;
    return r;
  }
  if (!in_state(seen->state, s.current)) {
    r.outcome = Outcome::drift;
    r.detail = "the plan read " + short_state(s.current) + "; now " + short_state(seen->state);
    auto line = event("skipped", s.id, run.options());
    line["why"] = r.detail;
    run.record(line);
    return r;
  }
  const auto intent = intent_of(s, *seen, run.options());
  if (!run.record(intent)) {
    return r;  // nothing is written that the journal could not record first
  }
  auto answer = run.send(s.request);
  if (!answer) {
    if (created_already(run, s, intent, answer.error())) {
      r.outcome = Outcome::applied;
      return r;
    }
    return failed_write(run, r, answer.error(), "");
  }
  if (run.options().after_write) {
    run.options().after_write();
  }
  run.record(applied_line(s, intent, answer->body, answer->status, run.options()));
  r.outcome = Outcome::applied;
  return r;
}

// Steps of one target run in order on one thread; targets run side by side. `work(i)` gives
// the result of item i; `group_of(i)` names its target.
std::vector<StepResult> run_grouped(std::size_t count, int concurrency,
                                    const std::function<std::string(std::size_t)>& group_of,
                                    const std::function<StepResult(std::size_t)>& work) {
  std::vector<StepResult> results(count);
  std::map<std::string, std::vector<std::size_t>> groups;
  std::vector<std::string> order;
  for (std::size_t i = 0; i < count; ++i) {
    auto [it, fresh] = groups.try_emplace(group_of(i));
    if (fresh) {
      order.push_back(it->first);
    }
    it->second.push_back(i);
  }
  bitbucket::TaskPool pool(std::max(1, concurrency));
  for (const auto& name : order) {
    pool.submit([&, indices = groups.at(name)] {
      for (const auto i : indices) {
        results[i] = work(i);
      }
    });
  }
  pool.drain();
  return results;
}

// ---- Undo ------------------------------------------------------------------------------------

// One step as the journal tells it.
struct Journaled {
  json intent;
  json applied;      // null unless the write was answered
  std::string last;  // the last event recorded for it
};

std::vector<Journaled> journaled_steps(const std::vector<json>& lines) {
  std::vector<Journaled> out;
  std::map<std::string, std::size_t> index;
  for (std::size_t i = 1; i < lines.size(); ++i) {
    const auto& line = lines[i];
    const auto step = line.value("step", "");
    const auto name = line.value("event", "");
    if (name == "intent") {
      // A later apply of the same plan starts the step again: its new intent replaces the old.
      const auto [it, fresh] = index.try_emplace(step, out.size());
      if (fresh) {
        out.push_back({line, nullptr, name});
      } else {
        out[it->second] = {line, nullptr, name};
      }
      continue;
    }
    const auto it = index.find(step);
    if (it == index.end()) {
      continue;  // skipped before any intent: nothing was written
    }
    auto& j = out[it->second];
    if (!j.applied.is_null() && (name == "skipped" || name == "failed" || name == "unknown")) {
      continue;  // a later apply of the same plan: what this step wrote stays to undo
    }
    j.last = name;
    if (name == "applied") {
      j.applied = line;
    }
  }
  return out;
}

// What undoes a journaled step: from its answer, or after an unknown outcome from what its
// target looks like now. nullopt (with the result said) when there is nothing to undo.
std::optional<detail::Undo> undo_of(Run& run, const Journaled& j, StepResult& r) {
  if (!j.applied.is_null()) {
    const auto& check = j.applied.at("check");
    return detail::Undo{j.applied.at("undo").is_null()
                            ? std::nullopt
                            : std::optional(detail::request_from_json(j.applied.at("undo"))),
                        *detail::look_from_string(check.at("look").get<std::string>()),
                        check.at("path").get<std::string>(), check.at("state")};
  }
  const auto action = *action_from_string(j.intent.at("action").get<std::string>());
  const auto& desired = j.intent.at("desired");
  auto seen = detail::observe(run.api(), detail::look_of(action),
                              j.intent.at("reread").get<std::string>(), desired);
  if (!seen) {
    r = unread_step(run, r, seen.error());
    return std::nullopt;
  }
  if (!in_state(seen->state, desired)) {
    r.outcome = Outcome::not_reached;
    r.detail = "its write did not take effect: nothing to undo";
    return std::nullopt;
  }
  return detail::undo_for(j.intent, seen->raw);
}

StepResult undo_step(Run& run, const Journaled& j) {
  StepResult r{j.intent.value("step", ""),
               j.intent.value("target", ""),
               "undo " + j.intent.value("action", ""),
               Outcome::not_reached,
               {}};
  if (run.stopping()) {
    return r;
  }
  const auto undo = undo_of(run, j, r);
  if (!undo) {
    return r;
  }
  if (!undo->request) {
    r.outcome = Outcome::irreversible;
    r.detail = j.applied.is_object() ? j.applied.value("irreversible", "this change has no undo")
                                     : "a deleted key cannot be restored: add a new key instead";
    return r;
  }
  auto seen = detail::observe(run.api(), undo->look, undo->check_path, undo->check_state);
  if (!seen) {
    return unread_step(run, r, seen.error());
  }
  if (!in_state(seen->state, undo->check_state)) {
    r.outcome = Outcome::changed_since;
    r.detail = "left " + short_state(undo->check_state) + "; now " + short_state(seen->state);
    auto line = event("undo_skipped", r.step, run.options());
    line["why"] = r.detail;
    run.record(line);
    return r;
  }
  auto answer = run.send(*undo->request);
  if (!answer) {
    return failed_write(run, r, answer.error(), "undo_");
  }
  run.record(event("undone", r.step, run.options()));
  r.outcome = Outcome::undone;
  return r;
}

}  // namespace

std::string_view to_string(Outcome outcome) {
  return text::name_of(kOutcomes, outcome);
}

tl::expected<std::unique_ptr<bitbucket::JsonLinesFile>, std::string> open_journal(
    const std::string& path, const Plan& plan) {
  auto file = bitbucket::JsonLinesFile::open(path, "the undo journal", "a journal record");
  if (!file) {
    return tl::unexpected(file.error());
  }
  const auto& lines = (*file)->lines();
  if (!lines.empty()) {
    const auto header = journal_header(lines);
    if (!header) {
      return tl::unexpected(path + ": " + header.error());
    }
    if (header->plan != plan.checksum) {
      return tl::unexpected(path + " is the journal of another plan: give --journal another file");
    }
    return file;
  }
  const json line{{"journal", kJournalFormat},
                  {"version", kJournalVersion},
                  {"plan", plan.checksum},
                  {"api_url", plan.api_url},
                  {"identity",
                   {{"uuid", plan.identity.uuid ? json(*plan.identity.uuid) : json()},
                    {"name", plan.identity.name ? json(*plan.identity.name) : json()}}}};
  if (auto written = (*file)->append(line); !written) {
    return tl::unexpected(written.error());
  }
  return file;
}

tl::expected<JournalHeader, std::string> journal_header(const std::vector<json>& lines) {
  if (lines.empty() || !lines.front().is_object() ||
      lines.front().value("journal", "") != kJournalFormat) {
    return tl::unexpected(std::string("not a bbposture undo journal"));
  }
  const auto& h = lines.front();
  if (h.value("version", 0) != kJournalVersion) {
    return tl::unexpected("journal version " + h.value("version", json()).dump() +
                          " is not one this bbposture reads");
  }
  const auto text = [](const json& j, const char* key) -> std::optional<std::string> {
    return j.contains(key) && j[key].is_string() ? std::optional(j[key].get<std::string>())
                                                 : std::nullopt;
  };
  const auto identity = h.value("identity", json::object());
  return JournalHeader{h.value("plan", ""), h.value("api_url", ""),
                       Identity{text(identity, "uuid"), text(identity, "name")}};
}

RunResult apply_plan(bitbucket::ApiClient& api, const Plan& plan, bitbucket::JsonLinesFile& journal,
                     const ApplyOptions& options) {
  Run run(api, journal, options);
  auto results = run_grouped(
      plan.steps.size(), options.concurrency, [&](std::size_t i) { return plan.steps[i].target; },
      [&](std::size_t i) { return apply_step(run, plan.steps[i]); });
  return run.finish(std::move(results));
}

RunResult undo_journal(bitbucket::ApiClient& api, bitbucket::JsonLinesFile& journal,
                       const ApplyOptions& options) {
  Run run(api, journal, options);
  auto steps = journaled_steps(journal.lines());
  std::erase_if(steps, [](const Journaled& j) {
    return j.last == "undone" || j.last == "skipped" || j.last == "failed";
  });
  std::reverse(steps.begin(), steps.end());  // newest first
  auto results = run_grouped(
      steps.size(), options.concurrency,
      [&](std::size_t i) { return steps[i].intent.value("target", ""); },
      [&](std::size_t i) { return undo_step(run, steps[i]); });
  return run.finish(std::move(results));
}

}  // namespace bbp::fix
