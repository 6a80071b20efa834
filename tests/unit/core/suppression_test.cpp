#include "bbp/core/suppression.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "bbp/core/catalogue.hpp"
#include "builders.hpp"
#include "fingerprint.hpp"

namespace bbp::core {
namespace {

constexpr const char* kPublicKey =
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAILy1BKFh5XpfSi0Q9W0xz1IGQ7/d6161zdrv9kRbk8a+ ci";
// What `ssh-keygen -lf` printed for kPublicKey.
constexpr const char* kKeyFingerprint = "SHA256:8ipo0wueXhZpqeOw9Idx3ZbMFCQzxdZcYmUjlOPmTk0";

const Rule& rule(std::string_view slug) {
  return *find_rule(slug);
}

Evaluation repository_finding(std::string_view slug, std::string repository,
                              std::optional<std::string> project = std::nullopt) {
  Evaluation e;
  e.rule = &rule(slug);
  e.outcome = Outcome::fail;
  e.workspace = repository.substr(0, repository.find('/'));
  e.repository = repository;
  e.project = std::move(project);
  e.resource = {ResourceType::repository, "{uuid-" + repository + "}", repository, ""};
  e.fingerprint = fingerprint(e);
  return e;
}

Evaluation key_finding(std::string id) {
  Evaluation e;
  e.rule = &rule("old-key");
  e.outcome = Outcome::fail;
  e.workspace = "acme";
  e.repository = "acme/api";
  e.resource = {ResourceType::deploy_key, std::move(id), "ci", ""};
  e.fingerprint = fingerprint(e);
  return e;
}

Suppression entry(const Rule* r, Suppression::Selector selector, std::string value,
                  std::optional<std::string> expires = std::nullopt) {
  return {r, selector, std::move(value), "accepted risk", std::move(expires), "bbposture.yaml:3"};
}

Snapshot snapshot_with_key(std::string id) {
  Snapshot s;
  WorkspaceSnapshot ws;
  ws.slug = "acme";
  Key key;
  key.kind = KeyKind::deploy_key;
  key.id = std::move(id);
  key.workspace = "acme";
  key.repository = "acme/api";
  key.key_material = kPublicKey;
  ws.keys.push_back(key);
  s.workspaces.push_back(ws);
  return s;
}

TEST(Sha256Test, KnownVectors) {
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST(SshFingerprintTest, MatchesSshKeygen) {
  EXPECT_EQ(ssh_fingerprint(kPublicKey), kKeyFingerprint);
  EXPECT_EQ(ssh_fingerprint("ssh-ed25519"), std::nullopt);
  EXPECT_EQ(ssh_fingerprint("ssh-ed25519 not*base64"), std::nullopt);
  EXPECT_EQ(ssh_fingerprint(""), std::nullopt);
}

TEST(SuppressionTest, RepositoryGlobByRuleSlugOrId) {
  const auto f = repository_finding("public-repository", "acme/api");
  EXPECT_TRUE(suppression_selects(
      entry(&rule("public-repository"), Suppression::Selector::repository, "acme/*"), f, ""));
  EXPECT_TRUE(suppression_selects(
      entry(find_rule(rule("public-repository").id), Suppression::Selector::repository, "acme/api"),
      f, ""));
  EXPECT_FALSE(suppression_selects(
      entry(&rule("stale-repository"), Suppression::Selector::repository, "acme/*"), f, ""));
  EXPECT_FALSE(suppression_selects(
      entry(&rule("public-repository"), Suppression::Selector::repository, "other/*"), f, ""));
}

TEST(SuppressionTest, ProjectKeyWithOrWithoutWorkspace) {
  const auto f = repository_finding("public-repository", "acme/api", "PLAT");
  const auto* r = &rule("public-repository");
  EXPECT_TRUE(suppression_selects(entry(r, Suppression::Selector::project, "PLAT"), f, ""));
  EXPECT_TRUE(suppression_selects(entry(r, Suppression::Selector::project, "acme/PLAT"), f, ""));
  EXPECT_FALSE(suppression_selects(entry(r, Suppression::Selector::project, "other/PLAT"), f, ""));
  EXPECT_FALSE(suppression_selects(entry(r, Suppression::Selector::project, "CORE"), f, ""));
  const auto no_project = repository_finding("public-repository", "acme/web");
  EXPECT_FALSE(
      suppression_selects(entry(r, Suppression::Selector::project, "PLAT"), no_project, ""));
}

TEST(SuppressionTest, KeyByResourceIdOrSshFingerprint) {
  const auto f = key_finding("7");
  const auto* r = &rule("old-key");
  EXPECT_TRUE(suppression_selects(entry(r, Suppression::Selector::key, "7"), f, ""));
  EXPECT_FALSE(suppression_selects(entry(r, Suppression::Selector::key, "8"), f, ""));
  EXPECT_TRUE(suppression_selects(entry(r, Suppression::Selector::key, kKeyFingerprint), f,
                                  kKeyFingerprint));
  EXPECT_FALSE(suppression_selects(entry(r, Suppression::Selector::key, kKeyFingerprint), f, ""));
  // A repository is not a key, whatever its id.
  auto repo = repository_finding("old-key", "acme/api");
  EXPECT_FALSE(
      suppression_selects(entry(nullptr, Suppression::Selector::key, repo.resource.id), repo, ""));
}

TEST(SuppressionTest, ApplyFindsTheKeyFingerprintInTheSnapshot) {
  std::vector<Evaluation> findings{key_finding("7")};
  const std::vector<Suppression> entries{
      entry(&rule("old-key"), Suppression::Selector::key, kKeyFingerprint)};
  const auto warnings =
      apply_suppressions(findings, entries, snapshot_with_key("7"), bbp::test::test_now());
  EXPECT_TRUE(warnings.empty());
  ASSERT_TRUE(findings[0].suppressed);
  EXPECT_EQ(findings[0].suppressed->source, "bbposture.yaml:3");
}

TEST(SuppressionTest, AnyRuleByFindingFingerprint) {
  auto f = repository_finding("stale-repository", "acme/api");
  EXPECT_TRUE(suppression_selects(entry(nullptr, Suppression::Selector::fingerprint, f.fingerprint),
                                  f, ""));
  EXPECT_FALSE(
      suppression_selects(entry(nullptr, Suppression::Selector::fingerprint, "0123"), f, ""));
}

TEST(SuppressionTest, AFingerprintPrefixOfEightDigitsOrMoreSelects) {
  const auto f = repository_finding("stale-repository", "acme/api");
  ASSERT_EQ(f.fingerprint.size(), 16U);
  for (const std::size_t digits : {8U, 12U, 16U}) {
    EXPECT_TRUE(suppression_selects(
        entry(nullptr, Suppression::Selector::fingerprint, f.fingerprint.substr(0, digits)), f, ""))
        << digits;
  }
  EXPECT_FALSE(suppression_selects(
      entry(nullptr, Suppression::Selector::fingerprint, f.fingerprint.substr(0, 7)), f, ""));
  auto other = f.fingerprint.substr(0, 8);
  other.back() = other.back() == '0' ? '1' : '0';
  EXPECT_FALSE(
      suppression_selects(entry(nullptr, Suppression::Selector::fingerprint, other), f, ""));
}

TEST(SuppressionTest, AnAmbiguousFingerprintPrefixSuppressesNothingAndSaysWhichFindingsShareIt) {
  std::vector<Evaluation> findings{repository_finding("stale-repository", "acme/api"),
                                   repository_finding("public-repository", "acme/api"),
                                   repository_finding("stale-repository", "acme/web")};
  // Two findings made to share their first 8 digits, as two of many thousands may.
  findings[1].fingerprint = findings[0].fingerprint.substr(0, 8) + "00000000";
  const auto prefix = findings[0].fingerprint.substr(0, 8);
  auto shared = entry(nullptr, Suppression::Selector::fingerprint, prefix);
  shared.source = "bbposture.yaml:4";
  auto narrowed = entry(&rule("public-repository"), Suppression::Selector::fingerprint, prefix);
  narrowed.source = "bbposture.yaml:8";

  auto plain = findings;
  const auto warnings =
      apply_suppressions(plain, std::vector<Suppression>{shared}, {}, bbp::test::test_now());
  ASSERT_EQ(warnings.size(), 1U);
  EXPECT_NE(warnings[0].find("bbposture.yaml:4"), std::string::npos) << warnings[0];
  EXPECT_NE(warnings[0].find("2 findings start with"), std::string::npos) << warnings[0];
  EXPECT_NE(warnings[0].find(findings[0].fingerprint), std::string::npos) << warnings[0];
  EXPECT_NE(warnings[0].find(findings[1].fingerprint), std::string::npos) << warnings[0];
  for (const auto& f : plain) {
    EXPECT_FALSE(f.suppressed) << f.fingerprint;
  }

  // With a rule, only that rule's findings count: the prefix names one finding again.
  auto with_rule = findings;
  EXPECT_TRUE(
      apply_suppressions(with_rule, std::vector<Suppression>{narrowed}, {}, bbp::test::test_now())
          .empty());
  EXPECT_FALSE(with_rule[0].suppressed);
  ASSERT_TRUE(with_rule[1].suppressed);
  EXPECT_EQ(with_rule[1].suppressed->source, "bbposture.yaml:8");
}

TEST(SuppressionTest, AppliesThroughItsExpiryDayAndNotTheDayAfter) {
  const auto e = entry(nullptr, Suppression::Selector::repository, "*", "2026-11-28");
  EXPECT_TRUE(suppression_active(e, *parse_timestamp("2026-11-28T00:00:00Z")));
  EXPECT_TRUE(suppression_active(e, *parse_timestamp("2026-11-28T23:59:59.999999Z")));
  EXPECT_FALSE(suppression_active(e, *parse_timestamp("2026-11-29T00:00:00Z")));
  EXPECT_FALSE(suppression_active(e, *parse_timestamp("2026-12-05T12:00:00Z")));
  EXPECT_TRUE(suppression_active(entry(nullptr, Suppression::Selector::repository, "*"),
                                 *parse_timestamp("2099-01-01T00:00:00Z")));
}

TEST(SuppressionTest, FirstActiveEntryMarksAndWarningsNameExpiredAndUnmatched) {
  std::vector<Evaluation> findings{repository_finding("public-repository", "acme/api"),
                                   repository_finding("stale-repository", "acme/web")};
  findings.push_back(findings[0]);
  findings.back().outcome = Outcome::unknown;  // only findings are suppressed
  findings.back().suppressed.reset();
  auto expired = entry(nullptr, Suppression::Selector::repository, "acme/*", "2026-11-27");
  expired.source = "bbposture.yaml:1";
  auto first = entry(&rule("public-repository"), Suppression::Selector::repository, "acme/*");
  first.reason = "open source";
  first.source = "bbposture.yaml:5";
  auto second = entry(&rule("public-repository"), Suppression::Selector::repository, "acme/api");
  second.source = "bbposture.yaml:9";
  auto unused = entry(nullptr, Suppression::Selector::fingerprint, "ffffffffffffffff");
  unused.source = "bbposture.yaml:12";
  const std::vector<Suppression> entries{expired, first, second, unused};

  const auto warnings = apply_suppressions(findings, entries, {}, bbp::test::test_now());

  ASSERT_TRUE(findings[0].suppressed);
  EXPECT_EQ(findings[0].suppressed->source, "bbposture.yaml:5");
  EXPECT_EQ(findings[0].suppressed->reason, "open source");
  EXPECT_FALSE(findings[1].suppressed) << "the only entry for it has expired";
  EXPECT_FALSE(findings[2].suppressed);
  ASSERT_EQ(warnings.size(), 3U);
  EXPECT_NE(warnings[0].find("bbposture.yaml:1"), std::string::npos) << warnings[0];
  EXPECT_NE(warnings[0].find("expired on 2026-11-27"), std::string::npos) << warnings[0];
  EXPECT_NE(warnings[1].find("bbposture.yaml:9"), std::string::npos) << warnings[1];
  EXPECT_NE(warnings[1].find("matched no finding"), std::string::npos) << warnings[1];
  EXPECT_NE(warnings[2].find("bbposture.yaml:12"), std::string::npos) << warnings[2];
}

}  // namespace
}  // namespace bbp::core
