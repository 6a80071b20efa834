// The HCL subset reader the Terraform export is checked with: it reads what the export writes,
// and it refuses broken files with their line, so that "every export parses" can fail.
#include "hcl_syntax.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace bbp::fix::testing {
namespace {

using ::testing::HasSubstr;

constexpr std::string_view kValid = R"(# a comment
import {
  to = bitbucket_branch_restriction.api_push
  id = "acme/api/42"
}

resource "bitbucket_branch_restriction" "api_push" { # a comment after the brace
  owner = "acme" # and after a value
  value = 2
  flag  = true
  users = ["a", "b\"c",
    "d"]
  none  = []
  text  = "tab\t \\ $${x} %%{y} $5 %d \u00e9"

  groups {
    slug = "devs"
  }
}
)";

// The error a broken file gets; a failure when it parses.
HclError error_of(std::string_view text) {
  const auto parsed = parse_hcl(text);
  EXPECT_FALSE(parsed.has_value()) << "parsed:\n" << text;
  return parsed ? HclError{} : parsed.error();
}

TEST(HclSyntax, ReadsTheSubset) {
  const auto parsed = parse_hcl(kValid);
  ASSERT_TRUE(parsed) << to_string(parsed.error());
  ASSERT_EQ(parsed->blocks.size(), 2U);
  const auto& import = parsed->blocks[0];
  EXPECT_EQ(import.type, "import");
  EXPECT_TRUE(import.labels.empty());
  EXPECT_EQ(import.attributes.at("to").kind, HclValue::Kind::reference);
  EXPECT_EQ(import.attributes.at("to").text, "bitbucket_branch_restriction.api_push");
  const auto& resource = parsed->blocks[1];
  EXPECT_EQ(resource.line, 7);
  EXPECT_EQ(resource.labels,
            (std::vector<std::string>{"bitbucket_branch_restriction", "api_push"}));
  EXPECT_EQ(resource.attributes.at("value").kind, HclValue::Kind::number);
  EXPECT_EQ(resource.attributes.at("flag").kind, HclValue::Kind::boolean);
  ASSERT_EQ(resource.attributes.at("users").items.size(), 3U);
  EXPECT_EQ(resource.attributes.at("users").items[1].text, "b\"c");
  EXPECT_TRUE(resource.attributes.at("none").items.empty());
  EXPECT_EQ(resource.attributes.at("text").text, "tab\t \\ ${x} %{y} $5 %d \xC3\xA9");
  ASSERT_EQ(blocks_of(resource, "groups").size(), 1U);
  EXPECT_EQ(blocks_of(resource, "groups")[0]->attributes.at("slug").text, "devs");
}

TEST(HclSyntax, RefusesAnUnclosedBlockWithTheLineOfItsBrace) {
  const auto e = error_of("resource \"a\" \"b\" {\n  x = 1\n\nimport {\n  y = 2\n}\n");
  EXPECT_EQ(e.line, 1);
  EXPECT_THAT(e.message, HasSubstr("unbalanced braces"));
}

TEST(HclSyntax, RefusesAClosingBraceWithoutItsBlock) {
  const auto e = error_of("resource \"a\" \"b\" {\n  x = 1\n}\n}\n");
  EXPECT_EQ(e.line, 4);
  EXPECT_THAT(e.message, HasSubstr("unbalanced braces"));
}

TEST(HclSyntax, RefusesAnUnterminatedString) {
  const auto e = error_of("a {\n  x = \"open");
  EXPECT_EQ(e.line, 2);
  EXPECT_THAT(e.message, HasSubstr("unterminated string"));
}

TEST(HclSyntax, RefusesARawNewLineInAString) {
  const auto e = error_of("a {\n  x = \"one\ntwo\"\n}\n");
  EXPECT_EQ(e.line, 2);
  EXPECT_THAT(e.message, HasSubstr("new line"));
}

TEST(HclSyntax, RefusesATemplateSequenceInAString) {
  EXPECT_THAT(error_of("x = \"a ${var.b}\"\n").message, HasSubstr("'${'"));
  EXPECT_THAT(error_of("x = \"a %{ if b }\"\n").message, HasSubstr("'%{'"));
  // An escaped one is literal, and one more '$' before it is a plain '$'.
  const auto parsed = parse_hcl("x = \"$$${y}\"\n");
  ASSERT_TRUE(parsed) << to_string(parsed.error());
  EXPECT_EQ(parsed->attributes.at("x").text, "$${y}");
}

TEST(HclSyntax, RefusesAnUnknownEscape) {
  EXPECT_THAT(error_of("x = \"a\\qb\"\n").message, HasSubstr("unknown escape"));
  EXPECT_THAT(error_of("x = \"a\\u12\"\n").message, HasSubstr("hexadecimal"));
}

TEST(HclSyntax, RefusesAnAttributeWithoutItsEquals) {
  const auto e = error_of("resource \"a\" \"b\" {\n  owner = \"acme\"\n  repository \"api\"\n}\n");
  EXPECT_EQ(e.line, 3);
  EXPECT_THAT(e.message, HasSubstr("neither '='"));
}

TEST(HclSyntax, RefusesTwoAttributesOnOneLineAndOneSetTwice) {
  EXPECT_EQ(error_of("a {\n  x = 1 y = 2\n}\n").line, 2);
  EXPECT_THAT(error_of("a {\n  x = 1\n  x = 2\n}\n").message, HasSubstr("set twice"));
}

TEST(HclSyntax, RefusesAListWithoutItsSeparators) {
  EXPECT_THAT(error_of("x = [\"a\" \"b\"]\n").message, HasSubstr("neither ','"));
  EXPECT_FALSE(parse_hcl("x = [\"a\",\n"));
}

}  // namespace
}  // namespace bbp::fix::testing
