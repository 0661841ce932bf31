// decode_frame over the golden captures (what tcpdump -nn -v says of them) and over frames built
// by hand for the link types, IP options, fragments, extension headers and broken headers that
// loopback captures never show.

#include <gtest/gtest.h>

#include "browser/packets/frame_decoder.hpp"
#include "tests/browser/packets_capture.hpp"
#include "tests/browser/packets_frame_builder.hpp"

namespace miniweb::packets {
namespace {

using test::Bytes;

Packet decode(int link, const Bytes& frame, std::optional<std::uint32_t> wire_length = {}) {
  return decode_frame(link, frame, CaptureTime{}, wire_length);
}

std::string problem_text(const Packet& packet) {
  return packet.problem ? packet.problem->to_string() : "no problem";
}

// --- Golden captures --------------------------------------------------------------------------

TEST(PacketsFrameTest, DnsOverUdpOnLoopbackEthernet) {
  const auto capture = test::read_capture("dns_udp.pcap");
  EXPECT_EQ(capture.link_type, link_type::Ethernet);
  ASSERT_EQ(capture.packets.size(), 8u);
  for (const auto& packet : capture.packets) {
    EXPECT_TRUE(packet.ok()) << problem_text(packet);
    EXPECT_EQ(packet.ether_type, 0x0800);
    EXPECT_EQ(packet.ip_version, IpVersion::V4);
    EXPECT_EQ(packet.transport, Transport::Udp);
    EXPECT_FALSE(packet.tcp.has_value());
    EXPECT_EQ(packet.payload.size(), packet.payload_length);
  }
  // 127.0.0.1.54621 > 127.0.0.1.53532: UDP, length 57 (tos 0x0, ttl 64, id 65114, flags none)
  const Packet& query = capture.packets[0];
  EXPECT_EQ(query.source.to_string(), "127.0.0.1:54621");
  EXPECT_EQ(query.destination.to_string(), "127.0.0.1:53532");
  EXPECT_EQ(query.payload_length, 57u);
  EXPECT_EQ(query.ip.identification, 65114u);
  EXPECT_EQ(query.ip.hop_limit, 64);
  EXPECT_EQ(query.ip.header_length, 20);
  EXPECT_FALSE(query.ip.dont_fragment);
  EXPECT_FALSE(query.ip.is_fragment);
  EXPECT_EQ(query.captured_length, 14u + 85u);
  EXPECT_EQ(query.wire_length, query.captured_length);
  // The answer: flags [DF], length 61.
  EXPECT_TRUE(capture.packets[1].ip.dont_fragment);
  EXPECT_EQ(capture.packets[1].payload_length, 61u);
  EXPECT_EQ(capture.packets[1].source.port, 53532);
  // Times come from the capture, in order.
  EXPECT_LT(capture.packets[0].time, capture.packets[1].time);
  EXPECT_GT(capture.packets[0].time.time_since_epoch().count(), 0);
}

TEST(PacketsFrameTest, LinuxCookedHeadersOfTheAnyInterface) {
  const auto sll = test::read_capture("dns_any_sll.pcap");
  const auto sll2 = test::read_capture("dns_any_sll2.pcap");
  EXPECT_EQ(sll.link_type, link_type::LinuxSll);
  EXPECT_EQ(sll2.link_type, link_type::LinuxSll2);
  for (const auto* capture : {&sll, &sll2}) {
    ASSERT_EQ(capture->packets.size(), 2u);
    for (const auto& packet : capture->packets) {
      EXPECT_TRUE(packet.ok()) << problem_text(packet);
      EXPECT_EQ(packet.ether_type, 0x0800);
      EXPECT_EQ(packet.transport, Transport::Udp);
    }
    EXPECT_EQ(capture->packets[0].payload_length, 58u);
    EXPECT_EQ(capture->packets[1].payload_length, 62u);
    EXPECT_EQ(capture->packets[0].destination.port, 53532);
  }
}

TEST(PacketsFrameTest, TcpOverIpv6WithTheOptionsOfItsSyns) {
  const auto capture = test::read_capture("dns_tcp_ipv6.pcap");
  ASSERT_EQ(capture.packets.size(), 10u);
  for (const auto& packet : capture.packets) {
    EXPECT_TRUE(packet.ok()) << problem_text(packet);
    EXPECT_EQ(packet.ether_type, 0x86DD);
    EXPECT_EQ(packet.ip_version, IpVersion::V6);
    EXPECT_TRUE(packet.is_tcp());
  }
  // IP6 (flowlabel 0x1fb9d, hlim 64) ::1.35941 > ::1.53532: Flags [S], seq 244920333,
  // win 64660, options [mss 1220,sackOK,TS val 3333898771 ecr 0,nop,wscale 10], length 0
  const Packet& syn = capture.packets[0];
  EXPECT_EQ(syn.ip.flow_label, 0x1fb9du);
  EXPECT_EQ(syn.ip.hop_limit, 64);
  EXPECT_EQ(syn.ip.header_length, 40);
  EXPECT_EQ(syn.ip.protocol, 6);
  EXPECT_EQ(syn.source.to_string(), "[::1]:35941");
  EXPECT_EQ(syn.destination.address.to_string(), "::1");
  EXPECT_EQ(syn.tcp->seq, 244920333u);
  EXPECT_EQ(syn.tcp->window, 64660);
  EXPECT_EQ(syn.tcp->header_length, 40);
  EXPECT_EQ(tcp_flags_text(syn.tcp->flags), "SYN");
  EXPECT_EQ(syn.tcp->options.mss, 1220);
  EXPECT_TRUE(syn.tcp->options.sack_permitted);
  EXPECT_EQ(syn.tcp->options.timestamps, (TcpTimestamps{3333898771u, 0}));
  EXPECT_EQ(syn.tcp->options.window_scale, 10);
  EXPECT_TRUE(syn.tcp->options.other_kinds.empty());
  EXPECT_EQ(syn.payload_length, 0u);

  // Flags [S.], seq 3256071790, ack 244920334, options [mss 65476,...,TS val 1653168273 ecr
  // 3333898771,nop,wscale 10]
  const Packet& syn_ack = capture.packets[1];
  EXPECT_EQ(tcp_flags_text(syn_ack.tcp->flags), "SYN-ACK");
  EXPECT_EQ(syn_ack.tcp->seq, 3256071790u);
  EXPECT_EQ(syn_ack.tcp->ack, 244920334u);
  EXPECT_EQ(syn_ack.tcp->options.mss, 65476);
  EXPECT_EQ(syn_ack.tcp->options.timestamps, (TcpTimestamps{1653168273u, 3333898771u}));
  EXPECT_EQ(syn_ack.ip.flow_label, 0xe7c4bu);

  // Flags [.], ack 1, win 64, options [nop,nop,TS ...]: no MSS, no window scale.
  const Packet& ack = capture.packets[2];
  EXPECT_EQ(tcp_flags_text(ack.tcp->flags), "ACK");
  EXPECT_FALSE(ack.tcp->options.mss);
  EXPECT_FALSE(ack.tcp->options.window_scale);
  EXPECT_FALSE(ack.tcp->options.sack_permitted);
  EXPECT_TRUE(ack.tcp->options.timestamps);
  EXPECT_EQ(ack.tcp->window, 64);

  // Flags [P.], seq 1:60, length 59; Flags [F.].
  EXPECT_EQ(tcp_flags_text(capture.packets[3].tcp->flags), "PSH-ACK");
  EXPECT_EQ(capture.packets[3].payload_length, 59u);
  EXPECT_EQ(capture.packets[3].payload.size(), 59u);
  EXPECT_EQ(tcp_flags_text(capture.packets[7].tcp->flags), "FIN-ACK");
}

TEST(PacketsFrameTest, FinPshAckOfTheHttpCapture) {
  const auto capture = test::read_capture("http_keepalive.pcap");
  ASSERT_EQ(capture.packets.size(), 15u);
  // Flags [FP.], seq 388:723, length 335
  const Packet& last = capture.packets[11];
  EXPECT_TRUE(last.ok()) << problem_text(last);
  EXPECT_EQ(tcp_flags_text(last.tcp->flags), "FIN-PSH-ACK");
  EXPECT_EQ(last.payload_length, 335u);
  EXPECT_EQ(last.ip.header_length, 20);
  EXPECT_TRUE(last.ip.dont_fragment);
}

// --- tcp_flags_text ---------------------------------------------------------------------------

TEST(PacketsFrameTest, TcpFlagsByName) {
  using namespace tcp_flag;
  EXPECT_EQ(tcp_flags_text(Syn), "SYN");
  EXPECT_EQ(tcp_flags_text(Syn | Ack), "SYN-ACK");
  EXPECT_EQ(tcp_flags_text(Ack), "ACK");
  EXPECT_EQ(tcp_flags_text(Psh | Ack), "PSH-ACK");
  EXPECT_EQ(tcp_flags_text(Fin | Ack), "FIN-ACK");
  EXPECT_EQ(tcp_flags_text(Fin | Psh | Ack), "FIN-PSH-ACK");
  EXPECT_EQ(tcp_flags_text(Rst), "RST");
  EXPECT_EQ(tcp_flags_text(Rst | Ack), "RST-ACK");
  EXPECT_EQ(tcp_flags_text(Syn | Ece | Cwr), "SYN-ECE-CWR");
  EXPECT_EQ(tcp_flags_text(Urg | Ack), "ACK-URG");
  EXPECT_EQ(tcp_flags_text(Ae | Ack), "ACK-AE");
  EXPECT_EQ(tcp_flags_text(0), "none");
}

TEST(PacketsFrameTest, TheAccurateEcnBitComesFromTheDataOffsetByte) {
  auto segment = test::tcp({}, {.flags = 0x10});
  segment[12] |= 0x01;  // AE, the last reserved bit
  const auto packet =
      decode(link_type::Ethernet, test::concat({test::ethernet(0x0800), test::ipv4(segment)}));
  ASSERT_TRUE(packet.ok()) << problem_text(packet);
  EXPECT_EQ(tcp_flags_text(packet.tcp->flags), "ACK-AE");
  EXPECT_TRUE(packet.tcp->has(tcp_flag::Ae));
}

// --- Link layers ------------------------------------------------------------------------------

Bytes udp_datagram() {
  return test::ipv4(test::udp(5353, 53, Bytes{1, 2, 3, 4}), {.protocol = 17});
}

TEST(PacketsFrameTest, RawIpInBothOfItsNumbers) {
  for (int link : {link_type::Raw, link_type::RawFile}) {
    const auto packet = decode(link, udp_datagram());
    ASSERT_TRUE(packet.ok()) << problem_text(packet);
    EXPECT_EQ(packet.ether_type, 0x0800);
    EXPECT_EQ(packet.source.to_string(), "127.0.0.1:5353");
    EXPECT_EQ(packet.destination.to_string(), "127.0.0.2:53");
    EXPECT_EQ(packet.payload, (Bytes{1, 2, 3, 4}));
  }
  const auto v6 = decode(link_type::Raw, test::ipv6(17, test::udp(1, 2, Bytes{9})));
  ASSERT_TRUE(v6.ok()) << problem_text(v6);
  EXPECT_EQ(v6.ip_version, IpVersion::V6);
  EXPECT_EQ(v6.source.address.to_string(), "::1");
  EXPECT_EQ(v6.destination.to_string(), "[::2]:2");
  EXPECT_EQ(v6.ip.flow_label, 0x12345u);

  const auto other = decode(link_type::Raw, Bytes{0x50, 0, 0, 0});
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.problem->kind, DecodeProblem::Kind::Malformed);
  EXPECT_EQ(other.problem->to_string(),
            "malformed at byte 0: raw IP frame starts with IP version 5, not 4 or 6");
}

TEST(PacketsFrameTest, NullAndLoopInEitherByteOrder) {
  // DLT_NULL: the host's byte order; AF_INET6 differs by system (Linux 10, BSDs 24/28, macOS 30).
  for (std::uint8_t family : {10, 24, 28, 30}) {
    const auto packet =
        decode(link_type::Null,
               test::concat({Bytes{family, 0, 0, 0}, test::ipv6(17, test::udp(1, 2, {}))}));
    EXPECT_TRUE(packet.ok()) << problem_text(packet);
    EXPECT_EQ(packet.ip_version, IpVersion::V6);
  }
  const auto big_endian_null =
      decode(link_type::Null, test::concat({Bytes{0, 0, 0, 2}, udp_datagram()}));
  EXPECT_TRUE(big_endian_null.ok()) << problem_text(big_endian_null);
  const auto loop = decode(link_type::Loop, test::concat({Bytes{0, 0, 0, 2}, udp_datagram()}));
  EXPECT_TRUE(loop.ok()) << problem_text(loop);
  EXPECT_EQ(loop.ether_type, 0x0800);

  const auto unknown = decode(link_type::Null, test::concat({Bytes{7, 0, 0, 0}, udp_datagram()}));
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.problem->kind, DecodeProblem::Kind::NotDecoded);
  EXPECT_EQ(unknown.problem->message, "loopback address family 7 is neither IPv4 nor IPv6");
}

