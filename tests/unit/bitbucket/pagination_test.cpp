#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "bbp/bitbucket/api_client.hpp"
#include "http_fakes.hpp"

namespace bbp::bitbucket {
namespace {

using core::UnknownReason;

constexpr const char* kApiBase = "https://api.bitbucket.org/2.0";

std::string page(const std::vector<int>& values, const std::string& next = "") {
  nlohmann::json body = {{"pagelen", values.size()}, {"values", values}};
  if (!next.empty()) {
    body["next"] = next;
  }
  return body.dump();
}

class Pagination : public ::testing::Test {
 protected:
  // Collects every value of every page.
  tl::expected<void, ApiError> collect(const std::string& path, std::size_t max_pages = 10'000) {
    return api.for_each_page(
        path,
        [this](const nlohmann::json& values) {
          ++pages;
          for (const auto& v : values) {
            seen.push_back(v.get<int>());
          }
          return true;
        },
        max_pages);
  }

  fakes::FakeTransport transport;
  StaticTokenSource tokens{Secret("Bearer at-123")};
  ApiClient api{transport, tokens, kApiBase};
  std::vector<int> seen;
  int pages = 0;
};

TEST_F(Pagination, FollowsAbsoluteNextLinksToTheLastPage) {
  transport.push_response(
      200, page({1, 2}, "https://api.bitbucket.org/2.0/repositories/acme?pagelen=2&page=2"));
  transport.push_response(
      200, page({3, 4}, "https://api.bitbucket.org/2.0/repositories/acme?pagelen=2&page=3"));
  transport.push_response(200, page({5}));

  const auto result = collect("/repositories/acme?pagelen=2");
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_EQ(seen, (std::vector<int>{1, 2, 3, 4, 5}));
  EXPECT_EQ(pages, 3);
  const auto requests = transport.requests();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_EQ(requests[0].url, "https://api.bitbucket.org/2.0/repositories/acme?pagelen=2");
  EXPECT_EQ(requests[1].url, "https://api.bitbucket.org/2.0/repositories/acme?pagelen=2&page=2");
  EXPECT_EQ(requests[2].url, "https://api.bitbucket.org/2.0/repositories/acme?pagelen=2&page=3");
  for (const auto& r : requests) {
    EXPECT_EQ(http::find_header(r.headers, "Authorization"), "Bearer at-123");
  }
}

TEST_F(Pagination, NullNextEndsTheListing) {
  transport.push_response(200, R"({"values": [7], "next": null})");
  ASSERT_TRUE(collect("/x"));
  EXPECT_EQ(seen, (std::vector<int>{7}));
}

TEST_F(Pagination, EmptyListIsFine) {
  transport.push_response(200, R"({"pagelen": 10, "values": [], "page": 1, "size": 0})");
  ASSERT_TRUE(collect("/x"));
  EXPECT_TRUE(seen.empty());
  EXPECT_EQ(pages, 1);
}

TEST_F(Pagination, NextOnAnotherOriginIsRefusedAndNotRequested) {
  for (const char* next : {"https://evil.example/2.0/repositories/acme?page=2",
                           "http://api.bitbucket.org/2.0/repositories/acme?page=2",
                           "https://api.bitbucket.org:444/2.0/repositories/acme?page=2",
                           "https://user@evil.example/2.0/repositories/acme?page=2",
                           "/2.0/repositories/acme?page=2", "//evil.example/2.0/x"}) {
    SCOPED_TRACE(next);
    fakes::FakeTransport local;
    ApiClient client(local, tokens, kApiBase);
    local.push_response(200, page({1}, next));
    int calls = 0;
    const auto result = client.for_each_page("/repositories/acme", [&](const nlohmann::json&) {
      ++calls;
      return true;
    });
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().kind, ApiError::Kind::refused_url);
    EXPECT_EQ(local.request_count(), 1u);
    EXPECT_EQ(calls, 1);
  }
}

TEST_F(Pagination, RepeatedNextIsALoop) {
  transport.push_response(200, page({1}, "https://api.bitbucket.org/2.0/x?page=2"));
  transport.push_response(200, page({2}, "https://api.bitbucket.org/2.0/x?page=2"));
  const auto result = collect("/x");
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().kind, ApiError::Kind::invalid_response);
  EXPECT_EQ(result.error().reason, UnknownReason::invalid_response);
  EXPECT_NE(result.error().message.find("loop"), std::string::npos) << result.error().message;
  EXPECT_EQ(transport.request_count(), 2u);
}

