#include "bbp/http/sleeper.hpp"

#include <thread>

namespace bbp::http {

void RealSleeper::sleep_for(std::chrono::milliseconds duration) {
  if (duration > std::chrono::milliseconds::zero()) {
    std::this_thread::sleep_for(duration);
  }
}

}  // namespace bbp::http
