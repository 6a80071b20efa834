// Helpers shared by the fake Bitbucket server's integration tests.
#pragma once

#include <httplib.h>

#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "fake_bitbucket/server.hpp"

namespace bbp::fake::testing {

// The scenario file used by most tests: tests/data/scenarios/fake_basic.json.
nlohmann::json basic_scenario();
std::string scenario_path(const std::string& name);

// A response reduced to what the tests look at; `ok` is false on a transport error.
struct Response {
  bool ok = false;
  int status = 0;
  std::string body;
  httplib::Headers headers;

  nlohmann::json json() const { return nlohmann::json::parse(body); }
  std::string header(const std::string& name) const;
};

std::string base64(const std::string& text);

// Credentials the basic scenario defines.
inline constexpr const char* kApiEmail = "dev@example.com";
inline constexpr const char* kApiToken = "api-xyz";
inline constexpr const char* kAccessToken = "at-123";

// The basic scenario plus an API token with every scope the writes need.
nlohmann::json writes_scenario();
inline constexpr const char* kWriterEmail = "writer@example.com";
inline constexpr const char* kWriterToken = "api-writer";

class Caller {
 public:
  explicit Caller(const FakeBitbucket& server);
  // `target` is a path with an optional query, or an absolute URL on the same server.
  Response get(const std::string& target) const;
  Response post_form(const std::string& path, const std::string& body) const;
  // POST, PUT or DELETE with a JSON body (DELETE and an empty body: none sent).
  Response send(const std::string& method, const std::string& path,
                const std::string& body = "") const;

  Caller& bearer(const std::string& token);
  Caller& basic(const std::string& user, const std::string& password);
  Caller& anonymous();

 private:
  httplib::Headers headers() const;

  std::string base_url_;
  std::string authorization_;
};

// Mints a token through the OAuth endpoint; fails the test when minting fails.
std::string mint_token(const FakeBitbucket& server, const std::string& client_id = "demo-client",
                       const std::string& secret = "demo-secret");

// Starts a server over the basic scenario for each test.
class FakeServerTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;
  Caller api() const { return Caller(*server_).basic(kApiEmail, kApiToken); }

  std::unique_ptr<FakeBitbucket> server_;
};

}  // namespace bbp::fake::testing
