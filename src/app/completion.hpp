// Shell completion: `bbposture completion bash|zsh` prints a script generated from the CLI11
// definition of the command line (subcommands, options, what each option takes) and from the
// rule catalogue, so a new subcommand, option or rule needs no edit here.
#pragma once

#include <span>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace bbp::app {

// What the word after an option is.
enum class ValueKind {
  none,    // a flag: no value
  word,    // free text (a slug, a number): nothing to offer
  file,    // a path (type name FILE, DIR or one with an extension: REPORT.json)
  choice,  // one of `choices`
};

struct OptionSpec {
  std::vector<std::string> names;  // "-f", "--format"
  ValueKind takes = ValueKind::none;
  std::vector<std::string> choices;  // when takes is choice
};

struct CommandSpec {
  std::string path;  // the subcommand words after bbposture: "", "scan", "auth check"
  std::vector<std::string> subcommands;
  std::vector<OptionSpec> options;
  std::vector<std::string> positional_choices;  // e.g. bash, zsh for `completion`
  bool positional_files = false;                // e.g. the two reports of `diff`
};

// Every command of `app` (itself first, then its subcommands level by level), as completion sees
// it. Hidden options (no group) and hidden subcommands are left out.
std::vector<CommandSpec> completion_spec(const CLI::App& app);

// The bash script: a function _bbposture registered with `complete` for bbposture. It needs
// nothing but bash (bash-completion is not required).
std::string bash_completion_script(std::span<const CommandSpec> spec);
// The zsh script (for a directory on $fpath, as _bbposture): the bash script run through zsh's
// bashcompinit.
std::string zsh_completion_script(std::span<const CommandSpec> spec);

struct CompletionOptions {
  std::string shell;
};
void setup_completion(CLI::App& app, CompletionOptions& options);
// Prints the script for `options.shell`, generated from `root` (the whole command line).
int run_completion(const CLI::App& root, const CompletionOptions& options);

}  // namespace bbp::app
