#include "bbp/http/counting_transport.hpp"

namespace bbp::http {

Result CountingTransport::send(const Request& request) {
  count_.fetch_add(1, std::memory_order_relaxed);
  return inner_.send(request);
}

}  // namespace bbp::http
