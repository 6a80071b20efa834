#include "table_reporter.hpp"

#include <gtest/gtest.h>

#include <sstream>

#include "report_fixture.hpp"

namespace bbp::report::testing {
namespace {

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    lines.push_back(line);
  }
  return lines;
}

// Where a finding's detail column starts: its continuation lines are indented this far.
constexpr std::size_t kContinuation = 52;
// A width whose detail column is as wide as the 80-column table's was before the FINDING
// column: the layout tests below keep their texts.
constexpr int kWide = 90;

std::size_t columns(const std::string& text) {
  return display_width(text);
}

std::string table(const ScanReport& report, bool color = false, int width = 80) {
  return render(TableReporter({color, width}), report);
}

TEST(TableReporterTest, LongDetailIsWrappedUnderItsColumn) {
  const auto report = sample_report();
  const auto key = std::find_if(report.findings.begin(), report.findings.end(), [](const auto& f) {
    return f.resource.type == core::ResourceType::deploy_key;
  });
  ASSERT_NE(key, report.findings.end());
  const auto text = table(report, false, kWide);
  EXPECT_NE(text.find("  Low       " + key->fingerprint.substr(0, 8) +
                      "  old-key                       deploy key 'build, \"prod\"\\nserver':\n" +
                      std::string(kContinuation, ' ') + "400 days old; maximum 180 days\n"),
            std::string::npos)
      << text;
}

// The FINDING column: the first 8 hex digits of each finding's fingerprint, which an ignore:
// entry may give instead of the whole fingerprint.
TEST(TableReporterTest, EveryFindingRowShowsTheFirstDigitsOfItsFingerprint) {
  const auto report = sample_report();
  const auto lines = lines_of(table(report));
  ASSERT_NE(std::find(lines.begin(), lines.end(),
                      "  SEVERITY  FINDING   RULE                          DETAIL"),
            lines.end());
  for (const auto& f : report.findings) {
    const auto row = std::find_if(lines.begin(), lines.end(), [&](const std::string& l) {
      return l.find("  " + f.fingerprint.substr(0, 8) + "  " + std::string(f.rule->slug)) !=
             std::string::npos;
    });
    EXPECT_NE(row, lines.end()) << f.fingerprint << " " << f.rule->slug;
  }
}

ScanReport baselined_report() {
  auto report = sample_report();
  report.baseline = BaselineInfo{"old.json", test::test_now()};
  for (std::size_t i = 0; i < report.findings.size(); ++i) {
    report.findings[i].baseline_state =
        i == 0 ? core::BaselineState::new_finding : core::BaselineState::unchanged;
  }
  return report;
}

TEST(TableReporterTest, OnlyNewListsTheNewFindingsAndCountsTheUnchanged) {
  const auto report = baselined_report();
  const auto unchanged = report.findings.size() - 1;
  ReporterOptions options;
  options.width = 120;
  options.only_new = true;
  const auto text = render(TableReporter(options), report);
  EXPECT_NE(text.find("New since the baseline:"), std::string::npos) << text;
  EXPECT_NE(text.find(report.findings[0].fingerprint.substr(0, 8)), std::string::npos) << text;
  EXPECT_NE(text.find(std::to_string(unchanged) + " unchanged findings not shown (--only-new)"),
            std::string::npos)
      << text;
  EXPECT_EQ(text.find("Unchanged since the baseline:"), std::string::npos) << text;
  for (std::size_t i = 1; i < report.findings.size(); ++i) {
    EXPECT_EQ(text.find(report.findings[i].fingerprint.substr(0, 8)), std::string::npos) << text;
  }
  options.only_new = false;
  const auto full = render(TableReporter(options), report);
  EXPECT_NE(full.find("Unchanged since the baseline:"), std::string::npos) << full;
  EXPECT_NE(full.find(report.findings[1].fingerprint.substr(0, 8)), std::string::npos) << full;
}

TEST(TableReporterTest, OnlyNewWithNothingNewSaysSo) {
  auto report = baselined_report();
  report.findings[0].baseline_state = core::BaselineState::unchanged;
  ReporterOptions options;
  options.only_new = true;
  const auto text = render(TableReporter(options), report);
  EXPECT_NE(
      text.find("No new findings since the baseline.\n" + std::to_string(report.findings.size()) +
                " unchanged findings not shown (--only-new)\n"),
      std::string::npos)
      << text;
  EXPECT_EQ(text.find("SEVERITY"), std::string::npos) << text;
}

// Every finding row says the finding's message: the one the other formats carry.
TEST(TableReporterTest, EveryFindingShowsItsMessage) {
  const auto report = sample_report();
  const auto text = table(report, false, 200);
  for (const auto& f : report.findings) {
    EXPECT_NE(text.find(core::message_of(*f.rule, f.evidence.value())), std::string::npos)
        << f.rule->slug << "\n"
        << text;
  }
  EXPECT_NE(text.find("last updated 400 days ago; threshold 365 days"), std::string::npos);
}