TEST(PacketsFrameTest, EthernetVlanTagsArpAnd8023) {
  Bytes tagged(12, 0);
  test::put16(tagged, 0x8100);
  test::put16(tagged, 42);
  test::put16(tagged, 0x0800);
  const auto vlan = decode(link_type::Ethernet, test::concat({tagged, udp_datagram()}));
  ASSERT_TRUE(vlan.ok()) << problem_text(vlan);
  EXPECT_EQ(vlan.destination.port, 53);

  Bytes three_tags(12, 0);
  for (int i = 0; i < 3; ++i) {
    test::put16(three_tags, 0x8100);
    test::put16(three_tags, 1);
  }
  test::put16(three_tags, 0x0800);
  const auto too_many = decode(link_type::Ethernet, test::concat({three_tags, udp_datagram()}));
  ASSERT_FALSE(too_many.ok());
  EXPECT_EQ(too_many.problem->message, "more than two VLAN tags");

  const auto arp = decode(link_type::Ethernet, test::concat({test::ethernet(0x0806), Bytes(28)}));
  ASSERT_FALSE(arp.ok());
  EXPECT_EQ(arp.problem->to_string(), "not decoded at byte 14: EtherType 0x0806 is not IP");
  EXPECT_EQ(arp.ether_type, 0x0806);

  const auto ieee8023 = decode(link_type::Ethernet, test::concat({test::ethernet(46), Bytes(46)}));
  ASSERT_FALSE(ieee8023.ok());
  EXPECT_EQ(ieee8023.problem->kind, DecodeProblem::Kind::NotDecoded);

  const auto unknown_link = decode(147, udp_datagram());
  ASSERT_FALSE(unknown_link.ok());
  EXPECT_EQ(unknown_link.problem->message, "link type 147 is not decoded");
}

