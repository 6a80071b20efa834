#include "faults.hpp"

#include <algorithm>
#include <array>
#include <limits>
#include <stdexcept>

#include "util.hpp"

namespace bbp::fake::detail {
namespace {

using nlohmann::json;
using TimePoint = std::chrono::steady_clock::time_point;

[[noreturn]] void fail(const std::string& what) {
  throw std::invalid_argument("fault: " + what);
}

std::int64_t integer_at(const json& spec, const char* key, std::int64_t fallback,
                        std::int64_t minimum) {
  const auto it = spec.find(key);
  if (it == spec.end()) {
    return fallback;
  }
  if (!it->is_number_integer() || it->get<std::int64_t>() < minimum) {
    fail(std::string("\"") + key + "\" must be an integer >= " + std::to_string(minimum));
  }
  return it->get<std::int64_t>();
}

std::string string_at(const json& spec, const char* key, std::string fallback) {
  const auto it = spec.find(key);
  if (it == spec.end()) {
    return fallback;
  }
  if (!it->is_string()) {
    fail(std::string("\"") + key + "\" must be a string");
  }
  return it->get<std::string>();
}

bool boolean_at(const json& spec, const char* key, bool fallback) {
  const auto it = spec.find(key);
  if (it == spec.end()) {
    return fallback;
  }
  if (!it->is_boolean()) {
    fail(std::string("\"") + key + "\" must be a boolean");
  }
  return it->get<bool>();
}

FaultKind kind_from(const std::string& name) {
  static const std::array<std::pair<const char*, FaultKind>, 9> kKinds = {
      {{"status", FaultKind::status},
       {"latency", FaultKind::latency},
       {"drop", FaultKind::drop},
       {"malformed", FaultKind::malformed},
       {"expire_tokens", FaultKind::expire_tokens},
       {"huge", FaultKind::huge},
       {"rate_limit", FaultKind::rate_limit},
       {"refuse_write", FaultKind::refuse_write},
       {"drift", FaultKind::drift}}};
  for (const auto& [text, kind] : kKinds) {
    if (name == text) {
      return kind;
    }
  }
  fail("unknown kind \"" + name + "\"");
}

bool matches(const Fault& fault, std::string_view method, std::string_view path) {
  if (fault.kind == FaultKind::refuse_write && !is_write_method(method)) {
    return false;
  }
  return (fault.method.empty() || iequals(fault.method, method)) && glob_match(fault.path, path);
}

// A canned answer: `status` (within [100, 599], `default_status` when absent), `body` (a string,
// sent as text/plain, or any JSON value, sent as application/json; `default_body` when absent,
// as JSON), `content_type` and `headers` (an object of strings).
void parse_canned(const json& spec, Fault& fault, int default_status, const json& default_body) {
  fault.status = static_cast<int>(integer_at(spec, "status", default_status, 100));
  if (fault.status > 599) {
    fail("\"status\" must be below 600");
  }
  const auto given = spec.find("body");
  const json& body = given == spec.end() ? default_body : *given;
  if (body.is_string()) {
    fault.body = body.get<std::string>();
    fault.content_type = string_at(spec, "content_type", "text/plain");
  } else {
    fault.body = body.dump();  // a JSON body given inline
    fault.content_type = string_at(spec, "content_type", "application/json");
  }
  const auto headers = spec.find("headers");
  if (headers == spec.end()) {
    return;
  }
  if (!headers->is_object()) {
    fail("\"headers\" must be an object of strings");
  }
  for (const auto& [name, value] : headers->items()) {
    if (!value.is_string()) {
      fail("header \"" + name + "\" must be a string");
    }
    fault.headers.emplace_back(name, value.get<std::string>());
  }
}

// A drift fault names a repository ("workspace/slug") and exactly one change: "add" (a branch
// restriction object), "update" (an object with the "id" of the restriction to change and the
// fields to set) or "remove" (the id of the restriction to delete).
void check_drift_shape(const json& spec) {
  const std::string repository = string_at(spec, "repository", "");
  if (repository.find('/') == std::string::npos) {
    fail(R"(a drift needs "repository": "workspace/slug")");
  }
  int changes = 0;
  if (const auto add = spec.find("add"); add != spec.end()) {
    ++changes;
    if (!add->is_object()) {
      fail(R"(drift "add" must be a branch restriction object)");
    }
  }
  if (const auto update = spec.find("update"); update != spec.end()) {
    ++changes;
    if (!update->is_object() || !update->contains("id")) {
      fail(R"(drift "update" must be an object with the "id" of a restriction)");
    }
  }
  if (const auto remove = spec.find("remove"); remove != spec.end()) {
    ++changes;
    if (!remove->is_number_integer() && !remove->is_string()) {
      fail(R"(drift "remove" must be the id of a restriction)");
    }
  }
  if (changes != 1) {
    fail(R"(a drift needs exactly one of "add", "update" and "remove")");
  }
}

// X-RateLimit-* headers as Bitbucket sends them to access tokens: the budget scaled to an hour
// (rounded down, at least 1; capped when the product would overflow) and whether at least 80%
// of the budget is used in the current window.
std::vector<std::pair<std::string, std::string>> rate_limit_headers(const Fault& fault,
                                                                    std::int64_t used) {
  constexpr std::int64_t kHourMs = 3600000;
  constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
  const std::int64_t per_hour =
      fault.budget <= kMax / kHourMs ? fault.budget * kHourMs / fault.window_ms : kMax;
  const bool near_limit = used >= fault.budget - fault.budget / 5;  // used * 5 >= budget * 4
  return {{"X-RateLimit-Limit", std::to_string(std::max<std::int64_t>(per_hour, 1))},
          {"X-RateLimit-Resource", "api"},
          {"X-RateLimit-NearLimit", near_limit ? "true" : "false"}};
}

// Moves a rate_limit fault's rolling window to `now` and admits the request unless the budget
// is used up (rejected requests do not count). False when the request is rejected.
bool admit(const Fault& fault, std::deque<TimePoint>& admitted, TimePoint now,
           FaultDecision& decision) {
  const auto window = std::chrono::milliseconds(fault.window_ms);
  while (!admitted.empty() && now - admitted.front() >= window) {
    admitted.pop_front();
  }
  const bool rejected = static_cast<std::int64_t>(admitted.size()) >= fault.budget;
  if (!rejected) {
    admitted.push_back(now);
  }
  if (fault.rate_headers) {
    decision.rate_limit_headers =
        rate_limit_headers(fault, static_cast<std::int64_t>(admitted.size()));
  }
  return !rejected;
}

}  // namespace

bool is_write_method(std::string_view method) {
  return iequals(method, "POST") || iequals(method, "PUT") || iequals(method, "PATCH") ||
         iequals(method, "DELETE");
}

Fault parse_fault(const json& spec) {
  if (!spec.is_object()) {
    fail("must be an object");
  }
  Fault fault;
  fault.kind = kind_from(string_at(spec, "kind", ""));
  // rate_limit and refuse_write watch every API request by default (not the token endpoint).
  const bool api_wide =
      fault.kind == FaultKind::rate_limit || fault.kind == FaultKind::refuse_write;
  fault.path = string_at(spec, "path", api_wide ? "/2.0/*" : "*");
  fault.method = string_at(spec, "method", "");
  fault.skip = integer_at(spec, "skip", 0, 0);
  fault.times = integer_at(spec, "times", 1, -1);

  switch (fault.kind) {
    case FaultKind::status:
      parse_canned(spec, fault, 500, "");
      break;
    case FaultKind::refuse_write:
      parse_canned(spec, fault, 403, error_body("You do not have permission to make this change."));
      break;
    case FaultKind::drift:
      check_drift_shape(spec);
      fault.change = spec;
      break;
    case FaultKind::latency:
      fault.ms = integer_at(spec, "ms", 0, 0);
      break;
    case FaultKind::malformed:
      fault.status = static_cast<int>(integer_at(spec, "status", 200, 100));
      fault.body = string_at(spec, "body", R"({"values": [ {)");
      fault.content_type = string_at(spec, "content_type", "application/json");
      break;
    case FaultKind::huge:
      fault.bytes = integer_at(spec, "bytes", std::int64_t{16} * 1024 * 1024, 1);
      fault.chunked = boolean_at(spec, "chunked", false);
      break;
    case FaultKind::rate_limit:
      fault.budget = integer_at(spec, "budget", 0, 0);
      fault.window_ms = integer_at(spec, "window_ms", 1000, 1);
      fault.rate_headers = boolean_at(spec, "headers", false);
      fault.times = -1;
      break;
    case FaultKind::drop:
    case FaultKind::expire_tokens:
      break;
  }
  return fault;
}

void FaultInjector::add(Fault fault) {
  const std::lock_guard lock(mutex_);
  entries_.push_back(Entry{std::move(fault), 0, 0, {}});
}

FaultDecision FaultInjector::evaluate(std::string_view method, std::string_view path) {
  FaultDecision decision;
  const auto now = std::chrono::steady_clock::now();
  const std::lock_guard lock(mutex_);
  for (auto& entry : entries_) {
    const Fault& fault = entry.fault;
    if (!matches(fault, method, path)) {
      continue;
    }
    if (fault.kind == FaultKind::rate_limit) {
      if (!admit(fault, entry.admitted, now, decision)) {
        decision.fault = fault;  // over budget
        return decision;
      }
      continue;
    }
    ++entry.seen;
    if (entry.seen <= fault.skip || (fault.times >= 0 && entry.fired >= fault.times)) {
      continue;
    }
    ++entry.fired;
    if (fault.kind == FaultKind::latency) {
      decision.delay += std::chrono::milliseconds(fault.ms);
      continue;  // latency combines with whatever answers the request
    }
    if (fault.kind == FaultKind::drift) {
      decision.drifts.push_back(fault);
      continue;  // the request is answered as usual; the change follows the answer
    }
    decision.fault = fault;
    return decision;
  }
  return decision;
}

}  // namespace bbp::fake::detail
