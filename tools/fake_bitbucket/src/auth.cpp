#include "auth.hpp"

#include <algorithm>
#include <set>

#include "util.hpp"

namespace bbp::fake::detail {
namespace {

using nlohmann::json;

Reply oauth_error(int status, std::string_view error, std::string_view description) {
  return Reply::json(status, {{"error", error}, {"error_description", description}});
}

Reply unauthorized(std::string_view message, bool basic_challenge) {
  Reply reply = Reply::json(401, error_body(message));
  if (basic_challenge) {
    reply.headers.emplace_back("WWW-Authenticate", R"(Basic realm="Bitbucket.org HTTP")");
  }
  return reply;
}

// Splits "Basic <base64>" into user and password; nullopt when malformed.
std::optional<std::pair<std::string, std::string>> basic_credentials(
    std::string_view authorization) {
  if (auth_scheme(authorization) != "Basic") {
    return std::nullopt;
  }
  const std::string decoded = base64_decode(authorization.substr(6));
  const auto colon = decoded.find(':');
  if (colon == std::string::npos) {
    return std::nullopt;
  }
  return std::make_pair(decoded.substr(0, colon), decoded.substr(colon + 1));
}

// The classic scopes a grant effectively holds, with Bitbucket's implications applied:
// project => repository, repository:write => repository, pullrequest => repository,
// pullrequest:write => pullrequest + repository:write. Admin scopes imply nothing.
std::set<std::string> effective_classic(const Scopes& granted) {
  std::set<std::string> scopes(granted.begin(), granted.end());
  if (scopes.count("pullrequest:write") != 0) {
    scopes.insert({"pullrequest", "repository:write"});
  }
  if (scopes.count("project") != 0 || scopes.count("repository:write") != 0 ||
      scopes.count("pullrequest") != 0) {
    scopes.insert("repository");
  }
  return scopes;
}

}  // namespace

std::string auth_scheme(std::string_view authorization) {
  const auto space = authorization.find(' ');
  const auto word = authorization.substr(0, space);
  if (iequals(word, "Bearer")) {
    return "Bearer";
  }
  if (iequals(word, "Basic")) {
    return "Basic";
  }
  return {};
}

std::optional<Reply> check_scopes(const Principal& principal, const ScopeRule& rule) {
  const bool granular = principal.kind == CredentialKind::api_token;
  const Scopes& required = granular ? rule.granular : rule.classic;
  const std::set<std::string> held =
      granular ? std::set<std::string>(principal.scopes.begin(), principal.scopes.end())
               : effective_classic(principal.scopes);
  const bool satisfied = std::all_of(required.begin(), required.end(),
                                     [&](const std::string& s) { return held.count(s) != 0; });
  if (satisfied) {
    return std::nullopt;
  }
  json body = error_body("Your credentials lack one or more required privilege scopes.");
  body["error"]["detail"] = {{"granted", principal.scopes}, {"required", required}};
  return Reply::json(403, body);
}

Reply Authenticator::mint(std::string_view authorization, std::string_view form_body) {
  const auto credentials = basic_credentials(authorization);
  if (!credentials) {
    Reply reply = oauth_error(401, "invalid_request",
                              "Client credentials are missing: authenticate with HTTP Basic "
                              "client_id:client_secret");
    reply.headers.emplace_back("WWW-Authenticate", R"(Basic realm="OAuth")");
    return reply;
  }
  const auto client = std::find_if(
      scenario_.oauth_clients.begin(), scenario_.oauth_clients.end(), [&](const OAuthClient& c) {
        return c.client_id == credentials->first && c.client_secret == credentials->second;
      });
  if (client == scenario_.oauth_clients.end()) {
    return oauth_error(400, "unauthorized_client", "Invalid OAuth client credentials");
  }
  const auto form = parse_query(form_body);
  const std::string grant_type = query_value(form, "grant_type");
  if (grant_type.empty()) {
    return oauth_error(400, "invalid_request", "Missing grant_type parameter");
  }
  if (grant_type != "client_credentials") {
    return oauth_error(400, "unsupported_grant_type", "Unsupported grant type: " + grant_type);
  }
  if (client->is_public) {
    return oauth_error(400, "invalid_grant",
                       "Cannot use client_credentials with a consumer marked as \"public\". "
                       "Calls for auto generated consumers should use urn:bitbucket:oauth2:jwt "
                       "instead.");
  }

  std::string token = random_token(48);
  std::string scope_text;
  for (const auto& scope : client->scopes) {
    scope_text += (scope_text.empty() ? "" : " ") + scope;
  }
  {
    const std::lock_guard lock(mutex_);
    const auto now = Clock::now();
    std::erase_if(minted_, [&](const auto& entry) { return entry.second.expires_at <= now; });
    minted_[token] = {client->scopes, now + std::chrono::seconds(client->expires_in)};
    issued_.push_back(token);
  }
  return Reply::json(200, {{"access_token", token},
                           {"scope", scope_text},
                           {"expires_in", client->expires_in},
                           {"token_type", "bearer"},
                           {"state", "client_credentials"}});
}

std::variant<Principal, Reply> Authenticator::authenticate(std::string_view authorization) const {
  const std::string scheme = auth_scheme(authorization);
  if (scheme == "Bearer") {
    const auto token = std::string(authorization.substr(authorization.find(' ') + 1));
    const std::lock_guard lock(mutex_);
    if (const auto it = minted_.find(token);
        it != minted_.end() && it->second.expires_at > Clock::now()) {
      return Principal{CredentialKind::bearer, it->second.scopes};
    }
    if (!access_tokens_expired_) {
      for (const auto& configured : scenario_.access_tokens) {
        if (configured.token == token) {
          return Principal{CredentialKind::access_token, configured.scopes};
        }
      }
    }
    return unauthorized("Access token expired.", false);
  }
  if (scheme == "Basic") {
    if (const auto credentials = basic_credentials(authorization)) {
      const auto& [user, secret] = *credentials;
      for (const auto& api_token : scenario_.api_tokens) {
        if (api_token.email == user && api_token.token == secret) {
          return Principal{CredentialKind::api_token, api_token.scopes};
        }
      }
      for (const auto& password : scenario_.app_passwords) {
        if (password.username == user && password.password == secret) {
          return Principal{CredentialKind::app_password, password.scopes};
        }
      }
    }
    return unauthorized("Invalid credentials.", true);
  }
  return unauthorized("Authentication required.", true);
}

std::vector<std::string> Authenticator::issued() const {
  const std::lock_guard lock(mutex_);
  return issued_;
}

void Authenticator::expire_all() {
  const std::lock_guard lock(mutex_);
  minted_.clear();
  access_tokens_expired_ = true;
}

}  // namespace bbp::fake::detail
