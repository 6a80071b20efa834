// Where the Authorization header comes from, for each kind of credential.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <tl/expected.hpp>

#include "bbp/bitbucket/credentials.hpp"
#include "bbp/bitbucket/secret.hpp"
#include "bbp/http/sleeper.hpp"
#include "bbp/http/transport.hpp"

namespace bbp::bitbucket {

// Authentication failed for good: bad credentials, token endpoint refusal or outage.
struct AuthFailure {
  std::string message;  // never contains a secret
  // The token endpoint could not be reached, or failed (429, 5xx) after the retries: an outage,
  // not a verdict on the credential.
  bool unreachable = false;
};

struct Authorization {
  Secret header;                 // full header value: "Bearer …" or "Basic …"
  std::uint64_t generation = 0;  // changes each time a new token is minted
};

class TokenSource {
 public:
  virtual ~TokenSource() = default;
  // The current Authorization header value, minting a token first when needed.
  virtual tl::expected<Authorization, AuthFailure> authorization() = 0;
  // After a 401 with a header of `failed_generation`: mints a new token (once for all threads
  // that saw the same failure). Returns false when this credential cannot be renewed.
  virtual tl::expected<bool, AuthFailure> renew(std::uint64_t failed_generation) = 0;
  // Scopes the token endpoint reported (client credentials only; empty otherwise).
  virtual std::vector<std::string> granted_scopes() const { return {}; }
};

// Bearer access tokens and Basic API tokens: a fixed header, never renewed.
class StaticTokenSource final : public TokenSource {
 public:
  explicit StaticTokenSource(Secret header) : header_(std::move(header)) {}
  tl::expected<Authorization, AuthFailure> authorization() override {
    return Authorization{header_, 0};
  }
  tl::expected<bool, AuthFailure> renew(std::uint64_t /*failed_generation*/) override {
    return false;
  }

 private:
  Secret header_;
};

// OAuth 2.0 client-credentials grant. Client credentials get no refresh token, so a fresh token
// is minted shortly before expiry and once more after a 401. Thread-safe.
class ClientCredentialsTokenSource final : public TokenSource {
 public:
  ClientCredentialsTokenSource(http::Transport& transport, std::string token_url,
                               std::string client_id, Secret client_secret,
                               const http::MonotonicClock& clock);

  tl::expected<Authorization, AuthFailure> authorization() override;
  tl::expected<bool, AuthFailure> renew(std::uint64_t failed_generation) override;
  std::vector<std::string> granted_scopes() const override;

  std::uint64_t tokens_minted() const;

 private:
  tl::expected<void, AuthFailure> mint_locked();

  http::Transport& transport_;
  std::string token_url_;
  std::string client_id_;
  Secret client_secret_;
  const http::MonotonicClock& clock_;

  mutable std::mutex mutex_;
  std::optional<Secret> token_;                       // guarded by mutex_
  std::chrono::steady_clock::time_point renew_at_{};  // guarded by mutex_
  std::uint64_t generation_ = 0;                      // guarded by mutex_
  std::vector<std::string> scopes_;                   // guarded by mutex_
};

std::unique_ptr<TokenSource> make_token_source(const Credentials& credentials,
                                               http::Transport& transport,
                                               const std::string& token_url,
                                               const http::MonotonicClock& clock);

}  // namespace bbp::bitbucket
