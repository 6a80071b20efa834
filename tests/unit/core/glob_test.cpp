#include "bbp/core/glob.hpp"

#include <gtest/gtest.h>

namespace bbp::core {
namespace {

struct GlobCase {
  const char* pattern;
  const char* text;
  bool matches;
};

void PrintTo(const GlobCase& c, std::ostream* os) {
  *os << c.pattern << " ~ " << c.text;
}

class GlobTest : public ::testing::TestWithParam<GlobCase> {};

TEST_P(GlobTest, MatchesAsBitbucketDescribes) {
  const auto& c = GetParam();
  EXPECT_EQ(glob_match(c.pattern, c.text), c.matches) << c.pattern << " vs " << c.text;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, GlobTest,
    ::testing::Values(GlobCase{"main", "main", true},              // exact
                      GlobCase{"main", "main2", false},            // anchored at the end
                      GlobCase{"main", "xmain", false},            // anchored at the start
                      GlobCase{"ma*", "main", true},               // prefix *
                      GlobCase{"*in", "main", true},               // leading *
                      GlobCase{"m*n", "main", true},               // infix *
                      GlobCase{"m*n", "mainx", false},             // infix * stays anchored
                      GlobCase{"*", "main", true},                 // * alone
                      GlobCase{"*", "release/1.2", true},          // * alone, with /
                      GlobCase{"release/*", "release/1.2", true},  // / inside
                      GlobCase{"release/*", "release/1/x", true},  // * spans /
                      GlobCase{"release/*", "release", false},     // literal / required
                      GlobCase{"Main", "main", false},             // case-sensitive
                      GlobCase{"MAIN", "main", false},             // case-sensitive
                      GlobCase{"", "main", false},                 // empty pattern
                      GlobCase{"", "", true},                      // empty matches empty only
                      GlobCase{"**", "x", true},                   // repeated stars
                      GlobCase{"a*b*c", "aXbYc", true},            // several stars
                      GlobCase{"a*b*c", "aXbY", false},            //
                      GlobCase{"fo?", "foo", false},               // ? is literal
                      GlobCase{"f[o]o", "foo", false},             // [] is literal
                      GlobCase{"f[o]o", "f[o]o", true}));

TEST(GlobTest, IgnoringCaseFlagsNearMisses) {
  EXPECT_TRUE(glob_match_ignoring_case("Main", "main"));
  EXPECT_TRUE(glob_match_ignoring_case("REL*", "release/1"));
  EXPECT_FALSE(glob_match_ignoring_case("dev", "main"));
}

TEST(GlobTest, PathologicalPatternStaysFast) {
  const std::string text(2000, 'a');
  const std::string pattern = std::string(50, '*') + "b";
  EXPECT_FALSE(glob_match(pattern, text));
}

}  // namespace
}  // namespace bbp::core
