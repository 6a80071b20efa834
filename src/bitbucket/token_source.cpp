#include "bbp/bitbucket/token_source.hpp"

#include <algorithm>
#include <sstream>

#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include "bbp/bitbucket/url.hpp"

namespace bbp::bitbucket {
namespace {

std::vector<std::string> split_scopes(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string scope;
  while (in >> scope) {
    if (scope.ends_with(',')) {
      scope.pop_back();
    }
    if (!scope.empty()) {
      out.push_back(scope);
    }
  }
  return out;
}

// "unauthorized_client: Invalid OAuth client credentials" from an RFC 6749 error body.
std::string token_error_text(const http::Response& response) {
  const auto body = nlohmann::json::parse(response.body, nullptr, false);
  std::string text;
  if (body.is_object()) {
    if (const auto it = body.find("error"); it != body.end() && it->is_string()) {
      text = it->get<std::string>();
    }
    if (const auto it = body.find("error_description"); it != body.end() && it->is_string()) {
      text += (text.empty() ? "" : ": ") + it->get<std::string>();
    }
  }
  if (text.empty()) {
    text = "no error description";
  }
  return text;
}

}  // namespace

ClientCredentialsTokenSource::ClientCredentialsTokenSource(http::Transport& transport,
                                                           std::string token_url,
                                                           std::string client_id,
                                                           Secret client_secret,
                                                           const http::MonotonicClock& clock)
    : transport_(transport),
      token_url_(std::move(token_url)),
      client_id_(std::move(client_id)),
      client_secret_(std::move(client_secret)),
      clock_(clock) {}

tl::expected<Authorization, AuthFailure> ClientCredentialsTokenSource::authorization() {
  const std::lock_guard lock(mutex_);
  if (!token_ || clock_.now() >= renew_at_) {
    if (auto minted = mint_locked(); !minted) {
      return tl::unexpected(minted.error());
    }
  }
  return Authorization{Secret("Bearer " + token_->reveal()), generation_};
}

tl::expected<bool, AuthFailure> ClientCredentialsTokenSource::renew(
    std::uint64_t failed_generation) {
  const std::lock_guard lock(mutex_);
  if (failed_generation == generation_) {
    spdlog::info("access token rejected (401): requesting a new one");
    if (auto minted = mint_locked(); !minted) {
      return tl::unexpected(minted.error());
    }
  }
  return true;
}

std::vector<std::string> ClientCredentialsTokenSource::granted_scopes() const {
  const std::lock_guard lock(mutex_);
  return scopes_;
}

std::uint64_t ClientCredentialsTokenSource::tokens_minted() const {
  const std::lock_guard lock(mutex_);
  return generation_;
}

tl::expected<void, AuthFailure> ClientCredentialsTokenSource::mint_locked() {
  http::Request request;
  request.method = http::Method::post;
  request.url = token_url_;
  request.headers = {
      {"Authorization", "Basic " + base64_encode(client_id_ + ":" + client_secret_.reveal())},
      {"Content-Type", "application/x-www-form-urlencoded"},
      {"Accept", "application/json"}};
  request.body = "grant_type=client_credentials";
  spdlog::debug("requesting an access token from {}", token_url_);
  const auto result = transport_.send(request);
  if (!result) {
    return tl::unexpected(AuthFailure{"cannot reach the OAuth token endpoint " + token_url_ + ": " +
                                          std::string(http::to_string(result.error().kind)) +
                                          " error: " + result.error().message,
                                      true});
  }
  if (result->status == 429 || result->status >= 500) {
    // An outage (after the retries), not a verdict on the credentials.
    return tl::unexpected(AuthFailure{"the OAuth token endpoint " + token_url_ + " failed (HTTP " +
                                          std::to_string(result->status) + ")",
                                      true});
  }
  if (result->status != 200) {
    return tl::unexpected(
        AuthFailure{"the OAuth token endpoint refused the client credentials (HTTP " +
                        std::to_string(result->status) + ", " + token_error_text(*result) + ")",
                    false});
  }
  const auto body = nlohmann::json::parse(result->body, nullptr, false);
  const auto token = body.is_object() ? body.find("access_token") : body.end();
  if (!body.is_object() || token == body.end() || !token->is_string() ||
      token->get<std::string>().empty()) {
    return tl::unexpected(
        AuthFailure{"the OAuth token endpoint answered without an access_token", false});
  }
  // Read as a double and clamped to [1 s, 1 day]: an absurd value must not overflow the clock.
  std::int64_t expires_in = 3600;
  if (const auto it = body.find("expires_in"); it != body.end() && it->is_number()) {
    expires_in = static_cast<std::int64_t>(std::clamp(it->get<double>(), 1.0, 86'400.0));
  }
  for (const char* key : {"scope", "scopes"}) {
    if (const auto it = body.find(key); it != body.end() && it->is_string()) {
      scopes_ = split_scopes(it->get<std::string>());
      break;
    }
  }
  // Renew a little before expiry: a tenth of the lifetime, at most five minutes.
  const auto lifetime = std::chrono::seconds{expires_in};
  const auto margin = std::min<std::chrono::milliseconds>(std::chrono::minutes{5}, lifetime / 10);
  token_ = Secret(token->get<std::string>());
  renew_at_ = clock_.now() + lifetime - margin;
  ++generation_;
  spdlog::info("obtained an access token (expires in {} s)", expires_in);
  return {};
}

std::unique_ptr<TokenSource> make_token_source(const Credentials& credentials,
                                               http::Transport& transport,
                                               const std::string& token_url,
                                               const http::MonotonicClock& clock) {
  switch (credentials.kind) {
    case CredentialKind::access_token:
      return std::make_unique<StaticTokenSource>(Secret("Bearer " + credentials.secret.reveal()));
    case CredentialKind::api_token:
      return std::make_unique<StaticTokenSource>(Secret(
          "Basic " + base64_encode(credentials.username + ":" + credentials.secret.reveal())));
    case CredentialKind::client_credentials:
      return std::make_unique<ClientCredentialsTokenSource>(
          transport, token_url, credentials.client_id, credentials.secret, clock);
  }
  return nullptr;
}

}  // namespace bbp::bitbucket
