// The ladder made from an observed load built by hand: frames as libpcap would hand them over,
// the kernel's reports, what OpenSSL saw. Bad input (a datagram that is not DNS, a TLS record cut
// short, a frame the decoder cannot read) is said in the ladder, never a crash.

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "browser/observe/journey.hpp"
#include "browser/observe/segment_states.hpp"
#include "browser/observe/tls_contents.hpp"
#include "tests/browser/packets_frame_builder.hpp"

namespace {

namespace build = miniweb::packets::test;
using namespace miniweb::browser::observe;
using miniweb::browser::Trace;

// The builder's frames go from 127.0.0.1 to 127.0.0.2; a server's answer goes back.
std::string frame(build::Bytes ip, bool from_server = false) {
  if (from_server)
    for (int i = 0; i < 4; ++i) std::swap(ip[12 + i], ip[16 + i]);
  const build::Bytes whole = build::concat({build::ethernet(0x0800), ip});
  return std::string(whole.begin(), whole.end());
}

build::Bytes segment(std::uint32_t seq, std::uint32_t ack, std::uint8_t flags,
                     const build::Bytes& payload = {}, bool from_server = false) {
  build::TcpFields fields;
  fields.source_port = from_server ? 443 : 40000;
  fields.destination_port = from_server ? 40000 : 443;
  fields.seq = seq;
  fields.ack = ack;
  fields.flags = flags;
  return build::ipv4(build::tcp(payload, fields));
}

constexpr std::uint8_t kSyn = 0x02, kAck = 0x10, kFin = 0x01, kPsh = 0x08;

class JourneyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    load_.capture.link_type = 1;
    load_.resolver = asio::ip::udp::endpoint(asio::ip::make_address("127.0.0.3"), 53);
    load_.own_dns.push_back(asio::ip::udp::endpoint(asio::ip::make_address("0.0.0.0"), 40001));
    own_.number = 1;
    own_.host = "www.example.test";
    own_.end.local = asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 40000);
    own_.end.remote = asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.2"), 443);
    load_.connections.push_back(own_);
  }
  void add(build::Bytes ip, bool from_server = false) {
    load_.capture.frames.push_back(CapturedFrame{time_us_, 0, frame(std::move(ip), from_server)});
    load_.capture.frames.back().wire_length =
        static_cast<std::uint32_t>(load_.capture.frames.back().bytes.size());
    time_us_ += 100;
  }
  std::string ladder() {
    Trace trace;
    std::string text;
    for (const std::string& line : draw_ladder(read_journey(load_, trace))) text += line + "\n";
    return text;
  }

  ObservedLoad load_;
  OwnConnection own_;
  std::int64_t time_us_ = 1'700'000'000'000'000;
};

