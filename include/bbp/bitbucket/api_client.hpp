// Authenticated JSON reads and writes against the Bitbucket Cloud API, and pagination.
#pragma once

#include <atomic>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <tl/expected.hpp>

#include "bbp/bitbucket/token_source.hpp"
#include "bbp/bitbucket/url.hpp"
#include "bbp/core/outcome.hpp"
#include "bbp/http/rate_limiter.hpp"
#include "bbp/http/transport.hpp"

namespace bbp::bitbucket {

// Why an API read or write failed. `auth` means the credential itself was rejected (exit code 4);
// everything else becomes a gap / unknown for the resource being read.
struct ApiError {
  // auth: the credential was rejected; unreachable: no token could be had because the token
  // endpoint could not be reached (both end a scan).
  enum class Kind { http, transport, invalid_response, refused_url, auth, unreachable, cancelled };
  Kind kind = Kind::http;
  std::string endpoint;            // path, e.g. "/2.0/repositories/acme/api/deploy-keys"
  std::optional<int> http_status;  // for Kind::http (and auth after a 401)
  core::UnknownReason reason = core::UnknownReason::api_error;
  std::string message;                       // for a person; never contains a secret
  std::vector<std::string> required_scopes;  // from a missing-scope error body
  std::vector<std::string> granted_scopes;
  // For Kind::transport and cancelled: what kept the answer away. connect, dns and tls mean the
  // request never reached Bitbucket; a timeout may have reached it.
  std::optional<http::TransportErrorKind> transport;
};

// The parts of a Bitbucket error body worth showing. Tolerates anything: `error.detail` may be
// a string or an object with granted/required scopes; the body may be text or HTML.
struct ErrorBody {
  std::string message;
  std::string detail;
  std::vector<std::string> required_scopes;
  std::vector<std::string> granted_scopes;
};
ErrorBody parse_error_body(const std::string& body);

// Maps a non-2xx answer to an ApiError with its unknown reason (missing_scope, forbidden,
// not_found, gone, rate_limited, api_error).
ApiError classify_http_error(int status, const std::string& body, std::string endpoint);
ApiError classify_transport_error(const http::TransportError& error, std::string endpoint);

// What a write was answered: its status and its body as JSON (null when empty, e.g. 204).
struct WriteAnswer {
  int status = 0;
  nlohmann::json body;
};

class ApiClient {
 public:
  // `api_base` is e.g. "https://api.bitbucket.org/2.0" (validated by the caller). With a
  // `limiter`, every request takes a slot from it first and a 429 is sent again (with the token
  // current then) for as long as the limiter lets the scan wait; without one a 429 is an error.
  ApiClient(http::Transport& transport, TokenSource& tokens, std::string api_base,
            const std::atomic<bool>* cancel = nullptr, http::RateLimiter* limiter = nullptr);

  // Makes sure the credential is ready (mints the OAuth token when there is none yet), so that
  // the first reads can then be made in parallel without each of them minting one.
  tl::expected<void, ApiError> authenticate();

  // GET a path relative to the API base ("/user") or an absolute URL on the API's origin.
  tl::expected<nlohmann::json, ApiError> get_json(const std::string& path_or_url);

