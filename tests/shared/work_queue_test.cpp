// The queue a helper thread serves once its own job is done (shared/work_queue.hpp).

#include "shared/work_queue.hpp"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

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

}  // namespace
}  // namespace miniweb
