// The bash completion script the build generates (and cmake --install and the package install):
// sourced in a real bash, its function called the way bash calls it, with COMP_WORDS and
// COMP_CWORD, and the candidates it leaves in COMPREPLY checked.
#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "bbp/core/catalogue.hpp"
#include "cli_runner.hpp"

namespace bbp::test {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::IsSupersetOf;
using ::testing::Not;

// COMPREPLY after completing the last of `words` (the word under the cursor, maybe empty), one
// candidate per element. Runs in `dir`, so file names are completed from there.
std::vector<std::string> complete(const std::vector<std::string>& words,
                                  const std::string& dir = ".") {
  std::string script =
      "cd " + shell_quote(dir) + " && source " + shell_quote(BBP_COMPLETION) + " && COMP_WORDS=(";
  for (const auto& word : words) {
    script += " " + shell_quote(word);
  }
  script += " ) && COMP_CWORD=" + std::to_string(words.size() - 1) +
            " && _bbposture && printf '%s\\n' \"${COMPREPLY[@]}\"";
  const auto r = run_cli("bash", {"--norc", "-c", script});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  std::vector<std::string> lines;
  std::istringstream in(r.out);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) {
      lines.push_back(line);
    }
  }
  return lines;
}

TEST(Completion, Subcommands) {
  EXPECT_THAT(complete({"bbposture", "sc"}), ElementsAre("scan"));
  EXPECT_THAT(complete({"bbposture", ""}), IsSupersetOf({"scan", "auth", "rules", "completion"}));
  EXPECT_THAT(complete({"bbposture", "auth", ""}), ElementsAre("check"));
  EXPECT_THAT(complete({"bbposture", "completion", ""}), ElementsAre("bash", "zsh"));
}

TEST(Completion, OptionsOfTheSubcommandAtHand) {
  EXPECT_THAT(complete({"bbposture", "scan", "--fo"}), ElementsAre("--format"));
  EXPECT_THAT(complete({"bbposture", "scan", "--min-s"}), ElementsAre("--min-severity"));
  EXPECT_THAT(complete({"bbposture", "rules", "--fo"}), ElementsAre("--format"));
  EXPECT_THAT(complete({"bbposture", "auth", "check", "--"}),
              IsSupersetOf({"--workspace", "--format", "--api-url", "--help"}));
  EXPECT_THAT(complete({"bbposture", "auth", "check", "--"}), Not(Contains("--fail-on")));
  // after an option and its value, and after a word that only looks like a subcommand
  EXPECT_THAT(complete({"bbposture", "scan", "-w", "auth", "--allow"}),
              ElementsAre("--allow-incomplete"));
}

TEST(Completion, ValuesOfAnOption) {
  EXPECT_THAT(complete({"bbposture", "scan", "--format", "j"}),
              ElementsAre("json", "jsonl", "junit"));
  EXPECT_THAT(complete({"bbposture", "diff", "-f", "ju"}), ElementsAre("junit"));
  EXPECT_THAT(complete({"bbposture", "scan", "-f", "s"}), ElementsAre("sarif"));
  EXPECT_THAT(complete({"bbposture", "scan", "--format", "=", "cs"}), ElementsAre("csv"));
  EXPECT_THAT(complete({"bbposture", "rules", "--format", "m"}), ElementsAre("markdown"));
  EXPECT_THAT(complete({"bbposture", "auth", "check", "-f", ""}), ElementsAre("table", "json"));
  EXPECT_THAT(complete({"bbposture", "scan", "--fail-on", ""}),
              ElementsAre("critical", "high", "medium", "low", "none"));
  EXPECT_THAT(complete({"bbposture", "scan", "--min-severity", "h"}), ElementsAre("high"));
  EXPECT_THAT(complete({"bbposture", "scan", "--color", "a"}), ElementsAre("auto", "always"));
  EXPECT_THAT(complete({"bbposture", "scan", "--log-level", "d"}), ElementsAre("debug"));
  // a free value: nothing to offer, not the options
  EXPECT_THAT(complete({"bbposture", "scan", "--workspace", ""}), IsEmpty());
}

