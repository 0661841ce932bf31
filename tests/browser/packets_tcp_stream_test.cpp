// TCP reassembly: one direction put back in order (out-of-order, retransmitted, overlapping and
// lost segments, sequence numbers that wrap), its memory bounds, and every stream of a capture.

#include <gtest/gtest.h>

#include <string>

#include "browser/packets/tcp_stream.hpp"
#include "browser/packets/tcp_streams.hpp"
#include "tests/browser/packets_capture.hpp"
#include "tests/browser/packets_frame_builder.hpp"

namespace miniweb::packets {
namespace {

using test::Bytes;

Bytes bytes_of(std::string_view text) {
  return Bytes(text.begin(), text.end());
}

std::string text_of(const std::vector<StreamBytes>& pieces) {
  std::string text;
  for (const auto& piece : pieces) text.append(piece.bytes.begin(), piece.bytes.end());
  return text;
}

constexpr std::uint32_t kIsn = 5000;
constexpr std::uint16_t kData = tcp_flag::Psh | tcp_flag::Ack;

// A reassembler that has seen the SYN: stream offset 0 is sequence number kIsn + 1.
TcpStreamReassembler started(StreamLimits limits = {}) {
  TcpStreamReassembler stream(limits);
  const auto syn = stream.add(kIsn, tcp_flag::Syn, {}, 0);
  EXPECT_EQ(syn.fate, SegmentFate::NoData);
  return stream;
}

SegmentResult add_at(TcpStreamReassembler& stream, std::uint64_t offset, std::string_view text,
                     std::size_t packet) {
  const auto bytes = bytes_of(text);
  return stream.add(static_cast<std::uint32_t>(kIsn + 1 + offset), kData, bytes, packet);
}

TEST(PacketsTcpStreamTest, InOrderSegmentsAreHandedOnAtOnce) {
  auto stream = started();
  EXPECT_EQ(stream.initial_seq(), kIsn);
  EXPECT_FALSE(stream.started_mid_stream());
  const auto first = add_at(stream, 0, "hello ", 1);
  EXPECT_EQ(first.fate, SegmentFate::InOrder);
  EXPECT_EQ(first.offset, 0u);
  ASSERT_EQ(first.delivered.size(), 1u);
  EXPECT_EQ(first.delivered[0].offset, 0u);
  EXPECT_EQ(text_of(first.delivered), "hello ");
  const auto second = add_at(stream, 6, "world", 2);
  EXPECT_EQ(second.offset, 6u);
  EXPECT_EQ(text_of(second.delivered), "world");
  EXPECT_EQ(stream.delivered_end(), 11u);
  EXPECT_EQ(stream.packets_carrying(0, 11), (std::vector<std::size_t>{1, 2}));
  EXPECT_EQ(stream.packets_carrying(3, 6), (std::vector<std::size_t>{1}));
  EXPECT_EQ(stream.packets_carrying(6, 7), (std::vector<std::size_t>{2}));
  EXPECT_TRUE(stream.packets_carrying(11, 20).empty());
  EXPECT_TRUE(stream.gaps().empty());
  EXPECT_TRUE(stream.finish().empty());
}

TEST(PacketsTcpStreamTest, OutOfOrderSegmentsWaitForTheGapToFill) {
  auto stream = started();
  const auto third = add_at(stream, 10, "cc", 3);
  EXPECT_EQ(third.fate, SegmentFate::OutOfOrder);
  EXPECT_TRUE(third.delivered.empty());
  const auto second = add_at(stream, 5, "bbbbb", 2);
  EXPECT_EQ(second.fate, SegmentFate::OutOfOrder);
  EXPECT_EQ(stream.held_bytes(), 7u);
  const auto first = add_at(stream, 0, "aaaaa", 1);
  EXPECT_EQ(first.fate, SegmentFate::InOrder);
  ASSERT_EQ(first.delivered.size(), 1u);  // one run: no gap between them
  EXPECT_EQ(text_of(first.delivered), "aaaaabbbbbcc");
  EXPECT_EQ(stream.held_bytes(), 0u);
  EXPECT_EQ(stream.packets_carrying(0, 12), (std::vector<std::size_t>{1, 2, 3}));
}

TEST(PacketsTcpStreamTest, RetransmissionsAndOverlapsDeliverEachByteOnce) {
  auto stream = started();
  add_at(stream, 0, "abcdef", 1);
  const auto again = add_at(stream, 0, "abcdef", 2);
  EXPECT_EQ(again.fate, SegmentFate::Retransmission);
  EXPECT_TRUE(again.delivered.empty());
  const auto part = add_at(stream, 2, "cd", 3);
  EXPECT_EQ(part.fate, SegmentFate::Retransmission);
  // Repacketized: the front was delivered, the rest is new.
  const auto overlap = add_at(stream, 4, "efgh", 4);
  EXPECT_EQ(overlap.fate, SegmentFate::Overlap);
  ASSERT_EQ(overlap.delivered.size(), 1u);
  EXPECT_EQ(overlap.delivered[0].offset, 6u);
  EXPECT_EQ(text_of(overlap.delivered), "gh");
  EXPECT_EQ(stream.packets_carrying(0, 8), (std::vector<std::size_t>{1, 4}));
  // A held segment sent again, longer: the longer copy is kept.
  add_at(stream, 12, "mn", 5);
  add_at(stream, 12, "mnop", 6);
  EXPECT_EQ(stream.held_bytes(), 4u);
  const auto filled = add_at(stream, 8, "ijkl", 7);
  EXPECT_EQ(text_of(filled.delivered), "ijklmnop");
  EXPECT_EQ(stream.packets_carrying(12, 16), (std::vector<std::size_t>{6}));
  // A held segment that a later in-order one covers in part.
  add_at(stream, 18, "stuv", 8);
  const auto covering = add_at(stream, 16, "qrstu", 9);
  EXPECT_EQ(text_of(covering.delivered), "qrstuv");
  EXPECT_EQ(stream.delivered_end(), 22u);
}

TEST(PacketsTcpStreamTest, AGapIsDeclaredWhenTheCaptureEnds) {
  auto stream = started();
  add_at(stream, 0, "aaa", 1);
  add_at(stream, 10, "bbb", 2);
  add_at(stream, 20, "ccc", 3);
  const auto rest = stream.finish();
  ASSERT_EQ(rest.size(), 2u);
  EXPECT_EQ(rest[0].offset, 10u);
  EXPECT_EQ(rest[1].offset, 20u);
  EXPECT_EQ(text_of(rest), "bbbccc");
  ASSERT_EQ(stream.gaps().size(), 2u);
  EXPECT_EQ(stream.gaps()[0].begin, 3u);
  EXPECT_EQ(stream.gaps()[0].end, 10u);
  EXPECT_EQ(stream.gaps()[0].reason, "the capture ended before these bytes came");
  EXPECT_EQ(stream.gaps()[1].begin, 13u);
  EXPECT_EQ(stream.gap_count(), 2u);
  EXPECT_EQ(stream.held_bytes(), 0u);
  EXPECT_EQ(stream.delivered_end(), 23u);
  // The lost bytes came from no packet.
  EXPECT_TRUE(stream.packets_carrying(3, 10).empty());
  EXPECT_EQ(stream.packets_carrying(0, 30), (std::vector<std::size_t>{1, 2, 3}));
}

TEST(PacketsTcpStreamTest, HeldBytesAreBoundedAndTheGapReported) {
  StreamLimits limits;
  limits.max_held_bytes = 10;
  auto stream = started(limits);
  add_at(stream, 0, "a", 1);
  // Byte 1 is lost; what follows is held until the limit, then the gap is given up.
  EXPECT_EQ(add_at(stream, 2, "bbbb", 2).fate, SegmentFate::OutOfOrder);
  EXPECT_EQ(add_at(stream, 6, "cccc", 3).fate, SegmentFate::OutOfOrder);
  EXPECT_EQ(stream.held_bytes(), 8u);
  // Delivered, once the gap before it is given up.
  const auto over = add_at(stream, 10, "dddd", 4);
  EXPECT_EQ(over.fate, SegmentFate::InOrder);
  ASSERT_EQ(over.gaps.size(), 1u);
  EXPECT_EQ(over.gaps[0].begin, 1u);
  EXPECT_EQ(over.gaps[0].end, 2u);
  EXPECT_EQ(over.gaps[0].reason,
            "out-of-order bytes passed the limit of 10 bytes or 4096 segments");
  EXPECT_EQ(text_of(over.delivered), "bbbbccccdddd");
  EXPECT_LE(stream.held_bytes(), limits.max_held_bytes);
  EXPECT_EQ(stream.gap_count(), 1u);

  // A segment larger than the limit on its own, after a gap: delivered at once.
  const auto huge = add_at(stream, 20, std::string(50, 'e'), 5);
  ASSERT_EQ(huge.gaps.size(), 1u);
  EXPECT_EQ(huge.gaps[0].begin, 14u);
  EXPECT_EQ(huge.gaps[0].end, 20u);
  EXPECT_EQ(text_of(huge.delivered), std::string(50, 'e'));
  EXPECT_EQ(stream.held_bytes(), 0u);
}

TEST(PacketsTcpStreamTest, HeldSegmentsAreBoundedInCount) {
  StreamLimits limits;
  limits.max_held_segments = 3;
  auto stream = started(limits);
  // Every other byte lost: 1-byte segments at 1, 3, 5, ...
  std::size_t gaps = 0;
  for (std::uint64_t offset = 1; offset < 200; offset += 2) {
    const auto result = add_at(stream, offset, "x", offset);
    gaps += result.gaps.size();
    EXPECT_LE(stream.held_bytes(), 3u);
  }
  EXPECT_GT(gaps, 90u);
  EXPECT_EQ(stream.gap_count(), gaps);
  stream.finish();
  EXPECT_EQ(stream.gap_count(), 100u);
  EXPECT_EQ(stream.delivered_end(), 200u);
}

TEST(PacketsTcpStreamTest, RecordsOfCarriersAndGapsAreBounded) {
  StreamLimits limits;
  limits.max_carried_ranges = 4;
  limits.max_gaps = 2;
  limits.max_held_segments = 1;
  auto stream = started(limits);
  for (std::uint64_t i = 0; i < 10; ++i) add_at(stream, i * 10, "12345", i);
  stream.finish();
  EXPECT_EQ(stream.carried().size(), 4u);
  EXPECT_FALSE(stream.carried_complete());
  EXPECT_EQ(stream.gaps().size(), 2u);
  EXPECT_EQ(stream.gap_count(), 9u);
}

TEST(PacketsTcpStreamTest, SequenceNumbersWrap) {
  TcpStreamReassembler stream;
  stream.add(0xFFFFFFF0u, tcp_flag::Syn, {}, 0);
  // Offset 0 is 0xFFFFFFF1; offset 20 lies past the wrap.
  const auto later = bytes_of("after the wrap");
  EXPECT_EQ(stream.add(0xFFFFFFF1u + 20u, kData, later, 2).fate, SegmentFate::OutOfOrder);
  const auto first = bytes_of(std::string(20, '-'));
  const auto result = stream.add(0xFFFFFFF1u, kData, first, 1);
  EXPECT_EQ(text_of(result.delivered), std::string(20, '-') + "after the wrap");
  EXPECT_EQ(stream.delivered_end(), 34u);
}

TEST(PacketsTcpStreamTest, FinResetAndAStreamSeenFromItsMiddle) {
  TcpStreamReassembler stream;
  const auto data = bytes_of("mid");
  const auto first = stream.add(777, kData, data, 1);
  EXPECT_TRUE(stream.started_mid_stream());
  EXPECT_FALSE(stream.initial_seq());
  EXPECT_EQ(first.offset, 0u);
  EXPECT_EQ(text_of(first.delivered), "mid");
  // Bytes before the first one seen lie before the stream's start: nothing new.
  const auto before = bytes_of("xx");
  EXPECT_EQ(stream.add(775, kData, before, 2).fate, SegmentFate::Retransmission);

  const auto fin = stream.add(780, tcp_flag::Fin | tcp_flag::Ack, {}, 3);
  EXPECT_EQ(fin.fate, SegmentFate::NoData);
  EXPECT_EQ(stream.fin_offset(), 3u);

  const auto rst_data = bytes_of("diagnostic");
  EXPECT_EQ(stream.add(781, tcp_flag::Rst, rst_data, 4).fate, SegmentFate::NoData);
  EXPECT_TRUE(stream.reset());
  EXPECT_EQ(stream.delivered_end(), 3u);
  const auto after = bytes_of("late");
  EXPECT_EQ(stream.add(781, kData, after, 5).fate, SegmentFate::AfterReset);
}

TEST(PacketsTcpStreamTest, SynWithData) {
  TcpStreamReassembler stream;
  const auto fast_open = bytes_of("GET");
  const auto result = stream.add(100, tcp_flag::Syn, fast_open, 0);
  EXPECT_EQ(result.fate, SegmentFate::InOrder);
  EXPECT_EQ(result.offset, 0u);
  EXPECT_EQ(text_of(result.delivered), "GET");
}

TEST(PacketsTcpStreamTest, FateNames) {
  EXPECT_STREQ(segment_fate_name(SegmentFate::InOrder), "in order");
  EXPECT_STREQ(segment_fate_name(SegmentFate::Overlap), "overlap");
  EXPECT_STREQ(segment_fate_name(SegmentFate::Retransmission), "retransmission");
  EXPECT_STREQ(segment_fate_name(SegmentFate::OutOfOrder), "out of order");
  EXPECT_STREQ(segment_fate_name(SegmentFate::NoData), "no data");
  EXPECT_STREQ(segment_fate_name(SegmentFate::AfterReset), "after reset");
}

// --- Every stream of a capture ----------------------------------------------------------------

std::string stream_text(const test::ReassembledCapture& capture, const FlowKey& key) {
  auto found = capture.bytes.find(key);
  return found == capture.bytes.end() ? "" : text_of(found->second);
}

TEST(PacketsTcpStreamTest, TheHttpCaptureReassembled) {
  const auto capture = test::read_capture("http_keepalive.pcap");
  const auto streams = test::reassemble(capture);
  ASSERT_EQ(streams.streams.keys().size(), 2u);
  const FlowKey to_server = test::flow_to_port(streams, 48080);
  EXPECT_EQ(to_server.to_string(), "127.0.0.1:34258 > 127.0.0.1:48080");
  const std::string requests = stream_text(streams, to_server);
  const std::string responses = stream_text(streams, to_server.reversed());
  // seq 1:89 and 89:175 from the client; 1:187, 187:203, 203:388, 388:723 from the server.
  EXPECT_EQ(requests.size(), 174u);
  EXPECT_EQ(responses.size(), 722u);
  EXPECT_EQ(requests.rfind("GET /hello.txt HTTP/1.1\r\n", 0), 0u);
  EXPECT_NE(requests.find("GET /missing HTTP/1.1\r\n"), std::string::npos);
  EXPECT_NE(responses.find("hello over http\n"), std::string::npos);

  const auto* client = streams.streams.find(to_server);
  ASSERT_NE(client, nullptr);
  EXPECT_EQ(client->initial_seq(), 641385288u);
  EXPECT_EQ(client->fin_offset(), 174u);
  EXPECT_TRUE(client->gaps().empty());
  // The second request came in the 10th packet (index 9).
  EXPECT_EQ(client->packets_carrying(88, 174), (std::vector<std::size_t>{9}));
  const auto* server = streams.streams.find(to_server.reversed());
  ASSERT_NE(server, nullptr);
  EXPECT_EQ(server->packets_carrying(0, 722), (std::vector<std::size_t>{5, 7, 10, 11}));
  EXPECT_EQ(streams.streams.find(FlowKey{}), nullptr);
}

TEST(PacketsTcpStreamTest, StreamsOfACaptureOutOfOrder) {
  // The TLS 1.3 capture's packets fed in reverse: the same bytes come out, by finish().
  auto capture = test::read_capture("tls13_curl.pcap");
  const auto in_order = test::reassemble(capture);
  // SYNs first, so that each direction knows its start; then everything else reversed.
  test::Capture reversed;
  reversed.link_type = capture.link_type;
  for (const auto& packet : capture.packets)
    if (packet.tcp->has(tcp_flag::Syn)) reversed.packets.push_back(packet);
  for (auto packet = capture.packets.rbegin(); packet != capture.packets.rend(); ++packet)
    if (!packet->tcp->has(tcp_flag::Syn)) reversed.packets.push_back(*packet);
  const auto out_of_order = test::reassemble(reversed);
  for (const auto& key : in_order.streams.keys()) {
    EXPECT_EQ(stream_text(out_of_order, key), stream_text(in_order, key)) << key.to_string();
    EXPECT_TRUE(out_of_order.streams.find(key)->gaps().empty());
  }
  // 517 bytes from the client, then 80, 110, 24; 779 + 255 + 255 + 87 + 24 from the server.
  const FlowKey to_server = test::flow_to_port(in_order, 44333);
  EXPECT_EQ(stream_text(in_order, to_server).size(), 517u + 80u + 110u + 24u);
  EXPECT_EQ(stream_text(in_order, to_server.reversed()).size(), 779u + 255u + 255u + 87u + 24u);
}

Packet segment(std::uint16_t source_port, std::uint32_t seq, std::uint8_t flags,
               const Bytes& payload = {}) {
  return decode_frame(
      link_type::Raw,
      test::ipv4(test::tcp(
          payload,
          {.source_port = source_port, .destination_port = 80, .seq = seq, .flags = flags})),
      CaptureTime{});
}

TEST(PacketsTcpStreamTest, APortReusedByANewConnectionStartsOver) {
  TcpStreams streams;
  EXPECT_EQ(streams.add(segment(1234, 100, 0x02), 0)->generation, 0u);
  streams.add(segment(1234, 101, 0x18, bytes_of("first")), 1);
  // The same SYN again (a retransmission) is the same connection.
  EXPECT_EQ(streams.add(segment(1234, 100, 0x02), 2)->generation, 0u);
  const auto reused = streams.add(segment(1234, 9000, 0x02), 3);
  ASSERT_TRUE(reused);
  EXPECT_EQ(reused->generation, 1u);
  const auto data = streams.add(segment(1234, 9001, 0x18, bytes_of("second")), 4);
  EXPECT_EQ(data->result.offset, 0u);
  EXPECT_EQ(text_of(data->result.delivered), "second");
  EXPECT_EQ(streams.keys().size(), 1u);
  // Not TCP: nothing to add.
  EXPECT_FALSE(
      streams.add(decode_frame(link_type::Raw, test::ipv4(test::udp(1, 2, {}), {.protocol = 17}),
                               CaptureTime{}),
                  5));
}

TEST(PacketsTcpStreamTest, DirectionsAreBounded) {
  TcpStreams streams({}, 3);
  for (std::uint16_t port = 1; port <= 5; ++port) streams.add(segment(port, 1, 0x02), port);
  EXPECT_EQ(streams.keys().size(), 3u);
  EXPECT_EQ(streams.refused(), 2u);
  // A direction already tracked still takes segments.
  EXPECT_TRUE(streams.add(segment(1, 2, 0x18, bytes_of("x")), 9));
}

}  // namespace
}  // namespace miniweb::packets