TEST(PacketsFrameTest, EthernetPaddingIsNotPayload) {
  // A short frame is padded to Ethernet's 60-byte minimum: the IP total length bounds it.
  auto frame = test::concat({test::ethernet(0x0800), udp_datagram(), Bytes(20, 0xEE)});
  const auto packet = decode(link_type::Ethernet, frame);
  ASSERT_TRUE(packet.ok()) << problem_text(packet);
  EXPECT_EQ(packet.payload, (Bytes{1, 2, 3, 4}));
  EXPECT_EQ(packet.payload_length, 4u);
}

// --- IPv4 -------------------------------------------------------------------------------------

TEST(PacketsFrameTest, Ipv4OptionsAreSkipped) {
  const Bytes options{0x94, 0x04, 0x00, 0x00};  // Router Alert (RFC 2113)
  const auto packet = decode(link_type::Raw, test::ipv4(test::udp(7, 9, Bytes{0xAB}),
                                                        {.protocol = 17, .options = options}));
  ASSERT_TRUE(packet.ok()) << problem_text(packet);
  EXPECT_EQ(packet.ip.header_length, 24);
  EXPECT_EQ(packet.ip.options_length, 4);
  EXPECT_EQ(packet.source.port, 7);
  EXPECT_EQ(packet.payload, (Bytes{0xAB}));
}

