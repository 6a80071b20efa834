// The real bbposture binary and the files it writes: every output is checked before the first
// request, and nothing it writes to is damaged (devices and FIFOs are written in place, links
// are followed, a failed output does not stop the others).
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "fake_scan_fixture.hpp"
#include "scan_scenario.hpp"

namespace bbp::test {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

class Outputs : public ::testing::Test {
 protected:
  RunResult scan(const std::vector<std::string>& args) const {
    std::vector<std::string> all{"--allow-incomplete", "--fail-on", "none"};
    all.insert(all.end(), args.begin(), args.end());
    return bb_.scan(all);
  }

  // Refused with exit 2 before any request, the message containing `expected`.
  void expect_refused_before_any_request(const std::vector<std::string>& args,
                                         const std::string& expected) {
    const auto r = scan(args);
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_THAT(r.err, HasSubstr(expected));
    EXPECT_THAT(r.err, HasSubstr("bbposture: "));
    EXPECT_TRUE(bb_.fake().requests().empty());
    EXPECT_EQ(bb_.fake().token_requests(), 0U);
  }

  std::string path(const std::string& name) const { return bb_.path(name); }

  FakeScanFixture bb_{BBP_BINARY, scan_scenario(), scan_credentials()};
};

TEST_F(Outputs, AMissingFolderIsRefusedBeforeTheFirstRequest) {
  expect_refused_before_any_request({"-o", path("no-such-folder/report.json")},
                                    "-o " + path("no-such-folder/report.json") + ": the folder " +
                                        path("no-such-folder") + " does not exist");
  expect_refused_before_any_request({"--save-snapshot", path("nope/snap.json")},
                                    "--save-snapshot " + path("nope/snap.json"));
  expect_refused_before_any_request({"--checkpoint", path("nope/scan.ckpt")},
                                    "--checkpoint " + path("nope/scan.ckpt"));
}

TEST_F(Outputs, AFolderOrSocketIsNotAnOutput) {
  expect_refused_before_any_request({"-o", bb_.dir().path()}, "it is a folder");
  const int s = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  const std::string socket_path = path("sock");
  ASSERT_LT(socket_path.size(), sizeof address.sun_path);
  std::copy(socket_path.begin(), socket_path.end(), address.sun_path);
  ASSERT_EQ(::bind(s, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  expect_refused_before_any_request({"-o", socket_path}, "it is a socket");
  ::close(s);
}

TEST_F(Outputs, TwoOutputsNamingOneFileAreRefused) {
  expect_refused_before_any_request(
      {"-o", path("same.json"), "--save-snapshot", bb_.dir().path() + "/./same.json"},
      "--save-snapshot and -o name the same file");
  // Through a link, too.
  std::ofstream(path("real.json")) << "{}";
  fs::create_symlink(path("real.json"), path("link.json"));
  expect_refused_before_any_request({"-o", path("link.json"), "--save-snapshot", path("real.json")},
                                    "name the same file");
  // Both on standard output.
  expect_refused_before_any_request({"--save-snapshot", "-"}, "name the same standard output");
}

TEST_F(Outputs, DashIsStandardOutput) {
  const auto r = scan({"-o", "-", "-f", "json"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_FALSE(nlohmann::json::parse(r.out, nullptr, false).is_discarded());
  EXPECT_FALSE(fs::exists("-"));
}

TEST_F(Outputs, TheFormatFollowsTheExtensionWithoutDashF) {
  ASSERT_EQ(scan({"-o", path("report.sarif")}).exit_code, 0);
  EXPECT_EQ(nlohmann::json::parse(read_file(path("report.sarif"))).at("version"), "2.1.0");
  ASSERT_EQ(scan({"-o", path("report.CSV")}).exit_code, 0);
  EXPECT_EQ(read_file(path("report.CSV")).rfind("severity,rule,", 0), 0U);
  const auto r = scan({"-o", path("report.out")});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.err, HasSubstr("writing a table to " + path("report.out")));
}

TEST_F(Outputs, AFifoIsWrittenInPlaceNeverReplaced) {
  ASSERT_EQ(::mkfifo(path("pipe").c_str(), 0600), 0);
  std::string received;
  std::thread reader([&] { received = read_file(path("pipe")); });
  const auto r = scan({"-o", path("pipe"), "-f", "json"});
  reader.join();
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_FALSE(nlohmann::json::parse(received, nullptr, false).is_discarded());
  EXPECT_TRUE(fs::is_fifo(path("pipe")));
}

TEST_F(Outputs, ADeviceIsWrittenInPlace) {
  const auto r = scan({"-o", "/dev/null", "-f", "json"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(fs::is_character_file("/dev/null"));
}

TEST_F(Outputs, ALinkIsFollowedAndKept) {
  std::ofstream(path("real.json")) << "old";
  ::chmod(path("real.json").c_str(), 0600);
  fs::create_symlink("real.json", path("link.json"));
  ASSERT_EQ(scan({"-o", path("link.json")}).exit_code, 0);
  EXPECT_TRUE(fs::is_symlink(path("link.json")));
  EXPECT_FALSE(nlohmann::json::parse(read_file(path("real.json")), nullptr, false).is_discarded());
  // The file that was replaced keeps its permissions.
  EXPECT_EQ(fs::status(path("real.json")).permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write);
}

TEST_F(Outputs, AFailedOutputDoesNotStopTheOthers) {
  // /dev/full accepts the open and refuses every write: the snapshot fails at the end.
  const auto r = scan({"-o", path("report.json"), "--save-snapshot", "/dev/full"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("the snapshot was not saved: cannot write /dev/full"));
  EXPECT_FALSE(
      nlohmann::json::parse(read_file(path("report.json")), nullptr, false).is_discarded());
}

}  // namespace
}  // namespace bbp::test
