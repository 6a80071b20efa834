// Running the bbposture binary (and the schema validator) from the report integration tests.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace bbp::report::testing {

struct RunResult {
  int exit_code = -1;  // -1 when the process did not exit normally
  std::string out;     // standard output (from a TTY: what the terminal received)
  std::string err;     // standard error (empty for TTY runs: merged into `out`)
};

// Environment changes for one run: a value sets the variable, nullopt removes it. Everything
// else is inherited (sanitizer options included).
using EnvChanges = std::map<std::string, std::optional<std::string>>;

// Runs `argv` (argv[0] is the program path) with stdout and stderr captured through files.
RunResult run(const std::vector<std::string>& argv, const EnvChanges& env = {});

// Runs `argv` with stdout and stderr on a new pseudo-terminal, so `isatty(1)` is true.
RunResult run_on_tty(const std::vector<std::string>& argv, const EnvChanges& env = {});

std::string read_file(const std::string& path);
void write_file(const std::string& path, const std::string& content);

}  // namespace bbp::report::testing
