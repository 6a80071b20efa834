// Decorator counting every request passed down to the wrapped transport.
#pragma once

#include <atomic>
#include <cstdint>

#include "bbp/http/transport.hpp"

namespace bbp::http {

// Place it innermost (directly around CurlTransport) so that retries are counted too: the
// count is then the number of requests that actually hit the network. Thread-safe.
// The wrapped transport must outlive this object.
class CountingTransport final : public Transport {
 public:
  explicit CountingTransport(Transport& inner) : inner_(inner) {}

  Result send(const Request& request) override;

  std::uint64_t count() const { return count_.load(std::memory_order_relaxed); }

 private:
  Transport& inner_;
  std::atomic<std::uint64_t> count_{0};
};

}  // namespace bbp::http