TEST(PacketsFrameTest, Ipv4FirstFragmentKeepsItsTransportLaterOnesDoNot) {
  // The first fragment: MF set, offset 0; the UDP header says more than this fragment holds.
  auto datagram = test::udp(1000, 2000, Bytes(16, 7), 100);
  const auto first = decode(
      link_type::Raw,
      test::ipv4(datagram, {.protocol = 17, .flags_and_offset = 0x2000, .identification = 77}));
  ASSERT_TRUE(first.ok()) << problem_text(first);
  EXPECT_TRUE(first.ip.is_fragment);
  EXPECT_TRUE(first.ip.more_fragments);
  EXPECT_EQ(first.ip.fragment_offset, 0);
  EXPECT_EQ(first.destination.port, 2000);

  const auto later = decode(
      link_type::Raw,
      test::ipv4(Bytes(24, 7), {.protocol = 17, .flags_and_offset = 3, .identification = 77}));
  ASSERT_FALSE(later.ok());
  EXPECT_EQ(later.problem->kind, DecodeProblem::Kind::NotDecoded);
  EXPECT_EQ(later.problem->message, "IPv4 fragment at offset 24 of datagram 77, not reassembled");
  EXPECT_EQ(later.ip.fragment_offset, 24);
  EXPECT_EQ(later.source.address.to_string(), "127.0.0.1");
  EXPECT_EQ(later.transport, Transport::None);
}

