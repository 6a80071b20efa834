#include <gtest/gtest.h>

#include "fake_test_support.hpp"

#include <cstdint>
#include <fstream>

namespace bbp::fake::testing {

std::string scenario_path(const std::string& name) {
  return std::string(BBP_TEST_DATA_DIR) + "/scenarios/" + name;
}

nlohmann::json basic_scenario() {
  std::ifstream in(scenario_path("fake_basic.json"));
  return nlohmann::json::parse(in);
}

nlohmann::json writes_scenario() {
  nlohmann::json scenario = basic_scenario();
  scenario["api_tokens"].push_back(
      {{"email", kWriterEmail},
       {"token", kWriterToken},
       {"scopes",
        {"read:repository:bitbucket", "admin:repository:bitbucket", "read:project:bitbucket",
         "admin:project:bitbucket", "delete:ssh-key:bitbucket"}}});
  return scenario;
}

std::string Response::header(const std::string& name) const {
  const auto it = headers.find(name);
  return it == headers.end() ? std::string{} : it->second;
}

Caller::Caller(const FakeBitbucket& server) : base_url_(server.base_url()) {}

Caller& Caller::bearer(const std::string& token) {
  authorization_ = "Bearer " + token;
  return *this;
}

std::string base64(const std::string& text) {
  static constexpr const char* kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::uint32_t buffer = 0;
  int bits = 0;
  for (const char c : text) {
    buffer = (buffer << 8U) | static_cast<unsigned char>(c);
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out.push_back(kAlphabet[(buffer >> static_cast<unsigned>(bits)) & 0x3FU]);
    }
  }
  if (bits > 0) {
    out.push_back(kAlphabet[(buffer << static_cast<unsigned>(6 - bits)) & 0x3FU]);
  }
  while (out.size() % 4 != 0) {
    out.push_back('=');
  }
  return out;
}

Caller& Caller::basic(const std::string& user, const std::string& password) {
  authorization_ = "Basic " + base64(user + ":" + password);
  return *this;
}

Caller& Caller::anonymous() {
  authorization_.clear();
  return *this;
}

httplib::Headers Caller::headers() const {
  httplib::Headers headers;
  if (!authorization_.empty()) {
    headers.emplace("Authorization", authorization_);
  }
  return headers;
}

namespace {

Response convert(const httplib::Result& result) {
  Response response;
  if (result) {
    response.ok = true;
    response.status = result->status;
    response.body = result->body;
    response.headers = result->headers;
  }
  return response;
}

}  // namespace

Response Caller::get(const std::string& target) const {
  std::string path = target;
  if (path.rfind(base_url_, 0) == 0) {
    path = path.substr(base_url_.size());
  }
  httplib::Client client(base_url_);
  client.set_url_encode(false);  // send the target exactly as the test wrote it
  client.set_read_timeout(10, 0);
  return convert(client.Get(path, headers()));
}

Response Caller::post_form(const std::string& path, const std::string& body) const {
  httplib::Client client(base_url_);
  return convert(client.Post(path, headers(), body, "application/x-www-form-urlencoded"));
}

Response Caller::send(const std::string& method, const std::string& path,
                      const std::string& body) const {
  httplib::Client client(base_url_);
  client.set_read_timeout(10, 0);
  if (method == "POST") {
    return convert(client.Post(path, headers(), body, "application/json"));
  }
  if (method == "PUT") {
    return convert(client.Put(path, headers(), body, "application/json"));
  }
  if (method == "DELETE") {
    return body.empty() ? convert(client.Delete(path, headers()))
                        : convert(client.Delete(path, headers(), body, "application/json"));
  }
  ADD_FAILURE() << "Caller::send does not know the method " << method;
  return {};
}

std::string mint_token(const FakeBitbucket& server, const std::string& client_id,
                       const std::string& secret) {
  const auto response =
      Caller(server)
          .basic(client_id, secret)
          .post_form("/site/oauth2/access_token", "grant_type=client_credentials");
  EXPECT_EQ(response.status, 200) << response.body;
  return response.status == 200 ? response.json().at("access_token").get<std::string>() : "";
}

void FakeServerTest::SetUp() {
  server_ = std::make_unique<FakeBitbucket>(basic_scenario());
  server_->start();
}

void FakeServerTest::TearDown() {
  server_.reset();
}

}  // namespace bbp::fake::testing
