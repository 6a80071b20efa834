#include "gap_summary.hpp"

#include <algorithm>

#include "bbp/bitbucket/collector.hpp"
#include "bbp/http/redact.hpp"
#include "bbp/text/text.hpp"

namespace bbp::app {
namespace {

// The cause of a failed read without what names the read: transport messages end with
// " (GET https://…)", which differs for every read of one outage.
std::string cause_of(const core::Gap& gap) {
  return std::string(http::without_request(gap.detail));
}

// "missing scope: repository:admin, project (granted: …)" → {"repository:admin", "project"}.
std::vector<std::string> missing_scopes(const core::Gap& gap) {
  constexpr std::string_view kPrefix = "missing scope: ";
  std::vector<std::string> scopes;
  if (gap.reason != core::UnknownReason::missing_scope || gap.detail.rfind(kPrefix, 0) != 0) {
    return scopes;
  }
  std::string_view list(gap.detail);
  list.remove_prefix(kPrefix.size());
  list = list.substr(0, list.find(" ("));
  while (!list.empty()) {
    const auto comma = list.find(',');
    scopes.emplace_back(text::trim(list.substr(0, comma)));
    list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
  }
  return scopes;
}

struct Cause {
  std::string text;
  std::size_t count = 0;
  std::vector<std::string> examples;
};

}  // namespace

std::vector<std::string> gap_summary(const std::vector<core::Gap>& gaps, std::size_t examples) {
  std::vector<Cause> causes;
  std::vector<std::string> scopes;
  for (const auto& gap : gaps) {
    if (gap.detail == bitbucket::kInterruptedDetail) {
      continue;
    }
    const std::string text = cause_of(gap);
    auto it =
        std::find_if(causes.begin(), causes.end(), [&](const Cause& c) { return c.text == text; });
    if (it == causes.end()) {
      it = causes.insert(causes.end(), Cause{text, 0, {}});
    }
    it->count += 1;
    if (it->examples.size() < examples) {
      it->examples.push_back(gap.endpoint);
    }
    for (auto& scope : missing_scopes(gap)) {
      if (std::find(scopes.begin(), scopes.end(), scope) == scopes.end()) {
        scopes.push_back(std::move(scope));
      }
    }
  }
  std::vector<std::string> lines;
  lines.reserve(causes.size() + 1);
  for (const auto& c : causes) {
    lines.push_back(std::to_string(c.count) + (c.count == 1 ? " read" : " reads") +
                    " failed: " + c.text + " (" + (c.count > c.examples.size() ? "e.g. " : "") +
                    text::join(c.examples) + (c.count > c.examples.size() ? ", …" : "") + ")");
  }
  if (!scopes.empty()) {
    lines.push_back("grant the credential these scopes and run again: " + text::join(scopes, " ") +
                    " (bbposture auth check shows what each rule needs)");
  }
  return lines;
}

}  // namespace bbp::app
