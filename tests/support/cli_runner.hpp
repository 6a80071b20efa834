// Runs the real bbposture binary (path from the BBP_BINARY compile definition) and captures
// what a user would see: exit code, stdout and stderr.
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "child_process.hpp"  // read_file

namespace bbp::test {

struct CliResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

inline std::string shell_quote(const std::string& text) {
  std::string out = "'";
  for (const char c : text) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

// `env` entries are NAME=VALUE; the Bitbucket credential variables of the test process are
// cleared first so only what the test passes is seen.
inline CliResult run_cli(const std::string& binary, const std::vector<std::string>& args,
                         const std::vector<std::string>& env = {}) {
  static int counter = 0;
  const std::string err_path =
      "/tmp/bbp_cli_err_" + std::to_string(::getpid()) + "_" + std::to_string(counter++);
  std::string command =
      "env -u BITBUCKET_CLIENT_ID -u BITBUCKET_CLIENT_SECRET -u BITBUCKET_ACCESS_TOKEN "
      "-u BITBUCKET_EMAIL -u BITBUCKET_USERNAME -u BITBUCKET_API_TOKEN -u NO_COLOR";
  for (const auto& e : env) {
    command += " " + shell_quote(e);
  }
  command += " " + shell_quote(binary);
  for (const auto& a : args) {
    command += " " + shell_quote(a);
  }
  command += " 2>" + shell_quote(err_path) + " </dev/null";
  CliResult result;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) {
    return result;
  }
  char buffer[4096];
  std::size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) {
    result.out.append(buffer, n);
  }
  const int status = ::pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  result.err = read_file(err_path);
  std::remove(err_path.c_str());
  return result;
}

}  // namespace bbp::test