TEST(PacketsFrameTest, OtherIpProtocolsKeepTheirPayload) {
  const auto icmp = decode(link_type::Raw, test::ipv4(Bytes{8, 0, 0, 0}, {.protocol = 1}));
  ASSERT_TRUE(icmp.ok()) << problem_text(icmp);
  EXPECT_EQ(icmp.transport, Transport::Other);
  EXPECT_EQ(icmp.ip.protocol, 1);
  EXPECT_EQ(icmp.payload_length, 4u);
}

TEST(PacketsFrameTest, BrokenIpv4Headers) {
  const auto short_ihl = decode(link_type::Raw, test::ipv4(Bytes{}, {.ihl_override = 4}));
  ASSERT_FALSE(short_ihl.ok());
  EXPECT_EQ(short_ihl.problem->message,
            "IPv4 header length says 16 bytes, less than the 20-byte minimum");

  const auto long_total = decode(
      link_type::Ethernet,
      test::concat({test::ethernet(0x0800), test::ipv4(Bytes(10), {.total_length_adjust = 40})}));
  ASSERT_FALSE(long_total.ok());
  EXPECT_EQ(long_total.problem->to_string(),
            "malformed at byte 14: IPv4 total length says 70 bytes, frame has 30");

  const auto short_total =
      decode(link_type::Raw, test::ipv4(Bytes(10), {.total_length_adjust = -20}));
  ASSERT_FALSE(short_total.ok());
  EXPECT_EQ(short_total.problem->message, "IPv4 total length 10 is less than its 20-byte header");

  const auto ihl_past_frame = decode(link_type::Raw, test::ipv4(Bytes{}, {.ihl_override = 15}));
  ASSERT_FALSE(ihl_past_frame.ok());
  EXPECT_EQ(ihl_past_frame.problem->kind, DecodeProblem::Kind::Malformed);

  auto v6_in_v4 = udp_datagram();
  v6_in_v4[0] = 0x65;
  const auto wrong_version =
      decode(link_type::Ethernet, test::concat({test::ethernet(0x0800), v6_in_v4}));
  ASSERT_FALSE(wrong_version.ok());
  EXPECT_EQ(wrong_version.problem->message, "IPv4 packet with IP version 6");
}

// --- IPv6 -------------------------------------------------------------------------------------

TEST(PacketsFrameTest, Ipv6ExtensionHeadersAreWalked) {
  // Hop-by-Hop (8 bytes: PadN), then Destination Options (16 bytes), then UDP.
  Bytes hop_by_hop{60, 0, 1, 4, 0, 0, 0, 0};
  Bytes destination{17, 1, 1, 12};
  destination.resize(16, 0);
  const auto packet = decode(
      link_type::Raw,
      test::ipv6(0, test::concat({hop_by_hop, destination, test::udp(4000, 53, Bytes{5, 6})})));
  ASSERT_TRUE(packet.ok()) << problem_text(packet);
  EXPECT_EQ(packet.ip.header_length, 40 + 8 + 16);
  EXPECT_EQ(packet.ip.protocol, 17);
  EXPECT_EQ(packet.transport, Transport::Udp);
  EXPECT_EQ(packet.payload, (Bytes{5, 6}));
}

