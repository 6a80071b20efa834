// Fuzzes pagination: ApiClient::for_each_page against an in-process fake transport that answers
// the first request with the fuzz input as the page body, and any later request with a small
// fixed last page. Each value of each page goes through every parser.
#include <cstddef>
#include <cstdint>
#include <string>

#include "bbp/bitbucket/api_client.hpp"
#include "bbp/bitbucket/parse.hpp"
#include "bbp/bitbucket/url.hpp"
#include "fuzz_support.hpp"
#include "http_fakes.hpp"

namespace {

constexpr const char* kApiBase = "https://api.bitbucket.org/2.0";
constexpr const char* kLastPage =
    R"({"pagelen": 10, "page": 2, "values": [{"slug": "tail", "full_name": "acme/tail"}]})";

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  bbp::fuzz::quiet();
  const std::string body(bbp::fuzz::as_text(data, size));
  bbp::fakes::FakeTransport transport;
  transport.push_response(200, body, {{"Content-Type", "application/json"}});
  transport.set_handler([](const bbp::http::Request&) {
    return bbp::fakes::make_response(200, kLastPage, {{"Content-Type", "application/json"}});
  });
  bbp::bitbucket::StaticTokenSource tokens{bbp::bitbucket::Secret("Bearer fuzz-token")};
  bbp::bitbucket::ApiClient api{transport, tokens, kApiBase};

  std::size_t pages = 0;
  const auto result = api.for_each_page(
      "/repositories/acme?pagelen=100",
      [&pages](const nlohmann::json& values) {
        BBP_FUZZ_REQUIRE(values.is_array());
        ++pages;
        for (const auto& value : values) {
          (void)bbp::bitbucket::parse_repository(value, "acme");
          (void)bbp::bitbucket::parse_restriction(value);
          (void)bbp::bitbucket::parse_key(value, bbp::core::KeyKind::deploy_key);
          (void)bbp::bitbucket::parse_workspace_slug(value);
        }
        return true;
      },
      /*max_pages=*/4);

  BBP_FUZZ_REQUIRE(transport.request_count() <= 4);
  BBP_FUZZ_REQUIRE(pages <= transport.request_count());
  const auto api_origin = bbp::bitbucket::origin_of(kApiBase);
  for (const auto& request : transport.requests()) {
    // Never a credential to another origin (host names compare without case: a `next` link to
    // https://API.Bitbucket.org/… is followed).
    BBP_FUZZ_REQUIRE(bbp::bitbucket::origin_of(request.url) == api_origin);
  }
  if (!result) {
    using Kind = bbp::bitbucket::ApiError::Kind;
    const auto& error = result.error();
    BBP_FUZZ_REQUIRE(error.kind == Kind::invalid_response || error.kind == Kind::refused_url);
    BBP_FUZZ_REQUIRE(!error.message.empty());
    // Messages end up in gaps and so in JSON reports.
    BBP_FUZZ_REQUIRE(bbp::fuzz::valid_utf8(error.message));
    BBP_FUZZ_REQUIRE(bbp::fuzz::valid_utf8(error.endpoint));
  }
  return 0;
}
