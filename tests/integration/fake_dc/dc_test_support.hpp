// Helpers shared by the fake Data Center server's integration tests.
#pragma once

#include <gtest/gtest.h>
#include <httplib.h>

#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "fake_bitbucket_dc/server.hpp"

namespace bbp::fake_dc::testing {

// tests/data/scenarios/dc_basic.json, and paths of the scenario folder.
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
  bool has_header(const std::string& name) const { return headers.count(name) != 0; }
  // The first error message of a Data Center error body.
  std::string error_message() const;
  std::string exception_name() const;
};

std::string base64(const std::string& text);

class Caller {
 public:
  explicit Caller(const FakeDataCenter& server);
  // `target` is a path under the server with an optional query, sent as written.
  Response get(const std::string& target) const;
  Response post(const std::string& target, const std::string& body) const;

  Caller& bearer(const std::string& token);
  Caller& basic(const std::string& user, const std::string& secret);

 private:
  httplib::Headers headers() const;

  std::string base_url_;
  std::string authorization_;
};

// Starts a server over the basic scenario (or a variant of it) for each test.
class FakeDcTest : public ::testing::Test {
 protected:
  void SetUp() override { start(basic_scenario()); }
  void TearDown() override { server_.reset(); }
  void start(nlohmann::json scenario);

  Caller anonymous() const { return Caller(*server_); }
  // Each user's token of the basic scenario is "dc-token-<name>".
  Caller as(const std::string& user) const { return Caller(*server_).bearer("dc-token-" + user); }

  std::unique_ptr<FakeDataCenter> server_;
};

}  // namespace bbp::fake_dc::testing
