// Fuzzes the error-body handling: parse_error_body and classify_http_error for every status the
// client treats specially, with the fuzz input as the body (JSON, text or HTML).
#include <cstddef>
#include <cstdint>
#include <string>

#include "bbp/bitbucket/api_client.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  bbp::fuzz::quiet();
  const std::string body(bbp::fuzz::as_text(data, size));
  const auto parsed = bbp::bitbucket::parse_error_body(body);
  // What is shown to a person, and written into JSON reports, must stay valid UTF-8 whenever
  // the body was.
  const bool body_utf8 = bbp::fuzz::valid_utf8(body);
  if (body_utf8) {
    BBP_FUZZ_REQUIRE(bbp::fuzz::valid_utf8(parsed.message));
    BBP_FUZZ_REQUIRE(bbp::fuzz::valid_utf8(parsed.detail));
  }
  BBP_FUZZ_REQUIRE(parsed.message.size() <= body.size() + 3);  // a cut excerpt gains "…"

  for (const int status : {400, 401, 403, 404, 410, 429, 500, 503}) {
    const auto error =
        bbp::bitbucket::classify_http_error(status, body, "/2.0/repositories/acme/api");
    BBP_FUZZ_REQUIRE(error.kind == bbp::bitbucket::ApiError::Kind::http);
    BBP_FUZZ_REQUIRE(error.http_status == status);
    BBP_FUZZ_REQUIRE(error.message.starts_with("HTTP ") ||
                     error.message.starts_with("missing scope: "));
    if (body_utf8) {
      BBP_FUZZ_REQUIRE(bbp::fuzz::valid_utf8(error.message));
    }
    if (error.reason == bbp::core::UnknownReason::missing_scope) {
      BBP_FUZZ_REQUIRE(status == 400 || status == 403);
    }
  }
  return 0;
}
