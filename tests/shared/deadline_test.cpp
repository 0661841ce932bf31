// The deadlines over sockets (shared/deadline.hpp) and the server's connection registry
// (shared/http/server_connection.hpp), on real loopback sockets: deadlines that pass cancel
// their socket's read in the order of their times, whatever the order they were armed in.

#include "shared/deadline.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <random>
#include <vector>

#include "shared/http/server_connection.hpp"

namespace miniweb {
namespace {

using namespace std::chrono_literals;
using asio::ip::tcp;

// Connected loopback pairs: `ours` are read from, `theirs` never write.
struct SocketPairs {
  SocketPairs(asio::io_context& io, std::size_t count) {
    tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    for (std::size_t i = 0; i < count; ++i) {
      theirs.emplace_back(io).connect(acceptor.local_endpoint());
      ours.push_back(acceptor.accept());
    }
  }
  std::vector<tcp::socket> theirs;
  std::vector<tcp::socket> ours;
};

// Reads on `socket` until it fails; records when, and in what order, the read ended.
void read_until_cancelled(tcp::socket& socket, std::size_t index, std::vector<std::size_t>& ended) {
  static char byte;
  socket.async_read_some(asio::buffer(&byte, 1),
                         [&ended, index](const std::error_code& ec, std::size_t) {
                           EXPECT_EQ(ec, asio::error::operation_aborted);
                           ended.push_back(index);
                         });
}

TEST(SocketDeadline, PassingDeadlinesCancelTheirReadsInTheOrderOfTheirTimes) {
  asio::io_context io;
  constexpr std::size_t kCount = 12;
  SocketPairs pairs(io, kCount);
  std::vector<std::unique_ptr<SocketDeadline>> deadlines;
  std::vector<std::size_t> ended;
  // Socket i's deadline is (i + 1) * 15 ms; armed in a shuffled order.
  std::vector<std::size_t> arm_order(kCount);
  for (std::size_t i = 0; i < kCount; ++i) arm_order[i] = i;
  std::shuffle(arm_order.begin(), arm_order.end(), std::mt19937(7));
  for (std::size_t i = 0; i < kCount; ++i)
    deadlines.push_back(std::make_unique<SocketDeadline>(pairs.ours[i]));
  for (const std::size_t i : arm_order) {
    deadlines[i]->arm(15ms * static_cast<int>(i + 1));
    read_until_cancelled(pairs.ours[i], i, ended);
  }
  // Moved: socket 0 later than all (pushed back), socket 11 first (pulled forward).
  deadlines[0]->arm(15ms * static_cast<int>(kCount + 1));
  deadlines[kCount - 1]->arm(5ms);

  io.run();  // returns once every deadline has passed: nothing else waits

  std::vector<std::size_t> expected{kCount - 1};
  for (std::size_t i = 1; i < kCount - 1; ++i) expected.push_back(i);
  expected.push_back(0);
  EXPECT_EQ(ended, expected);
  for (const auto& deadline : deadlines) EXPECT_TRUE(deadline->expired());
}

TEST(SocketDeadline, AStoppedDeadlineCancelsNothingAndADestroyedOneLeavesTheOthers) {
  asio::io_context io;
  SocketPairs pairs(io, 3);
  std::vector<std::size_t> ended;
  auto stopped = std::make_unique<SocketDeadline>(pairs.ours[0]);
  auto destroyed = std::make_unique<SocketDeadline>(pairs.ours[1]);
  SocketDeadline kept(pairs.ours[2]);
  stopped->arm(10ms);
  destroyed->arm(10ms);
  kept.arm(30ms);
  stopped->stop();
  destroyed.reset();
  read_until_cancelled(pairs.ours[2], 2, ended);
  // Socket 0's read is ended by its peer closing after the kept deadline has passed.
  static char byte;
  asio::steady_timer close_later(io, 60ms);
  close_later.async_wait([&](const std::error_code&) { pairs.theirs[0].close(); });
  std::error_code first_error;
  pairs.ours[0].async_read_some(asio::buffer(&byte, 1),
                                [&](const std::error_code& ec, std::size_t) {
                                  first_error = ec;
                                  ended.push_back(0);
                                });

  io.run();

  EXPECT_EQ(ended, (std::vector<std::size_t>{2, 0}));
  EXPECT_EQ(first_error, asio::error::eof);
  EXPECT_FALSE(stopped->expired());
  EXPECT_TRUE(kept.expired());
}

// Deadlines due close together are looked at in one wake-up of the timer (kDeadlineSlack), and
// none passes before its time. Eight deadlines 450 us apart span less than one stretch, so at
// most two wake-ups take them all, where a timer set for each would wake eight times (three
// allowed: a busy machine may preempt the test between two handlers of one wake-up).
TEST(SocketDeadline, DeadlinesDueCloseTogetherPassInOneWakeUpAndNoneEarly) {
  using Clock = std::chrono::steady_clock;
  asio::io_context io;
  constexpr std::size_t kCount = 8;
  SocketPairs pairs(io, kCount);
  std::vector<std::unique_ptr<SocketDeadline>> deadlines;
  std::vector<Clock::time_point> due(kCount), ended(kCount);
  static char byte;
  for (std::size_t i = 0; i < kCount; ++i) {
    deadlines.push_back(std::make_unique<SocketDeadline>(pairs.ours[i]));
    const auto timeout = 20ms + 450us * static_cast<int>(i);
    due[i] = Clock::now() + timeout;
    deadlines[i]->arm(timeout);
    pairs.ours[i].async_read_some(
        asio::buffer(&byte, 1),
        [&ended, i](const std::error_code&, std::size_t) { ended[i] = Clock::now(); });
  }
  io.run_for(2s);

  std::vector<Clock::time_point> sorted = ended;
  std::sort(sorted.begin(), sorted.end());
  std::size_t wake_ups = 1;
  for (std::size_t i = 1; i < kCount; ++i)
    if (sorted[i] - sorted[i - 1] > 300us) ++wake_ups;
  EXPECT_LE(wake_ups, 3u);
  for (std::size_t i = 0; i < kCount; ++i) {
    EXPECT_TRUE(deadlines[i]->expired()) << i;
    EXPECT_GE(ended[i], due[i]) << i << ": passed early";
    deadlines[i]->stop();
  }
}

TEST(SocketDeadline, ParkingCancelsTheWaitWithoutExpiring) {
  asio::io_context io;
  SocketPairs pairs(io, 1);
  std::vector<std::size_t> ended;
  SocketDeadline deadline(pairs.ours[0]);
  deadline.arm(1s);
  deadline.park_after(10ms);
  read_until_cancelled(pairs.ours[0], 0, ended);
  io.run_for(200ms);
  EXPECT_EQ(ended.size(), 1u);
  EXPECT_TRUE(deadline.park_due());
  EXPECT_FALSE(deadline.expired());
  deadline.stop();
}

// A server's queue (its timer kept when idle) after its one deadline, armed for `timeout` on
// `socket`, went.
void empty_a_servers_queue(asio::io_context& io, tcp::socket& socket,
                           std::chrono::steady_clock::duration timeout) {
  keep_deadline_timer_when_idle(io, true);
  SocketDeadline(socket).arm(timeout);
  io.poll();
}

// A server's queue keeps its timer when the last deadline goes (no cancel and set again per
// connection); a later deadline is still kept when the timer fires for the earlier time.
TEST(SocketDeadline, AServersTimerWaitsOnWhenIdleAndStillCatchesTheNextDeadline) {
  asio::io_context io;
  SocketPairs pairs(io, 2);
  empty_a_servers_queue(io, pairs.ours[0], 20ms);
  EXPECT_FALSE(io.stopped());  // the timer waits on for 20 ms

  SocketDeadline next(pairs.ours[1]);
  next.arm(60ms);  // later than the timer's time: found out when that comes
  std::vector<std::size_t> ended;
  read_until_cancelled(pairs.ours[1], 1, ended);
  const auto start = std::chrono::steady_clock::now();
  io.run();  // returns once the deadline has passed and nothing waits
  EXPECT_GE(std::chrono::steady_clock::now() - start, 50ms);
  EXPECT_EQ(ended, (std::vector<std::size_t>{1}));
  EXPECT_TRUE(next.expired());
}

// A server stopping: its idle queue's timer is cancelled, so that the loop can end.
TEST(SocketDeadline, NotKeepingTheTimerAnyMoreCancelsAnIdleQueuesWait) {
  asio::io_context io;
  SocketPairs pairs(io, 1);
  empty_a_servers_queue(io, pairs.ours[0], 1h);
  EXPECT_FALSE(io.stopped());
  keep_deadline_timer_when_idle(io, false);
  io.poll();  // the cancelled wait's handler
  EXPECT_TRUE(io.stopped());
}

TEST(ConnectionRegistry, ListsConnectionsUntilRemovedOrGone) {
  asio::io_context io;
  SocketPairs pairs(io, 3);
  auto registry = std::make_unique<http::ConnectionRegistry>();
  const tcp::endpoint peer(asio::ip::make_address("127.0.0.1"), 1);
  auto first = registry->add(peer);
  auto second = registry->add(peer);
  auto third = registry->add(peer);
  EXPECT_EQ(third->number(), 3u);
  EXPECT_EQ(registry->size(), 3u);
  registry->remove(second);
  EXPECT_EQ(registry->size(), 2u);
  EXPECT_TRUE(second->stopping());  // done with: it reads as stopping
  third.reset();                    // a connection that ends leaves the list by itself
  EXPECT_EQ(registry->size(), 1u);
  EXPECT_EQ(first->peer_address(), "127.0.0.1");
  for (const char* address : {"0.0.0.0", "10.20.200.255", "192.168.1.9", "::1", "fd00::8"}) {
    auto other = registry->add(tcp::endpoint(asio::ip::make_address(address), 443));
    EXPECT_EQ(other->peer_address(), address);
    registry->remove(other);
  }

  // A stop cancels the idle connection's wait.
  first->attach(pairs.ours[0]);
  std::vector<std::size_t> ended;
  read_until_cancelled(pairs.ours[0], 0, ended);
  EXPECT_FALSE(first->stopping());
  registry->stop();
  EXPECT_TRUE(first->stopping());
  io.run();
  EXPECT_EQ(ended.size(), 1u);

  // The registry may go first (a server destroyed before its io_context).
  registry.reset();
  EXPECT_TRUE(first->stopping());
  first->detach();
}

}  // namespace
}  // namespace miniweb
