#include "bbp/bitbucket/task_pool.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>

#include <gtest/gtest.h>

namespace bbp::bitbucket {
namespace {

TEST(TaskPool, RunsEveryTaskOnceAndTheOwnerJoinsIn) {
  std::atomic<int> ran{0};
  std::mutex mutex;
  std::set<std::thread::id> threads;
  TaskPool pool(1);  // no worker: only the owner, in drain()
  for (int i = 0; i < 100; ++i) {
    pool.submit([&] {
      ran += 1;
      const std::lock_guard lock(mutex);
      threads.insert(std::this_thread::get_id());
    });
  }
  EXPECT_EQ(ran.load(), 0);  // nothing runs before drain with no worker
  pool.drain();
  EXPECT_EQ(ran.load(), 100);
  EXPECT_EQ(threads, std::set{std::this_thread::get_id()});
}

// Two tasks that can only finish together prove two threads run at once, without sleeping.
TEST(TaskPool, TwoThreadsRunTwoTasksAtOnce) {
  std::mutex mutex;
  std::condition_variable cv;
  int arrived = 0;
  bool met = true;
  const auto meet = [&] {
    std::unique_lock lock(mutex);
    arrived += 1;
    cv.notify_all();
    met = cv.wait_for(lock, std::chrono::seconds(10), [&] { return arrived == 2; }) && met;
  };
  TaskPool pool(2);
  pool.submit(meet);
  pool.submit(meet);
  pool.drain();
  EXPECT_TRUE(met);
  EXPECT_EQ(arrived, 2);
}

TEST(TaskPool, AnExceptionStopsTheRestAndIsRethrownByDrain) {
  std::atomic<int> ran{0};
  TaskPool pool(1);
  pool.submit([&] { ran += 1; });
  pool.submit([] { throw std::runtime_error("a task failed"); });
  pool.submit([&] { ran += 1; });
  try {
    pool.drain();
    FAIL() << "drain() did not rethrow";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "a task failed");
  }
  EXPECT_EQ(ran.load(), 1);  // the task queued after the failure never ran
}

TEST(TaskPool, AnExceptionOnAWorkerDoesNotEndTheProcess) {
  TaskPool pool(4);
  for (int i = 0; i < 20; ++i) {
    pool.submit([] { throw std::logic_error("worker"); });
  }
  EXPECT_THROW(pool.drain(), std::logic_error);
}

TEST(TaskPool, StopDropsWhatIsQueued) {
  std::atomic<int> ran{0};
  TaskPool pool(1);
  pool.submit([&] { ran += 1; });
  pool.stop();
  pool.submit([&] { ran += 1; });
  pool.drain();
  EXPECT_EQ(ran.load(), 0);
}

TEST(TaskPool, TheDestructorJoinsWithoutDraining) {
  std::atomic<int> ran{0};
  {
    TaskPool pool(3);
    pool.submit([&] { ran += 1; });
  }  // no drain: stopped and joined here, whatever ran
  EXPECT_LE(ran.load(), 1);
}

}  // namespace
}  // namespace bbp::bitbucket
