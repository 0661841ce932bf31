// HTTP/1.1 heads in a plaintext connection: the golden capture's two kept-alive exchanges (curl
// against Python's http.server), and by hand every way a body is framed, the requests whose
// answers differ (HEAD, CONNECT, 1xx, 101), and bytes that are not HTTP.

#include <gtest/gtest.h>

#include <string>

#include "browser/packets/http_heads.hpp"
#include "tests/browser/packets_capture.hpp"

namespace miniweb::packets {
namespace {

std::span<const std::uint8_t> bytes_of(std::string_view text) {
  return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

// Feeds one direction's text from where that direction left off.
class Conversation {
 public:
  Conversation() = default;
  explicit Conversation(http::Limits limits) : decoder_(limits) {}

  std::vector<HttpHead> client(std::string_view text) { return feed(HttpSide::Client, text); }
  std::vector<HttpHead> server(std::string_view text) { return feed(HttpSide::Server, text); }
  HttpStreamDecoder& decoder() { return decoder_; }

 private:
  std::vector<HttpHead> feed(HttpSide side, std::string_view text) {
    std::uint64_t& offset = side == HttpSide::Client ? client_offset_ : server_offset_;
    auto heads = decoder_.feed(side, offset, bytes_of(text));
    offset += text.size();
    return heads;
  }
  HttpStreamDecoder decoder_;
  std::uint64_t client_offset_ = 0;
  std::uint64_t server_offset_ = 0;
};

std::vector<std::string> start_lines(const std::vector<HttpHead>& heads) {
  std::vector<std::string> lines;
  for (const auto& head : heads) lines.push_back(head.to_string());
  return lines;
}

std::string field(const HttpHead& head, std::string_view name) {
  for (const auto& [key, value] : head.fields)
    if (key == name) return value;
  return "";
}

TEST(PacketsHttpTest, TheGoldenKeptAliveConnection) {
  const auto capture = test::read_capture("http_keepalive.pcap");
  const auto streams = test::reassemble(capture);
  const FlowKey to_server = test::flow_to_port(streams, 48080);
  // Each direction's pieces in the order the packets brought them, both sides interleaved as
  // reassembly handed them on.
  HttpStreamDecoder decoder;
  std::vector<HttpHead> heads;
  TcpStreams replay;
  for (std::size_t i = 0; i < capture.packets.size(); ++i) {
    auto added = replay.add(capture.packets[i], i);
    if (!added) continue;
    const HttpSide side = added->key == to_server ? HttpSide::Client : HttpSide::Server;
    for (const auto& piece : added->result.delivered)
      for (auto& head : decoder.feed(side, piece.offset, piece.bytes)) heads.push_back(head);
  }
  EXPECT_FALSE(decoder.problem(HttpSide::Client));
  EXPECT_FALSE(decoder.problem(HttpSide::Server));
  EXPECT_FALSE(decoder.tunnel());
  ASSERT_EQ(heads.size(), 4u);
  EXPECT_EQ(start_lines(heads),
            (std::vector<std::string>{"GET /hello.txt HTTP/1.1", "HTTP/1.1 200 OK",
                                      "GET /missing HTTP/1.1", "HTTP/1.1 404 File not found"}));
  EXPECT_EQ(heads[0].side, HttpSide::Client);
  EXPECT_EQ(heads[0].method, "GET");
  EXPECT_EQ(heads[0].target, "/hello.txt");
  EXPECT_EQ(heads[0].offset, 0u);
  EXPECT_EQ(heads[0].length, 88u);
  EXPECT_EQ(field(heads[0], "Host"), "127.0.0.1:48080");
  EXPECT_EQ(heads[1].side, HttpSide::Server);
  EXPECT_EQ(heads[1].status, 200);
  EXPECT_EQ(heads[1].framing, http::BodyFraming::ContentLength);
  EXPECT_EQ(heads[1].content_length, 16u);
  EXPECT_EQ(heads[1].offset, 0u);
  EXPECT_EQ(heads[1].length, 186u);
  EXPECT_EQ(field(heads[1], "Content-type"), "text/plain");
  EXPECT_EQ(heads[2].offset, 88u);
  EXPECT_EQ(heads[3].status, 404);
  EXPECT_EQ(heads[3].offset, 202u);
  EXPECT_EQ(heads[3].content_length, 335u);
  // The head's bytes came in one packet each.
  const auto* server = replay.find(to_server.reversed());
  EXPECT_EQ(server->packets_carrying(heads[3].offset, heads[3].offset + heads[3].length),
            (std::vector<std::size_t>{10}));
}

TEST(PacketsHttpTest, BodiesFramedEveryWay) {
  Conversation http;
  EXPECT_EQ(start_lines(http.client("POST /form HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\n"
                                    "a=b&cGET /next HTTP/1.1\r\nHost: a\r\n\r\n")),
            (std::vector<std::string>{"POST /form HTTP/1.1", "GET /next HTTP/1.1"}));
  // Chunked, fed in pieces that cut the chunk sizes and the trailer.
  EXPECT_EQ(start_lines(http.server("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r")),
            (std::vector<std::string>{"HTTP/1.1 200 OK"}));
  EXPECT_TRUE(http.server("\nWiki\r\n5\r\npedia\r\n0\r\nX-Trailer: 1\r").empty());
  const auto second = http.server("\n\r\nHTTP/1.1 204 No Content\r\n\r\n");
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(second[0].status, 204);
  EXPECT_EQ(second[0].framing, http::BodyFraming::None);
  EXPECT_FALSE(http.decoder().problem(HttpSide::Server));

  // A body that lasts until the connection closes: whatever follows is body.
  Conversation until_close;
  until_close.client("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
  const auto heads = until_close.server("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n<p>");
  ASSERT_EQ(heads.size(), 1u);
  EXPECT_EQ(heads[0].framing, http::BodyFraming::UntilClose);
  EXPECT_TRUE(until_close.server("HTTP/1.1 200 OK\r\n\r\n").empty());
}

TEST(PacketsHttpTest, HeadAnswersAndInterimResponses) {
  Conversation http;
  http.client(
      "HEAD /big HTTP/1.1\r\nHost: a\r\n\r\nPUT /up HTTP/1.1\r\nHost: a\r\n"
      "Expect: 100-continue\r\nContent-Length: 3\r\n\r\n");
  // HEAD's response says a length but carries no body (RFC 9110 9.3.2).
  const auto head = http.server("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n");
  ASSERT_EQ(head.size(), 1u);
  EXPECT_EQ(head[0].framing, http::BodyFraming::None);
  // The 100 is interim: the PUT's final answer is still to come and frames by PUT.
  const auto interim = http.server("HTTP/1.1 100 Continue\r\n\r\n");
  ASSERT_EQ(interim.size(), 1u);
  EXPECT_EQ(interim[0].status, 100);
  EXPECT_TRUE(http.client("abc").empty());
  const auto final = http.server(
      "HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 200 OK"
      "\r\nContent-Length: 0\r\n\r\n");
  EXPECT_EQ(start_lines(final),
            (std::vector<std::string>{"HTTP/1.1 201 Created", "HTTP/1.1 200 OK"}));
  EXPECT_FALSE(http.decoder().problem(HttpSide::Server));
  EXPECT_FALSE(http.decoder().problem(HttpSide::Client));
}

TEST(PacketsHttpTest, ConnectOpensATunnelOrIsRefused) {
  Conversation proxy;
  EXPECT_EQ(proxy.client("CONNECT site.test:443 HTTP/1.1\r\nHost: site.test:443\r\n\r\n")[0].method,
            "CONNECT");
  // The client may speak before the answer: the TLS hello waits.
  EXPECT_TRUE(proxy.client("\x16\x03\x01\x02\x00").empty());
  const auto answer = proxy.server("HTTP/1.1 200 Connection established\r\n\r\n\x16\x03\x03");
  ASSERT_EQ(answer.size(), 1u);
  EXPECT_TRUE(proxy.decoder().tunnel());
  EXPECT_TRUE(proxy.client("GET / HTTP/1.1\r\n\r\n").empty());
  EXPECT_TRUE(proxy.server("HTTP/1.1 200 OK\r\n\r\n").empty());
  EXPECT_FALSE(proxy.decoder().problem(HttpSide::Client));

  Conversation refused;
  refused.client(
      "CONNECT site.test:443 HTTP/1.1\r\nHost: site.test:443\r\n\r\n"
      "GET http://site.test/ HTTP/1.1\r\nHost: site.test\r\n\r\n");
  const auto heads =
      refused.server("HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 0\r\n\r\n");
  // The 407, then the request the client sent meanwhile.
  EXPECT_EQ(start_lines(heads),
            (std::vector<std::string>{"HTTP/1.1 407 Proxy Authentication Required",
                                      "GET http://site.test/ HTTP/1.1"}));
  EXPECT_FALSE(refused.decoder().tunnel());

  Conversation upgrade;
  upgrade.client(
      "GET /chat HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n");
  EXPECT_EQ(upgrade.server("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n\x81\x05")
                .size(),
            1u);
  EXPECT_TRUE(upgrade.decoder().tunnel());
}

TEST(PacketsHttpTest, WhatIsNotHttpStopsADirection) {
  Conversation tls;
  EXPECT_TRUE(tls.client(std::string_view("\x16\x03\x01\x00\x05hello\r\n\r\n", 14)).empty());
  ASSERT_TRUE(tls.decoder().problem(HttpSide::Client));
  EXPECT_EQ(tls.decoder().problem(HttpSide::Client)->offset, 0u);
  EXPECT_EQ(tls.decoder().problem(HttpSide::Client)->message.find("not an HTTP request head: "),
            0u);
  // Stopped for good, and only that direction.
  EXPECT_TRUE(tls.client("GET / HTTP/1.1\r\n\r\n").empty());
  EXPECT_EQ(tls.server("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n").size(), 1u);

  Conversation bad_status;
  bad_status.client("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
  EXPECT_TRUE(bad_status.server("HTTP/1.1 abc Nope\r\n\r\n").empty());
  ASSERT_TRUE(bad_status.decoder().problem(HttpSide::Server));

  Conversation bad_length;
  EXPECT_TRUE(bad_length.client("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: x\r\n\r\n").empty());
  EXPECT_TRUE(bad_length.decoder().problem(HttpSide::Client));

  Conversation bad_chunk;
  bad_chunk.client("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
  bad_chunk.server("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n");
  ASSERT_TRUE(bad_chunk.decoder().problem(HttpSide::Server));
  EXPECT_EQ(bad_chunk.decoder().problem(HttpSide::Server)->message.find("chunked body: "), 0u);

  HttpStreamDecoder gap;
  (void)gap.feed(HttpSide::Client, 0, bytes_of("GET / HTTP/1.1\r\n"));
  (void)gap.feed(HttpSide::Client, 40, bytes_of("Host: a\r\n\r\n"));
  ASSERT_TRUE(gap.problem(HttpSide::Client));
  EXPECT_EQ(gap.problem(HttpSide::Client)->message,
            "the stream skips from byte 16 to 40: message boundaries are lost");
}

TEST(PacketsHttpTest, AHeadWithoutEndIsBounded) {
  http::Limits limits;
  limits.max_header_bytes = 64;
  Conversation http(limits);
  EXPECT_TRUE(http.client("GET / HTTP/1.1\r\n").empty());
  EXPECT_FALSE(http.decoder().problem(HttpSide::Client));
  EXPECT_TRUE(http.client(std::string(100, 'x')).empty());
  ASSERT_TRUE(http.decoder().problem(HttpSide::Client));
  EXPECT_EQ(http.decoder().problem(HttpSide::Client)->message,
            "no end of an HTTP head in its first 64 bytes");
}

TEST(PacketsHttpTest, EmptyLinesBeforeARequestAreIgnored) {
  Conversation http;
  const auto heads = http.client("\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n");
  ASSERT_EQ(heads.size(), 1u);
  EXPECT_EQ(heads[0].offset, 4u);
}

}  // namespace
}  // namespace miniweb::packets
