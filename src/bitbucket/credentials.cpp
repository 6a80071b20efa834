#include "bbp/bitbucket/credentials.hpp"

#include <cstdlib>

namespace bbp::bitbucket {

std::string_view to_string(CredentialKind kind) {
  switch (kind) {
    case CredentialKind::access_token:
      return "access_token";
    case CredentialKind::client_credentials:
      return "client_credentials";
    case CredentialKind::api_token:
      return "api_token";
  }
  return "access_token";
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

tl::expected<Credentials, std::string> credentials_from_environment(const EnvLookup& env) {
  if (auto token = env("BITBUCKET_ACCESS_TOKEN")) {
    return Credentials{CredentialKind::access_token, {}, {}, Secret(std::move(*token))};
  }
  auto client_id = env("BITBUCKET_CLIENT_ID");
  auto client_secret = env("BITBUCKET_CLIENT_SECRET");
  if (client_id && client_secret) {
    return Credentials{CredentialKind::client_credentials,
                       std::move(*client_id),
                       {},
                       Secret(std::move(*client_secret))};
  }
  if (client_id || client_secret) {
    return tl::unexpected(std::string(
        "BITBUCKET_CLIENT_ID and BITBUCKET_CLIENT_SECRET must both be set for OAuth client "
        "credentials"));
  }
  auto username = env("BITBUCKET_EMAIL");
  if (!username) {
    username = env("BITBUCKET_USERNAME");
  }
  auto api_token = env("BITBUCKET_API_TOKEN");
  if (username && api_token) {
    return Credentials{
        CredentialKind::api_token, {}, std::move(*username), Secret(std::move(*api_token))};
  }
  if (api_token) {
    return tl::unexpected(std::string(
        "BITBUCKET_API_TOKEN needs BITBUCKET_EMAIL (the Atlassian account email) as well"));
  }
  return tl::unexpected(std::string(
      "no Bitbucket credentials in the environment: set BITBUCKET_CLIENT_ID and "
      "BITBUCKET_CLIENT_SECRET (OAuth consumer), or BITBUCKET_ACCESS_TOKEN, or BITBUCKET_EMAIL "
      "and BITBUCKET_API_TOKEN"));
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
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((data.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 2 < data.size(); i += 3) {
    const auto n = (static_cast<unsigned>(static_cast<unsigned char>(data[i])) << 16U) |
                   (static_cast<unsigned>(static_cast<unsigned char>(data[i + 1])) << 8U) |
                   static_cast<unsigned>(static_cast<unsigned char>(data[i + 2]));
    out += kAlphabet[(n >> 18U) & 63U];
    out += kAlphabet[(n >> 12U) & 63U];
    out += kAlphabet[(n >> 6U) & 63U];
    out += kAlphabet[n & 63U];
  }
  if (i < data.size()) {
    auto n = static_cast<unsigned>(static_cast<unsigned char>(data[i])) << 16U;
    const bool two = i + 1 < data.size();
    if (two) {
      n |= static_cast<unsigned>(static_cast<unsigned char>(data[i + 1])) << 8U;
    }
    out += kAlphabet[(n >> 18U) & 63U];
    out += kAlphabet[(n >> 12U) & 63U];
    out += two ? kAlphabet[(n >> 6U) & 63U] : '=';
    out += '=';
  }
  return out;
}

}  // namespace bbp::bitbucket
