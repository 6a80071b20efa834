#include "bbp/core/time.hpp"

#include <gtest/gtest.h>

namespace bbp::core {
namespace {

using std::chrono::microseconds;

TEST(TimeTest, ParsesBitbucketTimestampsWithMicrosecondsAndOffset) {
  const auto t = parse_timestamp("2023-04-28T21:27:23.979085+00:00");
  ASSERT_TRUE(t);
  EXPECT_EQ(format_timestamp(*t), "2023-04-28T21:27:23.979085Z");
}

TEST(TimeTest, ParsesWithoutFractionAndWithZ) {
  const auto t = parse_timestamp("2023-04-28T21:27:23Z");
  ASSERT_TRUE(t);
  EXPECT_EQ(format_timestamp(*t), "2023-04-28T21:27:23Z");
}

TEST(TimeTest, AppliesOtherOffsets) {
  const auto plus = parse_timestamp("2023-04-28T23:27:23+02:00");
  const auto minus = parse_timestamp("2023-04-28T16:57:23.5-04:30");
  ASSERT_TRUE(plus && minus);
  EXPECT_EQ(format_timestamp(*plus), "2023-04-28T21:27:23Z");
  EXPECT_EQ(format_timestamp(*minus), "2023-04-28T21:27:23.500000Z");
}

TEST(TimeTest, ShortAndLongFractions) {
  EXPECT_EQ(format_timestamp(*parse_timestamp("2020-01-01T00:00:00.1Z")),
            "2020-01-01T00:00:00.100000Z");
  EXPECT_EQ(format_timestamp(*parse_timestamp("2020-01-01T00:00:00.123456789Z")),
            "2020-01-01T00:00:00.123456Z");
}

TEST(TimeTest, RejectsInvalidText) {
  for (const char* bad : {"", "2023", "2023-04-28", "2023-04-28 21:27:23Z", "2023-13-01T00:00:00Z",
                          "2023-02-30T00:00:00Z", "2023-04-28T25:00:00Z", "2023-04-28T21:27:23",
                          "2023-04-28T21:27:23+0000", "2023-04-28T21:27:23.Z",
                          "2023-04-28T21:27:23Zjunk", "yesterday", "2023-04-28T21:27:23+00:00 "}) {
    EXPECT_FALSE(parse_timestamp(bad)) << bad;
  }
}

TEST(TimeTest, WholeDaysFloors) {
  const auto a = *parse_timestamp("2026-01-01T00:00:00Z");
  EXPECT_EQ(whole_days_between(a, a + std::chrono::days{3} - microseconds{1}), 2);
  EXPECT_EQ(whole_days_between(a, a + std::chrono::days{3}), 3);
}

}  // namespace
}  // namespace bbp::core
