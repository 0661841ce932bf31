// The SYN flood's report: how it counts the captured segments of a run, and how it thins the
// SYN queue's readings to a timeline of a few lines.

#include <gtest/gtest.h>

#include <vector>

#include "stack/syn_flood_report.hpp"

namespace miniweb::stack {
namespace {

CapturedSegment segment(Address from, std::uint16_t from_port, Address to, std::uint16_t to_port,
                        std::uint8_t flags) {
  CapturedSegment captured;
  captured.segment.source = from;
  captured.segment.source_port = from_port;
  captured.segment.destination = to;
  captured.segment.destination_port = to_port;
  captured.segment.flags = flags;
  captured.segment.mss = (flags & kAck) ? 0 : 65495;
  return captured;
}

TEST(RunTallyTest, CountsSpoofedSynsTheirSynAcksAndRsts) {
  constexpr Address kServer = 0xc0000201;
  constexpr Address kSpoofed = 0xc6120001;  // 198.18.0.1
  std::vector<CapturedSegment> segments = {
      segment(kSpoofed, 10000, kServer, 8080, kSyn),
      segment(kSpoofed + 1, 10001, kServer, 8080, kSyn),
      segment(kServer, 8080, kSpoofed, 10000, kSyn | kAck),
      segment(kServer, 8080, kSpoofed + 1, 10001, kSyn | kAck),
      segment(kServer, 8080, kSpoofed, 10000, kSyn | kAck),  // retransmitted
      segment(kServer, 8080, kSpoofed + 1, 10001, kRst),
      segment(kSpoofed, 10000, kServer, 8081, kSyn),  // another run's
      segment(kServer, 50000, kServer, 8080, kSyn),   // a real client
      segment(kServer, 8080, kServer, 50000, kSyn | kAck),
  };
  const RunTally tally = tally_run(segments, 8080);
  EXPECT_EQ(tally.spoofed_syns, 2U);
  EXPECT_EQ(tally.synacks_to_spoofed, 3U);
  EXPECT_EQ(tally.spoofed_answered, 2U);
  EXPECT_EQ(tally.spoofed_answered_again, 1U);
  EXPECT_EQ(tally.rsts, 1U);
  EXPECT_EQ(tally.rsts_to_spoofed, 1U);
  const ClientTally client = tally_client(segments, 8080, 50000);
  EXPECT_EQ(client.syns, 1U);
  EXPECT_EQ(client.synacks, 1U);
  EXPECT_EQ(client.syn_mss, 65495U);
  EXPECT_TRUE(in_spoofed_network(0xc613ffff));   // 198.19.255.255
  EXPECT_FALSE(in_spoofed_network(0xc6140000));  // 198.20.0.0
}

TEST(TimelineTest, KeepsTheChangesThePeakAndTheLast) {
  const Clock::time_point start{};
  std::vector<QueueSample> samples;
  // 0, rising by one each reading to 33, held, then down to 0, held.
  for (unsigned i = 0; i <= 33; ++i) samples.push_back({start + std::chrono::milliseconds(i), i});
  for (unsigned i = 0; i < 100; ++i)
    samples.push_back({start + std::chrono::milliseconds(40 + i), 33});
  for (unsigned i = 0; i < 10; ++i)
    samples.push_back({start + std::chrono::milliseconds(200 + i), 32 - i * 3});
  samples.push_back({start + std::chrono::milliseconds(300), 0});
  samples.push_back({start + std::chrono::milliseconds(305), 0});
  const auto chosen = timeline_samples(samples, 32);
  ASSERT_GE(chosen.size(), 4U);
  EXPECT_LE(chosen.size(), 20U);
  EXPECT_EQ(chosen.front().syn_queue, 0U);
  EXPECT_EQ(chosen.back().at, samples.back().at);
  bool peak = false;
  for (const auto& sample : chosen) peak = peak || sample.syn_queue == 33;
  EXPECT_TRUE(peak);
  for (std::size_t i = 1; i < chosen.size(); ++i) EXPECT_LT(chosen[i - 1].at, chosen[i].at);
}

}  // namespace
}  // namespace miniweb::stack
