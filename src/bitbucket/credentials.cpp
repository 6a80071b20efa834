#include "bbp/bitbucket/credentials.hpp"

#include <algorithm>
#include <array>
#include <cstdlib>

#include <spdlog/spdlog.h>

#include "bbp/text/base64.hpp"
#include "bbp/text/names.hpp"

namespace bbp::bitbucket {

namespace {

constexpr std::array<text::Named<CredentialKind>, 3> kKinds{{
    {CredentialKind::access_token, "access_token"},
    {CredentialKind::client_credentials, "client_credentials"},
    {CredentialKind::api_token, "api_token"},
}};

}  // namespace

std::string_view to_string(CredentialKind kind) {
  return text::name_of(kKinds, kind);
}

std::optional<CredentialKind> credential_kind_from_string(std::string_view name) {
  return text::value_of(kKinds, name);
}

EnvLookup process_environment() {
  return [](std::string_view name) -> std::optional<std::string> {
    const char* value = std::getenv(std::string(name).c_str());  // NOLINT(concurrency-mt-unsafe)
    if (value == nullptr || *value == '\0') {
      return std::nullopt;
    }
    return std::string(value);
  };
}

namespace {

// One credential variable: surrounding whitespace (a newline from `$(cat file)`) is trimmed with
// a log line; what cannot be sent as it is (a control character inside, and for everything but
// the account email a non-ASCII character) is refused, naming the variable and never the value.
tl::expected<std::optional<std::string>, std::string> read_variable(const EnvLookup& env,
                                                                    std::string_view name) {
  auto value = env(name);
  if (!value) {
    return std::nullopt;
  }
  const std::string_view trimmed = text::trim(*value);
  if (trimmed.empty()) {
    return std::nullopt;  // only whitespace: as if unset
  }
  if (trimmed.size() != value->size()) {
    *value = std::string(trimmed);
    spdlog::info("{} has whitespace around it: using it trimmed", name);
  }
  const bool email = name == "BITBUCKET_EMAIL" || name == "BITBUCKET_USERNAME";
  for (const char c : *value) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7F) {
      return tl::unexpected(std::string(name) +
                            " contains a control character (a line break or tab inside the "
                            "value?): set it again with the value alone");
    }
    if (byte >= 0x80 && !email) {
      return tl::unexpected(std::string(name) +
                            " contains a non-ASCII character, which no Bitbucket token, secret "
                            "or client id has: copy the value again");
    }
  }
  return value;
}

// The credential the environment holds, by precedence.
tl::expected<Credentials, std::string> pick_credentials(const EnvLookup& env) {
  // Variables are checked when they are used: a stray variable of a credential that loses to
  // another does not stop the scan.
  using Variable = tl::expected<std::optional<std::string>, std::string>;
  const auto set = [](const Variable& v) { return !v || v->has_value(); };
  const auto value = [](Variable& v) { return std::move(**v); };
  Variable token = read_variable(env, "BITBUCKET_ACCESS_TOKEN");
  Variable client_id = read_variable(env, "BITBUCKET_CLIENT_ID");
  Variable client_secret = read_variable(env, "BITBUCKET_CLIENT_SECRET");
  Variable username = read_variable(env, "BITBUCKET_EMAIL");
  if (!set(username)) {
    username = read_variable(env, "BITBUCKET_USERNAME");
  }
  Variable api_token = read_variable(env, "BITBUCKET_API_TOKEN");
  for (const auto* used : {&token, &client_id, &client_secret, &username, &api_token}) {
    const bool wins = used == &token || !set(token);
    if (!*used && wins) {
      return tl::unexpected(used->error());
    }
  }
  if (set(token)) {
    return Credentials{CredentialKind::access_token, {}, {}, Secret(value(token)), {}, {}};
  }
  if (set(client_id) && set(client_secret)) {
    return Credentials{CredentialKind::client_credentials,
                       value(client_id),
                       {},
                       Secret(value(client_secret)),
                       {},
                       {}};
  }
  if (set(client_id) || set(client_secret)) {
    return tl::unexpected(std::string(
        "BITBUCKET_CLIENT_ID and BITBUCKET_CLIENT_SECRET must both be set for OAuth client "
        "credentials"));
  }
  if (set(username) && set(api_token)) {
    return Credentials{CredentialKind::api_token, {}, value(username),
                       Secret(value(api_token)),  {}, {}};
  }
  if (set(api_token)) {
    return tl::unexpected(std::string(
        "BITBUCKET_API_TOKEN needs BITBUCKET_EMAIL (the Atlassian account email) as well"));
  }
  return tl::unexpected(std::string(
      "no Bitbucket credentials in the environment: set BITBUCKET_CLIENT_ID and "
      "BITBUCKET_CLIENT_SECRET (OAuth consumer), or BITBUCKET_ACCESS_TOKEN, or BITBUCKET_EMAIL "
      "and BITBUCKET_API_TOKEN"));
}

// The variables `credentials` came from; the account email may be BITBUCKET_USERNAME.
std::vector<std::string> variables_of(const Credentials& credentials, const EnvLookup& env) {
  switch (credentials.kind) {
    case CredentialKind::access_token:
      return {"BITBUCKET_ACCESS_TOKEN"};
    case CredentialKind::client_credentials:
      return {"BITBUCKET_CLIENT_ID", "BITBUCKET_CLIENT_SECRET"};
    case CredentialKind::api_token:
      return {env("BITBUCKET_EMAIL") ? "BITBUCKET_EMAIL" : "BITBUCKET_USERNAME",
              "BITBUCKET_API_TOKEN"};
  }
  return {};
}

}  // namespace

tl::expected<Credentials, std::string> credentials_from_environment(const EnvLookup& env) {
  auto credentials = pick_credentials(env);
  if (!credentials) {
    return credentials;
  }
  credentials->variables = variables_of(*credentials, env);
  for (const char* name :
       {"BITBUCKET_ACCESS_TOKEN", "BITBUCKET_CLIENT_ID", "BITBUCKET_CLIENT_SECRET",
        "BITBUCKET_EMAIL", "BITBUCKET_USERNAME", "BITBUCKET_API_TOKEN"}) {
    const auto& used = credentials->variables;
    if (env(name) && std::find(used.begin(), used.end(), name) == used.end()) {
      credentials->outranked.emplace_back(name);
    }
  }
  return credentials;
}

std::string describe(const Credentials& credentials) {
  switch (credentials.kind) {
    case CredentialKind::access_token:
      return "access token (BITBUCKET_ACCESS_TOKEN)";
    case CredentialKind::client_credentials:
      return "OAuth 2.0 client credentials (client id '" + credentials.client_id + "')";
    case CredentialKind::api_token:
      return "API token for '" + credentials.username + "'";
  }
  return "unknown credential";
}

std::string base64_encode(std::string_view data) {
  return text::base64_encode(data);
}

}  // namespace bbp::bitbucket