TEST(TableReporterTest, ALongKeyLabelIsCutSoTheMessageShows) {
  auto report = sample_report();
  const auto it = std::find_if(report.findings.begin(), report.findings.end(),
                               [](const auto& f) { return f.rule->slug == "old-key"; });
  ASSERT_NE(it, report.findings.end());
  std::string label;
  for (int i = 0; i < 40; ++i) {
    label += "word" + std::to_string(i) + " ";
  }
  it->resource.name = label;
  const auto lines = lines_of(table(report, false, kWide));
  const auto row = std::find_if(lines.begin(), lines.end(), [](const std::string& l) {
    return l.find("old-key") != std::string::npos && l.find("word0") != std::string::npos;
  });
  ASSERT_NE(row, lines.end());
  EXPECT_NE(row->find("…':"), std::string::npos) << *row;
  EXPECT_EQ(*(row + 1), std::string(kContinuation, ' ') + "400 days old; maximum 180 days");
}

TEST(TableReporterTest, AVeryLongDetailIsCutAfterFourLines) {
  auto report = sample_report();
  const auto it = std::find_if(report.findings.begin(), report.findings.end(),
                               [](const auto& f) { return f.rule->slug == "direct-push-allowed"; });
  ASSERT_NE(it, report.findings.end());
  auto users = nlohmann::json::array();
  for (int i = 0; i < 40; ++i) {
    users.push_back({{"name", "user" + std::to_string(i)}, {"id", std::to_string(i)}});
  }
  it->evidence =
      nlohmann::json{{"default_branch", "main"},
                     {"allowed_to_push", {{"users", users}, {"groups", nlohmann::json::array()}}}};
  const auto lines = lines_of(table(report, false, kWide));
  const auto row = std::find_if(lines.begin(), lines.end(), [](const std::string& l) {
    return l.find("direct-push-allowed") != std::string::npos;
  });
  ASSERT_NE(row, lines.end());
  EXPECT_NE(row->find("'main' accepts direct pushes from"), std::string::npos) << *row;
  EXPECT_TRUE((row + 1)->starts_with(std::string(kContinuation, ' ') + "user0, ")) << *(row + 1);
  EXPECT_TRUE((row + 3)->starts_with(std::string(kContinuation, ' '))) << *(row + 3);
  EXPECT_TRUE((row + 3)->ends_with("…")) << *(row + 3);
  EXPECT_FALSE((row + 4)->starts_with(std::string(kContinuation, ' '))) << *(row + 4);
  EXPECT_LE(columns(*(row + 3)), static_cast<std::size_t>(kWide));
}

TEST(TableReporterTest, PlainWithoutColour) {
  const auto text = table(sample_report(), false);
  EXPECT_EQ(text.find('\033'), std::string::npos);
  EXPECT_NE(text.find("Critical"), std::string::npos);
}

TEST(TableReporterTest, SeveritiesColouredWhenAsked) {
  const auto text = table(sample_report(), true);
  EXPECT_NE(text.find("\033[1;31mCritical"), std::string::npos);
  EXPECT_NE(text.find("\033[36mLow"), std::string::npos);
  EXPECT_NE(text.find("\033[0m"), std::string::npos);
  EXPECT_NE(text.find("\033[1;33mWARNING"), std::string::npos);
}

TEST(TableReporterTest, EveryLineFitsTheWidth) {
  for (const int width : {80, 100}) {
    for (const auto& line : lines_of(table(sample_report(), false, width))) {
      EXPECT_LE(columns(line), static_cast<std::size_t>(width)) << line;
    }
  }
}

TEST(TableReporterTest, WorstGroupFirstAndWorstFindingFirstInsideIt) {
  const auto lines = lines_of(table(sample_report()));
  const auto header = std::find_if(lines.begin(), lines.end(), [](const std::string& l) {
    return l.find("SEVERITY") != std::string::npos;
  });
  ASSERT_NE(header, lines.end());
  ASSERT_GE(lines.end() - header, 3);
  EXPECT_EQ(*(header + 1), "acme/web");
  EXPECT_TRUE((header + 2)->starts_with("  Critical  ")) << *(header + 2);
  EXPECT_NE((header + 2)->find("  public-repository  "), std::string::npos) << *(header + 2);
  // Severity never gets better-then-worse inside a group (a detail's continuation lines, which
  // start under the detail column, are skipped).
  int last_rank = -1;
  for (auto it = header + 2; it != lines.end() && it->starts_with("  "); ++it) {
    if (it->starts_with(std::string(kContinuation, ' '))) {
      continue;
    }
    const auto severity = core::severity_from_string(it->substr(2, it->find(' ', 2) - 2));
    ASSERT_TRUE(severity) << *it;
    EXPECT_GE(core::rank(*severity), last_rank) << *it;
    last_rank = core::rank(*severity);
  }
}

