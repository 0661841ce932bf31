// The stream experiment's pieces that need no network: the frame format, the arithmetic of
// gaps, lateness and stalls over a made-up list of deliveries, the decoding of captured packets
// and of the link emulator's drop log, and the report's timeline.

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "stack/stream_analysis.hpp"
#include "stack/stream_experiment.hpp"
#include "stack/stream_frame.hpp"
#include "stack/stream_report.hpp"
#include "stack/stream_wire.hpp"

namespace miniweb::stack {
namespace {

// --- Frames ---

TEST(StreamFrameTest, ReadsBackWhatItWrote) {
  const auto frame = make_frame(41, 1366000, 1200);
  ASSERT_EQ(frame.size(), 1200u);
  EXPECT_EQ(std::string(frame.begin(), frame.begin() + 4), "MWSF");
  auto header = parse_frame(frame);
  ASSERT_TRUE(header) << header.error().message;
  EXPECT_EQ(header->sequence, 41u);
  EXPECT_EQ(header->sent_us, 1366000u);
  EXPECT_EQ(header->length, 1200);
  // The smallest frame is its header alone.
  EXPECT_TRUE(parse_frame(make_frame(0, 0, kFrameHeaderSize)));
}

TEST(StreamFrameTest, RefusesShortFrames) {
  const auto frame = make_frame(7, 0, 100);
  auto short_header = parse_frame_header(std::span(frame).first(kFrameHeaderSize - 1));
  ASSERT_FALSE(short_header);
  EXPECT_NE(short_header.error().message.find("shorter than its 20-byte header"),
            std::string::npos);
  EXPECT_FALSE(parse_frame(std::span<const std::uint8_t>{}));
  // The header alone is enough to learn the length; the whole frame needs all of it.
  EXPECT_TRUE(parse_frame_header(std::span(frame).first(kFrameHeaderSize)));
  auto cut = parse_frame(std::span(frame).first(99));
  ASSERT_FALSE(cut);
  EXPECT_NE(cut.error().message.find("says 100 bytes but has 99"), std::string::npos);
  std::vector<std::uint8_t> longer = frame;
  longer.push_back(0);
  EXPECT_FALSE(parse_frame(longer));
}

TEST(StreamFrameTest, RefusesBadFrames) {
  auto frame = make_frame(7, 0, 100);
  auto no_magic = frame;
  no_magic[0] = 'X';
  EXPECT_FALSE(parse_frame(no_magic));
  // A length below the header's or above a datagram's.
  for (std::uint16_t length : {std::uint16_t{19}, std::uint16_t{1473}, std::uint16_t{0}}) {
    auto bad = frame;
    bad[16] = static_cast<std::uint8_t>(length >> 8);
    bad[17] = static_cast<std::uint8_t>(length);
    auto parsed = parse_frame_header(bad);
    ASSERT_FALSE(parsed) << length;
    EXPECT_NE(parsed.error().message.find("not within 20 to 1472"), std::string::npos);
  }
  auto flipped = frame;
  flipped[60] ^= 0x01;
  auto corrupt = parse_frame(flipped);
  ASSERT_FALSE(corrupt);
  EXPECT_NE(corrupt.error().message.find("checksum"), std::string::npos);
}

// --- The arithmetic ---

// 10 frames a second (100 ms apart), 20 ms one way, 50 ms of playout buffer.
StreamPlan plan_of(std::uint32_t frames) {
  StreamPlan plan;
  plan.frames = frames;
  plan.fps = 10;
  plan.frame_bytes = 1000;
  plan.one_way_us = 20000;
  plan.deadline_us = 50000;
  return plan;
}

// Frame n delivered `late_ms` after it was due.
Arrival at(const StreamPlan& plan, std::uint32_t frame, double late_ms) {
  return Arrival{frame, plan.due_us(frame) + static_cast<std::int64_t>(late_ms * 1000)};
}

TEST(StreamAnalysisTest, UdpGapsOrderAndLateness) {
  const StreamPlan plan = plan_of(10);
  // 3 and 7 lost; 5 overtaken by 6; 9 delivered twice.
  const std::vector<Arrival> arrivals = {at(plan, 0, 1), at(plan, 1, 2), at(plan, 2, 3),
                                         at(plan, 4, 4), at(plan, 6, 5), at(plan, 5, 106),
                                         at(plan, 8, 7), at(plan, 9, 8), at(plan, 9, 9)};
  const FlowAnalysis udp = analyze_flow(plan, 10, arrivals);
  EXPECT_EQ(udp.sent, 10u);
  EXPECT_EQ(udp.arrived, 8u);
  EXPECT_EQ(udp.missing, (std::vector<std::uint32_t>{3, 7}));
  EXPECT_EQ(udp.out_of_order, 1u);
  EXPECT_EQ(udp.duplicates, 1u);
  // Lateness of the 8 frames: 1 2 3 4 5 7 8 106 ms (the first delivery of 9 counts).
  EXPECT_EQ(udp.p50_us, 4000);
  EXPECT_EQ(udp.p99_us, 106000);
  EXPECT_EQ(udp.max_us, 106000);
  EXPECT_EQ(udp.late, 1u);  // frame 5, 106 ms > 50 ms
  ASSERT_EQ(udp.stalls.size(), 1u);
  EXPECT_EQ(udp.stalls[0].first, 5u);
  EXPECT_EQ(udp.stalls[0].length_us, 56000);
  std::string marks;
  for (Mark mark : udp.marks) marks += static_cast<char>(mark);
  EXPECT_EQ(marks, "...x.L.x..");
}

TEST(StreamAnalysisTest, TcpStallAndTheBurstBehindIt) {
  const StreamPlan plan = plan_of(8);
  // Frame 3's segment lost: it comes 180 ms late, and 4 and 5, which had come to the kernel,
  // are handed over with it (their own lateness 80 and -20 ms: 5 was early).
  std::vector<Arrival> arrivals;
  for (std::uint32_t n = 0; n < 3; ++n) arrivals.push_back(at(plan, n, 1));
  const std::int64_t burst = plan.due_us(3) + 180000;
  for (std::uint32_t n = 3; n < 6; ++n) arrivals.push_back({n, burst + (n - 3) * 100});
  arrivals.push_back(at(plan, 6, 1));
  arrivals.push_back(at(plan, 7, 1));
  const FlowAnalysis tcp = analyze_flow(plan, 8, arrivals);
  EXPECT_EQ(tcp.arrived, 8u);
  EXPECT_TRUE(tcp.missing.empty());
  EXPECT_EQ(tcp.out_of_order, 0u);
  EXPECT_EQ(tcp.late, 2u);  // 3 (180 ms) and 4 (80 ms); 5 is not late
  ASSERT_EQ(tcp.stalls.size(), 1u);
  const Stall& stall = tcp.stalls[0];
  EXPECT_EQ(stall.first, 3u);
  EXPECT_EQ(stall.last, 4u);
  // From frame 3's playout time (due + 50 ms) to frame 4's delivery.
  EXPECT_EQ(stall.length_us, 180000 + 100 - 50000);
  EXPECT_EQ(stall.burst, 3u);
  ASSERT_TRUE(tcp.longest_wait);
  EXPECT_EQ(tcp.longest_wait->before, 2u);
  EXPECT_EQ(tcp.longest_wait->after, 3u);
  EXPECT_EQ(tcp.longest_wait->gap_us, 100000 + 180000 - 1000);
  EXPECT_EQ(tcp.longest_wait->burst, 3u);
  EXPECT_EQ(longest_stall(tcp), &tcp.stalls[0]);
  EXPECT_EQ(tcp.max_us, 180000);
}

TEST(StreamAnalysisTest, NothingDelivered) {
  const FlowAnalysis flow = analyze_flow(plan_of(3), 3, {});
  EXPECT_EQ(flow.arrived, 0u);
  EXPECT_EQ(flow.missing.size(), 3u);
  EXPECT_EQ(flow.max_us, 0);
  EXPECT_FALSE(flow.longest_wait);
  EXPECT_TRUE(flow.stalls.empty());
  // Frames of no run (a number past those sent) are ignored.
  const Arrival stray{99, 0};
  EXPECT_EQ(analyze_flow(plan_of(3), 3, std::span(&stray, 1)).arrived, 0u);
}

TEST(StreamAnalysisTest, NearestRankPercentiles) {
  std::vector<std::int64_t> values = {10, 9, 8, 7, 6, 5, 4, 3, 2, 1};
  EXPECT_EQ(percentile(values, 0.5), 5);
  EXPECT_EQ(percentile(values, 0.99), 10);
  EXPECT_EQ(percentile(values, 0.01), 1);
  std::vector<std::int64_t> none;
  EXPECT_EQ(percentile(none, 0.5), 0);
}

// --- The wire ---

constexpr Address kSender = 0x7f4d0001;
constexpr Address kReceiver = 0x7f4d0002;
const StreamEnds kEnds{kSender, kReceiver, 5004, 5005};

void put16(std::vector<std::uint8_t>& out, std::uint32_t value) {
  out.push_back(static_cast<std::uint8_t>(value >> 8));
  out.push_back(static_cast<std::uint8_t>(value));
}
void put32(std::vector<std::uint8_t>& out, std::uint32_t value) {
  put16(out, value >> 16);
  put16(out, value & 0xffff);
}

// An Ethernet frame (as Linux's lo gives them) with an IPv4 packet inside.
std::vector<std::uint8_t> ethernet_ip(Address from, Address to, std::uint8_t protocol,
                                      const std::vector<std::uint8_t>& transport) {
  std::vector<std::uint8_t> out(12, 0);
  put16(out, 0x0800);
  out.push_back(0x45);
  out.push_back(0);
  put16(out, static_cast<std::uint32_t>(20 + transport.size()));
  put32(out, 0);
  out.push_back(64);
  out.push_back(protocol);
  put16(out, 0);
  put32(out, from);
  put32(out, to);
  out.insert(out.end(), transport.begin(), transport.end());
  return out;
}

std::vector<std::uint8_t> udp_packet(std::uint32_t frame) {
  std::vector<std::uint8_t> udp;
  put16(udp, 40000);
  put16(udp, 5004);
  const auto payload = make_frame(frame, 0, 100);
  put16(udp, static_cast<std::uint32_t>(8 + payload.size()));
  put16(udp, 0);
  udp.insert(udp.end(), payload.begin(), payload.end());
  return ethernet_ip(kSender, kReceiver, 17, udp);
}

std::vector<std::uint8_t> tcp_packet(bool forward, std::uint32_t seq, std::uint8_t flags,
                                     std::size_t length) {
  std::vector<std::uint8_t> tcp;
  put16(tcp, forward ? 40001 : 5005);
  put16(tcp, forward ? 5005 : 40001);
  put32(tcp, seq);
  put32(tcp, 0);
  tcp.push_back(0x50);
  tcp.push_back(flags);
  put16(tcp, 65535);
  put32(tcp, 0);
  tcp.resize(tcp.size() + length, 0xab);
  return forward ? ethernet_ip(kSender, kReceiver, 6, tcp)
                 : ethernet_ip(kReceiver, kSender, 6, tcp);
}

TEST(StreamWireTest, CountsDatagramsSegmentsAndWhatWasSentAgain) {
  // Frames of 100 bytes; the stream starts at 1,000,000 us on the capture's clock.
  WireDecoder decoder(kEnds, 100, 5, 1000000);
  decoder.add(kLinkEthernet, 1000000, udp_packet(0));
  decoder.add(kLinkEthernet, 1000100, udp_packet(1));
  decoder.add(kLinkEthernet, 1000200, udp_packet(1));  // the same frame twice
  constexpr std::uint32_t isn = 0xfffffff0;            // sequence numbers wrap
  decoder.add(kLinkEthernet, 900000, tcp_packet(true, isn, 0x02, 0));
  decoder.add(kLinkEthernet, 900100, tcp_packet(false, 7, 0x12, 0));          // SYN-ACK: not an ACK
  decoder.add(kLinkEthernet, 1000000, tcp_packet(true, isn + 1, 0x18, 100));  // frame 0
  decoder.add(kLinkEthernet, 1100000, tcp_packet(true, isn + 101, 0x18, 100));  // frame 1
  decoder.add(kLinkEthernet, 1200000, tcp_packet(true, isn + 201, 0x18, 100));  // frame 2
  decoder.add(kLinkEthernet, 1200500, tcp_packet(false, 8, 0x10, 0));           // an ACK
  // Frame 1 again, then frames 1 and 2 together (the kernel merges what it resends), then 3.
  decoder.add(kLinkEthernet, 1250000, tcp_packet(true, isn + 101, 0x18, 100));
  decoder.add(kLinkEthernet, 1300000, tcp_packet(true, isn + 101, 0x18, 200));
  decoder.add(kLinkEthernet, 1310000, tcp_packet(true, isn + 301, 0x18, 100));
  decoder.add(kLinkEthernet, 1310000, std::vector<std::uint8_t>(10, 0));  // not IPv4
  const WireSummary& wire = decoder.summary();
  EXPECT_EQ(wire.udp_datagrams, 3u);
  EXPECT_EQ(wire.udp_frames, 2u);
  ASSERT_TRUE(wire.tcp_isn);
  EXPECT_EQ(*wire.tcp_isn, isn);
  EXPECT_EQ(wire.tcp_data_segments, 6u);
  EXPECT_EQ(wire.tcp_resent_segments, 2u);
  EXPECT_EQ(wire.tcp_resent_bytes, 300u);
  EXPECT_EQ(wire.tcp_acks, 1u);
  EXPECT_EQ(wire.unrelated, 1u);
  ASSERT_EQ(wire.tcp_frames.size(), 5u);
  EXPECT_FALSE(wire.tcp_frames[0].resent);
  EXPECT_EQ(wire.tcp_frames[0].first_sent_us, 0);
  EXPECT_TRUE(wire.tcp_frames[1].resent);
  EXPECT_EQ(wire.tcp_frames[1].transmissions, 3u);
  EXPECT_EQ(wire.tcp_frames[1].first_sent_us, 100000);
  EXPECT_EQ(wire.tcp_frames[1].last_sent_us, 300000);
  EXPECT_TRUE(wire.tcp_frames[2].resent);
  EXPECT_FALSE(wire.tcp_frames[3].resent);
  EXPECT_EQ(wire.tcp_frames[3].transmissions, 1u);
  EXPECT_FALSE(wire.tcp_frames[4].first_sent_us);
  EXPECT_EQ(frames_of_segment(isn, isn + 101, 200, 100), std::make_pair(1u, 2u));
}

TEST(StreamWireTest, CountsTheDropLogByFlow) {
  const std::string log =
      "1700000000.000001 dropped by the link emulator (the link's loss): udp 127.77.0.1:40000 > "
      "127.77.0.2:5004 "
      "len 1200\n"
      "1700000000.000002 dropped by the link emulator (the link's loss): tcp 127.77.0.1:40001 > "
      "127.77.0.2:5005 "
      "[P.] seq 1201 ack 1 len 1200\n"
      "1700000000.000003 dropped by the link emulator (the link's loss): tcp 127.77.0.2:5005 > "
      "127.77.0.1:40001 "
      "[.] seq 1 ack 2401 len 0\n"
      "1700000000.000004 dropped by the link emulator (the link's loss): tcp 127.77.0.1:40001 > "
      "127.77.0.2:5005 "
      "[S] seq 1000 ack 0 len 0\n"
      "something else\n"
      "1700000000.000005 dropped by the link emulator (the link's loss): not IPv4, 10 bytes\n";
  const DropCounts drops = count_drops(log, kEnds);
  EXPECT_EQ(drops.udp_frames, 1u);
  EXPECT_EQ(drops.tcp_data, 1u);
  EXPECT_EQ(drops.tcp_acks, 1u);
  EXPECT_EQ(drops.other, 2u);
  ASSERT_EQ(drops.tcp_data_dropped.size(), 1u);
  EXPECT_EQ(drops.tcp_data_dropped[0], std::make_pair(1201u, 1200u));
}

// --- The report ---

TEST(StreamReportTest, TimelineShowsEachFrameSideBySide) {
  const StreamPlan plan = plan_of(12);  // 10 a second: two rows
  std::vector<Arrival> udp;
  std::vector<Arrival> tcp;
  for (std::uint32_t n = 0; n < 12; ++n) {
    if (n != 4) udp.push_back(at(plan, n, 1));
    tcp.push_back(at(plan, n, n == 4 ? 90 : 1));
  }
  WireSummary wire;
  wire.tcp_frames.resize(12);
  wire.tcp_frames[4].resent = true;
  const std::string timeline =
      stream_timeline(plan, analyze_flow(plan, 12, udp), analyze_flow(plan, 12, tcp), &wire);
  EXPECT_NE(timeline.find("  0.0 s   ....x.....   ....R.....\n"), std::string::npos) << timeline;
  EXPECT_NE(timeline.find("  1.0 s   ..           ..\n"), std::string::npos) << timeline;
  // Without the capture, a late frame is only late.
  EXPECT_NE(stream_timeline(plan, analyze_flow(plan, 12, udp), analyze_flow(plan, 12, tcp), nullptr)
                .find("....L....."),
            std::string::npos);
}

TEST(StreamReportTest, StaysUnderFortyLinesForTheLongestRun) {
  StreamPlan plan = plan_of(60 * 120);
  plan.fps = 120;
  std::vector<Arrival> arrivals;
  for (std::uint32_t n = 0; n < plan.frames; n += 2) arrivals.push_back(at(plan, n, 1));
  StreamMeasurements measured;
  measured.plan = plan;
  measured.udp = analyze_flow(plan, plan.frames, arrivals);
  measured.tcp = measured.udp;
  StreamConditions conditions;
  conditions.seconds = 60;
  const std::string report = stream_report(conditions, measured);
  EXPECT_LT(std::count(report.begin(), report.end(), '\n'), 40) << report;
  EXPECT_NE(report.find("missing                    3600: 1 3 5"), std::string::npos) << report;
}

// A UDP cell wider than the column once ran into the TCP cell with a single space between them
// ("stalls  1, longest 44.4 ms (frames 53-54) 8, longest ..."): the column grows instead.
TEST(StreamReportTest, AWideCellKeepsTwoSpacesBeforeTheNext) {
  const StreamPlan plan = plan_of(300);
  std::vector<Arrival> arrivals;
  for (std::uint32_t n = 0; n < plan.frames; ++n) {
    double late_ms = 1;
    if (n >= 100 && n <= 260 && n % 20 == 0) late_ms = 106;
    if (n == 280 || n == 281) late_ms = 300;
    arrivals.push_back(at(plan, n, late_ms));
  }
  StreamMeasurements measured;
  measured.plan = plan;
  measured.udp = analyze_flow(plan, plan.frames, arrivals);
  measured.tcp = measured.udp;
  const std::string report = stream_report(StreamConditions{}, measured);
  const std::string cell = "10, longest 350.0 ms (frames 280-281)";
  ASSERT_GT(cell.size(), 34u);
  EXPECT_NE(report.find("stalls                     " + cell + "  " + cell + "\n"),
            std::string::npos)
      << report;
  // Every row's TCP cell starts in the same column as the heading's "TCP".
  const auto heading = report.find("\n" + std::string(27, ' ') + "UDP") + 1;
  const auto stalls = report.find("\nstalls ") + 1;
  EXPECT_EQ(report.find(cell, stalls + 28) - stalls, report.find("TCP", heading) - heading)
      << report;
}

TEST(StreamSettingsTest, RefusesWhatIsOutOfBounds) {
  EXPECT_TRUE(check_stream_settings(StreamSettings{}));
  StreamSettings settings;
  settings.fps = 0;
  auto refused = check_stream_settings(settings);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().message, "--fps 0: must be from 1 to 120");
  settings = {};
  settings.loss_percent = 75;
  EXPECT_FALSE(check_stream_settings(settings));
  settings = {};
  settings.frame_bytes = 10;
  EXPECT_FALSE(check_stream_settings(settings));
  settings = {};
  settings.pcap = "/no/such/directory/file.pcap";
  refused = check_stream_settings(settings);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("no directory /no/such/directory"), std::string::npos);
}

}  // namespace
}  // namespace miniweb::stack