TEST_F(Pagination, NextBackToTheFirstPageIsALoop) {
  transport.push_response(200, page({1}, "https://api.bitbucket.org/2.0/x"));
  const auto result = collect("/x");
  ASSERT_FALSE(result);
  EXPECT_NE(result.error().message.find("loop"), std::string::npos);
  EXPECT_EQ(transport.request_count(), 1u);
}

TEST_F(Pagination, StopsAtThePageCap) {
  transport.set_handler([](const http::Request& request) {
    return fakes::make_response(200, page({1}, request.url + "&more"));
  });
  const auto result = collect("/x?page=1", 5);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().kind, ApiError::Kind::invalid_response);
  EXPECT_NE(result.error().message.find("5"), std::string::npos) << result.error().message;
  EXPECT_EQ(transport.request_count(), 5u);
  EXPECT_EQ(pages, 5);
}

TEST_F(Pagination, ExactlyMaxPagesIsFine) {
  transport.push_response(200, page({1}, "https://api.bitbucket.org/2.0/x?page=2"));
  transport.push_response(200, page({2}));
  ASSERT_TRUE(collect("/x", 2));
  EXPECT_EQ(seen, (std::vector<int>{1, 2}));
}

TEST_F(Pagination, MissingOrNonArrayValuesIsInvalid) {
  for (const char* body : {R"({"pagelen": 10})", R"({"values": {"a": 1}})", R"({"values": null})",
                           R"({"values": "x"})", "[1, 2, 3]", "null"}) {
    SCOPED_TRACE(body);
    fakes::FakeTransport local;
    ApiClient client(local, tokens, kApiBase);
    local.push_response(200, body);
    const auto result = client.for_each_page("/x", [](const nlohmann::json&) { return true; });
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().kind, ApiError::Kind::invalid_response);
    EXPECT_EQ(result.error().reason, UnknownReason::invalid_response);
  }
}

TEST_F(Pagination, NonStringNextIsInvalid) {
  for (const char* body : {R"({"values": [], "next": 2})", R"({"values": [], "next": {}})",
                           R"({"values": [], "next": ["https://api.bitbucket.org/2.0/x"]})"}) {
    SCOPED_TRACE(body);
    fakes::FakeTransport local;
    ApiClient client(local, tokens, kApiBase);
    local.push_response(200, body);
    const auto result = client.for_each_page("/x", [](const nlohmann::json&) { return true; });
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().kind, ApiError::Kind::invalid_response);
    EXPECT_EQ(local.request_count(), 1u);
  }
}

TEST_F(Pagination, HandlerReturningFalseStops) {
  transport.push_response(200, page({1, 2}, "https://api.bitbucket.org/2.0/x?page=2"));
  transport.push_response(200, page({3}));
  int calls = 0;
  const auto result = api.for_each_page("/x", [&](const nlohmann::json&) {
    ++calls;
    return false;
  });
  ASSERT_TRUE(result);
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(transport.request_count(), 1u);
  EXPECT_EQ(transport.pending(), 1u);
}

TEST_F(Pagination, ErrorOnALaterPageIsReturned) {
  transport.push_response(200, page({1}, "https://api.bitbucket.org/2.0/x?page=2"));
  transport.push_response(
      403,
      R"({"type": "error", "error": {"message": "Your credentials lack one or more required privilege scopes.", "detail": {"required": ["repository:admin"], "granted": ["repository"]}}})");
  const auto result = collect("/x");
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().http_status, 403);
  EXPECT_EQ(result.error().reason, UnknownReason::missing_scope);
  EXPECT_EQ(result.error().endpoint, "/2.0/x");
}

}  // namespace
}  // namespace bbp::bitbucket