TEST(TableReporterTest, KeysShowLabelAgeAndMaximum) {
  const auto text = table(sample_report(), false, 120);
  EXPECT_NE(text.find("deploy key 'build, \"prod\"\\nserver': 400 days old; maximum 180 days"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("deploy key 'ci': 500 days old; maximum 180 days"), std::string::npos)
      << text;
  EXPECT_NE(text.find("SSH key 'laptop': 200 days old; maximum 180 days"), std::string::npos)
      << text;
  EXPECT_NE(text.find("your account"), std::string::npos) << text;
  EXPECT_NE(text.find("acme project PLAT"), std::string::npos) << text;
}

TEST(TableReporterTest, UnknownsSummarisedWithTheMissingScope) {
  const auto text = table(sample_report());
  EXPECT_NE(text.find("WARNING: incomplete scan: 8 checks could not be evaluated, 1 read failed"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("  acme/legacy: 8 checks not evaluated (missing_scope)\n"
                      "    missing scope: repository:admin (granted: repository)\n"),
            std::string::npos)
      << text;
}

TEST(TableReporterTest, LongCauseIsWrappedNotCut) {
  auto report = sample_report();
  for (auto& u : report.unknown) {
    u.detail =
        "missing scope: repository:admin (granted: account, repository, project, "
        "project:admin, pullrequest, pipeline, webhook, snippet)";
  }
  const auto text = table(report);
  EXPECT_NE(text.find("snippet)"), std::string::npos) << text;
  for (const auto& line : lines_of(text)) {
    EXPECT_LE(columns(line), 80U) << line;
  }
}

TEST(TableReporterTest, NoFindings) {
  ScanReport report;
  report.tool_version = "1.0.0";
  const auto text = table(report);
  EXPECT_NE(text.find("No findings."), std::string::npos);
  EXPECT_NE(text.find("0 findings: 0 Critical, 0 High, 0 Medium, 0 Low"), std::string::npos);
  EXPECT_EQ(text.find("WARNING"), std::string::npos);
}

TEST(TableReporterTest, ControlCharactersNeverReachTheTerminal) {
  auto report = sample_report();
  report.findings.front().resource.name = "x";
  report.findings.back().resource.name =
      "evil\033]0;title\007\xc2\x9b"
      "31m";
  const auto text = table(report, false);
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    EXPECT_TRUE(u >= 0x20U || c == '\n') << "control byte " << static_cast<int>(u);
  }
  EXPECT_EQ(text.find("\xc2\x9b"), std::string::npos);
}

TEST(PrintableTest, EscapesControlCharacters) {
  EXPECT_EQ(printable("a\nb\tc\rd"), "a\\nb\\tc\\rd");
  EXPECT_EQ(printable("\033[31m"), "\\x1b[31m");
  EXPECT_EQ(printable("\x7f"), "\\x7f");
  EXPECT_EQ(printable("\xc2\x9b"), "\\u009b");
  EXPECT_EQ(printable("café – ok"), "café – ok");
}

TEST(EllipsizeTest, CutsToTheWidthWithAnEllipsis) {
  EXPECT_EQ(ellipsize("short", 10), "short");
  EXPECT_EQ(ellipsize("exactly10!", 10), "exactly10!");
  EXPECT_EQ(ellipsize("longer than ten", 10), "longer th…");
  EXPECT_EQ(ellipsize("ééééééé", 4), "ééé…");
  // Wide characters take two columns and are never split.
  EXPECT_EQ(ellipsize("日本語テキスト", 7), "日本語…");
  EXPECT_EQ(ellipsize("日本語", 4), "日…");
  EXPECT_EQ(ellipsize("日本語", 6), "日本語");
  EXPECT_EQ(ellipsize("abc", 0), "");
}

TEST(TableReporterTest, DisplayWidthCountsTerminalColumns) {
  EXPECT_EQ(display_width(std::string_view("plain")), 5U);
  EXPECT_EQ(display_width(std::string_view("日本語")), 6U);          // East Asian wide
  EXPECT_EQ(display_width(std::string_view("ＡＢ")), 4U);            // fullwidth
  EXPECT_EQ(display_width(std::string_view("한국")), 4U);            // Hangul syllables
  EXPECT_EQ(display_width(std::string_view("🔑 key")), 6U);           // emoji
  EXPECT_EQ(display_width(std::string_view("café")), 4U);            // precomposed é
  EXPECT_EQ(display_width(std::string_view("cafe\u0301")), 4U);      // e + combining acute
  EXPECT_EQ(display_width(std::string_view("bad \xff byte")), 10U);  // a stray byte is one
  EXPECT_EQ(display_width(std::string_view("\xe6\x97")), 2U);        // a cut sequence: two
}

TEST(TableReporterTest, WideKeyLabelsStayWithinTheWidth) {
  auto report = sample_report();
  for (auto& f : report.findings) {
    f.resource.name = "配布用のデプロイキー（本番環境サーバー、毎晩のビルド用）" + f.resource.name;
  }
  for (const int width : {60, 80, 120}) {
    for (const auto& line : lines_of(table(report, false, width))) {
      EXPECT_LE(columns(line), static_cast<std::size_t>(width)) << line;
    }
  }
}

}  // namespace
}  // namespace bbp::report::testing