TEST(PacketsFrameTest, Ipv6FragmentsAndEspAndNoNextHeader) {
  // Fragment header: next header TCP, offset 0 with M set, identification 0x01020304.
  const Bytes first_fragment{6, 0, 0x00, 0x01, 1, 2, 3, 4};
  const auto first =
      decode(link_type::Raw, test::ipv6(44, test::concat({first_fragment, test::tcp({})})));
  ASSERT_TRUE(first.ok()) << problem_text(first);
  EXPECT_TRUE(first.ip.is_fragment);
  EXPECT_EQ(first.ip.identification, 0x01020304u);
  EXPECT_TRUE(first.is_tcp());

  const Bytes later_fragment{6, 0, 0x00, 0x10, 1, 2, 3, 4};  // offset 16
  const auto later =
      decode(link_type::Raw, test::ipv6(44, test::concat({later_fragment, Bytes(8)})));
  ASSERT_FALSE(later.ok());
  EXPECT_EQ(later.problem->to_string(),
            "not decoded at byte 40: IPv6 fragment at offset 16 of datagram 16909060, not "
            "reassembled");

  const auto esp = decode(link_type::Raw, test::ipv6(50, Bytes(16)));
  ASSERT_FALSE(esp.ok());
  EXPECT_EQ(esp.problem->kind, DecodeProblem::Kind::NotDecoded);

  const auto nothing = decode(link_type::Raw, test::ipv6(59, {}));
  ASSERT_TRUE(nothing.ok()) << problem_text(nothing);
  EXPECT_EQ(nothing.transport, Transport::None);

  const auto jumbo = decode(link_type::Raw, test::ipv6(0, Bytes(8), -8));
  ASSERT_FALSE(jumbo.ok());
  EXPECT_EQ(jumbo.problem->message, "IPv6 jumbogram (RFC 2675) is not decoded");
}

TEST(PacketsFrameTest, BrokenIpv6Headers) {
  const auto long_payload = decode(link_type::Raw, test::ipv6(17, test::udp(1, 2, {}), 100));
  ASSERT_FALSE(long_payload.ok());
  EXPECT_EQ(long_payload.problem->message,
            "IPv6 payload length plus 40 says 148 bytes, frame has 48");

  // A Destination Options header that says 16 bytes where 8 are left.
  const auto long_extension =
      decode(link_type::Raw, test::ipv6(60, Bytes{17, 1, 0, 0, 0, 0, 0, 0}));
  ASSERT_FALSE(long_extension.ok());
  EXPECT_EQ(long_extension.problem->offset, 40u);
  EXPECT_EQ(long_extension.problem->kind, DecodeProblem::Kind::Malformed);

  const auto cut = decode(link_type::Raw, Bytes(39, 0x60));
  ASSERT_FALSE(cut.ok());
  EXPECT_EQ(cut.problem->message, "IPv6 header says 40 bytes, only 39 left in the frame");
}

// --- UDP and TCP ------------------------------------------------------------------------------

TEST(PacketsFrameTest, UdpLengthBoundsTheDatagram) {
  // IP says more than UDP does: the bytes after the UDP length are not data (RFC 768).
  auto datagram = test::udp(1, 2, Bytes{1, 2, 3});
  datagram.push_back(0xFF);
  const auto packet = decode(link_type::Raw, test::ipv4(datagram, {.protocol = 17}));
  ASSERT_TRUE(packet.ok()) << problem_text(packet);
  EXPECT_EQ(packet.payload, (Bytes{1, 2, 3}));

  const auto short_length =
      decode(link_type::Raw, test::ipv4(test::udp(1, 2, Bytes{1}, -3), {.protocol = 17}));
  ASSERT_FALSE(short_length.ok());
  EXPECT_EQ(short_length.problem->message, "UDP length says 6 bytes, less than its 8-byte header");

  const auto long_length =
      decode(link_type::Raw, test::ipv4(test::udp(1, 2, Bytes{1}, 10), {.protocol = 17}));
  ASSERT_FALSE(long_length.ok());
  EXPECT_EQ(long_length.problem->to_string(),
            "malformed at byte 24: UDP length says 19 bytes, IP payload has 9");
}

Bytes syn_options() {
  // MSS 1460, SACK permitted, timestamps, NOP, window scale 7: Linux's order.
  Bytes options{2, 4, 0x05, 0xb4, 4, 2, 8, 10};
  test::put32(options, 111);
  test::put32(options, 0);
  options.insert(options.end(), {1, 3, 3, 7});
  return options;
}

