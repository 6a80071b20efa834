#include "bbp/bitbucket/task_pool.hpp"

#include <algorithm>
#include <utility>

namespace bbp::bitbucket {

TaskPool::TaskPool(int threads) {
  // Any exception while starting a worker leaves the ones already started to the destructor.
  for (int i = 1; i < std::max(1, threads); ++i) {
    workers_.emplace_back([this] { work(); });
  }
}

TaskPool::~TaskPool() {
  stop();
  workers_.clear();  // joins
}

void TaskPool::submit(Task task) {
  {
    const std::lock_guard lock(mutex_);
    if (closed_ || stopped_) {
      return;
    }
    queue_.push_back(std::move(task));
  }
  ready_.notify_one();
}

void TaskPool::drain() {
  {
    const std::lock_guard lock(mutex_);
    closed_ = true;
  }
  ready_.notify_all();
  work();
  workers_.clear();  // joins
  const std::lock_guard lock(mutex_);
  if (failure_) {
    std::rethrow_exception(std::exchange(failure_, nullptr));
  }
}

void TaskPool::stop() {
  {
    const std::lock_guard lock(mutex_);
    stopped_ = true;
    closed_ = true;
    queue_.clear();
  }
  ready_.notify_all();
}

// Takes the next task; false once the queue is closed and empty, or the pool stopped.
bool TaskPool::next(Task& task) {
  std::unique_lock lock(mutex_);
  ready_.wait(lock, [this] { return !queue_.empty() || closed_; });
  if (stopped_ || queue_.empty()) {
    return false;
  }
  task = std::move(queue_.front());
  queue_.pop_front();
  return true;
}

void TaskPool::work() {
  Task task;
  while (next(task)) {
    try {
      task();
    } catch (...) {
      const std::lock_guard lock(mutex_);
      if (!failure_) {
        failure_ = std::current_exception();
      }
      stopped_ = true;
      closed_ = true;
      queue_.clear();
      ready_.notify_all();
    }
  }
}

}  // namespace bbp::bitbucket
