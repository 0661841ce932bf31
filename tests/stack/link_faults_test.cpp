// The faults of an experiment: which packets the link emulator drops, counted by kind and link,
// and how they are written in the link table.

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "stack/link_faults.hpp"
#include "stack/packet_headers.hpp"
#include "tests/stack/packet_bytes.hpp"

namespace miniweb::stack {
namespace {

constexpr Address kBrowser = 0x7f000001;   // 127.0.0.1
constexpr Address kServer = 0x7f090a0a;    // 127.9.10.10
constexpr Address kResolver = 0x7f090a35;  // 127.9.10.53
constexpr Address kRoot = 0x7f090a01;      // 127.9.10.1

using namespace tcp_bits;

using namespace test_packets;

PacketHeaders tcp(Address from, std::uint16_t from_port, Address to, std::uint16_t to_port,
                  std::uint8_t flags, std::uint32_t seq, std::uint32_t ack,
                  std::size_t payload = 0) {
  static std::vector<std::uint8_t> bytes;  // the headers' payload view points into it
  bytes = ip_header(from, to, 6, 40 + payload);
  put16(bytes, 20, from_port);
  put16(bytes, 22, to_port);
  put32(bytes, 24, seq);
  put32(bytes, 28, ack);
  bytes[32] = 0x50;
  bytes[33] = flags;
  return *read_packet_headers(bytes);
}

PacketHeaders dns(Address from, Address to, bool response) {
  static std::vector<std::uint8_t> bytes;
  bytes = ip_header(from, to, 17, 28 + 12);
  put16(bytes, 20, 4000);
  put16(bytes, 22, 53);
  put16(bytes, 24, 8 + 12);
  bytes[28 + 2] = response ? 0x80 : 0x01;  // QR, or RD alone
  return *read_packet_headers(bytes);
}

TEST(PacketHeadersTest, ReadsTcpAndUdp) {
  PacketHeaders syn = tcp(kBrowser, 40000, kServer, 443, Syn, 7, 0);
  EXPECT_EQ(syn.source, kBrowser);
  EXPECT_EQ(syn.destination_port, 443);
  EXPECT_TRUE(syn.tcp_flags_are(Syn));
  EXPECT_FALSE(syn.tcp_flags_are(Syn | Ack));
  EXPECT_EQ(tcp(kServer, 443, kBrowser, 40000, Psh | Ack, 1, 1, 300).payload_length, 300u);
  PacketHeaders question = dns(kResolver, kRoot, false);
  EXPECT_TRUE(question.is_udp());
  EXPECT_EQ(question.payload_length, 12u);
  // A header that says it is longer than 15 words, or an IP header under 20 bytes, is no packet.
  std::vector<std::uint8_t> short_header = ip_header(kBrowser, kServer, 6, 40);
  short_header[0] = 0x44;
  EXPECT_FALSE(read_packet_headers(short_header));
}

TEST(FaultMatcherTest, DropsTheFirstSynsThenLetsTheRestThrough) {
  FaultMatcher faults({LinkFault{FaultKind::Syn, kBrowser, kServer, 0, 2}});
  EXPECT_TRUE(faults.takes(tcp(kBrowser, 40000, kServer, 443, Syn, 7, 0)));
  EXPECT_FALSE(faults.takes(tcp(kServer, 443, kBrowser, 40000, Syn | Ack, 9, 8)));
  EXPECT_TRUE(faults.takes(tcp(kBrowser, 40000, kServer, 443, Syn, 7, 0)));
  EXPECT_FALSE(faults.takes(tcp(kBrowser, 40000, kServer, 443, Syn, 7, 0)));
  // Another link's SYN is not the fault's.
  FaultMatcher other({LinkFault{FaultKind::Syn, kBrowser, kServer, 0, 1}});
  EXPECT_FALSE(other.takes(tcp(kBrowser, 40001, kResolver, 443, Syn, 7, 0)));
}

TEST(FaultMatcherTest, TheThirdAckIsTheFirstEmptyAckOfTheSynAck) {
  FaultMatcher faults({LinkFault{FaultKind::ThirdAck, std::nullopt, std::nullopt, 0, 1}});
  EXPECT_FALSE(faults.takes(tcp(kBrowser, 40000, kServer, 443, Syn, 100, 0)));
  EXPECT_FALSE(faults.takes(tcp(kServer, 443, kBrowser, 40000, Syn | Ack, 500, 101)));
  // An ACK of another number is not the handshake's.
  EXPECT_FALSE(faults.takes(tcp(kBrowser, 40000, kServer, 443, Ack, 101, 999)));
  EXPECT_TRUE(faults.takes(tcp(kBrowser, 40000, kServer, 443, Ack, 101, 501)));
  // The data after it carries the same acknowledgement: not a third ACK.
  EXPECT_FALSE(faults.takes(tcp(kBrowser, 40000, kServer, 443, Psh | Ack, 101, 501, 517)));
  EXPECT_FALSE(faults.takes(tcp(kBrowser, 40000, kServer, 443, Ack, 618, 501)));
}

TEST(FaultMatcherTest, DataCountsOnlySegmentsWithData) {
  FaultMatcher faults({LinkFault{FaultKind::Data, kServer, kBrowser, 1, 1}});
  EXPECT_FALSE(faults.takes(tcp(kServer, 443, kBrowser, 40000, Ack, 1, 1)));
  EXPECT_FALSE(faults.takes(tcp(kServer, 443, kBrowser, 40000, Psh | Ack, 1, 1, 100)));
  EXPECT_FALSE(faults.takes(tcp(kBrowser, 40000, kServer, 443, Psh | Ack, 1, 101, 100)));
  EXPECT_TRUE(faults.takes(tcp(kServer, 443, kBrowser, 40000, Psh | Ack, 101, 101, 100)));
  EXPECT_FALSE(faults.takes(tcp(kServer, 443, kBrowser, 40000, Psh | Ack, 201, 101, 100)));
}

TEST(FaultMatcherTest, DnsQueryTakesQuestionsNotAnswers) {
  FaultMatcher faults({LinkFault{FaultKind::DnsQuery, kResolver, std::nullopt, 0, 1}});
  EXPECT_FALSE(faults.takes(dns(kRoot, kResolver, true)));
  EXPECT_FALSE(faults.takes(dns(kBrowser, kResolver, false)));
  EXPECT_TRUE(faults.takes(dns(kResolver, kRoot, false)));
  EXPECT_FALSE(faults.takes(dns(kResolver, kRoot, false)));
}

TEST(FaultMatcherTest, FaultsAreWrittenInTheLinkTableAndReadBack) {
  LinkTable table;
  table.faults = {LinkFault{FaultKind::SynAck, kServer, kBrowser, 0, 1},
                  LinkFault{FaultKind::DnsQuery, kResolver, std::nullopt, 2, 3}};
  const std::string text = link_table_text(table);
  EXPECT_NE(text.find("drop syn-ack 127.9.10.10 127.0.0.1 0 1\n"), std::string::npos);
  EXPECT_NE(text.find("drop dns-query 127.9.10.53 * 2 3\n"), std::string::npos);
  auto read = parse_link_table(text);
  ASSERT_TRUE(read) << read.error().message;
  EXPECT_EQ(read->faults, table.faults);
  for (const char* bad : {"drop syn 127.0.0.1 * 0\n", "drop flood * * 0 1\n",
                          "drop syn 127.0.0.300 * 0 1\n", "drop syn * * -1 1\n"})
    EXPECT_FALSE(parse_link_table(bad)) << bad;
  EXPECT_NE(parse_link_table("drop flood * * 0 1\n").error().message.find("no fault kind 'flood'"),
            std::string::npos);
}

}  // namespace
}  // namespace miniweb::stack
