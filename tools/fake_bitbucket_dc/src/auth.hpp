// Authentication (HTTP access tokens as Bearer or Basic, passwords as Basic) and the optional
// per-user rate limit.
#pragma once

#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <variant>

#include "reply.hpp"
#include "scenario.hpp"

namespace bbp::fake_dc::detail {

// "Bearer", "Basic" or "" for an Authorization header value.
std::string auth_scheme(std::string_view authorization);

// The authenticated user (nullptr: anonymous), or the 401 to answer. No header, an unknown
// scheme or (with `anonymous_bearer`, as real servers do) an unrecognised Bearer token is
// anonymous; Basic with an unknown user or a wrong password or token is refused.
std::variant<const User*, Reply> authenticate(const Scenario& scenario,
                                              std::string_view authorization);

// A token bucket per authenticated user on the real steady clock.
class RateLimiter {
 public:
  explicit RateLimiter(std::optional<RateLimitOptions> options) : options_(options) {}

  // Takes a token from `user`'s bucket. nullopt: admitted; otherwise the whole seconds (at
  // least 1) until a token is back, for Retry-After.
  std::optional<long long> take(const std::string& user);

 private:
  struct Bucket {
    double tokens = 0;
    std::chrono::steady_clock::time_point last;
  };

  std::optional<RateLimitOptions> options_;
  std::mutex mutex_;
  std::unordered_map<std::string, Bucket> buckets_;
};

}  // namespace bbp::fake_dc::detail
