#include "auth.hpp"

#include <algorithm>
#include <cmath>

#include "util.hpp"

namespace bbp::fake_dc::detail {
namespace {

Reply authentication_failed() {
  return Reply::json(
      401, dc_error("Authentication failed. Please check your credentials and try again.",
                    "com.atlassian.bitbucket.auth.IncorrectPasswordAuthenticationException"));
}

std::string_view credentials_of(std::string_view authorization) {
  const auto space = authorization.find(' ');
  if (space == std::string_view::npos) {
    return {};
  }
  auto rest = authorization.substr(space + 1);
  while (!rest.empty() && rest.front() == ' ') {
    rest.remove_prefix(1);
  }
  return rest;
}

}  // namespace

std::string auth_scheme(std::string_view authorization) {
  const auto word = authorization.substr(0, authorization.find(' '));
  if (iequals(word, "Bearer")) {
    return "Bearer";
  }
  if (iequals(word, "Basic")) {
    return "Basic";
  }
  return {};
}

std::variant<const User*, Reply> authenticate(const Scenario& scenario,
                                              std::string_view authorization) {
  const std::string scheme = auth_scheme(authorization);
  if (scheme == "Bearer") {
    const auto it = scenario.user_by_token.find(std::string(credentials_of(authorization)));
    if (it != scenario.user_by_token.end()) {
      return &scenario.users[it->second];
    }
    if (scenario.anonymous_bearer) {
      return static_cast<const User*>(nullptr);
    }
    return authentication_failed();
  }
  if (scheme != "Basic") {
    return static_cast<const User*>(nullptr);
  }
  const std::string decoded = base64_decode(credentials_of(authorization));
  const auto colon = decoded.find(':');
  const User* user =
      colon == std::string::npos ? nullptr : scenario.find_user_by_name(decoded.substr(0, colon));
  if (user == nullptr) {
    return authentication_failed();
  }
  const std::string secret = decoded.substr(colon + 1);
  const bool password = user->password && *user->password == secret;
  const bool token =
      std::find(user->tokens.begin(), user->tokens.end(), secret) != user->tokens.end();
  if (!password && !token) {
    return authentication_failed();
  }
  return user;
}

std::optional<long long> RateLimiter::take(const std::string& user) {
  if (!options_) {
    return std::nullopt;
  }
  const auto now = std::chrono::steady_clock::now();
  const std::lock_guard lock(mutex_);
  auto [it, fresh] = buckets_.try_emplace(user, Bucket{options_->capacity, now});
  Bucket& bucket = it->second;
  if (!fresh) {
    const std::chrono::duration<double> elapsed = now - bucket.last;
    bucket.tokens =
        std::min(options_->capacity, bucket.tokens + elapsed.count() * options_->refill_per_second);
    bucket.last = now;
  }
  if (bucket.tokens >= 1.0) {
    bucket.tokens -= 1.0;
    return std::nullopt;
  }
  const double wait = (1.0 - bucket.tokens) / options_->refill_per_second;
  return std::max(1LL, static_cast<long long>(std::ceil(wait)));
}

}  // namespace bbp::fake_dc::detail