TEST_F(JourneyTest, TheHandshakeWithStatesSeenOrDerived) {
  add(segment(1000, 0, kSyn));
  add(segment(5000, 1001, kSyn | kAck, {}, true), true);
  add(segment(1001, 5001, kAck));
  // The kernel saw the browser ESTABLISHED, nothing else.
  load_.states.push_back(StateSample{0, ReportedState{own_.end, TcpState::Established}});
  const std::string text = ladder();
  EXPECT_NE(text.find("SYN seq=1000 ack=0 win=65535 len=0"), std::string::npos) << text;
  EXPECT_NE(text.find("SYN-ACK seq=5000 ack=1001"), std::string::npos) << text;
  EXPECT_NE(text.find("ACK seq=1001 ack=5001"), std::string::npos) << text;
  EXPECT_NE(text.find("browser SYN_SENT (from segments) · www.example.test SYN_RCVD (from "
                      "segments)"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("browser ESTABLISHED (seen) · www.example.test ESTABLISHED (from "
                      "segments)"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("connection #1 from 127.0.0.1:40000 to 127.0.0.2:443"), std::string::npos);
  EXPECT_NE(text.find("browser 127.0.0.1"), std::string::npos) << text;
  EXPECT_NE(text.find("www.example.test 127.0.0.2"), std::string::npos) << text;
}

TEST_F(JourneyTest, ATruncatedTlsRecordIsSaid) {
  load_.tls[1].push_back(TlsEvent{});  // OpenSSL saw the connection as TLS
  add(segment(1000, 0, kSyn));
  add(segment(5000, 1001, kSyn | kAck, {}, true), true);
  add(segment(1001, 5001, kAck));
  build::Bytes cut = {0x16, 0x03, 0x01, 0x01, 0x2c};  // a handshake record of 300 bytes...
  cut.resize(25, 0x01);                               // ...of which 20 came
  add(segment(1001, 5001, kPsh | kAck, cut));
  add(segment(1026, 5001, kFin | kAck));
  const std::string text = ladder();
  EXPECT_NE(text.find("* packets: connection to www.example.test, from the browser: "),
            std::string::npos)
      << text;
}

TEST_F(JourneyTest, ADatagramThatIsNotDnsIsSaid) {
  load_.resolver = asio::ip::udp::endpoint(asio::ip::make_address("127.0.0.2"), 53);
  build::Bytes junk = {'h', 'e', 'l', 'l', 'o'};
  add(build::ipv4(build::udp(40001, 53, junk), {.protocol = 17}));
  const std::string text = ladder();
  EXPECT_NE(text.find("UDP 5 bytes"), std::string::npos) << text;
  EXPECT_NE(text.find("not a DNS message the decoder reads"), std::string::npos) << text;
}

TEST_F(JourneyTest, AFrameTheDecoderCannotReadIsSaid) {
  build::Bytes bad = segment(1000, 0, kSyn);
  bad[0] = 0x4f;  // an IPv4 header of 60 bytes, in a 40-byte packet
  add(bad);
  add(segment(1000, 0, kSyn));
  const std::string text = ladder();
  EXPECT_NE(text.find("SYN seq=1000"), std::string::npos) << text;
  EXPECT_NE(text.find("* packets: 1 frame the decoders could not read: malformed at byte 14"),
            std::string::npos)
      << text;
}

TEST_F(JourneyTest, NoCaptureSaysWhyInOneLine) {
  load_.capture_error = "capturing on lo needs CAP_NET_RAW: run as root, or ./miniweb shell";
  const std::string text = ladder();
  EXPECT_EQ(text,
            "* packets: no packets: capturing on lo needs CAP_NET_RAW: run as root, or "
            "./miniweb shell\n");
}

// The link emulator's drop log names a packet as tcpdump would; the ladder marks that packet
// lost, moves only its sender's state, and says what came of it.
TEST_F(JourneyTest, ALostThirdAckIsMarkedAndTheDataCompletesTheHandshake) {
  add(segment(1000, 0, kSyn));
  add(segment(5000, 1001, kSyn | kAck, {}, true), true);
  const std::int64_t lost_at = time_us_;
  add(segment(1001, 5001, kAck));
  add(segment(1001, 5001, kPsh | kAck, build::Bytes(10, 'x')));
  load_.link_drops.push_back(
      LinkDrop{lost_at + 30, "an experiment's fault",
               "tcp 127.0.0.1:40000 > 127.0.0.2:443 [.] seq 1001 ack 5001 len 0", false});
  const std::string text = ladder();
  EXPECT_NE(text.find("╌✗"), std::string::npos) << text;
  EXPECT_NE(text.find("✗ lost: dropped by the link emulator (an experiment's fault); it never "
                      "arrived"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("browser ESTABLISHED (from segments) · www.example.test SYN_RCVD (from "
                      "segments)"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("the ACK in this data segment completed its handshake, in place of the "
                      "third ACK, which was lost"),
            std::string::npos)
      << text;
}

// An experiment's box on the path (tamper): the segment was captured as sent, and arrived
// changed; it is not lost.
TEST_F(JourneyTest, APacketTheEmulatorChangedIsMarkedNotLost) {
  add(segment(1000, 0, kSyn));
  add(segment(5000, 1001, kSyn | kAck, {}, true), true);
  add(segment(1001, 5001, kAck));
  const std::int64_t sent_at = time_us_;
  add(segment(5001, 1001, kPsh | kAck, build::Bytes(10, 'x'), true), true);
  load_.link_drops.push_back(LinkDrop{
      sent_at + 30, "an experiment's fault: 'xx' rewritten to 'yy' at byte 0 of the payload",
      "tcp 127.0.0.2:443 > 127.0.0.1:40000 [P.] seq 5001 ack 1001 len 10", true});
  const std::string text = ladder();
  EXPECT_NE(text.find("✎ changed on the way by the link emulator (an experiment's fault: 'xx' "
                      "rewritten to 'yy' at byte 0 of the payload): the capture shows it as "
                      "sent, its receiver got it changed"),
            std::string::npos)
      << text;
  EXPECT_EQ(text.find("lost"), std::string::npos) << text;
}

TEST_F(JourneyTest, ADropOfAnotherPacketOrTimeMarksNothing) {
  add(segment(1000, 0, kSyn));
  load_.link_drops.push_back(
      LinkDrop{time_us_ - 100 + 5'000'000, "the link's loss",
               "tcp 127.0.0.1:40000 > 127.0.0.2:443 [S] seq 1000 ack 0 len 0", false});
  load_.link_drops.push_back(LinkDrop{time_us_ - 100, "the link's loss",
                                      "tcp 127.0.0.1:40000 > 127.0.0.2:443 [S] seq 999 ack 0 len 0",
                                      false});
  EXPECT_EQ(ladder().find("lost"), std::string::npos);
}

TEST_F(JourneyTest, SynsSentAgainAreTimedAndDataSentAgainIsNamed) {
  add(segment(1000, 0, kSyn));
  time_us_ += 1'000'000;
  add(segment(1000, 0, kSyn));
  time_us_ += 1'000'000;
  add(segment(1000, 0, kSyn));
  add(segment(5000, 1001, kSyn | kAck, {}, true), true);
  add(segment(1001, 5001, kAck));
  add(segment(5001, 1001, kPsh | kAck, build::Bytes(100, 'a'), true), true);
  add(segment(5101, 1001, kPsh | kAck, build::Bytes(100, 'b'), true), true);
  for (int i = 0; i < 3; ++i) add(segment(1001, 5001, kAck));  // asking for 5001 three times
  add(segment(5001, 1001, kPsh | kAck, build::Bytes(100, 'a'), true), true);
  time_us_ += 200'000;
  add(segment(5101, 1001, kPsh | kAck, build::Bytes(100, 'b'), true), true);
  const std::string text = ladder();
  EXPECT_NE(text.find("the SYN sent again, 1000.100 ms after the last (once so far): no SYN-ACK "
                      "had arrived"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("(twice so far), 1.0× the wait before"), std::string::npos) << text;
  EXPECT_NE(text.find("seq=5001 sent again, 0.500 ms after it was first sent: fast retransmit, "
                      "after 3 duplicate ACKs asking for it"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("seq=5101 sent again, 200.500 ms after it was first sent: no duplicate "
                      "ACK asked for it: a timer fired"),
            std::string::npos)
      << text;
}

TEST(LinkDrops, TheDropLogsLinesAreReadAndOthersSkipped) {
  auto drop = parse_link_drop(
      "1796186082.773604 dropped by the link emulator (the link's loss): udp 127.53.0.53:4000 > "
      "127.53.0.1:53 len 45");
  ASSERT_TRUE(drop);
  EXPECT_EQ(drop->time_us, 1796186082773604);
  EXPECT_EQ(drop->why, "the link's loss");
  EXPECT_EQ(drop->packet, "udp 127.53.0.53:4000 > 127.53.0.1:53 len 45");
  for (const char* bad :
       {"", "miniweb-stack link: stopped", "17961.1 dropped by the link emulator (x): y",
        "abc.123456 dropped by the link emulator (x): y",
        "1796186082.773604 dropped by the link emulator (x)"})
    EXPECT_FALSE(parse_link_drop(bad)) << bad;
}

TEST(LinkDrops, AChangedPacketsLineIsReadAsAChange) {
  auto change = parse_link_drop(
      "1796197405.678765 changed by the link emulator (an experiment's fault: '12.50' rewritten "
      "to '92.50' at byte 549 of the payload): tcp 127.77.3.44:8091 > 127.0.0.1:36120 [P.] seq "
      "2494301040 ack 803705500 len 1112");
  ASSERT_TRUE(change);
  EXPECT_TRUE(change->changed);
  EXPECT_EQ(change->why,
            "an experiment's fault: '12.50' rewritten to '92.50' at byte 549 of the payload");
  EXPECT_EQ(change->packet,
            "tcp 127.77.3.44:8091 > 127.0.0.1:36120 [P.] seq 2494301040 ack 803705500 len 1112");
  EXPECT_FALSE(
      parse_link_drop("1796186082.773604 dropped by the link emulator (the link's loss): udp "
                      "127.53.0.53:4000 > 127.53.0.1:53 len 45")
          ->changed);
}

TEST(SegmentStates, TheFourWayCloseEndsInTimeWaitOnTheSideThatClosedFirst) {
  SegmentStates states;
  miniweb::packets::TcpHeader header;
  auto send = [&](bool client, std::uint32_t seq, std::uint32_t ack, std::uint16_t flags) {
    header.seq = seq;
    header.ack = ack;
    header.flags = flags;
    states.on_segment(client, header, 0);
  };
  send(true, 100, 0, kSyn);
  EXPECT_EQ(states.client(), TcpState::SynSent);
  EXPECT_EQ(states.server(), TcpState::SynReceived);
  send(false, 900, 101, kSyn | kAck);
  EXPECT_EQ(states.client(), TcpState::Established);
  send(true, 101, 901, kAck);
  EXPECT_EQ(states.server(), TcpState::Established);
  send(false, 901, 101, kFin | kAck);
  EXPECT_EQ(states.server(), TcpState::FinWait1);
  EXPECT_EQ(states.client(), TcpState::CloseWait);
  send(true, 101, 902, kAck);
  EXPECT_EQ(states.server(), TcpState::FinWait2);
  send(true, 101, 902, kFin | kAck);
  EXPECT_EQ(states.client(), TcpState::LastAck);
  EXPECT_EQ(states.server(), TcpState::TimeWait);
  send(false, 902, 102, kAck);
  EXPECT_EQ(states.client(), TcpState::Closed);
  EXPECT_EQ(states.client_closed_first(), std::optional<bool>(false));
}

// The server's word on early data is its EncryptedExtensions (RFC 8446 section 4.2.10): the
// early_data extension there accepts what the browser sent; without it, refuses it.
TEST(TlsContents, EncryptedExtensionsSayWhetherTheEarlyDataWasAccepted) {
  // Handshake type 8, a 3-byte length, then the extensions' 2-byte length and each extension:
  // server_name (0, empty), ALPN (16: "h2"), and early_data (42, empty) when `early` is set.
  auto encrypted_extensions = [](bool early) {
    std::vector<std::uint8_t> extensions = {0, 0, 0, 0, 0, 16, 0, 5, 0, 3, 2, 'h', '2'};
    if (early) extensions.insert(extensions.end(), {0, 42, 0, 0});
    std::vector<std::uint8_t> body = {0, static_cast<std::uint8_t>(extensions.size())};
    body.insert(body.end(), extensions.begin(), extensions.end());
    std::vector<std::uint8_t> message = {8, 0, 0, static_cast<std::uint8_t>(body.size())};
    message.insert(message.end(), body.begin(), body.end());
    return message;
  };
  const auto accepted = encrypted_extensions(true);
  const auto refused = encrypted_extensions(false);
  EXPECT_EQ(accepts_early_data(accepted), std::optional<bool>(true));
  EXPECT_EQ(accepts_early_data(refused), std::optional<bool>(false));
  EXPECT_EQ(
      describe_handshake_message(accepted),
      "EncryptedExtensions: server_name application_layer_protocol_negotiation h2 early_data");
  // Any other message says nothing of early data; one cut short is not read past its end.
  const std::vector<std::uint8_t> finished = {20, 0, 0, 2, 0xab, 0xcd};
  EXPECT_EQ(accepts_early_data(finished), std::nullopt);
  const std::vector<std::uint8_t> cut = {8, 0, 0, 9, 0, 7, 0, 42};
  EXPECT_EQ(accepts_early_data(cut), std::optional<bool>(false));
  EXPECT_EQ(accepts_early_data(std::vector<std::uint8_t>{8}), std::nullopt);
}

}  // namespace
