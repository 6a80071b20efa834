// The collector's threads: one queue of tasks, `threads - 1` workers, and the owner, who joins
// in when it has queued everything. Knows nothing about Bitbucket: the walk decides what to read
// and in which order, the pool only runs it.
//
//   * A task that throws does not end the process: the first exception is kept, no task starts
//     after it (the queue is drained without running what is left), and drain() rethrows it on
//     the owner's thread once every worker has stopped.
//   * stop() ends the work early (a rejected credential): tasks already running finish, queued
//     ones are dropped.
//   * The destructor stops and joins, so the pool never outlives a task's captures when it is
//     declared after them.
// Thread-safe: submit() may be called by any thread, drain() and the destructor by the owner.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace bbp::bitbucket {

class TaskPool {
 public:
  using Task = std::function<void()>;

  // `threads` counts the owner: threads - 1 workers start now (at least none).
  explicit TaskPool(int threads);
  ~TaskPool();
  TaskPool(const TaskPool&) = delete;
  TaskPool& operator=(const TaskPool&) = delete;
  TaskPool(TaskPool&&) = delete;
  TaskPool& operator=(TaskPool&&) = delete;

  void submit(Task task);
  // Closes the queue, runs tasks on this thread too until none is left, joins the workers, and
  // rethrows the first exception a task threw.
  void drain();
  // No task starts from now on.
  void stop();

 private:
  void work();
  bool next(Task& task);

  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<Task> queue_;             // guarded by mutex_
  bool closed_ = false;                // guarded by mutex_
  bool stopped_ = false;               // guarded by mutex_
  std::exception_ptr failure_;         // guarded by mutex_
  std::vector<std::jthread> workers_;  // declared last: joined first
};

}  // namespace bbp::bitbucket