  // Follows `next` from page to page, handing each page's `values` array to `on_page`.
  // Refuses a `next` on another scheme/host/port, stops on a repeated URL or after
  // `max_pages` pages. `on_page` may return false to stop early.
  using PageHandler = std::function<bool(const nlohmann::json& values)>;
  tl::expected<void, ApiError> for_each_page(const std::string& path_or_url,
                                             const PageHandler& on_page,
                                             std::size_t max_pages = 10'000);

  // Data Center's paging: `start`/`limit` added to the query, each page's `values` to
  // `on_page`, from page to page by `nextPageStart` until `isLastPage`. A page without them, or
  // a `nextPageStart` that does not move on, is invalid_response.
  tl::expected<void, ApiError> for_each_start_page(const std::string& path_or_url,
                                                   const PageHandler& on_page,
                                                   std::size_t limit = 1000,
                                                   std::size_t max_pages = 10'000);

  // A GET whose answer's headers matter (Data Center names the signed-in user in one): the
  // 2xx response, or the error any other answer is.
  tl::expected<http::Response, ApiError> get_response(const std::string& path_or_url);

  // Data Center, once an endpoint anonymous callers cannot read has answered: a later 401 is a
  // permission the credential lacks (Data Center answers 401, not 403, for those), a gap, not
  // a rejected credential.
  void treat_unauthorized_as_forbidden() { unauthorized_is_forbidden_.store(true); }

  // Sends a write (POST, PUT, DELETE) of `body` (JSON; none for nullopt) to a path relative to
  // the API base. Like a read: a slot from the rate limiter first (a 429 is sent again when the
  // limiter gives a new slot), the token current then, one renewal after a 401 (then Kind::auth).
  // Any other non-2xx answer is an ApiError from classify_http_error (http_status set, so a
  // caller can tell 404/409/403 apart); a 2xx body that is not JSON (and not empty) is
  // invalid_response. Never to another origin than the API's.
  tl::expected<WriteAnswer, ApiError> send_json(http::Method method, const std::string& path_or_url,
                                                const std::optional<nlohmann::json>& body);

  const std::string& api_base() const { return api_base_; }
  std::string url_for(const std::string& path_or_url) const;

 private:
  // One request as the loop sends it (again after a 429 or a renewal).
  struct Call {
    http::Method method = http::Method::get;
    std::string url;                  // absolute
    std::string endpoint;             // its path, for errors
    std::optional<std::string> body;  // JSON text; none for nullopt
  };
  struct Sent {
    http::Response response;
    std::uint64_t generation = 0;  // of the token it carried
  };

  tl::expected<nlohmann::json, ApiError> get_once(const std::string& url);
  // Every request, read or write, goes through here: the origin check, then send_once again
  // after a 429 (with a limiter) and once after a 401 that renewed the token. The 2xx answer,
  // or the error any other answer is.
  tl::expected<http::Response, ApiError> exchange(const Call& call);
  // The Authorization to send, or the error a request to `endpoint` reports: interrupted when
  // the token request was abandoned, an authentication failure when it was refused.
  tl::expected<Authorization, ApiError> authorization_for(const std::string& endpoint);
  static ApiError interrupted_error(const std::string& endpoint);
  // After a 401: true when a new token was minted (send again), false when there is none.
  tl::expected<bool, ApiError> renew_token(std::uint64_t generation, const std::string& endpoint);
  // One attempt: a slot from the limiter, the current token, the request; the answer or why
  // there is none. The ticket is settled here.
  tl::expected<Sent, ApiError> send_once(const Call& call, std::optional<int> last_status);
  // The slot the limiter gives (none without a limiter), or why the request is not sent.
  tl::expected<std::optional<http::RateLimiter::Ticket>, ApiError> take_slot(
      const Call& call, std::optional<int> last_status);
  // The request `call` is, carrying `auth`; a retry after a back-off refreshes the token into
  // it and into `generation`.
  http::Request request_for(const Call& call, const Authorization& auth,
                            std::uint64_t& generation) const;

  http::Transport& transport_;
  TokenSource& tokens_;
  std::string api_base_;
  Origin api_origin_;
  const std::atomic<bool>* cancel_;
  http::RateLimiter* limiter_;
  std::atomic<bool> unauthorized_is_forbidden_{false};
};

// The detail of a read that was not made because the rate limit outlasted --max-wait.
inline constexpr const char* kRateLimitWaitDetail =
    "not read: the rate limit outlasted the time the scan may wait for it (--max-wait)";
// The same for a write that was not sent.
inline constexpr const char* kRateLimitWaitWriteDetail =
    "not sent: the rate limit outlasted the time the run may wait for it (--max-wait)";

}  // namespace bbp::bitbucket
