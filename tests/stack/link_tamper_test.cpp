// The box on the path (./miniweb experiment tamper, impersonate): its lines in the link table,
// the bytes it changes, and checksums that a receiver's own check accepts, verified here by a
// computation of the test's own (RFC 1071: the sum over the checked bytes, checksum included,
// is all ones).

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "shared/dns/message.hpp"
#include "stack/link_tamper.hpp"
#include "stack/links.hpp"
#include "stack/packet_headers.hpp"
#include "tests/stack/packet_bytes.hpp"

namespace miniweb::stack {
namespace {

constexpr Address kBrowser = 0x7f000001;   // 127.0.0.1
constexpr Address kShop = 0x7f090a2c;      // 127.9.10.44
constexpr Address kImpostor = 0x7f090a42;  // 127.9.10.66
constexpr Address kResolver = 0x7f090a35;  // 127.9.10.53

using namespace test_packets;

std::vector<std::uint8_t> packet(Address from, Address to, std::uint8_t protocol,
                                 std::size_t transport_header, const std::string& payload) {
  auto bytes = ip_header(from, to, protocol, 20 + transport_header + payload.size());
  std::copy(payload.begin(), payload.end(), bytes.begin() + 20 + transport_header);
  return bytes;
}

std::vector<std::uint8_t> tcp(Address from, Address to, const std::string& payload) {
  auto bytes = packet(from, to, 6, 20, payload);
  put16(bytes, 20, 80);
  put16(bytes, 22, 41000);
  put32(bytes, 24, 1000);
  put32(bytes, 28, 2000);
  bytes[32] = 0x50;
  bytes[33] = 0x18;  // PSH, ACK
  put16(bytes, 34, 512);
  compute_checksums(bytes);
  return bytes;
}

std::vector<std::uint8_t> udp(Address from, Address to, const std::vector<std::uint8_t>& message) {
  auto bytes = packet(from, to, 17, 8, std::string(message.begin(), message.end()));
  put16(bytes, 20, 53);
  put16(bytes, 22, 45000);
  put16(bytes, 24, static_cast<std::uint32_t>(8 + message.size()));
  compute_checksums(bytes);
  return bytes;
}

// The test's own RFC 1071 check, byte by byte into a 64-bit sum: folded, it must be 0xffff.
std::uint16_t folded_sum(const std::vector<std::uint8_t>& bytes, std::size_t from, std::size_t to,
                         std::uint64_t sum = 0) {
  for (std::size_t i = from; i < to; ++i) sum += (i - from) % 2 == 0 ? bytes[i] * 256u : bytes[i];
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<std::uint16_t>(sum);
}
bool ip_checksum_holds(const std::vector<std::uint8_t>& bytes) {
  return folded_sum(bytes, 0, 20) == 0xffff;
}
bool transport_checksum_holds(const std::vector<std::uint8_t>& bytes) {
  std::uint64_t pseudo = 0;
  for (std::size_t i = 12; i < 20; i += 2) pseudo += bytes[i] * 256u + bytes[i + 1];
  pseudo += bytes[9] + (bytes.size() - 20);
  return folded_sum(bytes, 20, bytes.size(), pseudo) == 0xffff;
}

std::string payload_of(const std::vector<std::uint8_t>& bytes) {
  auto headers = read_packet_headers(bytes);
  return {headers->payload.begin(), headers->payload.end()};
}

dns::Message answer_for(const std::string& name, std::array<std::uint8_t, 4> address) {
  dns::Message query = dns::make_query(*dns::Name::parse(name), dns::type::A);
  query.id = 4242;
  dns::Message reply = query.make_reply();
  reply.ra = true;
  dns::ResourceRecord record;
  record.name = *dns::Name::parse(name);
  record.ttl = 300;
  record.rdata = dns::RdataA{address};
  reply.answers.push_back(record);
  return reply;
}

TEST(ChecksumTest, MatchesAKnownIpv4Header) {
  // A header whose checksum is known from elsewhere (0xb861, the usual worked example).
  std::vector<std::uint8_t> header = {0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
                                      0x00, 0x00, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7};
  compute_checksums(header);
  EXPECT_EQ(header[10], 0xb8);
  EXPECT_EQ(header[11], 0x61);
}

TEST(ChecksumTest, TcpAndUdpOfOddLengthsHold) {
  for (const std::string payload : {"", "a", "GET / HTTP/1.1\r\n", "odd length!"}) {
    auto segment = tcp(kShop, kBrowser, payload);
    EXPECT_TRUE(ip_checksum_holds(segment)) << payload;
    EXPECT_TRUE(transport_checksum_holds(segment)) << payload;
    auto datagram =
        udp(kResolver, kBrowser, std::vector<std::uint8_t>(payload.begin(), payload.end()));
    EXPECT_TRUE(transport_checksum_holds(datagram)) << payload;
  }
}

TEST(LinkTableTest, ReadsAndWritesTamperLines) {
  auto table = parse_link_table(
      "* * 0 0 0 0\n"
      "rewrite 127.9.10.44 127.0.0.1 Lamp Lump\n"
      "corrupt 127.9.10.44 * 0 1\n"
      "spoof-dns shop.example. 127.9.10.66 127.9.10.53 127.0.0.1\n");
  ASSERT_TRUE(table) << table.error().message;
  ASSERT_EQ(table->tampers.size(), 3u);
  EXPECT_EQ(table->tampers[0].kind, TamperKind::Rewrite);
  EXPECT_EQ(table->tampers[0].old_bytes, "Lamp");
  EXPECT_EQ(table->tampers[0].new_bytes, "Lump");
  EXPECT_EQ(table->tampers[0].from, kShop);
  EXPECT_EQ(table->tampers[1].kind, TamperKind::Corrupt);
  EXPECT_FALSE(table->tampers[1].to);
  EXPECT_EQ(table->tampers[1].count, 1u);
  EXPECT_EQ(table->tampers[2].kind, TamperKind::SpoofDns);
  EXPECT_EQ(table->tampers[2].name, "shop.example");
  EXPECT_EQ(table->tampers[2].address, kImpostor);
  // Written and read again, the same table.
  auto again = parse_link_table(link_table_text(*table));
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(again->tampers, table->tampers);
}

TEST(LinkTableTest, RefusesTamperLinesThatCannotBeKept) {
  // A longer word would move every later byte: TCP's sequence numbers would lie.
  EXPECT_FALSE(parse_link_table("rewrite * * Lamp Lamps\n"));
  EXPECT_FALSE(parse_link_table("rewrite * * Lamp\n"));
  EXPECT_FALSE(parse_link_table("corrupt * * -1 1\n"));
  EXPECT_FALSE(parse_link_table("corrupt somewhere * 0 1\n"));
  EXPECT_FALSE(parse_link_table("spoof-dns shop.example not-an-address * *\n"));
  EXPECT_FALSE(parse_link_table("spoof-dns shop.example 127.0.0.9 * * extra\n"));
}

TEST(PacketTampererTest, RewritesAWordOnItsLinkOnly) {
  PacketTamperer box(
      {*parse_link_table("rewrite 127.9.10.44 127.0.0.1 Lamp Lump\n")->tampers.data()});
  auto response = tcp(kShop, kBrowser, "HTTP/1.1 200 OK\r\n\r\n<p>Desk Lamp, Lamp shade</p>");
  auto what = box.apply(response);
  ASSERT_TRUE(what);
  EXPECT_EQ(*what, "'Lamp' rewritten to 'Lump' at byte 27, 33 of the payload");
  EXPECT_EQ(payload_of(response), "HTTP/1.1 200 OK\r\n\r\n<p>Desk Lump, Lump shade</p>");
  EXPECT_TRUE(ip_checksum_holds(response));
  EXPECT_TRUE(transport_checksum_holds(response));
  // The other direction, or a segment without the word, goes on untouched.
  auto request = tcp(kBrowser, kShop, "GET /Lamp HTTP/1.1\r\n");
  const auto before = request;
  EXPECT_FALSE(box.apply(request));
  EXPECT_EQ(request, before);
  auto other = tcp(kShop, kBrowser, "no such word");
  EXPECT_FALSE(box.apply(other));
}

TEST(PacketTampererTest, CorruptsOneByteOfTheNamedApplicationDataRecords) {
  PacketTamperer box({*parse_link_table("corrupt 127.9.10.44 127.0.0.1 1 1\n")->tampers.data()});
  auto record = [](char fill) {
    return std::string("\x17\x03\x03\x00\x10", 5) + std::string(16, fill);
  };
  // A handshake record is not counted; the first application_data segment is let through
  // (skip 1), the second changed, the third not.
  auto hello = tcp(kShop, kBrowser,
                   std::string("\x16\x03\x03\x00\x02"
                               "ab",
                               7));
  EXPECT_FALSE(box.apply(hello));
  auto first = tcp(kShop, kBrowser, record('a'));
  EXPECT_FALSE(box.apply(first));
  auto second = tcp(kShop, kBrowser, record('b'));
  auto what = box.apply(second);
  ASSERT_TRUE(what);
  EXPECT_EQ(*what,
            "byte 13 of the payload, inside a TLS application_data record of 16 bytes, changed "
            "from 0x62 to 0x9d");
  std::string changed = payload_of(second);
  EXPECT_EQ(changed.substr(0, 13), record('b').substr(0, 13));
  EXPECT_EQ(static_cast<unsigned char>(changed[13]), 0x9d);
  EXPECT_TRUE(transport_checksum_holds(second));
  auto third = tcp(kShop, kBrowser, record('c'));
  EXPECT_FALSE(box.apply(third));
}

TEST(PacketTampererTest, SpoofsTheARecordOfTheNameInADnsAnswer) {
  PacketTamperer box(
      {*parse_link_table("spoof-dns shop.example 127.9.10.66 127.9.10.53 127.0.0.1\n")
            ->tampers.data()});
  // A real answer as the resolver encodes it (the owner name compressed to the question's).
  dns::Message reply = answer_for("shop.example.", {127, 9, 10, 44});
  std::vector<std::uint8_t> wire = reply.encode();
  auto datagram = udp(kResolver, kBrowser, wire);
  auto what = box.apply(datagram);
  ASSERT_TRUE(what);
  EXPECT_EQ(*what,
            "the A record of shop.example in a DNS answer: 127.9.10.44 rewritten to 127.9.10.66");
  EXPECT_TRUE(ip_checksum_holds(datagram));
  EXPECT_TRUE(transport_checksum_holds(datagram));
  std::string payload = payload_of(datagram);
  auto decoded = dns::Message::decode(
      std::span(reinterpret_cast<const std::uint8_t*>(payload.data()), payload.size()));
  ASSERT_TRUE(decoded) << decoded.error().message;
  ASSERT_EQ(decoded->answers.size(), 1u);
  EXPECT_EQ(decoded->answers[0].rdata_to_string(), "127.9.10.66");
  EXPECT_EQ(decoded->id, 4242);  // everything else as it was
  EXPECT_EQ(decoded->questions, reply.questions);
  // Another name's answer, the question itself, and another link are left alone.
  auto other = udp(kResolver, kBrowser, answer_for("www.example.", {127, 9, 10, 10}).encode());
  EXPECT_FALSE(box.apply(other));
  dns::Message query = dns::make_query(*dns::Name::parse("shop.example."), dns::type::A);
  auto asked = udp(kBrowser, kResolver, query.encode());
  EXPECT_FALSE(box.apply(asked));
  auto upstream = udp(0x7f090a03, kResolver, wire);
  EXPECT_FALSE(box.apply(upstream));
}

TEST(PacketTampererTest, LeavesMalformedAndCutPacketsAlone) {
  PacketTamperer box({*parse_link_table("spoof-dns shop.example 127.9.10.66 * *\n")->tampers.data(),
                      *parse_link_table("rewrite * * Lamp Lump\n")->tampers.data()});
  std::vector<std::uint8_t> wire = answer_for("shop.example.", {127, 9, 10, 44}).encode();
  wire.resize(wire.size() - 2);  // the A record's data cut short
  auto datagram = udp(kResolver, kBrowser, wire);
  EXPECT_FALSE(box.apply(datagram));
  EXPECT_TRUE(a_record_offsets(wire, "shop.example").empty());
  // A copy cut before the end of the packet (the emulator's header-only mode) is never changed.
  auto segment = tcp(kShop, kBrowser, "a Lamp here");
  segment.resize(segment.size() - 3);
  EXPECT_FALSE(box.apply(segment));
}

}  // namespace
}  // namespace miniweb::stack
