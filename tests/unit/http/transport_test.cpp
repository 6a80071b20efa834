#include "bbp/http/transport.hpp"

#include <thread>

#include <gtest/gtest.h>

#include "http_fakes.hpp"

namespace bbp::http {
namespace {

TEST(HttpBasics, MethodNames) {
  EXPECT_EQ(to_string(Method::get), "GET");
  EXPECT_EQ(to_string(Method::post), "POST");
  EXPECT_EQ(to_string(Method::put), "PUT");
  EXPECT_EQ(to_string(Method::del), "DELETE");
}

TEST(HttpBasics, ErrorKindNames) {
  EXPECT_EQ(to_string(TransportErrorKind::timeout), "timeout");
  EXPECT_EQ(to_string(TransportErrorKind::connect), "connect");
  EXPECT_EQ(to_string(TransportErrorKind::tls), "tls");
  EXPECT_EQ(to_string(TransportErrorKind::dns), "dns");
  EXPECT_EQ(to_string(TransportErrorKind::too_large), "too_large");
  EXPECT_EQ(to_string(TransportErrorKind::interrupted), "interrupted");
  EXPECT_EQ(to_string(TransportErrorKind::other), "other");
}

TEST(HttpBasics, FindHeaderIsCaseInsensitiveAndReturnsFirstMatch) {
  const Headers headers = {{"Content-Type", "application/json"},
                           {"X-RateLimit-Remaining", "7"},
                           {"x-ratelimit-remaining", "8"}};
  EXPECT_EQ(find_header(headers, "content-type"), "application/json");
  EXPECT_EQ(find_header(headers, "CONTENT-TYPE"), "application/json");
  EXPECT_EQ(find_header(headers, "X-RATELIMIT-REMAINING"), "7");
  EXPECT_EQ(find_header(headers, "Content-Typ"), std::nullopt);
  EXPECT_EQ(find_header(headers, ""), std::nullopt);
  EXPECT_EQ(find_header({}, "Content-Type"), std::nullopt);

  Response response;
  response.headers = headers;
  EXPECT_EQ(response.header("x-ratelimit-remaining"), "7");
}

TEST(HttpFakes, FakeTransportAnswersFromQueueThenHandlerAndRecordsRequests) {
  fakes::FakeTransport transport;
  transport.push_response(503);
  transport.push_error(TransportErrorKind::timeout);

  Request request;
  request.url = "https://example.test/a";
  auto first = transport.send(request);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->status, 503);
  auto second = transport.send(request);
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().kind, TransportErrorKind::timeout);

  auto unscripted = transport.send(request);
  ASSERT_FALSE(unscripted);
  EXPECT_NE(unscripted.error().message.find("nothing scripted"), std::string::npos);

  transport.set_handler([](const Request& r) { return fakes::make_response(200, r.url); });
  auto handled = transport.send(request);
  ASSERT_TRUE(handled);
  EXPECT_EQ(handled->body, "https://example.test/a");

  EXPECT_EQ(transport.request_count(), 4u);
  EXPECT_EQ(transport.last_request().url, "https://example.test/a");
  EXPECT_EQ(transport.pending(), 0u);
}

TEST(HttpFakes, FakeTransportIsThreadSafe) {
  fakes::FakeTransport transport([](const Request&) { return fakes::make_response(200); });
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 100; ++i) {
        EXPECT_TRUE(transport.send(Request{}));
      }
    });
  }
  for (auto& thread : threads) {
    thread.join();
  }
  EXPECT_EQ(transport.request_count(), 400u);
}

TEST(HttpFakes, RecordingSleeperAdvancesLinkedClock) {
  fakes::FakeMonotonicClock clock;
  fakes::RecordingSleeper sleeper(&clock);
  const auto t0 = clock.now();
  sleeper.sleep_for(std::chrono::milliseconds(1500));
  sleeper.sleep_for(std::chrono::milliseconds(500));
  EXPECT_EQ(clock.elapsed(t0), std::chrono::seconds(2));
  EXPECT_EQ(sleeper.count(), 2u);
  EXPECT_EQ(sleeper.total(), std::chrono::seconds(2));
  EXPECT_EQ(sleeper.waits(), (std::vector<std::chrono::milliseconds>{
                                 std::chrono::milliseconds(1500), std::chrono::milliseconds(500)}));
}

}  // namespace
}  // namespace bbp::http
