// The queue a helper thread serves once its own job is done (shared/work_queue.hpp).

#include "shared/work_queue.hpp"

#include <gtest/gtest.h>
#include <sched.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "tests/support/may_lower_nice.hpp"

namespace miniweb {
namespace {

TEST(WorkQueue, ClosedItTakesNothing) {
  WorkQueue queue;
  EXPECT_FALSE(queue.accepting());
  EXPECT_FALSE(queue.post([] {}));
  queue.wait_until_done();  // nothing posted: returns at once
  queue.open();
  EXPECT_TRUE(queue.accepting());
  queue.close();
  EXPECT_FALSE(queue.post([] {}));
}

TEST(WorkQueue, ItsThreadRunsTheWorkInTheOrderItCame) {
  WorkQueue queue;
  queue.open();
  std::vector<int> ran;  // written by the serving thread only, read after wait_until_done
  std::thread::id served_on;
  for (int i = 0; i < 5; ++i)
    ASSERT_TRUE(queue.post([&ran, &served_on, i] {
      ran.push_back(i);
      served_on = std::this_thread::get_id();
    }));
  std::thread server([&queue] { queue.serve(); });
  queue.wait_until_done();
  EXPECT_EQ(ran, (std::vector<int>{0, 1, 2, 3, 4}));
  EXPECT_EQ(served_on, server.get_id());
  queue.close();
  server.join();
}

TEST(WorkQueue, WaitingReturnsOnlyOnceThePostedWorkHasRun) {
  WorkQueue queue;
  queue.open();
  std::thread server([&queue] { queue.serve(); });
  bool done = false;
  ASSERT_TRUE(queue.post([&done] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    done = true;
  }));
  queue.wait_until_done();
  EXPECT_TRUE(done);
  queue.close();
  server.join();
}

TEST(WorkQueue, ClosingLetsWhatWasPostedRunFirst) {
  WorkQueue queue;
  queue.open();
  int ran = 0;
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(queue.post([&ran] { ++ran; }));
  queue.close();
  queue.serve();  // returns once the three have run
  EXPECT_EQ(ran, 3);
}

// Waiting awake between pieces of work (serve's awake_for): the work still runs on the serving
// thread, at its own scheduling policy (the idle one is only for the wait), a close ends the
// wait at once, and the wait is at the idle policy for no longer than it was given.
TEST(WorkQueue, WorkPostedWhileItsThreadWaitsAwakeRunsThereAtItsOwnPolicy) {
  WorkQueue queue;
  queue.open();
  std::thread server([&queue] { queue.serve(std::chrono::seconds(10)); });
  std::this_thread::sleep_for(std::chrono::milliseconds(20));  // waiting awake by now
  int policy = -1;
  std::thread::id ran_on;
  ASSERT_TRUE(queue.post([&] {
    policy = ::sched_getscheduler(0);
    ran_on = std::this_thread::get_id();
  }));
  queue.wait_until_done();
  EXPECT_EQ(policy, SCHED_OTHER);
  EXPECT_EQ(ran_on, server.get_id());
  const auto closing = std::chrono::steady_clock::now();
  queue.close();  // while it waits awake again: it returns at once, not in 10 s
  server.join();
  EXPECT_LT(std::chrono::steady_clock::now() - closing, std::chrono::seconds(2));
}

// The policy another thread of this process runs at, looked at until it is `policy` (or 5 s
// passed): when it was, since `since`.
std::chrono::steady_clock::duration until_policy(pid_t thread, int policy,
                                                 std::chrono::steady_clock::time_point since) {
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (::sched_getscheduler(thread) != policy && std::chrono::steady_clock::now() < give_up)
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  EXPECT_EQ(::sched_getscheduler(thread), policy);
  return std::chrono::steady_clock::now() - since;
}

TEST(WorkQueue, ItWaitsAwakeAtTheIdlePolicyForNoLongerThanItWasGiven) {
  WorkQueue queue;
  queue.open();
  std::atomic<pid_t> serving{0};
  ASSERT_TRUE(queue.post([&serving] { serving = ::gettid(); }));
  std::thread server([&queue] { queue.serve(std::chrono::milliseconds(50)); });
  queue.wait_until_done();
  // After its work it waits awake, at the idle policy, then asleep at its own once 50 ms
  // have passed, and not before. A thread that could not leave the idle policy again (an
  // ordinary user's: shared/beside_thread.hpp) waits at its own.
  const auto done = std::chrono::steady_clock::now();
  if (test_support::may_lower_nice()) {
    until_policy(serving, SCHED_IDLE, done);
    EXPECT_GE(until_policy(serving, SCHED_OTHER, done), std::chrono::milliseconds(45));
  } else {
    for (int look = 0; look < 20; ++look) {
      EXPECT_EQ(::sched_getscheduler(serving), SCHED_OTHER);
      std::this_thread::sleep_for(std::chrono::milliseconds(3));
    }
  }
  queue.close();
  server.join();
}

}  // namespace
}  // namespace miniweb
