// Redaction of credentials before anything reaches a log line or an error message.
//
// Everything the HTTP layer logs goes through these helpers. Request bodies are never logged
// at all (a token request body is a form that can contain client secrets or codes).
#pragma once

#include <string>
#include <string_view>

#include "bbp/http/transport.hpp"

namespace bbp::http {

// The mask substituted for secret values.
inline constexpr std::string_view kRedacted = "***";

// Removes the userinfo ("user:password@") of the authority and masks the values of query (and
// fragment) parameters whose names look secret: access_token, refresh_token, token,
// client_secret, secret, password, code, key, signature... (case-insensitive, also matched as a
// substring for token/secret/passw/key/signature/credential/assertion).
std::string redact_url(std::string_view url);

// True when a header of this name carries credentials: Authorization, Proxy-Authorization,
// Cookie, Set-Cookie, or any name containing "token", "secret", "password" or "api-key"
// (case-insensitive).
bool is_sensitive_header(std::string_view name);

// Copy of the headers with sensitive values masked. For Authorization/Proxy-Authorization the
// scheme is kept ("Bearer ***", "Basic ***") because it helps debugging and is not secret.
Headers redact_headers(const Headers& headers);

// One-line, credential-free description of a request for logs: "GET https://host/path?x=1".
// Never includes headers or the body.
std::string describe(const Request& request);

// A transport error message without the " (GET https://…)" that names its request at the end
// (see describe): for lines that name the host or endpoint already, or group messages by cause.
std::string_view without_request(std::string_view message);

}  // namespace bbp::http
