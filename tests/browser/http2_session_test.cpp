// The browser's HTTP/2 glue (browser/net/http2_session.*) against nghttp2's own server session in
// memory: requests framed as RFC 9113 wants, responses decoded, every frame reported with its
// true place in the bytes, limits and the server's refusals turned into clear failures.

#include <gtest/gtest.h>

#include "browser/net/http2_exchange.hpp"
#include "browser/net/http2_session.hpp"
#include "tests/browser/http2_peer.hpp"

namespace miniweb::browser {
namespace {

using test::Http2Peer;
using test::PeerAnswer;
using test::PeerRequest;

http::Request get(const std::string& target) {
  http::Request request;
  request.method = "GET";
  request.target = target;
  request.headers.add("Host", "www.example.test");
  request.headers.add("Connection", "keep-alive");
  request.headers.add("User-Agent", "miniweb-browser/0.1");
  request.headers.add("Accept-Encoding", "gzip");
  return request;
}

// Moves bytes both ways until neither end has anything to say.
void converse(Http2Session& client, Http2Peer& server, std::vector<Http2Frame>& frames,
              std::uint64_t& client_bytes) {
  for (int round = 0; round < 50; ++round) {
    auto out = client.take_output();
    ASSERT_TRUE(out) << out.error().message;
    client_bytes += out->size();
    ASSERT_TRUE(server.receive(*out));
    const std::string answer = server.output();
    if (!answer.empty()) {
      ASSERT_TRUE(client.receive(answer)) << "the client refused the answer";
    }
    for (Http2Frame& frame : client.take_frames()) frames.push_back(std::move(frame));
    if (out->empty() && answer.empty()) return;
  }
  FAIL() << "the conversation did not settle";
}

TEST(BrowserHttp2Session, AGetIsFramedAndItsResponseDecoded) {
  Http2Peer server([](const PeerRequest&) {
    return PeerAnswer{200, {{"content-type", "text/html"}, {"x-served-by", "peer"}}, "<p>hi</p>"};
  });
  auto client = Http2Session::start(Http2Limits{});
  ASSERT_TRUE(client) << client.error().message;
  const http::Request request = get("/page?x=1");
  auto stream = (*client)->submit(request, "https", "www.example.test");
  ASSERT_TRUE(stream);
  EXPECT_EQ(*stream, 1);
  std::vector<Http2Frame> frames;
  std::uint64_t written = 0;
  converse(**client, server, frames, written);

  ASSERT_EQ(server.requests().size(), 1u);
  const auto& fields = server.requests()[0].fields;
  EXPECT_EQ(fields.at(":method"), "GET");
  EXPECT_EQ(fields.at(":scheme"), "https");
  EXPECT_EQ(fields.at(":authority"), "www.example.test");
  EXPECT_EQ(fields.at(":path"), "/page?x=1");
  EXPECT_EQ(fields.at("user-agent"), "miniweb-browser/0.1");
  // RFC 9113 section 8.2.2: no connection-specific fields, and Host is :authority.
  EXPECT_EQ(fields.count("connection"), 0u);
  EXPECT_EQ(fields.count("host"), 0u);

  const Http2Reply* reply = (*client)->reply(1);
  ASSERT_NE(reply, nullptr);
  EXPECT_TRUE(reply->complete);
  EXPECT_EQ(reply->response.status, 200);
  EXPECT_EQ(reply->response.reason, "OK");
  EXPECT_EQ(reply->response.headers.get("x-served-by").value_or(""), "peer");
  EXPECT_EQ(reply->response.body, "<p>hi</p>");
  EXPECT_TRUE((*client)->usable());

  // The preface first, then every frame the browser sent, end to end with no gap: the offsets
  // the packet view places frames by are the bytes as written.
  ASSERT_FALSE(frames.empty());
  EXPECT_TRUE(frames[0].preface);
  std::uint64_t sent_end = 0;
  for (const Http2Frame& frame : frames) {
    if (!frame.sent) continue;
    EXPECT_EQ(frame.offset, sent_end) << frame.text;
    sent_end = frame.offset + frame.length;
  }
  EXPECT_EQ(sent_end, written);
  std::uint64_t received_end = 0;
  for (const Http2Frame& frame : frames) {
    if (frame.sent) continue;
    EXPECT_EQ(frame.offset, received_end) << frame.text;
    received_end = frame.offset + frame.length;
  }

  const std::vector<std::string> lines = frame_lines(frames);
  auto has = [&](const std::string& text) {
    for (const std::string& line : lines)
      if (line.find(text) != std::string::npos) return true;
    return false;
  };
  EXPECT_TRUE(has("> connection preface PRI * HTTP/2.0 (24 bytes)"));
  EXPECT_TRUE(has("> SETTINGS ENABLE_PUSH=0 INITIAL_WINDOW_SIZE=1048576"));
  EXPECT_TRUE(has("< SETTINGS MAX_CONCURRENT_STREAMS=100"));
  EXPECT_TRUE(has("> SETTINGS (ACK)"));
  EXPECT_TRUE(has("< SETTINGS (ACK)"));
  EXPECT_TRUE(has("> WINDOW_UPDATE +16711681"));
  EXPECT_TRUE(has("> HEADERS stream 1 (END_STREAM END_HEADERS): 6 fields, "));
  EXPECT_TRUE(has("< HEADERS stream 1 (END_HEADERS): 3 fields, "));
  EXPECT_TRUE(has("< DATA stream 1: 1 frame, 9 bytes (END_STREAM)"));
}

// Early data the server refused goes again as it was, after the handshake. The packet view
// places frames by where they lie in the browser's plaintext, in which the refused copy came
// first: the frames are told again after it, and every later frame after them, end to end.
TEST(BrowserHttp2Session, EarlyDataSentAgainIsToldAgainAfterTheRefusedCopy) {
  Http2Peer server([](const PeerRequest&) { return PeerAnswer{200, {}, "<p>hi</p>"}; });
  auto client = Http2Session::start(Http2Limits{});
  ASSERT_TRUE(client) << client.error().message;
  ASSERT_TRUE((*client)->submit(get("/"), "https", "www.example.test"));
  const auto early = (*client)->take_output();  // refused: the server never reads this copy
  ASSERT_TRUE(early) << early.error().message;
  std::vector<Http2Frame> frames = (*client)->take_frames();
  const std::vector<Http2Frame> early_frames = frames;
  ASSERT_GE(early_frames.size(), 2u);

  (*client)->sent_again(early_frames);
  ASSERT_TRUE(server.receive(*early));  // the same bytes again
  std::uint64_t written = 2 * early->size();
  converse(**client, server, frames, written);

  std::uint64_t sent_end = 0;
  std::size_t again = 0;
  for (const Http2Frame& frame : frames) {
    if (!frame.sent) continue;
    EXPECT_EQ(frame.offset, sent_end) << frame.text;
    sent_end = frame.offset + frame.length;
    if (frame.text.ends_with(", again (the server refused the early data)")) ++again;
  }
  EXPECT_EQ(sent_end, written);
  EXPECT_EQ(again, early_frames.size());
  const Http2Reply* reply = (*client)->reply(1);
  ASSERT_NE(reply, nullptr);
  EXPECT_TRUE(reply->complete);
  EXPECT_EQ(reply->response.status, 200);
}

TEST(BrowserHttp2Session, EarlyHintsComeApartFromTheFinalResponse) {
  Http2Peer server([](const PeerRequest&) {
    PeerAnswer answer{200, {{"content-type", "text/html"}}, "page"};
    answer.early_hints = true;
    return answer;
  });
  std::vector<Http2Frame> frames;
  auto client = Http2Session::start(Http2Limits{});
  ASSERT_TRUE(client);
  const http::Request request = get("/");
  auto stream = (*client)->submit(request, "https", "h");
  std::uint64_t written = 0;
  converse(**client, server, frames, written);
  const Http2Reply reply = (*client)->take_reply(*stream);
  ASSERT_TRUE(reply.complete) << reply.failure;
  ASSERT_EQ(reply.interim.size(), 1u);
  EXPECT_EQ(reply.interim[0].status, 103);
  EXPECT_EQ(reply.interim[0].headers.get("link").value_or(""), "</style.css>; rel=preload");
  EXPECT_EQ(reply.response.status, 200);
  EXPECT_EQ(reply.response.headers.get("content-type").value_or(""), "text/html");
  EXPECT_EQ(reply.response.body, "page");
}

TEST(BrowserHttp2Session, HpackSavesOnTheSecondRequestsRepeatedFields) {
  Http2Peer server([](const PeerRequest&) { return PeerAnswer{204, {}, ""}; });
  auto client = Http2Session::start(Http2Limits{});
  ASSERT_TRUE(client);
  std::vector<Http2Frame> frames;
  std::uint64_t written = 0;
  const http::Request first = get("/a");
  ASSERT_TRUE((*client)->submit(first, "https", "www.example.test"));
  converse(**client, server, frames, written);
  frames.clear();
  ASSERT_TRUE((*client)->submit(first, "https", "www.example.test"));
  converse(**client, server, frames, written);
  // The fields are in HPACK's tables by now: a byte or two each on the wire.
  bool found = false;
  for (const Http2Frame& frame : frames)
    if (frame.sent && frame.type == NGHTTP2_HEADERS) {
      found = true;
      EXPECT_LE(frame.length - 9, 12u) << frame.text;
      EXPECT_NE(frame.text.find("HPACK saved 9"), std::string::npos) << frame.text;
    }
  EXPECT_TRUE(found);
}

TEST(BrowserHttp2Session, APostsBodyGoesAsData) {
  Http2Peer server([](const PeerRequest&) { return PeerAnswer{303, {{"location", "/done"}}, ""}; });
  auto client = Http2Session::start(Http2Limits{});
  ASSERT_TRUE(client);
  http::Request post = get("/form");
  post.method = "POST";
  post.headers.add("Content-Type", "application/x-www-form-urlencoded");
  post.body = std::string(40000, 'a') + "&q=1";  // more than one DATA frame
  auto stream = (*client)->submit(post, "https", "www.example.test");
  ASSERT_TRUE(stream);
  std::vector<Http2Frame> frames;
  std::uint64_t written = 0;
  converse(**client, server, frames, written);
  ASSERT_EQ(server.requests().size(), 1u);
  EXPECT_EQ(server.requests()[0].body, post.body);
  EXPECT_EQ(server.requests()[0].fields.at(":method"), "POST");
  EXPECT_EQ((*client)->reply(*stream)->response.status, 303);
  const std::vector<std::string> lines = frame_lines(frames);
  bool summed = false;
  for (const std::string& line : lines)
    if (line == "> DATA stream 1: 3 frames, 40,004 bytes (END_STREAM)") summed = true;
  EXPECT_TRUE(summed);
}

// One GET answered by `server`: the reply, and the frames on the way.
Http2Reply one_get(Http2Peer& server, const Http2Limits& limits, std::vector<Http2Frame>& frames) {
  auto client = Http2Session::start(limits);
  if (!client) return {};
  const http::Request request = get("/");
  auto stream = (*client)->submit(request, "https", "h");
  std::uint64_t written = 0;
  converse(**client, server, frames, written);
  return (*client)->take_reply(*stream);
}

TEST(BrowserHttp2Session, ABodyPastTheLimitCancelsTheStream) {
  Http2Peer server([](const PeerRequest&) { return PeerAnswer{200, {}, std::string(5000, 'x')}; });
  Http2Limits limits;
  limits.max_body_bytes = 1000;
  std::vector<Http2Frame> frames;
  const Http2Reply reply = one_get(server, limits, frames);
  EXPECT_FALSE(reply.complete);
  EXPECT_TRUE(reply.too_large);
  bool cancelled = false;
  for (const Http2Frame& frame : frames)
    if (frame.sent && frame.text == "RST_STREAM stream 1 CANCEL") cancelled = true;
  EXPECT_TRUE(cancelled);
}

TEST(BrowserHttp2Session, ARefusedStreamMayBeSentAgain) {
  Http2Peer server([](const PeerRequest&) {
    PeerAnswer refused;
    refused.refuse = true;
    return refused;
  });
  std::vector<Http2Frame> frames;
  const Http2Reply reply = one_get(server, Http2Limits{}, frames);
  EXPECT_TRUE(reply.refused);
  EXPECT_NE(reply.failure.find("REFUSED_STREAM"), std::string::npos) << reply.failure;
}

TEST(BrowserHttp2Session, AnUnknownPseudoHeaderResetsTheStreamInNghttp2sWords) {
  // RFC 9113 section 8.3: a response has :status alone; nghttp2 resets a stream with another.
  Http2Peer server([](const PeerRequest&) { return PeerAnswer{200, {{":bogus", "x"}}, "body"}; });
  auto client = Http2Session::start(Http2Limits{});
  ASSERT_TRUE(client);
  const http::Request request = get("/");
  auto stream = (*client)->submit(request, "https", "h");
  std::vector<Http2Frame> frames;
  std::uint64_t written = 0;
  converse(**client, server, frames, written);
  const Http2Reply* reply = (*client)->reply(*stream);
  EXPECT_FALSE(reply->complete);
  EXPECT_NE(reply->failure.find("PROTOCOL_ERROR"), std::string::npos) << reply->failure;
  EXPECT_NE((*client)->protocol_error().find("name: [:bogus]"), std::string::npos)
      << (*client)->protocol_error();
}

TEST(BrowserHttp2Session, AGoawayEndsReuse) {
  Http2Peer server([](const PeerRequest&) { return PeerAnswer{200, {}, "ok"}; });
  auto client = Http2Session::start(Http2Limits{});
  ASSERT_TRUE(client);
  const http::Request request = get("/");
  ASSERT_TRUE((*client)->submit(request, "https", "h"));
  std::vector<Http2Frame> frames;
  std::uint64_t written = 0;
  converse(**client, server, frames, written);
  EXPECT_TRUE((*client)->usable());
  server.goaway(NGHTTP2_NO_ERROR);
  ASSERT_TRUE((*client)->receive(server.output()));
  EXPECT_FALSE((*client)->usable());
  EXPECT_TRUE((*client)->goaway_received());
  EXPECT_EQ((*client)->goaway_text(), "the server sent GOAWAY last stream 1, NO_ERROR");
}

TEST(BrowserHttp2Session, BytesThatAreNotHttp2AreAProtocolError) {
  auto client = Http2Session::start(Http2Limits{});
  ASSERT_TRUE(client);
  const http::Request request = get("/");
  ASSERT_TRUE((*client)->submit(request, "https", "h"));
  ASSERT_TRUE((*client)->take_output());
  // An HTTP/1.1 answer where a SETTINGS frame must come first (RFC 9113 section 3.4).
  auto taken = (*client)->receive("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
  auto out = (*client)->take_output();
  ASSERT_TRUE(out);
  const std::vector<Http2Frame> frames = (*client)->take_frames();
  bool goaway = false;
  for (const Http2Frame& frame : frames)
    if (frame.sent && frame.text.starts_with("GOAWAY") &&
        frame.text.find("PROTOCOL_ERROR") != std::string::npos)
      goaway = true;
  // nghttp2 either refuses the bytes outright or answers them with GOAWAY PROTOCOL_ERROR.
  EXPECT_TRUE(!taken || goaway);
  if (!taken) {
    EXPECT_NE(taken.error().message.find("broke HTTP/2's rules"), std::string::npos)
        << taken.error().message;
  }
  EXPECT_FALSE((*client)->usable());
}

}  // namespace
}  // namespace miniweb::browser