TEST(Completion, RulesBySlugAndByIdFromTheCatalogue) {
  std::vector<std::string> expected;
  for (const auto& rule : core::catalogue()) {
    expected.emplace_back(rule.slug);
    expected.emplace_back(rule.id);
  }
  EXPECT_THAT(complete({"bbposture", "scan", "--rule", ""}), IsSupersetOf(expected));
  EXPECT_THAT(complete({"bbposture", "scan", "--skip-rule", ""}), IsSupersetOf(expected));
  // a prefix: the slugs (and IDs) starting with it, in catalogue order
  std::vector<std::string> stale;
  std::copy_if(expected.begin(), expected.end(), std::back_inserter(stale),
               [](const std::string& name) { return name.rfind("st", 0) == 0; });
  ASSERT_THAT(stale, Not(IsEmpty()));
  std::sort(stale.begin(), stale.end());
  auto offered = complete({"bbposture", "scan", "--rule", "st"});
  std::sort(offered.begin(), offered.end());
  EXPECT_EQ(offered, stale);
}

TEST(Completion, FileArgumentsCompleteFileNames) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("bbp_completion_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir / "reports");
  std::ofstream(dir / "report.json") << "{}";
  std::ofstream(dir / "scan.snapshot.json") << "{}";
  EXPECT_THAT(complete({"bbposture", "scan", "-o", ""}, dir),
              IsSupersetOf({"report.json", "reports", "scan.snapshot.json"}));
  EXPECT_THAT(complete({"bbposture", "scan", "-o", "rep"}, dir),
              ElementsAre("report.json", "reports"));
  for (const auto* option :
       {"--save-snapshot", "--from-snapshot", "--checkpoint", "--ca-bundle", "--baseline"}) {
    EXPECT_THAT(complete({"bbposture", "scan", option, "sc"}, dir),
                ElementsAre("scan.snapshot.json"))
        << option;
  }
  // diff's two reports are file arguments, its options still options
  EXPECT_THAT(complete({"bbposture", "diff", "sc"}, dir), ElementsAre("scan.snapshot.json"));
  EXPECT_THAT(complete({"bbposture", "diff", "report.json", "sc"}, dir),
              ElementsAre("scan.snapshot.json"));
  EXPECT_THAT(complete({"bbposture", "diff", "--fail-on-u"}, dir),
              ElementsAre("--fail-on-unchanged"));
  EXPECT_THAT(complete({"bbposture", "diff", "-f", "js"}, dir), ElementsAre("json", "jsonl"));
  std::filesystem::remove_all(dir);
}

// The zsh script is the bash function under zsh's bashcompinit, whose compgen leaves filtering by
// the typed prefix to zsh: so the candidates here are every value of the word's kind.
std::vector<std::string> complete_in_zsh(const std::vector<std::string>& words) {
  std::string script = "autoload -U compinit && compinit -u && source " +
                       shell_quote(BBP_ZSH_COMPLETION) + " 2>/dev/null; COMP_WORDS=(";
  for (const auto& word : words) {
    script += " " + shell_quote(word);
  }
  script += " ); COMP_CWORD=" + std::to_string(words.size() - 1) +
            "; _bbposture && print -l -- \"${COMPREPLY[@]}\"";
  const auto r = run_cli("zsh", {"-f", "-c", script});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::vector<std::string> lines;
  std::istringstream in(r.out);
  for (std::string line; std::getline(in, line);) {
    lines.push_back(line);
  }
  return lines;
}

TEST(Completion, ZshRunsTheSameFunction) {
  if (std::system("command -v zsh >/dev/null 2>&1") != 0) {
    GTEST_SKIP() << "zsh is not installed (scripts/bootstrap installs it)";
  }
  EXPECT_THAT(complete_in_zsh({"bbposture", "sc"}), Contains("scan"));
  EXPECT_THAT(complete_in_zsh({"bbposture", "auth", ""}), ElementsAre("check"));
  EXPECT_THAT(complete_in_zsh({"bbposture", "scan", "--format", "j"}),
              IsSupersetOf({"json", "jsonl", "sarif"}));
  EXPECT_THAT(complete_in_zsh({"bbposture", "scan", "--fo"}), Contains("--format"));
  EXPECT_THAT(complete_in_zsh({"bbposture", "scan", "--rule", ""}),
              Contains(std::string(core::catalogue().front().slug)));
}

}  // namespace
}  // namespace bbp::test
