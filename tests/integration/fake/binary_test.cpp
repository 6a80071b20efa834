// The standalone fake_bitbucket binary, run as a subprocess.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "fake_test_support.hpp"

extern char** environ;

namespace bbp::fake::testing {
namespace {

namespace fs = std::filesystem;

TEST(BinaryTest, ServesScenarioUntilTerminated) {
  const fs::path dir =
      fs::temp_directory_path() / ("fake_bitbucket_test_" + std::to_string(getpid()));
  fs::create_directories(dir);
  const std::string port_file = (dir / "port").string();
  const std::string stdout_file = (dir / "stdout").string();

  std::vector<std::string> args = {FAKE_BITBUCKET_BINARY,
                                   "--scenario",
                                   scenario_path("fake_basic.json"),
                                   "--port-file",
                                   port_file,
                                   "--port",
                                   "0"};
  std::vector<char*> argv;
  for (auto& arg : args) {
    argv.push_back(arg.data());
  }
  argv.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, stdout_file.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  pid_t pid = 0;
  ASSERT_EQ(posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ), 0);
  posix_spawn_file_actions_destroy(&actions);

  int port = 0;
  for (int i = 0; i < 500 && port == 0; ++i) {  // up to 10 s (slow under sanitizers)
    std::ifstream in(port_file);
    if (!(in >> port)) {
      port = 0;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  ASSERT_GT(port, 0) << "the binary never wrote its port file";

  httplib::Client client("127.0.0.1", port);
  const httplib::Headers headers{
      {"Authorization", "Basic " + base64(std::string(kApiEmail) + ":" + kApiToken)}};
  const auto response = client.Get("/2.0/repositories/acme?pagelen=1", headers);
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  const auto body = nlohmann::json::parse(response->body);
  EXPECT_EQ(body.at("values")[0].at("full_name"), "acme/api");
  EXPECT_EQ(body.at("next"),
            "http://127.0.0.1:" + std::to_string(port) + "/2.0/repositories/acme?pagelen=1&page=2");

  ASSERT_EQ(kill(pid, SIGTERM), 0);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);

  std::ifstream out(stdout_file);
  std::string line;
  std::getline(out, line);
  EXPECT_EQ(line, "fake_bitbucket listening on http://127.0.0.1:" + std::to_string(port));
  fs::remove_all(dir);
}

TEST(BinaryTest, RejectsMissingScenario) {
  const std::string command = std::string(FAKE_BITBUCKET_BINARY) + " --port 0 2>/dev/null";
  const int status = std::system(command.c_str());
  EXPECT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 2);
}

}  // namespace
}  // namespace bbp::fake::testing
