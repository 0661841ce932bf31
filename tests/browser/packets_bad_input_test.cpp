// Bytes no decoder should trust: random frames under every link type, golden streams with bytes
// flipped and cut, random segments thrown at the reassembler. Each decoder must answer with a
// problem (or a plausible value), never read out of bounds (ASan watches) and never grow
// without bound.

#include <gtest/gtest.h>

#include <random>

#include "browser/packets/dns_summary.hpp"
#include "browser/packets/frame_decoder.hpp"
#include "browser/packets/http_heads.hpp"
#include "browser/packets/tcp_stream.hpp"
#include "browser/packets/tls_hello.hpp"
#include "browser/packets/tls_records.hpp"
#include "tests/browser/packets_capture.hpp"

namespace miniweb::packets {
namespace {

using Bytes = std::vector<std::uint8_t>;

class PacketsBadInputTest : public ::testing::Test {
 protected:
  // Random bytes in a buffer of exactly their size, so that ASan sees a read one past them.
  Bytes random_bytes(std::size_t size) {
    Bytes bytes(size);
    for (auto& byte : bytes) byte = static_cast<std::uint8_t>(random_());
    return bytes;
  }
  std::size_t random_size(std::size_t below) { return random_() % below; }
  // A copy of `bytes` with a few bytes set at random.
  Bytes mutated(const Bytes& bytes) {
    Bytes copy = bytes;
    if (copy.empty()) return copy;
    const std::size_t flips = 1 + random_size(4);
    for (std::size_t i = 0; i < flips; ++i)
      copy[random_size(copy.size())] = static_cast<std::uint8_t>(random_());
    return copy;
  }