TEST(PacketsFrameTest, TcpOptionsOfABuiltSyn) {
  const auto packet = decode(link_type::Raw, test::ipv4(test::tcp({}, {.options = syn_options()})));
  ASSERT_TRUE(packet.ok()) << problem_text(packet);
  const TcpOptions& options = packet.tcp->options;
  EXPECT_EQ(options.mss, 1460);
  EXPECT_TRUE(options.sack_permitted);
  EXPECT_EQ(options.timestamps, (TcpTimestamps{111, 0}));
  EXPECT_EQ(options.window_scale, 7);
  EXPECT_EQ(packet.tcp->header_length, 40);
  EXPECT_EQ(packet.tcp->seq, 1000u);
  EXPECT_EQ(packet.source.port, 40000);
}

TEST(PacketsFrameTest, TcpSackBlocksUnknownKindsAndEndOfOptions) {
  Bytes options{1, 1, 5, 18};
  for (std::uint32_t edge : {100u, 200u, 300u, 400u}) test::put32(options, edge);
  options.insert(options.end(), {30, 4, 0, 0});    // MPTCP (kind 30): not named here
  options.insert(options.end(), {0, 2, 4, 0xFF});  // end of options: the rest is padding
  const auto packet = decode(
      link_type::Raw, test::ipv4(test::tcp(Bytes{'x'}, {.flags = 0x10, .options = options})));
  ASSERT_TRUE(packet.ok()) << problem_text(packet);
  EXPECT_EQ(packet.tcp->options.sack_blocks, (std::vector<TcpSackBlock>{{100, 200}, {300, 400}}));
  EXPECT_EQ(packet.tcp->options.other_kinds, (std::vector<std::uint8_t>{30}));
  EXPECT_FALSE(packet.tcp->options.mss);
  EXPECT_EQ(packet.payload, (Bytes{'x'}));
}

TEST(PacketsFrameTest, BrokenTcpOptions) {
  const auto problem_of = [](Bytes options) {
    while (options.size() % 4 != 0) options.push_back(0);
    return decode(link_type::Raw, test::ipv4(test::tcp({}, {.options = options})));
  };
  const auto mss = problem_of({2, 3, 0});
  ASSERT_FALSE(mss.ok());
  EXPECT_EQ(mss.problem->to_string(),
            "malformed at byte 40: TCP option MSS has length 3, expected 4");
  EXPECT_EQ(mss.tcp->header_length, 24);  // the header's fields stay filled

  // The bytes that remain are counted from the option's kind.
  const auto zero_length = problem_of({1, 8, 0});
  ASSERT_FALSE(zero_length.ok());
  EXPECT_EQ(zero_length.problem->message, "TCP option kind 8 says 0 bytes, 3 remain");
  EXPECT_EQ(zero_length.problem->offset, 41u);

  const auto past_end = problem_of({1, 1, 1, 8, 10, 0, 0, 0});
  ASSERT_FALSE(past_end.ok());
  EXPECT_EQ(past_end.problem->message, "TCP option kind 8 says 10 bytes, 5 remain");

  EXPECT_FALSE(problem_of({1, 1, 1, 3}).ok());              // a kind without its length byte
  EXPECT_FALSE(problem_of({5, 6, 0, 0, 0, 0}).ok());        // SACK with a part of a block
  EXPECT_FALSE(problem_of({4, 3, 0}).ok());                 // SACK-permitted with data
  EXPECT_FALSE(problem_of({3, 4, 7, 0}).ok());              // window scale of 4 bytes
  EXPECT_FALSE(problem_of({8, 8, 0, 0, 0, 0, 0, 0}).ok());  // timestamps of 8
}

TEST(PacketsFrameTest, BrokenTcpHeaders) {
  const auto short_offset =
      decode(link_type::Raw, test::ipv4(test::tcp({}, {.data_offset_override = 4})));
  ASSERT_FALSE(short_offset.ok());
  EXPECT_EQ(short_offset.problem->to_string(),
            "malformed at byte 32: TCP data offset says 16 bytes, less than the 20-byte minimum");

  const auto long_offset =
      decode(link_type::Raw, test::ipv4(test::tcp({}, {.data_offset_override = 15})));
  ASSERT_FALSE(long_offset.ok());
  EXPECT_EQ(long_offset.problem->message, "TCP data offset says 60 bytes, segment has 20");

  const auto cut = decode(link_type::Raw, test::ipv4(Bytes(12), {}));
  ASSERT_FALSE(cut.ok());
  EXPECT_EQ(cut.problem->message, "TCP header says 20 bytes, only 12 left in the frame");
  EXPECT_EQ(cut.transport, Transport::Tcp);
  EXPECT_FALSE(cut.is_tcp());
}

