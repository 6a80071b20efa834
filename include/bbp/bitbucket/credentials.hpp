// Credentials come from the environment only (never argv, never a file of ours).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <tl/expected.hpp>

#include "bbp/bitbucket/secret.hpp"

namespace bbp::bitbucket {

enum class CredentialKind {
  access_token,        // BITBUCKET_ACCESS_TOKEN: Bearer
  client_credentials,  // BITBUCKET_CLIENT_ID + BITBUCKET_CLIENT_SECRET: OAuth 2.0 grant
  api_token,           // BITBUCKET_EMAIL (or BITBUCKET_USERNAME) + BITBUCKET_API_TOKEN: Basic
};

std::string_view to_string(CredentialKind kind);
std::optional<CredentialKind> credential_kind_from_string(std::string_view name);

struct Credentials {
  CredentialKind kind = CredentialKind::access_token;
  std::string client_id;  // client_credentials
  std::string username;   // api_token: Atlassian account email
  Secret secret;          // the token, client secret or API token
  // For messages: the variables this credential came from, and credential variables that were
  // set too but lost to it by precedence.
  std::vector<std::string> variables;
  std::vector<std::string> outranked;
};

using EnvLookup = std::function<std::optional<std::string>(std::string_view name)>;

// Reads the process environment (empty values count as unset).
EnvLookup process_environment();

// Picks the credential by precedence: access token, then client credentials, then API token.
// Fails with a message naming the variables when none (or only half of a pair) is set.
tl::expected<Credentials, std::string> credentials_from_environment(const EnvLookup& env);

// "OAuth 2.0 client credentials (client id 'abc')" — never includes a secret.
std::string describe(const Credentials& credentials);

std::string base64_encode(std::string_view data);

}  // namespace bbp::bitbucket
