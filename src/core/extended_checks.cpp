#include "extended_checks.hpp"

#include <algorithm>
#include <array>
#include <string>

#include "bbp/text/text.hpp"

namespace bbp::core::extended {
namespace {

// Keys that look like credentials: a pattern is found anywhere in the upper-cased key, except
// the short ones marked `whole`, which must be one of the key's '_'-separated words ("PWD" in
// "DB_PWD", not in "PWDIR"). Listed in the rule's description in the same order.
struct SecretPattern {
  std::string_view text;
  bool whole = false;
};

constexpr std::array<SecretPattern, 14> kSecretPatterns{{
    {"TOKEN"},
    {"SECRET"},
    {"PASSWORD"},
    {"PASSWD"},
    {"PASSPHRASE"},
    {"PWD", true},
    {"API_KEY"},
    {"APIKEY"},
    {"PRIVATE_KEY"},
    {"ACCESS_KEY"},
    {"SIGNING_KEY"},
    {"CREDENTIAL"},
    {"CONNECTION_STRING"},
    {"AUTH", true},
}};

Verdict verdict(bool passed, nlohmann::json evidence) {
  Verdict v;
  v.outcome = passed ? Outcome::pass : Outcome::fail;
  v.evidence = std::move(evidence);
  return v;
}

Verdict not_applicable(nlohmann::json evidence) {
  Verdict v;
  v.outcome = Outcome::not_applicable;
  v.evidence = std::move(evidence);
  return v;
}

Verdict unknown(UnknownReason reason, std::string detail,
                std::optional<GapSubject> not_read = std::nullopt) {
  Verdict v;
  v.outcome = Outcome::unknown;
  v.reason = reason;
  v.detail = std::move(detail);
  v.not_read = not_read;
  return v;
}

// Unknown because a read did not happen: the engine names the gap, or "not collected".
Verdict not_read(GapSubject subject) {
  return unknown(UnknownReason::api_error, "not collected in this snapshot", subject);
}

bool has_word(const std::string& key, std::string_view word) {
  std::size_t start = 0;
  while (start <= key.size()) {
    const auto end = std::min(key.find('_', start), key.size());
    if (std::string_view(key).substr(start, end - start) == word) {
      return true;
    }
    start = end + 1;
  }
  return false;
}

// What every webhook finding shows: where it delivers, what, and whether it is signed.
nlohmann::json hook_evidence(const RuleContext& ctx) {
  const auto& hook = *ctx.hook;
  nlohmann::json out{
      {"level", ctx.repository != nullptr ? "repository" : "workspace"},
      {"url_scheme", hook.scheme},
      {"url_host", hook.host},
      {"events", hook.events},
      {"active", hook.active ? nlohmann::json(*hook.active) : nlohmann::json()},
      {"secret_set", hook.secret_set ? nlohmann::json(*hook.secret_set) : nlohmann::json()}};
  if (!hook.description.empty()) {
    out["description"] = hook.description;
  }
  return out;
}

// A webhook that is switched off delivers nothing: not applicable. Nullopt for an active one.
std::optional<Verdict> inactive_hook(const RuleContext& ctx) {
  if (!ctx.hook->active) {
    return unknown(UnknownReason::invalid_response, "the webhook has no boolean 'active'");
  }
  if (!*ctx.hook->active) {
    return not_applicable(hook_evidence(ctx));
  }
  return std::nullopt;
}

std::string names_of(const nlohmann::json& list, std::size_t shown) {
  std::string out;
  std::size_t n = 0;
  for (const auto& name : list) {
    if (n == shown) {
      return out + " and " + std::to_string(list.size() - shown) + " more";
    }
    out += (n++ == 0 ? "" : ", ") + (name.is_string() ? name.get<std::string>() : name.dump());
  }
  return out;
}

std::string text_at(const nlohmann::json& ev, const char* field, std::string_view fallback) {
  const auto it = ev.find(field);
  return it != ev.end() && it->is_string() ? it->get<std::string>() : std::string(fallback);
}

}  // namespace

std::optional<std::string_view> secret_pattern(std::string_view key) {
  const std::string k = text::ascii_upper(key);
  for (const auto& p : kSecretPatterns) {
    if (p.whole ? has_word(k, p.text) : k.find(p.text) != std::string::npos) {
      return p.text;
    }
  }
  return std::nullopt;
}

Verdict check_public_forks(const RuleContext& ctx) {
  const auto& repo = *ctx.repository;
  if (!repo.is_private) {
    return unknown(UnknownReason::invalid_response,
                   "the repository listing had no boolean 'is_private' for this repository");
  }
  nlohmann::json evidence{{"is_private", *repo.is_private}};
  if (!*repo.is_private) {
    evidence["note"] = "a public repository: public-repository reports it";
    return not_applicable(std::move(evidence));
  }
  if (!repo.fork_policy) {
    return unknown(UnknownReason::invalid_response,
                   "no 'fork_policy' for this repository (not in the listing, or not collected "
                   "in this snapshot)");
  }
  evidence["fork_policy"] = *repo.fork_policy;
  if (*repo.fork_policy != "allow_forks") {
    return verdict(true, std::move(evidence));
  }
  // The repository allows any fork; the workspace's forking mode can still keep them inside.
  if (ctx.workspace == nullptr || !ctx.workspace->forking_mode) {
    return not_read(GapSubject::workspace);
  }
  evidence["workspace_forking_mode"] = *ctx.workspace->forking_mode;
  return verdict(*ctx.workspace->forking_mode == "internal_only", std::move(evidence));
}

Verdict check_webhook_secret(const RuleContext& ctx) {
  if (auto skip = inactive_hook(ctx)) {
    return *skip;
  }
  if (!ctx.hook->secret_set) {
    return unknown(UnknownReason::invalid_response, "the webhook has no boolean 'secret_set'");
  }
  return verdict(*ctx.hook->secret_set, hook_evidence(ctx));
}

Verdict check_webhook_http(const RuleContext& ctx) {
  if (auto skip = inactive_hook(ctx)) {
    return *skip;
  }
  const auto& scheme = ctx.hook->scheme;
  if (scheme != "http" && scheme != "https") {
    return unknown(UnknownReason::invalid_response,
                   "the webhook's URL is neither http:// nor https://");
  }
  return verdict(scheme == "https", hook_evidence(ctx));
}

Verdict check_secret_variable(const RuleContext& ctx) {
  const auto& var = *ctx.variable;
  nlohmann::json evidence{{"key", var.key}, {"level", to_string(var.level)}};
  if (var.environment) {
    evidence["environment"] = *var.environment;
  }
  const auto pattern = secret_pattern(var.key);
  if (!pattern) {
    return not_applicable(std::move(evidence));
  }
  evidence["looks_like"] = *pattern;
  if (!var.secured) {
    return unknown(UnknownReason::invalid_response, "the variable has no boolean 'secured'");
  }
  evidence["secured"] = *var.secured;
  return verdict(*var.secured, std::move(evidence));
}

Verdict check_members_2fa(const RuleContext& ctx) {
  const auto& ws = *ctx.workspace;
  if (!ws.members) {
    return not_read(GapSubject::members);
  }
  auto without = nlohmann::json::array();
  auto unseen = nlohmann::json::array();
  for (const auto& m : *ws.members) {
    if (!m.has_2fa_enabled) {
      unseen.push_back(m.display_name);
    } else if (!*m.has_2fa_enabled) {
      without.push_back(m.display_name);
    }
  }
  nlohmann::json evidence{
      {"members", ws.members->size()},
      {"members_without_2fa", without},
      {"note",
       "Bitbucket's has_2fa_enabled reports two-step verification as Bitbucket sees it; "
       "two-step verification enforced through an Atlassian organization may not be reflected"}};
  if (!unseen.empty()) {
    evidence["members_2fa_not_shown"] = unseen;
  }
  if (without.empty() && !unseen.empty()) {
    return unknown(UnknownReason::forbidden,
                   "Bitbucket did not show 'has_2fa_enabled' for " + std::to_string(unseen.size()) +
                       " member(s): only workspace administrators may see it");
  }
  if (ws.members->empty()) {
    return not_applicable(std::move(evidence));
  }
  return verdict(without.empty(), std::move(evidence));
}

Verdict check_owner_count(const RuleContext& ctx) {
  const auto& ws = *ctx.workspace;
  if (!ws.owners) {
    return not_read(GapSubject::owners);
  }
  if (ws.owners->empty()) {
    return unknown(UnknownReason::invalid_response, "Bitbucket listed no owner of the workspace");
  }
  auto names = nlohmann::json::array();
  for (const auto& m : *ws.owners) {
    names.push_back(m.display_name);
  }
  const auto n = static_cast<int>(ws.owners->size());
  nlohmann::json evidence{
      {"owners", names}, {"owner_count", n}, {"max_owners", ctx.settings.max_owners}};
  return verdict(n > 1 && n <= ctx.settings.max_owners, std::move(evidence));
}

std::string message_public_forks(const nlohmann::json& ev) {
  return "a private repository that anyone with access can fork into a public repository "
         "(fork_policy " +
         text_at(ev, "fork_policy", "allow_forks") + ", workspace forking_mode " +
         text_at(ev, "workspace_forking_mode", "allow_forks") + ")";
}

std::string message_webhook_secret(const nlohmann::json& ev) {
  return "webhook to " + text_at(ev, "url_host", "its receiver") +
         " has no secret: its deliveries are unsigned";
}

std::string message_webhook_http(const nlohmann::json& ev) {
  return "webhook delivers to " + text_at(ev, "url_host", "its receiver") + " over plain http://";
}

std::string message_secret_variable(const nlohmann::json& ev) {
  const auto environment = text_at(ev, "environment", "");
  return text_at(ev, "level", "a") + " variable " + text_at(ev, "key", "") +
         (environment.empty() ? "" : " (" + environment + ")") +
         " looks like a credential but is not secured";
}

std::string message_members_2fa(const nlohmann::json& ev) {
  const auto it = ev.find("members_without_2fa");
  if (it == ev.end() || !it->is_array()) {
    return "workspace members without two-step verification";
  }
  return std::to_string(it->size()) +
         " member(s) without two-step verification: " + names_of(*it, 5);
}

std::string message_owner_count(const nlohmann::json& ev) {
  const auto it = ev.find("owner_count");
  if (it == ev.end() || !it->is_number_integer()) {
    return "the workspace's owner count is outside the expected range";
  }
  const int n = it->get<int>();
  if (n == 1) {
    return "a single owner (" + names_of(ev.value("owners", nlohmann::json::array()), 1) +
           "): no second administrator";
  }
  const auto max = ev.find("max_owners");
  return std::to_string(n) + " owners" +
         (max != ev.end() && max->is_number_integer()
              ? "; maximum " + std::to_string(max->get<int>())
              : std::string());
}

}  // namespace bbp::core::extended