// --- Frames the snapshot length cut -----------------------------------------------------------

TEST(PacketsFrameTest, ASnapshotLengthCutIsNotDecodedNotMalformed) {
  const auto full = test::concat(
      {test::ethernet(0x0800), test::ipv4(test::tcp(Bytes(100, 'a'), {.flags = 0x18}))});
  // Cut inside the payload: the headers are whole, the payload partly there.
  const Bytes payload_cut(full.begin(), full.begin() + 80);
  const auto in_payload =
      decode(link_type::Ethernet, payload_cut, static_cast<std::uint32_t>(full.size()));
  ASSERT_TRUE(in_payload.ok()) << problem_text(in_payload);
  EXPECT_EQ(in_payload.payload_length, 100u);
  EXPECT_EQ(in_payload.payload.size(), 80u - 54u);
  EXPECT_EQ(in_payload.wire_length, full.size());
  EXPECT_EQ(in_payload.captured_length, 80u);

  // Cut inside the TCP header.
  const Bytes header_cut(full.begin(), full.begin() + 44);
  const auto in_header =
      decode(link_type::Ethernet, header_cut, static_cast<std::uint32_t>(full.size()));
  ASSERT_FALSE(in_header.ok());
  EXPECT_EQ(in_header.problem->kind, DecodeProblem::Kind::NotDecoded);
  EXPECT_EQ(in_header.problem->to_string(),
            "not decoded at byte 34: TCP header says 20 bytes, only 10 captured (the capture's "
            "snapshot length)");
  EXPECT_EQ(in_header.source.address.to_string(), "127.0.0.1");

  // The same cut without a wire length contradicts the IP header.
  const auto unexplained = decode(link_type::Ethernet, header_cut);
  ASSERT_FALSE(unexplained.ok());
  EXPECT_EQ(unexplained.problem->kind, DecodeProblem::Kind::Malformed);
}

TEST(PacketsFrameTest, EveryCutOfAGoldenFrameIsAProblem) {
  for (const char* name : {"dns_udp.pcap", "dns_tcp_ipv6.pcap", "tls13_curl.pcap",
                           "dns_any_sll.pcap", "dns_any_sll2.pcap"}) {
    const auto capture = test::read_capture(name);
    for (const auto& frame : capture.frames) {
      for (std::size_t size = 0; size < frame.bytes.size(); ++size) {
        // A copy of just `size` bytes, so that ASan sees any read past them.
        const Bytes cut(frame.bytes.begin(), frame.bytes.begin() + static_cast<long>(size));
        const auto packet = decode(capture.link_type, cut);
        ASSERT_FALSE(packet.ok()) << name << " cut to " << size;
        EXPECT_FALSE(packet.problem->message.empty());
        EXPECT_LE(packet.problem->offset, size) << name << " cut to " << size;
        const auto as_snapshot =
            decode(capture.link_type, cut, static_cast<std::uint32_t>(frame.bytes.size()));
        if (!as_snapshot.ok()) {
          EXPECT_EQ(as_snapshot.problem->kind, DecodeProblem::Kind::NotDecoded)
              << name << " cut to " << size << ": " << problem_text(as_snapshot);
        }
      }
    }
  }
}

// --- Addresses --------------------------------------------------------------------------------

TEST(PacketsFrameTest, AddressesPrintAndOrder) {
  const std::array<std::uint8_t, 16> v6{0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
  const auto address = IpAddress::v6(v6);
  EXPECT_EQ(address.to_string(), "2001:db8::1");
  EXPECT_EQ((Endpoint{address, 443}.to_string()), "[2001:db8::1]:443");
  EXPECT_EQ((Endpoint{address, 0}.to_string()), "2001:db8::1");
  const std::array<std::uint8_t, 4> v4{10, 0, 0, 1};
  EXPECT_EQ((Endpoint{IpAddress::v4(v4), 80}.to_string()), "10.0.0.1:80");
  EXPECT_EQ(IpAddress{}.to_string(), "");
  EXPECT_LT(IpAddress::v4(v4), address);
}

}  // namespace
}  // namespace miniweb::packets