  std::mt19937 random_{20261202};
};

TEST_F(PacketsBadInputTest, RandomFramesUnderEveryLinkType) {
  const int links[] = {
      link_type::Null, link_type::Ethernet, link_type::Raw,       link_type::RawFile,
      link_type::Loop, link_type::LinuxSll, link_type::LinuxSll2, 9999};
  std::size_t problems = 0;
  std::size_t runs = 0;
  for (int link : links) {
    for (int i = 0; i < 3000; ++i) {
      Bytes frame = random_bytes(random_size(120));
      // Often enough an IP header to get past the first checks.
      if (!frame.empty() && i % 2 == 0) frame[0] = (i % 4 == 0) ? 0x45 : 0x60;
      const auto packet = decode_frame(link, frame, CaptureTime{});
      ++runs;
      EXPECT_EQ(packet.captured_length, frame.size());
      EXPECT_LE(packet.payload.size(), frame.size());
      if (packet.problem) {
        ++problems;
        EXPECT_FALSE(packet.problem->message.empty());
        EXPECT_LE(packet.problem->offset, frame.size());
      }
    }
  }
  // Random bytes are almost never a consistent frame.
  EXPECT_GT(problems, runs * 9 / 10);
}

TEST_F(PacketsBadInputTest, GoldenFramesWithBytesFlipped) {
  for (const char* name : {"dns_udp.pcap", "dns_tcp_ipv6.pcap", "tls12_curl.pcap",
                           "dns_any_sll2.pcap", "http_keepalive.pcap"}) {
    const auto capture = test::read_capture(name);
    for (const auto& frame : capture.frames) {
      for (int i = 0; i < 200; ++i) {
        const Bytes bytes = mutated(frame.bytes);
        const auto packet = decode_frame(capture.link_type, bytes, CaptureTime{},
                                         frame.wire_length + static_cast<std::uint32_t>(i % 2));
        EXPECT_LE(packet.payload.size(), bytes.size());
        if (packet.problem) {
          EXPECT_FALSE(packet.problem->message.empty());
        }
      }
    }
  }
}

TEST_F(PacketsBadInputTest, RandomSegmentsKeepTheReassemblerBounded) {
  StreamLimits limits;
  limits.max_held_bytes = 4096;
  limits.max_held_segments = 64;
  limits.max_carried_ranges = 256;
  limits.max_gaps = 16;
  TcpStreamReassembler stream(limits);
  std::uint64_t delivered = 0;
  for (std::size_t i = 0; i < 20000; ++i) {
    const auto seq = static_cast<std::uint32_t>(1000 + random_size(100000));
    const auto flags = static_cast<std::uint16_t>(random_() & (i % 500 == 499 ? 0x1FF : 0x1FB));
    const Bytes payload = random_bytes(random_size(1500));
    const auto result = stream.add(seq, flags, payload, i);
    for (const auto& piece : result.delivered) {
      EXPECT_GE(piece.offset, delivered);
      delivered = piece.end();
    }
    ASSERT_LE(stream.held_bytes(), limits.max_held_bytes);
    ASSERT_LE(stream.carried().size(), limits.max_carried_ranges);
    ASSERT_LE(stream.gaps().size(), limits.max_gaps);
  }
  for (const auto& piece : stream.finish()) EXPECT_GE(piece.offset, delivered);
  EXPECT_EQ(stream.held_bytes(), 0u);
}

TEST_F(PacketsBadInputTest, RandomBytesAsDns) {
  std::size_t problems = 0;
  for (int i = 0; i < 5000; ++i) {
    const Bytes message = random_bytes(random_size(300));
    const auto summary = summarize_dns(message);
    if (!summary) {
      ++problems;
      EXPECT_FALSE(summary.error().message.empty());
    } else {
      (void)summary->to_string();
    }
  }
  EXPECT_GT(problems, 4500u);
  // DNS over TCP: random lengths and bytes, fed in random pieces.
  DnsTcpSplitter splitter;
  std::uint64_t offset = 0;
  for (int i = 0; i < 2000; ++i) {
    const Bytes piece = random_bytes(random_size(700));
    for (const auto& message : splitter.feed(offset, piece)) (void)summarize_dns(message.message);
    offset += piece.size();
  }
  EXPECT_FALSE(splitter.lost());
}

TEST_F(PacketsBadInputTest, RandomAndMutatedTlsRecordsAndHellos) {
  // The golden ClientHello and ServerHello, mutated and cut.
  const auto capture = test::read_capture("tls13_curl.pcap");
  const auto streams = test::reassemble(capture);
  const FlowKey to_server = test::flow_to_port(streams, 44333);
  for (const FlowKey& key : {to_server, to_server.reversed()}) {
    Bytes stream;
    for (const auto& piece : streams.bytes.at(key))
      stream.insert(stream.end(), piece.bytes.begin(), piece.bytes.end());
    const Bytes hello(stream.begin() + 5,
                      stream.begin() + 5 + 4 + ((stream[6] << 16) | (stream[7] << 8) | stream[8]));
    ASSERT_TRUE(key == to_server ? parse_client_hello(hello).ok() : parse_server_hello(hello).ok());
    for (int i = 0; i < 3000; ++i) {
      const Bytes bytes = mutated(hello);
      (void)parse_client_hello(bytes);
      (void)parse_server_hello(bytes);
      const Bytes cut(hello.begin(), hello.begin() + static_cast<long>(random_size(hello.size())));
      EXPECT_FALSE(parse_client_hello(cut).ok());
      EXPECT_FALSE(parse_server_hello(cut).ok());
    }
    for (int i = 0; i < 300; ++i) {
      const Bytes bytes = mutated(stream);
      TlsRecordDecoder decoder;
      std::size_t at = 0;
      while (at < bytes.size()) {
        const std::size_t take = std::min(bytes.size() - at, 1 + random_size(300));
        const Bytes piece(bytes.begin() + static_cast<long>(at),
                          bytes.begin() + static_cast<long>(at + take));
        for (const auto& message : decoder.feed(at, piece).messages) {
          (void)parse_client_hello(message.bytes);
          (void)parse_server_hello(message.bytes);
          (void)parse_server_key_exchange_group(message.bytes);
        }
        at += take;
      }
      decoder.finish();
    }
  }
  // Pure noise: the record layer gives up at once, with a reason.
  for (int i = 0; i < 2000; ++i) {
    TlsRecordDecoder decoder;
    Bytes noise = random_bytes(1 + random_size(200));
    if (noise[0] >= 20 && noise[0] <= 24) noise[0] = 0;
    (void)decoder.feed(0, noise);
    decoder.finish();
    ASSERT_TRUE(decoder.problem());
    EXPECT_FALSE(decoder.problem()->message.empty());
  }
  for (int i = 0; i < 3000; ++i) {
    const Bytes noise = random_bytes(random_size(300));
    EXPECT_FALSE(parse_client_hello(noise).ok());
    EXPECT_FALSE(parse_server_hello(noise).ok());
  }
}

TEST_F(PacketsBadInputTest, RandomAndMutatedHttp) {
  const std::string exchange =
      "GET /a HTTP/1.1\r\nHost: a\r\n\r\nPOST /b HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: "
      "chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n";
  const std::string answers =
      "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 200 OK\r\nTransfer-Encoding: "
      "chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n";
  for (int i = 0; i < 3000; ++i) {
    HttpStreamDecoder decoder;
    const Bytes client = mutated(Bytes(exchange.begin(), exchange.end()));
    const Bytes server = i % 3 == 0 ? random_bytes(random_size(200))
                                    : mutated(Bytes(answers.begin(), answers.end()));
    std::uint64_t client_at = 0;
    std::uint64_t server_at = 0;
    while (client_at < client.size() || server_at < server.size()) {
      if (client_at < client.size()) {
        const std::size_t take = std::min(client.size() - client_at, 1 + random_size(40));
        (void)decoder.feed(HttpSide::Client, client_at, std::span(client).subspan(client_at, take));
        client_at += take;
      }
      if (server_at < server.size()) {
        const std::size_t take = std::min(server.size() - server_at, 1 + random_size(40));
        (void)decoder.feed(HttpSide::Server, server_at, std::span(server).subspan(server_at, take));
        server_at += take;
      }
    }
    if (decoder.problem(HttpSide::Server)) {
      EXPECT_FALSE(decoder.problem(HttpSide::Server)->message.empty());
    }
  }
}

}  // namespace
}  // namespace miniweb::packets
