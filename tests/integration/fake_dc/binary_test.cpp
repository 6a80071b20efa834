// The standalone fake_bitbucket_dc binary, run as a subprocess.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "dc_test_support.hpp"

namespace bbp::fake_dc::testing {
namespace {

namespace fs = std::filesystem;

// Starts the binary with `args`; its stdout goes to `stdout_path`, stderr to /dev/null.
pid_t spawn_fake(std::vector<std::string> args, const std::string& stdout_path) {
  args.insert(args.begin(), FAKE_BITBUCKET_DC_BINARY);
  std::vector<char*> argv;
  argv.reserve(args.size() + 1);
  for (auto& arg : args) {
    argv.push_back(arg.data());
  }
  argv.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, stdout_path.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
  pid_t pid = -1;
  if (posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ) != 0) {
    pid = -1;
  }
  posix_spawn_file_actions_destroy(&actions);
  return pid;
}

// The exit code, or -1 when the process did not exit normally.
int wait_exit_code(pid_t pid) {
  int status = 0;
  if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status)) {
    return -1;
  }
  return WEXITSTATUS(status);
}

class DcBinaryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("fake_bitbucket_dc_test_" + std::to_string(getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string file(const std::string& name) const { return (dir_ / name).string(); }

  fs::path dir_;
};

TEST_F(DcBinaryTest, ServesScenarioUntilTerminated) {
  const pid_t pid = spawn_fake(
      {"--scenario", scenario_path("dc_basic.json"), "--port-file", file("port"), "--port", "0"},
      file("stdout"));
  ASSERT_GT(pid, 0);

  int port = 0;
  for (int i = 0; i < 500 && port == 0; ++i) {  // up to 10 s (slow under sanitizers)
    std::ifstream in(file("port"));
    if (!(in >> port)) {
      port = 0;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  if (port == 0) {
    kill(pid, SIGKILL);
    wait_exit_code(pid);
    FAIL() << "the binary never wrote its port file";
  }

  httplib::Client client("127.0.0.1", port);
  const httplib::Headers headers{{"Authorization", "Bearer dc-token-alice"}};
  const auto response = client.Get("/rest/api/1.0/projects/PLAT/repos?limit=1", headers);
  const int status = response ? response->status : 0;
  const std::string body = response ? response->body : "";
  const std::string user = response ? response->get_header_value("X-AUSERNAME") : "";

  ASSERT_EQ(kill(pid, SIGTERM), 0);
  EXPECT_EQ(wait_exit_code(pid), 0);

  ASSERT_EQ(status, 200) << body;
  EXPECT_EQ(user, "alice");
  const auto page = nlohmann::json::parse(body);
  EXPECT_EQ(page.at("values")[0].at("slug"), "api");
  EXPECT_EQ(page.at("nextPageStart"), 1);

  std::ifstream out(file("stdout"));
  std::string line;
  std::getline(out, line);
  EXPECT_EQ(line, "fake_bitbucket_dc listening on http://127.0.0.1:" + std::to_string(port));
}

TEST_F(DcBinaryTest, RejectsMissingScenarioOption) {
  const pid_t pid = spawn_fake({"--port", "0"}, file("stdout"));
  ASSERT_GT(pid, 0);
  EXPECT_EQ(wait_exit_code(pid), 2);
}

TEST_F(DcBinaryTest, FailsOnBadScenarioFile) {
  std::ofstream(file("bad.json")) << R"({"projects": [{"name": "no key"}]})";
  const pid_t pid = spawn_fake({"--scenario", file("bad.json")}, file("stdout"));
  ASSERT_GT(pid, 0);
  EXPECT_EQ(wait_exit_code(pid), 1);
}

}  // namespace
}  // namespace bbp::fake_dc::testing
