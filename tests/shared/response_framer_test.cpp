// The framing of an HTTP/1.1 response over bytes as they arrive (shared/http/response_framer).

#include "shared/http/response_framer.hpp"

#include <gtest/gtest.h>

namespace miniweb::http {
namespace {

using Progress = ResponseFramer::Progress;

const StreamEnd kClosed{false, true, ""};
const StreamEnd kReset{false, false, "Connection reset by peer"};

// What framing `wire` in reads of `step` bytes gives, the stream ending as `end` says after the
// last byte; `left` receives what was not part of the response.
Result<ReceivedResponse> frame(std::string_view wire, std::size_t step, const StreamEnd& end,
                               std::string& left, std::string_view method = "GET",
                               const ResponseLimits& limits = {}) {
  ResponseFramer framer(method, limits);
  std::string buffer;
  std::size_t at = 0;
  while (true) {
    auto progress = framer.feed(buffer);
    if (!progress) return progress.error();
    if (*progress == Progress::Complete) break;
    if (at == wire.size()) {
      auto ended = framer.finish(buffer, end);
      if (!ended) return ended.error();
      break;
    }
    buffer.append(wire.substr(at, step));
    at = std::min(wire.size(), at + step);
  }
  left = buffer + std::string(wire.substr(at));
  return framer.take();
}

TEST(SharedResponseFramer, ContentLengthEndsTheBodyAndLeavesTheRest) {
  const std::string wire = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhelloHTTP/1.1 204";
  for (std::size_t step : {1, 3, 7, 1000}) {
    std::string left;
    auto received = frame(wire, step, kReset, left);
    ASSERT_TRUE(received) << received.error().message;
    EXPECT_EQ(received->response.status, 200);
    EXPECT_EQ(received->response.body, "hello");
    EXPECT_TRUE(received->reusable);
    EXPECT_EQ(left, "HTTP/1.1 204") << step;
  }
}

TEST(SharedResponseFramer, DecodesAChunkedBodyInAnyPieces) {
  const std::string wire =
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;x=y\r\nhello\r\n1\r\n!\r\n0\r\n"
      "Trailer: t\r\n\r\n";
  for (std::size_t step : {1, 2, 5, 1000}) {
    std::string left;
    auto received = frame(wire, step, kReset, left);
    ASSERT_TRUE(received) << received.error().message;
    EXPECT_EQ(received->response.body, "hello!");
    EXPECT_TRUE(left.empty());
  }
}

TEST(SharedResponseFramer, ACloseEndsABodyWithoutLength) {
  const std::string wire = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nall of it";
  std::string left;
  auto received = frame(wire, 4, kClosed, left);
  ASSERT_TRUE(received) << received.error().message;
  EXPECT_EQ(received->response.body, "all of it");
  EXPECT_FALSE(received->reusable);  // the close delimited it
  // A reset is not the end of the body: it may have been cut.
  auto reset = frame(wire, 4, kReset, left);
  ASSERT_FALSE(reset);
  EXPECT_EQ(failure_of(reset.error()), ResponseFailure::CutShort);
  EXPECT_EQ(reset.error().message, "the connection ended in the body (Connection reset by peer)");
}

TEST(SharedResponseFramer, HeadAnd204And304HaveNoBody) {
  std::string left;
  auto head = frame("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nnext", 100, kReset, left, "HEAD");
  ASSERT_TRUE(head);
  EXPECT_TRUE(head->response.body.empty());
  EXPECT_EQ(left, "next");
  for (const char* status : {"204 No Content", "304 Not Modified"}) {
    auto none = frame(std::string("HTTP/1.1 ") + status + "\r\nContent-Length: 3\r\n\r\nabc", 1,
                      kReset, left);
    ASSERT_TRUE(none) << status;
    EXPECT_TRUE(none->response.body.empty());
    EXPECT_EQ(left, "abc");
  }
}

TEST(SharedResponseFramer, SetsInterimResponsesAside) {
  const std::string wire =
      "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\n"
      "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
  std::string left;
  auto received = frame(wire, 9, kReset, left);
  ASSERT_TRUE(received) << received.error().message;
  ASSERT_EQ(received->interim.size(), 2u);
  EXPECT_EQ(received->interim[1].status, 103);
  EXPECT_EQ(received->response.status, 200);
  EXPECT_EQ(received->response.body, "ok");
}

TEST(SharedResponseFramer, NamesHowTheStreamEnded) {
  std::string left;
  auto nothing = frame("", 1, kClosed, left);
  ASSERT_FALSE(nothing);
  EXPECT_EQ(failure_of(nothing.error()), ResponseFailure::NoResponse);
  EXPECT_EQ(nothing.error().message, "the connection closed without a response");
  auto half_head = frame("HTTP/1.1 200 OK\r\n", 5, kClosed, left);
  ASSERT_FALSE(half_head);
  EXPECT_EQ(failure_of(half_head.error()), ResponseFailure::CutShort);
  auto half_body = frame("HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nabc", 5, kClosed, left);
  ASSERT_FALSE(half_body);
  EXPECT_EQ(half_body.error().message, "the connection ended before the end of the body");
  auto timed_out = frame("HTTP/1.1 200 OK\r\n", 5, StreamEnd{true, false, "cancelled"}, left);
  ASSERT_FALSE(timed_out);
  EXPECT_EQ(failure_of(timed_out.error()), ResponseFailure::TimedOut);
  auto garbage = frame("SSH-2.0-OpenSSH\r\n\r\n", 100, kClosed, left);
  ASSERT_FALSE(garbage);
  EXPECT_EQ(failure_of(garbage.error()), ResponseFailure::Malformed);
}

// The limits hold whatever the reads' sizes: a head or a body that came whole in one read is
// refused as one that came in many (both got past them in one read before).
TEST(SharedResponseFramer, LimitsHoldWhateverTheReadSizes) {
  const ResponseLimits limits{.max_head_bytes = 40, .max_body_bytes = 4};
  const std::string long_head = "HTTP/1.1 200 OK\r\nX-Padding: 0123456789012345\r\n\r\n";
  const std::string long_body = "HTTP/1.1 200 OK\r\n\r\n0123456789";
  for (std::size_t step : {1, 1000}) {
    std::string left;
    auto head = frame(long_head, step, kClosed, left, "GET", limits);
    ASSERT_FALSE(head) << step;
    EXPECT_EQ(failure_of(head.error()), ResponseFailure::TooLarge);
    auto body = frame(long_body, step, kClosed, left, "GET", limits);
    ASSERT_FALSE(body) << step;
    EXPECT_EQ(failure_of(body.error()), ResponseFailure::TooLarge);
  }
}

}  // namespace
}  // namespace miniweb::http
