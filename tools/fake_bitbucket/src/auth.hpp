// Credentials: the OAuth token endpoint, authentication of API calls and scope checks.
#pragma once

#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <variant>
#include <vector>

#include "reply.hpp"
#include "scenario.hpp"

namespace bbp::fake::detail {

// bearer: a token minted by the OAuth endpoint; access_token: a configured access token.
enum class CredentialKind { bearer, access_token, api_token, app_password };

struct Principal {
  CredentialKind kind = CredentialKind::bearer;
  Scopes scopes;  // classic scopes, or granular ones for API tokens
};

// Scopes an endpoint requires; every listed scope is needed. Classic scopes apply to OAuth
// tokens, access tokens and app passwords, granular scopes to API tokens.
struct ScopeRule {
  Scopes classic;
  Scopes granular;
};

// "Bearer", "Basic" or "" for the Authorization header value.
std::string auth_scheme(std::string_view authorization);

// nullopt when `principal` holds every scope of `rule`, otherwise the 403 reply.
std::optional<Reply> check_scopes(const Principal& principal, const ScopeRule& rule);

class Authenticator {
 public:
  explicit Authenticator(const Scenario& scenario) : scenario_(scenario) {}

  // POST /site/oauth2/access_token (client credentials grant).
  Reply mint(std::string_view authorization, std::string_view form_body);

  // Either the authenticated principal or the 401 reply.
  std::variant<Principal, Reply> authenticate(std::string_view authorization) const;

  // Voids every minted token and every configured access token.
  void expire_all();

  // Every access token minted so far, expired ones included, oldest first.
  std::vector<std::string> issued() const;

 private:
  using Clock = std::chrono::steady_clock;
  struct MintedToken {
    Scopes scopes;
    Clock::time_point expires_at;
  };

  const Scenario& scenario_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, MintedToken> minted_;
  std::vector<std::string> issued_;
  bool access_tokens_expired_ = false;
};

}  // namespace bbp::fake::detail
