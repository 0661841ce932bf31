// The SYN flood's packets: the Internet checksum (RFC 1071), a spoofed SYN byte for byte, and
// segments read back from the frames libpcap gives.

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "stack/tcp_segment.hpp"

namespace miniweb::stack {
namespace {

// 198.18.0.1:40000 > 192.0.2.1:8080 [S] seq 1000, win 64240, id 1, ttl 64, options MSS 1460,
// SACK permitted, TS val 12345 ecr 0, NOP, wscale 7. `tcpdump -vv` reads both checksums as
// correct: IP 0xf2a6, TCP 0xd508.
const std::vector<std::uint8_t> kKnownSyn = {
    0x45, 0x00, 0x00, 0x3c, 0x00, 0x01, 0x00, 0x00, 0x40, 0x06, 0xf2, 0xa6, 0xc6, 0x12, 0x00,
    0x01, 0xc0, 0x00, 0x02, 0x01, 0x9c, 0x40, 0x1f, 0x90, 0x00, 0x00, 0x03, 0xe8, 0x00, 0x00,
    0x00, 0x00, 0xa0, 0x02, 0xfa, 0xf0, 0xd5, 0x08, 0x00, 0x00, 0x02, 0x04, 0x05, 0xb4, 0x04,
    0x02, 0x08, 0x0a, 0x00, 0x00, 0x30, 0x39, 0x00, 0x00, 0x00, 0x00, 0x01, 0x03, 0x03, 0x07};

SynSpec known_spec() {
  SynSpec spec;
  spec.source = 0xc6120001;       // 198.18.0.1
  spec.destination = 0xc0000201;  // 192.0.2.1
  spec.source_port = 40000;
  spec.destination_port = 8080;
  spec.sequence = 1000;
  spec.identification = 1;
  spec.timestamp = 12345;
  return spec;
}

TEST(InternetChecksumTest, Rfc1071Example) {
  // RFC 1071 section 3: the words 0001 f203 f4f5 f6f7 sum to ddf2.
  const std::vector<std::uint8_t> words = {0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
  EXPECT_EQ(ones_complement_sum(words), 0xddf2U);
  EXPECT_EQ(internet_checksum(words), 0x220d);
  // An odd byte counts as the high half of a last word.
  EXPECT_EQ(ones_complement_sum(std::vector<std::uint8_t>{0x12}), 0x1200U);
}

TEST(SynPacketTest, MatchesAKnownSynByteForByte) {
  const auto packet = build_syn(known_spec());
  EXPECT_EQ(std::vector<std::uint8_t>(packet.begin(), packet.end()), kKnownSyn);
}

TEST(SynPacketTest, ChecksumsVerifyForOtherFields) {
  SynSpec spec = known_spec();
  spec.source = 0xc613fffe;
  spec.source_port = 65535;
  spec.sequence = 0xfffffff0;
  spec.timestamp = 0xdeadbeef;
  const auto packet = build_syn(spec);
  // A header with its checksum in place sums to all ones.
  EXPECT_EQ(ones_complement_sum(std::span(packet.data(), 20)), 0xffffU);
  std::vector<std::uint8_t> pseudo = {0xc6, 0x13, 0xff, 0xfe, 0xc0, 0x00, 0x02, 0x01, 0, 6, 0, 40};
  EXPECT_EQ(ones_complement_sum(std::span(packet.data() + 20, 40), ones_complement_sum(pseudo)),
            0xffffU);
}

TEST(DecodeTest, ReadsTheSynBack) {
  auto segment = decode_ipv4_tcp(kKnownSyn);
  ASSERT_TRUE(segment);
  EXPECT_EQ(segment->source, 0xc6120001U);
  EXPECT_EQ(segment->destination, 0xc0000201U);
  EXPECT_EQ(segment->source_port, 40000);
  EXPECT_EQ(segment->destination_port, 8080);
  EXPECT_EQ(segment->sequence, 1000U);
  EXPECT_TRUE(segment->syn_only());
  EXPECT_FALSE(segment->syn_ack());
  EXPECT_EQ(segment->mss, 1460);
  EXPECT_EQ(segment->timestamp, 12345U);
  EXPECT_EQ(segment->payload, 0U);
}

TEST(DecodeTest, ReadsTheAnyDevicesCookedHeaders) {
  // DLT_LINUX_SLL2: protocol, reserved, interface index, address type, packet type, address.
  std::vector<std::uint8_t> sll2 = {0x08, 0x00, 0, 0, 0, 0, 0, 1, 0x03, 0x04,
                                    0,    6,    0, 0, 0, 0, 0, 0, 0,    0};
  sll2.insert(sll2.end(), kKnownSyn.begin(), kKnownSyn.end());
  auto segment = decode_frame(kLinkLinuxSll2, sll2);
  ASSERT_TRUE(segment);
  EXPECT_EQ(segment->source_port, 40000);
  // DLT_LINUX_SLL: packet type, address type, address length, address, protocol.
  std::vector<std::uint8_t> sll = {0, 0, 0x03, 0x04, 0, 6, 0, 0, 0, 0, 0, 0, 0, 0, 0x08, 0x00};
  sll.insert(sll.end(), kKnownSyn.begin(), kKnownSyn.end());
  ASSERT_TRUE(decode_frame(kLinkLinuxSll, sll));
  // Not IPv4 (ARP), cut short, or an unknown link type: nothing.
  sll[14] = 0x08;
  sll[15] = 0x06;
  EXPECT_FALSE(decode_frame(kLinkLinuxSll, sll));
  EXPECT_FALSE(decode_frame(kLinkLinuxSll2, std::span(sll2.data(), 30)));
  EXPECT_FALSE(decode_frame(9999, sll2));
}

TEST(DecodeTest, ReadsASynAckAndItsData) {
  std::vector<std::uint8_t> packet = kKnownSyn;
  packet[33] = kSyn | kAck;
  packet[3] = 64;  // four bytes of data past the header
  packet.insert(packet.end(), {'p', 'i', 'n', 'g'});
  auto segment = decode_ipv4_tcp(packet);
  ASSERT_TRUE(segment);
  EXPECT_TRUE(segment->syn_ack());
  EXPECT_EQ(segment->payload, 4U);
  packet[9] = 17;  // UDP
  EXPECT_FALSE(decode_ipv4_tcp(packet));
}

}  // namespace
}  // namespace miniweb::stack
