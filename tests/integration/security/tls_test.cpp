// TLS against an HTTPS fake with certificates made at test time by the openssl CLI: a
// self-signed certificate is rejected unless --ca-bundle trusts it, and the host name is
// always checked. No private key is committed.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "fake_bitbucket/server.hpp"
#include "fault_support.hpp"

namespace bbp::test {
namespace {

using ::testing::AllOf;
using ::testing::AnyOf;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

// Makes a self-signed EC certificate (and its key) for the given subjectAltName.
void make_certificate(const std::string& dir, const std::string& name, const std::string& san) {
  const std::string command =
      "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1"
      " -nodes -days 2 -subj /CN=bbposture-test -addext subjectAltName=" +
      san + " -keyout " + dir + "/" + name + ".key -out " + dir + "/" + name +
      ".pem >/dev/null 2>&1";
  ASSERT_EQ(std::system(command.c_str()), 0) << command;  // NOLINT(concurrency-mt-unsafe)
}

class Tls : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();  // NOLINT(cppcoreguidelines-owning-memory)
    make_certificate(dir_->path(), "loopback", "IP:127.0.0.1,DNS:localhost");
    make_certificate(dir_->path(), "other", "IP:127.0.0.1,DNS:localhost");
    make_certificate(dir_->path(), "elsewhere", "DNS:bitbucket.example");
  }
  static void TearDownTestSuite() {
    delete dir_;  // NOLINT(cppcoreguidelines-owning-memory)
    dir_ = nullptr;
  }

  void start(const std::string& certificate) {
    bb_.start(fault_scenario(), [&](fake::FakeBitbucket& server) {
      server.use_tls(dir_->file(certificate + ".pem"), dir_->file(certificate + ".key"));
    });
    ASSERT_TRUE(bb_.fake().api_url().starts_with("https://127.0.0.1:")) << bb_.fake().api_url();
  }

  RunResult scan(const std::vector<std::string>& extra, const std::vector<std::string>& env) {
    std::vector<std::string> args{"-f", "json", "--fail-on", "none", "--no-progress"};
    args.insert(args.end(), extra.begin(), extra.end());
    return bb_.scan(args, env);
  }

  static std::vector<std::string> access_token_env() {
    return {"BITBUCKET_ACCESS_TOKEN=unused-because-tls-fails", std::string("BBP_NOW=") + kNow};
  }

  static TempDir* dir_;
  FakeScanFixture bb_{BBP_BINARY, client_env()};
};

TempDir* Tls::dir_ = nullptr;

TEST_F(Tls, SelfSignedCertificateIsRejectedWithoutCaBundle) {
  start("loopback");
  const auto r = scan({"-w", "acme"}, access_token_env());
  EXPECT_EQ(r.exit_code, 3) << r.err;
  // Nothing could be read: no report (it would say "no findings"), the cause on stderr.
  EXPECT_EQ(r.out, "");
  EXPECT_THAT(r.err, AllOf(HasSubstr("tls error"), HasSubstr("certificate")));
  EXPECT_THAT(r.err, HasSubstr("nothing was read"));
  EXPECT_EQ(bb_.fake().request_count(), 0U);  // no HTTP request got through the handshake
  EXPECT_LT(r.elapsed, Millis{10'000});       // TLS failures are not retried with back-off
}

// A TLS failure is said as what it is, never as a rejected credential: exit 3, not 4.
TEST_F(Tls, SelfSignedTokenEndpointIsATlsFailureWithoutCaBundle) {
  start("loopback");
  const auto r = scan({}, client_env());
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_THAT(r.err, HasSubstr("cannot reach the OAuth token endpoint " + bb_.fake().token_url() +
                               ": tls error"));
  EXPECT_THAT(r.err, Not(HasSubstr("authentication failed")));
  EXPECT_THAT(r.err, HasSubstr("certificate"));
  EXPECT_THAT(r.out, IsEmpty());
  EXPECT_EQ(bb_.fake().request_count(), 0U);
}

TEST_F(Tls, SelfSignedCertificateIsAcceptedWithCaBundle) {
  start("loopback");
  const auto r = scan({"--ca-bundle", dir_->file("loopback.pem")}, client_env());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  const auto report = json::parse(r.out, nullptr, false);
  ASSERT_TRUE(report.is_object()) << r.out;
  EXPECT_EQ(report["scan"]["complete"], true);
  EXPECT_EQ(report["scan"]["repositories"], 5);
  EXPECT_TRUE(findings_of(report).contains("public-repository acme/docs"));
  EXPECT_GT(bb_.fake().request_count(), 10U);
  EXPECT_EQ(bb_.fake().token_requests(), 1U);
  // `next` links of an HTTPS server are https too, and are followed.
  EXPECT_EQ(report["scan"]["api_url"], bb_.fake().api_url());
}

TEST_F(Tls, CaBundleOfAnotherAuthorityIsRejected) {
  start("loopback");
  const auto r = scan({"--ca-bundle", dir_->file("other.pem"), "-w", "acme"}, access_token_env());
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_EQ(r.out, "");  // nothing was read: no report
  EXPECT_THAT(r.err, HasSubstr("tls error"));
  EXPECT_EQ(bb_.fake().request_count(), 0U);
}

TEST_F(Tls, HostNameIsVerifiedEvenWhenTheCertificateIsTrusted) {
  start("elsewhere");  // valid for bitbucket.example only
  const auto r =
      scan({"--ca-bundle", dir_->file("elsewhere.pem"), "-w", "acme"}, access_token_env());
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_EQ(r.out, "");  // nothing was read: no report
  EXPECT_THAT(r.err,
              AnyOf(HasSubstr("does not match"), HasSubstr("no alternative certificate subject")));
  EXPECT_THAT(r.err, HasSubstr("nothing was read"));
  EXPECT_EQ(bb_.fake().request_count(), 0U);
}

TEST_F(Tls, CaBundleThatDoesNotExistIsAUsageError) {
  start("loopback");
  const auto r = scan({"--ca-bundle", dir_->file("missing.pem")}, client_env());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("--ca-bundle " + dir_->file("missing.pem") + ": no such file"));
  EXPECT_EQ(bb_.fake().request_count(), 0U);
}

}  // namespace
}  // namespace bbp::test
