#include "bbp/bitbucket/api_client.hpp"

#include <algorithm>
#include <iterator>
#include <set>

#include <spdlog/spdlog.h>

#include "bbp/http/redact.hpp"
#include "bbp/text/text.hpp"

namespace bbp::bitbucket {
namespace {

using core::UnknownReason;

constexpr std::string_view kScopeMessage = "privilege scopes";

std::vector<std::string> string_list(const nlohmann::json& value) {
  std::vector<std::string> out;
  if (value.is_array()) {
    for (const auto& v : value) {
      if (v.is_string()) {
        out.push_back(v.get<std::string>());
      }
    }
  } else if (value.is_string()) {
    out.push_back(value.get<std::string>());
  }
  return out;
}

// First line of a non-JSON body, trimmed, for messages ("Rate limit for this resource…").
std::string text_excerpt(const std::string& body) {
  const std::string_view rest = text::trim(body);
  std::string line(text::trim(rest.substr(0, rest.find('\n'))));
  if (line.find('<') != std::string::npos) {
    return "";  // HTML error page: not worth quoting
  }
  if (line.size() > 200) {
    // Cut before a UTF-8 continuation byte, never inside a character: the message ends up in
    // JSON reports, which need valid UTF-8.
    std::size_t cut = 200;
    while (cut > 0 && (static_cast<unsigned char>(line[cut]) & 0xC0U) == 0x80U) {
      --cut;
    }
    line = line.substr(0, cut) + "…";
  }
  return line;
}

bool is_success(int status) {
  return status >= 200 && status < 300;
}

// Why a request for another origin is not sent.
ApiError refused_origin(http::Method method, const std::string& url, const std::string& endpoint) {
  ApiError e;
  e.kind = ApiError::Kind::refused_url;
  e.endpoint = endpoint;
  e.reason = UnknownReason::invalid_response;
  e.message = (method == http::Method::get ? "refused to follow a link to another host: "
                                           : "refused to send a write to another host: ") +
              http::redact_url(url);
  return e;
}

ApiError not_json(const std::string& endpoint, int status) {
  return ApiError{
      ApiError::Kind::invalid_response, endpoint, status, UnknownReason::invalid_response,
      "the response is not valid JSON", {},       {},     std::nullopt};
}

}  // namespace

ErrorBody parse_error_body(const std::string& body) {
  ErrorBody out;
  const auto json = nlohmann::json::parse(body, nullptr, false);
  if (!json.is_object()) {
    out.message = text_excerpt(body);
    return out;
  }
  if (const auto errors = json.find("errors"); errors != json.end() && errors->is_array()) {
    // Data Center: {"errors": [{"message": "…", "exceptionName": "…"}, …]}
    for (const auto& e : *errors) {
      if (const auto m = e.find("message"); e.is_object() && m != e.end() && m->is_string()) {
        out.message += (out.message.empty() ? "" : "; ") + m->get<std::string>();
      }
    }
    return out;
  }
  const auto error = json.find("error");
  if (error == json.end() || !error->is_object()) {
    if (error != json.end() && error->is_string()) {
      out.message = error->get<std::string>();  // OAuth style {"error": "…"}
    }
    return out;
  }
  if (const auto m = error->find("message"); m != error->end() && m->is_string()) {
    out.message = m->get<std::string>();
  }
  if (const auto d = error->find("detail"); d != error->end()) {
    if (d->is_string()) {
      out.detail = d->get<std::string>();
    } else if (d->is_object()) {
      if (const auto r = d->find("required"); r != d->end()) {
        out.required_scopes = string_list(*r);
      }
      if (const auto g = d->find("granted"); g != d->end()) {
        out.granted_scopes = string_list(*g);
      }
    }
  }
  return out;
}

ApiError classify_http_error(int status, const std::string& body, std::string endpoint) {
  ApiError e;
  e.kind = ApiError::Kind::http;
  e.endpoint = std::move(endpoint);
  e.http_status = status;
  auto parsed = parse_error_body(body);
  e.required_scopes = parsed.required_scopes;
  e.granted_scopes = parsed.granted_scopes;
  const bool scope_error =
      !parsed.required_scopes.empty() || parsed.message.find(kScopeMessage) != std::string::npos;
  std::string what = "HTTP " + std::to_string(status);
  if (!parsed.message.empty()) {
    what += ": " + parsed.message;
  }
  if ((status == 403 || status == 400) && scope_error) {
    e.reason = UnknownReason::missing_scope;
    // A scope the answer says was granted is never named as missing.
    std::vector<std::string> missing;
    std::copy_if(parsed.required_scopes.begin(), parsed.required_scopes.end(),
                 std::back_inserter(missing), [&](const std::string& scope) {
                   return std::find(parsed.granted_scopes.begin(), parsed.granted_scopes.end(),
                                    scope) == parsed.granted_scopes.end();
                 });
    e.message =
        parsed.required_scopes.empty()
            ? what
            : "missing scope: " + text::join(missing.empty() ? parsed.required_scopes : missing) +
                  (parsed.granted_scopes.empty()
                       ? ""
                       : " (granted: " + text::join(parsed.granted_scopes) + ")");
    return e;
  }
  switch (status) {
    case 401:
    case 403:
      e.reason = UnknownReason::forbidden;
      break;
    case 404:
      e.reason = UnknownReason::not_found;
      break;
    case 410:
      e.reason = UnknownReason::gone;
      break;
    case 429:
      e.reason = UnknownReason::rate_limited;
      break;
    default:
      e.reason = UnknownReason::api_error;
  }
  if (!parsed.detail.empty()) {
    what += " (" + parsed.detail + ")";
  }
  e.message = what;
  return e;
}

ApiError classify_transport_error(const http::TransportError& error, std::string endpoint) {
  ApiError e;
  e.kind = error.kind == http::TransportErrorKind::interrupted ? ApiError::Kind::cancelled
                                                               : ApiError::Kind::transport;
  e.endpoint = std::move(endpoint);
  e.transport = error.kind;
  switch (error.kind) {
    case http::TransportErrorKind::timeout:
      e.reason = UnknownReason::timeout;
      break;
    case http::TransportErrorKind::too_large:
      e.reason = UnknownReason::invalid_response;
      break;
    case http::TransportErrorKind::connect:
    case http::TransportErrorKind::tls:
    case http::TransportErrorKind::dns:
    case http::TransportErrorKind::interrupted:
    case http::TransportErrorKind::local:
    case http::TransportErrorKind::other:
      e.reason = UnknownReason::api_error;
      break;
  }
  e.message = std::string(http::to_string(error.kind)) + " error: " + error.message;
  return e;
}

ApiClient::ApiClient(http::Transport& transport, TokenSource& tokens, std::string api_base,
                     const std::atomic<bool>* cancel, http::RateLimiter* limiter)
    : transport_(transport),
      tokens_(tokens),
      api_base_(std::move(api_base)),
      api_origin_(origin_of(api_base_).value_or(Origin{})),
      cancel_(cancel),
      limiter_(limiter) {}

std::string ApiClient::url_for(const std::string& path_or_url) const {
  if (path_or_url.starts_with("/")) {
    return api_base_ + path_or_url;
  }
  return path_or_url;
}

ApiError ApiClient::interrupted_error(const std::string& endpoint) {
  return ApiError{ApiError::Kind::cancelled, endpoint, std::nullopt, UnknownReason::api_error,
                  "scan interrupted",        {},       {},           std::nullopt};
}

tl::expected<Authorization, ApiError> ApiClient::authorization_for(const std::string& endpoint) {
  auto auth = tokens_.authorization();
  if (auth) {
    return std::move(*auth);
  }
  if (cancel_ != nullptr && cancel_->load()) {
    return tl::unexpected(interrupted_error(endpoint));  // the token request was abandoned
  }
  return tl::unexpected(
      ApiError{auth.error().unreachable ? ApiError::Kind::unreachable : ApiError::Kind::auth,
               endpoint,
               std::nullopt,
               UnknownReason::forbidden,
               auth.error().message,
               {},
               {},
               std::nullopt});
}

tl::expected<void, ApiError> ApiClient::authenticate() {
  if (cancel_ != nullptr && cancel_->load()) {
    return tl::unexpected(interrupted_error(api_base_));
  }
  if (auto auth = authorization_for(api_base_); !auth) {
    return tl::unexpected(std::move(auth.error()));
  }
  return {};
}

tl::expected<nlohmann::json, ApiError> ApiClient::get_json(const std::string& path_or_url) {
  return get_once(url_for(path_or_url));
}

tl::expected<nlohmann::json, ApiError> ApiClient::get_once(const std::string& url) {
  const std::string endpoint = path_of(url);
  auto response = exchange({http::Method::get, url, endpoint, std::nullopt});
  if (!response) {
    return tl::unexpected(std::move(response.error()));
  }
  auto json = nlohmann::json::parse(response->body, nullptr, false);
  if (json.is_discarded()) {
    return tl::unexpected(not_json(endpoint, response->status));
  }
  return json;
}

tl::expected<WriteAnswer, ApiError> ApiClient::send_json(
    http::Method method, const std::string& path_or_url,
    const std::optional<nlohmann::json>& body) {
  const std::string url = url_for(path_or_url);
  Call call{method, url, path_of(url), std::nullopt};
  if (body) {
    // Never throws: a string that is not UTF-8 (none parsed from an answer is) gets U+FFFD.
    call.body = body->dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
  auto response = exchange(call);
  if (!response) {
    return tl::unexpected(std::move(response.error()));
  }
  WriteAnswer answer{response->status, nullptr};
  if (text::trim(response->body).empty()) {
    return answer;  // 204 No Content, or a 2xx that says nothing more
  }
  answer.body = nlohmann::json::parse(response->body, nullptr, false);
  if (answer.body.is_discarded()) {
    return tl::unexpected(not_json(call.endpoint, response->status));
  }
  return answer;
}

tl::expected<http::Response, ApiError> ApiClient::exchange(const Call& call) {
  if (origin_of(call.url) != api_origin_) {
    // Never send a credential anywhere but the configured API host.
    return tl::unexpected(refused_origin(call.method, call.url, call.endpoint));
  }
  if (cancel_ != nullptr && cancel_->load()) {
    return tl::unexpected(interrupted_error(call.endpoint));
  }
  bool renewed = false;
  std::optional<int> last_status;
  for (;;) {
    auto sent = send_once(call, last_status);
    if (!sent) {
      return tl::unexpected(std::move(sent.error()));
    }
    http::Response& response = sent->response;
    last_status = response.status;
    if (response.status == 429 && limiter_ != nullptr) {
      continue;  // not an error: sent again once the limiter gives it a new slot
    }
    if (response.status == 401 && unauthorized_is_forbidden_.load()) {
      // Data Center, once the credential has proved itself: a refused permission.
      return tl::unexpected(classify_http_error(401, response.body, call.endpoint));
    }
    if (response.status == 401 && !renewed) {
      renewed = true;
      auto fresh = renew_token(sent->generation, call.endpoint);
      if (!fresh) {
        return tl::unexpected(std::move(fresh.error()));
      }
      if (*fresh) {
        continue;  // with the new token
      }
    }
    if (response.status == 401) {
      auto e = classify_http_error(401, response.body, call.endpoint);
      e.kind = ApiError::Kind::auth;
      e.message = "Bitbucket rejected the credential (" + e.message + ")";
      return tl::unexpected(std::move(e));
    }
    if (!is_success(response.status)) {
      return tl::unexpected(classify_http_error(response.status, response.body, call.endpoint));
    }
    return std::move(response);
  }
}

tl::expected<bool, ApiError> ApiClient::renew_token(std::uint64_t generation,
                                                    const std::string& endpoint) {
  auto fresh = tokens_.renew(generation);
  if (fresh) {
    return *fresh;
  }
  if (cancel_ != nullptr && cancel_->load()) {
    return tl::unexpected(interrupted_error(endpoint));
  }
  return tl::unexpected(
      ApiError{fresh.error().unreachable ? ApiError::Kind::unreachable : ApiError::Kind::auth,
               endpoint,
               401,
               UnknownReason::forbidden,
               fresh.error().message,
               {},
               {},
               std::nullopt});
}

tl::expected<ApiClient::Sent, ApiError> ApiClient::send_once(const Call& call,
                                                             std::optional<int> last_status) {
  auto ticket = take_slot(call, last_status);
  if (!ticket) {
    return tl::unexpected(std::move(ticket.error()));
  }
  const auto give_back = [&] {
    if (*ticket) {
      limiter_->abandon(**ticket);
    }
  };
  auto auth = authorization_for(call.endpoint);  // the token current now, after any wait
  if (!auth) {
    give_back();
    return tl::unexpected(std::move(auth.error()));
  }
  std::uint64_t generation = auth->generation;
  const http::Request request = request_for(call, *auth, generation);
  auto response = transport_.send(request);
  if (!response) {
    give_back();
    return tl::unexpected(classify_transport_error(response.error(), call.endpoint));
  }
  if (*ticket) {
    limiter_->settle(**ticket, *response);
  }
  return Sent{std::move(*response), generation};
}

tl::expected<std::optional<http::RateLimiter::Ticket>, ApiError> ApiClient::take_slot(
    const Call& call, std::optional<int> last_status) {
  if (limiter_ == nullptr) {
    return std::optional<http::RateLimiter::Ticket>{};
  }
  auto slot = limiter_->acquire();
  if (slot) {
    return std::optional<http::RateLimiter::Ticket>{*slot};
  }
  if (slot.error() == http::RateLimitRefusal::interrupted) {
    return tl::unexpected(interrupted_error(call.endpoint));
  }
  return tl::unexpected(
      ApiError{ApiError::Kind::http,
               call.endpoint,
               last_status,
               UnknownReason::rate_limited,
               call.method == http::Method::get ? kRateLimitWaitDetail : kRateLimitWaitWriteDetail,
               {},
               {},
               std::nullopt});
}

http::Request ApiClient::request_for(const Call& call, const Authorization& auth,
                                     std::uint64_t& generation) const {
  http::Request request;
  request.method = call.method;
  request.url = call.url;
  // Authorization first: `refresh` replaces it in place.
  request.headers = {{"Authorization", auth.header.reveal()}, {"Accept", "application/json"}};
  if (call.body) {
    request.headers.emplace_back("Content-Type", "application/json");
    request.body = *call.body;
  }
  // A retry after a back-off carries the token current then, not the one it first carried.
  request.refresh = [this, &generation](http::Request& again) {
    if (auto fresh = tokens_.authorization()) {
      again.headers[0].second = fresh->header.reveal();
      generation = fresh->generation;
    }
  };
  return request;
}

tl::expected<http::Response, ApiError> ApiClient::get_response(const std::string& path_or_url) {
  const std::string url = url_for(path_or_url);
  return exchange(Call{http::Method::get, url, path_of(url), std::nullopt});
}

tl::expected<void, ApiError> ApiClient::for_each_start_page(const std::string& path_or_url,
                                                            const PageHandler& on_page,
                                                            std::size_t limit,
                                                            std::size_t max_pages) {
  const std::string base = url_for(path_or_url);
  const auto invalid = [&](std::string message) {
    ApiError e;
    e.kind = ApiError::Kind::invalid_response;
    e.endpoint = path_of(base);
    e.reason = UnknownReason::invalid_response;
    e.message = std::move(message);
    return tl::unexpected(std::move(e));
  };
  std::int64_t start = 0;
  const std::string separator = base.find('?') == std::string::npos ? "?" : "&";
  for (std::size_t page = 0; page < max_pages; ++page) {
    auto body = get_once(base + separator + "start=" + std::to_string(start) +
                         "&limit=" + std::to_string(limit));
    if (!body) {
      return tl::unexpected(std::move(body.error()));
    }
    const auto values = body->is_object() ? body->find("values") : body->end();
    if (!body->is_object() || values == body->end() || !values->is_array()) {
      return invalid("a page of results has no 'values' list");
    }
    if (!on_page(*values)) {
      return {};
    }
    const auto last = body->find("isLastPage");
    if (last == body->end() || !last->is_boolean()) {
      return invalid("a page of results has no boolean 'isLastPage'");
    }
    if (last->get<bool>()) {
      return {};
    }
    const auto next = body->find("nextPageStart");
    if (next == body->end() || !next->is_number_integer() || next->get<std::int64_t>() <= start) {
      return invalid("a page of results has no 'nextPageStart' after its 'start'");
    }
    start = next->get<std::int64_t>();
  }
  return invalid("pagination stopped after " + std::to_string(max_pages) + " pages");
}

tl::expected<void, ApiError> ApiClient::for_each_page(const std::string& path_or_url,
                                                      const PageHandler& on_page,
                                                      std::size_t max_pages) {
  std::string url = url_for(path_or_url);
  std::set<std::string> seen;
  const auto invalid = [&](std::string message) {
    return tl::unexpected(ApiError{ApiError::Kind::invalid_response,
                                   path_of(url),
                                   std::nullopt,
                                   UnknownReason::invalid_response,
                                   std::move(message),
                                   {},
                                   {},
                                   std::nullopt});
  };
  for (std::size_t page = 0;; ++page) {
    if (page >= max_pages) {
      return invalid("pagination stopped after " + std::to_string(max_pages) + " pages");
    }
    if (!seen.insert(url).second) {
      return invalid("pagination loop: the API returned a 'next' link it had already given");
    }
    auto body = get_once(url);
    if (!body) {
      return tl::unexpected(std::move(body.error()));
    }
    if (!body->is_object()) {
      return invalid("a page of results is not a JSON object");
    }
    const auto values = body->find("values");
    if (values == body->end() || !values->is_array()) {
      return invalid("a page of results has no 'values' list");
    }
    if (!on_page(*values)) {
      return {};
    }
    const auto next = body->find("next");
    if (next == body->end() || next->is_null()) {
      return {};
    }
    if (!next->is_string()) {
      return invalid("a page of results has a 'next' that is not a string");
    }
    std::string next_url = next->get<std::string>();
    if (origin_of(next_url) != api_origin_) {
      ApiError e{
          ApiError::Kind::refused_url,
          path_of(url),
          std::nullopt,
          UnknownReason::invalid_response,
          "refused a 'next' link to another scheme, host or port: " + http::redact_url(next_url),
          {},
          {},
          std::nullopt};
      return tl::unexpected(std::move(e));
    }
    url = std::move(next_url);
  }
}

}  // namespace bbp::bitbucket
