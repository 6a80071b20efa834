#include "dc_test_support.hpp"

#include <cstdint>
#include <fstream>

namespace bbp::fake_dc::testing {

std::string scenario_path(const std::string& name) {
  return std::string(BBP_TEST_DATA_DIR) + "/scenarios/" + name;
}

nlohmann::json basic_scenario() {
  std::ifstream in(scenario_path("dc_basic.json"));
  return nlohmann::json::parse(in);
}

std::string Response::header(const std::string& name) const {
  const auto it = headers.find(name);
  return it == headers.end() ? std::string{} : it->second;
}

std::string Response::error_message() const {
  return json().at("errors").at(0).at("message").get<std::string>();
}

std::string Response::exception_name() const {
  const auto document = json();
  const auto& name = document.at("errors").at(0).at("exceptionName");
  return name.is_null() ? std::string{} : name.get<std::string>();
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

Caller::Caller(const FakeDataCenter& server) : base_url_(server.base_url()) {}

Caller& Caller::bearer(const std::string& token) {
  authorization_ = "Bearer " + token;
  return *this;
}

Caller& Caller::basic(const std::string& user, const std::string& secret) {
  authorization_ = "Basic " + base64(user + ":" + secret);
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
  httplib::Client client(base_url_);
  client.set_url_encode(false);  // send the target exactly as the test wrote it
  client.set_read_timeout(10, 0);
  return convert(client.Get(target, headers()));
}

Response Caller::post(const std::string& target, const std::string& body) const {
  httplib::Client client(base_url_);
  client.set_read_timeout(10, 0);
  return convert(client.Post(target, headers(), body, "application/json"));
}

void FakeDcTest::start(nlohmann::json scenario) {
  server_.reset();
  server_ = std::make_unique<FakeDataCenter>(std::move(scenario));
  server_->start();
}

}  // namespace bbp::fake_dc::testing
