// Fuzzes the OAuth token response handling of ClientCredentialsTokenSource: the fuzz input is
// the token endpoint's body, answered with 200 (a token response) and with 400 (an RFC 6749
// error response), through an in-process fake transport and clock.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

#include "bbp/bitbucket/token_source.hpp"
#include "fuzz_support.hpp"
#include "http_fakes.hpp"

namespace {

constexpr const char* kTokenUrl = "https://bitbucket.org/site/oauth2/access_token";

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  bbp::fuzz::quiet();
  const std::string body(bbp::fuzz::as_text(data, size));
  bbp::fakes::FakeMonotonicClock clock;

  {
    bbp::fakes::FakeTransport transport([&body](const bbp::http::Request&) {
      return bbp::fakes::make_response(200, body, {{"Content-Type", "application/json"}});
    });
    bbp::bitbucket::ClientCredentialsTokenSource source{transport, kTokenUrl, "client",
                                                        bbp::bitbucket::Secret("s3cr3t"), clock};
    const auto first = source.authorization();
    BBP_FUZZ_REQUIRE(transport.request_count() == 1);
    if (first) {
      BBP_FUZZ_REQUIRE(first->header.reveal().starts_with("Bearer "));
      BBP_FUZZ_REQUIRE(first->header.reveal().size() > 7);
      BBP_FUZZ_REQUIRE(source.tokens_minted() == 1);
      for (const auto& scope : source.granted_scopes()) {
        BBP_FUZZ_REQUIRE(!scope.empty());
      }
      // Still valid right away; renewed once a day has passed (expires_in is clamped).
      BBP_FUZZ_REQUIRE(source.authorization().has_value());
      BBP_FUZZ_REQUIRE(transport.request_count() == 1);
      clock.advance(std::chrono::hours{25});
      BBP_FUZZ_REQUIRE(source.authorization().has_value());
      BBP_FUZZ_REQUIRE(transport.request_count() == 2);
      const auto renewed = source.renew(source.tokens_minted());
      BBP_FUZZ_REQUIRE(renewed.has_value() && *renewed);
    } else {
      BBP_FUZZ_REQUIRE(!first.error().message.empty());
      BBP_FUZZ_REQUIRE(first.error().message.find("s3cr3t") == std::string::npos);
    }
  }

  {
    bbp::fakes::FakeTransport transport([&body](const bbp::http::Request&) {
      return bbp::fakes::make_response(400, body, {{"Content-Type", "application/json"}});
    });
    bbp::bitbucket::ClientCredentialsTokenSource source{transport, kTokenUrl, "client",
                                                        bbp::bitbucket::Secret("s3cr3t"), clock};
    const auto refused = source.authorization();
    BBP_FUZZ_REQUIRE(!refused.has_value());
    BBP_FUZZ_REQUIRE(refused.error().message.find("HTTP 400") != std::string::npos);
  }
  return 0;
}
