// An event loop that waits for its next event awake before it sleeps (shared/run_awake.hpp):
// it runs everything io.run() would and returns when the work is done; awake (its thread's CPU
// time grows as the wall clock's) only while it may and for no longer than it was given.

#include "shared/run_awake.hpp"

#include <gtest/gtest.h>
#include <time.h>

#include <asio/steady_timer.hpp>
#include <atomic>
#include <chrono>
#include <vector>

namespace miniweb {
namespace {

using namespace std::chrono_literals;

std::chrono::nanoseconds thread_cpu_time() {
  timespec now{};
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return std::chrono::seconds(now.tv_sec) + std::chrono::nanoseconds(now.tv_nsec);
}

// A timer `after` from now, its handler setting `fired`; the loop then runs it with `may`.
// The CPU time this thread spent in the loop.
std::chrono::nanoseconds cpu_time_waiting(std::chrono::milliseconds after,
                                          std::chrono::nanoseconds at_most,
                                          const std::function<bool()>& may, bool& fired) {
  asio::io_context io;
  asio::steady_timer timer(io, after);
  timer.async_wait([&fired](std::error_code) { fired = true; });
  const auto before = thread_cpu_time();
  run_awake(io, at_most, may);
  return thread_cpu_time() - before;
}

TEST(RunAwake, RunsEveryHandlerInOrderAndReturnsWhenTheWorkIsDone) {
  for (const bool awake : {true, false}) {
    asio::io_context io;
    std::vector<int> ran;
    asio::steady_timer timer(io, 5ms);
    timer.async_wait([&](std::error_code) {
      ran.push_back(3);
      asio::post(io, [&] { ran.push_back(4); });  // work a handler adds runs too
    });
    asio::post(io, [&] { ran.push_back(1); });
    asio::post(io, [&] { ran.push_back(2); });
    run_awake(io, 1s, [awake] { return awake; });  // returns: nothing is left to do
    EXPECT_EQ(ran, (std::vector<int>{1, 2, 3, 4})) << "awake " << awake;
    EXPECT_TRUE(io.stopped());
  }
}

TEST(RunAwake, StopsWhenTheLoopIsStopped) {
  asio::io_context io;
  asio::steady_timer never(io, 1h);
  never.async_wait([](std::error_code) {});
  asio::steady_timer stop(io, 2ms);
  stop.async_wait([&io](std::error_code) { io.stop(); });
  run_awake(io, 1s, [] { return true; });
  EXPECT_TRUE(io.stopped());
}

TEST(RunAwake, WaitsAwakeWhileItMay) {
  bool fired = false;
  const auto cpu = cpu_time_waiting(
      40ms, 1s, [] { return true; }, fired);
  EXPECT_TRUE(fired);
  // Awake for the 40 ms (less whatever else ran on its CPU meanwhile).
  EXPECT_GE(cpu, 15ms);
}

TEST(RunAwake, SleepsWhenItMayNot) {
  bool fired = false;
  const auto cpu = cpu_time_waiting(
      40ms, 1s, [] { return false; }, fired);
  EXPECT_TRUE(fired);
  EXPECT_LT(cpu, 10ms);
}

TEST(RunAwake, AskedAgainBetweenLooksItSleepsOnceItMayNoLonger) {
  std::atomic<int> asked{0};
  bool fired = false;
  const auto cpu = cpu_time_waiting(
      40ms, 1s, [&asked] { return ++asked < 50; }, fired);
  EXPECT_TRUE(fired);
  EXPECT_GE(asked, 50);
  EXPECT_LT(cpu, 10ms);
}

TEST(RunAwake, AwakeForNoLongerThanItWasGiven) {
  bool fired = false;
  const auto cpu = cpu_time_waiting(
      60ms, 5ms, [] { return true; }, fired);
  EXPECT_TRUE(fired);
  EXPECT_GE(cpu, 2ms);
  EXPECT_LT(cpu, 30ms);
}

}  // namespace
}  // namespace miniweb
