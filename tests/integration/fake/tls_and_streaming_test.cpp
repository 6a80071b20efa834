// HTTPS serving, chunked huge bodies, the list of issued tokens, and stop() ending latency
// waits: the extensions the fault-matrix and security tests rely on.
#include <gtest/gtest.h>

#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <future>
#include <string>
#include <thread>

#include "fake_test_support.hpp"

namespace bbp::fake::testing {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

class FakeExtensionsTest : public FakeServerTest {};

TEST_F(FakeExtensionsTest, HugeChunkedBodyHasNoContentLength) {
  server_->add_fault({{"kind", "huge"},
                      {"path", "/2.0/repositories/acme"},
                      {"bytes", 3000000},
                      {"chunked", true}});
  const auto response = api().get("/2.0/repositories/acme");
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.header("Content-Length"), "");
  EXPECT_EQ(response.header("Transfer-Encoding"), "chunked");
  EXPECT_EQ(response.body.size(), 3000000U);
  EXPECT_EQ(response.json().at("values").size(), 1U);
  EXPECT_THROW(server_->add_fault({{"kind", "huge"}, {"chunked", "yes"}}), std::invalid_argument);
}

TEST_F(FakeExtensionsTest, IssuedTokensListsEveryMintedTokenInOrder) {
  EXPECT_TRUE(server_->issued_tokens().empty());
  const std::string first = mint_token(*server_);
  server_->expire_all_tokens();
  const std::string second = mint_token(*server_);
  EXPECT_EQ(server_->issued_tokens(), (std::vector<std::string>{first, second}));
}

TEST_F(FakeExtensionsTest, StopEndsLatencyWaitsAtOnce) {
  server_->add_fault({{"kind", "latency"}, {"path", "/2.0/user"}, {"ms", 60'000}});
  auto pending = std::async(std::launch::async, [this] { return api().get("/2.0/user"); });
  while (server_->request_count("/2.0/user") == 0) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  const auto start = Clock::now();
  server_->stop();
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(5));
  pending.wait();
}

class FakeTlsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = fs::temp_directory_path() / ("fake_bitbucket_tls_" + std::to_string(getpid()));
    fs::create_directories(dir_);
    const std::string command =
        "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 "
        "-subj /CN=fake-bitbucket-test -addext subjectAltName=IP:127.0.0.1 -keyout " +
        (dir_ / "key.pem").string() + " -out " + (dir_ / "cert.pem").string() + " >/dev/null 2>&1";
    ASSERT_EQ(std::system(command.c_str()), 0);  // NOLINT(concurrency-mt-unsafe)
  }
  static void TearDownTestSuite() { fs::remove_all(dir_); }

  static fs::path dir_;
};

fs::path FakeTlsTest::dir_;

TEST_F(FakeTlsTest, ServesHttpsWithTheGivenCertificateAndHttpsLinks) {
  FakeBitbucket server(basic_scenario());
  server.use_tls((dir_ / "cert.pem").string(), (dir_ / "key.pem").string());
  server.start();
  ASSERT_EQ(server.base_url(), "https://127.0.0.1:" + std::to_string(server.port()));
  EXPECT_EQ(server.api_url(), server.base_url() + "/2.0");

  httplib::Client trusting(server.base_url());
  trusting.set_ca_cert_path((dir_ / "cert.pem").string().c_str());
  trusting.enable_server_certificate_verification(true);
  const httplib::Headers auth = {
      {"Authorization", "Basic " + base64(std::string(kApiEmail) + ":" + kApiToken)}};
  const auto page = trusting.Get("/2.0/repositories/acme?pagelen=1", auth);
  ASSERT_TRUE(page) << httplib::to_string(page.error());
  EXPECT_EQ(page->status, 200);
  const auto next = json::parse(page->body).at("next").get<std::string>();
  EXPECT_EQ(next.rfind(server.api_url() + "/repositories/acme?", 0), 0U) << next;

  httplib::Client untrusting(server.base_url());
  untrusting.enable_server_certificate_verification(true);
  untrusting.set_ca_cert_path("/nonexistent-ca.pem");
  EXPECT_FALSE(untrusting.Get("/2.0/user", auth));
  EXPECT_EQ(server.request_count(), 1U);  // the failed handshake never became a request
}

TEST_F(FakeTlsTest, MissingCertificateFailsAtStart) {
  FakeBitbucket server(basic_scenario());
  server.use_tls((dir_ / "missing.pem").string(), (dir_ / "key.pem").string());
  EXPECT_THROW(server.start(), std::runtime_error);
}

}  // namespace
}  // namespace bbp::fake::testing
