#include "faults.hpp"

#include <array>
#include <stdexcept>

#include "util.hpp"

namespace bbp::fake_dc::detail {
namespace {

using nlohmann::json;

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

FaultKind kind_from(const std::string& name) {
  static const std::array<std::pair<const char*, FaultKind>, 4> kKinds = {
      {{"status", FaultKind::status},
       {"latency", FaultKind::latency},
       {"drop", FaultKind::drop},
       {"malformed", FaultKind::malformed}}};
  for (const auto& [text, kind] : kKinds) {
    if (name == text) {
      return kind;
    }
  }
  fail("unknown kind \"" + name + "\"");
}

int status_at(const json& spec, int fallback) {
  const auto status = integer_at(spec, "status", fallback, 100);
  if (status > 599) {
    fail("\"status\" must be below 600");
  }
  return static_cast<int>(status);
}

// A canned answer: `status` (default 500), `body` (a string, sent as text/plain, or any JSON
// value, sent as application/json), `content_type` and `headers` (an object of strings).
void parse_canned(const json& spec, Fault& fault) {
  fault.status = status_at(spec, 500);
  const auto given = spec.find("body");
  const json body = given == spec.end() ? json("") : *given;
  if (body.is_string()) {
    fault.body = body.get<std::string>();
    fault.content_type = string_at(spec, "content_type", "text/plain");
  } else {
    fault.body = body.dump();
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

}  // namespace

Fault parse_fault(const json& spec) {
  if (!spec.is_object()) {
    fail("must be an object");
  }
  Fault fault;
  fault.kind = kind_from(string_at(spec, "kind", ""));
  fault.path = string_at(spec, "path", "*");
  fault.method = string_at(spec, "method", "");
  fault.skip = integer_at(spec, "skip", 0, 0);
  fault.times = integer_at(spec, "times", 1, -1);
  switch (fault.kind) {
    case FaultKind::status:
      parse_canned(spec, fault);
      break;
    case FaultKind::latency:
      fault.ms = integer_at(spec, "ms", 0, 0);
      break;
    case FaultKind::malformed:
      fault.status = status_at(spec, 200);
      fault.body = string_at(spec, "body", R"({"values": [ {)");
      fault.content_type = string_at(spec, "content_type", "application/json");
      break;
    case FaultKind::drop:
      break;
  }
  return fault;
}

void FaultInjector::add(Fault fault) {
  const std::lock_guard lock(mutex_);
  entries_.push_back(Entry{std::move(fault), 0, 0});
}

FaultDecision FaultInjector::evaluate(std::string_view method, std::string_view path) {
  FaultDecision decision;
  const std::lock_guard lock(mutex_);
  for (auto& entry : entries_) {
    const Fault& fault = entry.fault;
    if (!(fault.method.empty() || iequals(fault.method, method)) || !glob_match(fault.path, path)) {
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
    decision.fault = fault;
    return decision;
  }
  return decision;
}

}  // namespace bbp::fake_dc::detail
