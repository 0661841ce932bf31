// The link emulator's scheduler: packets go on in release order, the loss rate of a seeded
// draw is what the link asks, rate limits space packets out, and held packets are bounded.

#include <gtest/gtest.h>

#include "stack/link_scheduler.hpp"

namespace miniweb::stack {
namespace {

using std::chrono::microseconds;
using std::chrono::milliseconds;

const LinkKey kLink{1, 2};
const LinkKey kOtherLink{2, 1};

LinkConditions delay_of(microseconds delay) {
  return {delay, microseconds(0), 0, 0};
}

TEST(LinkSchedulerTest, ReleasesInDelayOrderNotArrivalOrder) {
  LinkScheduler scheduler(16, 1);
  const auto start = LinkClock::now();
  EXPECT_EQ(scheduler.admit(1, 60, kLink, delay_of(milliseconds(30)), start), Fate::Held);
  EXPECT_EQ(scheduler.admit(2, 60, kOtherLink, delay_of(milliseconds(10)), start), Fate::Held);
  EXPECT_EQ(scheduler.admit(3, 60, kLink, delay_of(milliseconds(30)), start), Fate::Held);
  EXPECT_EQ(scheduler.next_release(), start + milliseconds(10));
  std::vector<std::uint32_t> out;
  scheduler.release_due(start + milliseconds(9), out);
  EXPECT_TRUE(out.empty());
  scheduler.release_due(start + milliseconds(10), out);
  EXPECT_EQ(out, std::vector<std::uint32_t>{2});
  scheduler.release_due(start + milliseconds(30), out);
  EXPECT_EQ(out, (std::vector<std::uint32_t>{2, 1, 3}));  // equal times keep arrival order
  EXPECT_EQ(scheduler.held(), 0u);
  EXPECT_FALSE(scheduler.next_release());
}

TEST(LinkSchedulerTest, NoDelayPassesAtOnce) {
  LinkScheduler scheduler(16, 1);
  EXPECT_EQ(scheduler.admit(1, 60, kLink, LinkConditions{}, LinkClock::now()), Fate::PassNow);
  EXPECT_EQ(scheduler.held(), 0u);
}

TEST(LinkSchedulerTest, LossRateOfASeededDrawIsWithinBounds) {
  LinkScheduler scheduler(1, 42);
  LinkConditions lossy{microseconds(0), microseconds(0), 0.05, 0};
  const int packets = 100'000;
  for (int i = 0; i < packets; ++i)
    scheduler.admit(static_cast<std::uint32_t>(i), 60, kLink, lossy, LinkClock::now());
  // 5% of 100000: 5000, standard deviation about 69; four of them either side.
  EXPECT_GT(scheduler.dropped(), 4700u);
  EXPECT_LT(scheduler.dropped(), 5300u);
}

TEST(LinkSchedulerTest, JitterStaysWithinItsBoundsAndNeverGoesBackInTime) {
  LinkScheduler scheduler(1000, 7);
  const auto start = LinkClock::now();
  LinkConditions jittery{milliseconds(5), milliseconds(20), 0, 0};
  std::size_t at_once = 0;
  for (std::uint32_t i = 0; i < 500; ++i)
    if (scheduler.admit(i, 60, kLink, jittery, start) == Fate::PassNow) ++at_once;
  // 5 ms, less up to 20: three eighths of them would arrive before they left, so go at once.
  EXPECT_GT(at_once, 140u);
  EXPECT_LT(at_once, 235u);
  ASSERT_TRUE(scheduler.next_release());
  EXPECT_GT(*scheduler.next_release(), start);
  std::vector<std::uint32_t> out;
  scheduler.release_due(start + milliseconds(5), out);
  EXPECT_GT(out.size(), 0u);
  EXPECT_GT(scheduler.held(), 0u);
  scheduler.release_due(start + milliseconds(25), out);
  EXPECT_EQ(out.size() + at_once, 500u);
  EXPECT_EQ(scheduler.held(), 0u);
}

TEST(LinkSchedulerTest, RateSpacesPacketsOut) {
  LinkScheduler scheduler(16, 1);
  const auto start = LinkClock::now();
  // 1250 bytes at 10 Mbit/s: 1 ms each on the wire.
  LinkConditions narrow{microseconds(0), microseconds(0), 0, 10'000'000};
  for (std::uint32_t i = 0; i < 3; ++i)
    EXPECT_EQ(scheduler.admit(i, 1250, kLink, narrow, start), Fate::Held);
  std::vector<std::uint32_t> out;
  scheduler.release_due(start + microseconds(2500), out);
  EXPECT_EQ(out, (std::vector<std::uint32_t>{0, 1}));
  scheduler.release_due(start + milliseconds(3), out);
  EXPECT_EQ(out.size(), 3u);
}

TEST(LinkSchedulerTest, PastItsCapacityPacketsPassAndAreCounted) {
  LinkScheduler scheduler(2, 1);
  const auto start = LinkClock::now();
  EXPECT_EQ(scheduler.admit(1, 60, kLink, delay_of(milliseconds(5)), start), Fate::Held);
  EXPECT_EQ(scheduler.admit(2, 60, kLink, delay_of(milliseconds(5)), start), Fate::Held);
  EXPECT_EQ(scheduler.admit(3, 60, kLink, delay_of(milliseconds(5)), start), Fate::Overflow);
  EXPECT_EQ(scheduler.held(), 2u);
  EXPECT_EQ(scheduler.overflowed(), 1u);
  EXPECT_EQ(scheduler.release_all(), (std::vector<std::uint32_t>{1, 2}));
}

}  // namespace
}  // namespace miniweb::stack
