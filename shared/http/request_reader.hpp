#pragma once
// Reading one HTTP/1.1 request on a server's connection (RFC 9112): the head within its limits,
// then the body its framing announces, with 100-continue. The web server, its forward proxy
// and the CA's ACME endpoint all read requests this way, as the browser, the reverse proxy and
// the CA's http-01 check read responses with response_reader.hpp.
//
// Each caller brings its own reading (`read_more`: appends to the buffer, false when the
// connection ended or its deadline passed) and answers failures in its own words: a failed read
// carries the status to answer in Error::code (0: close without a word) and, in its message,
// what nginx's error log would say.

#include <string>
#include <string_view>

#include "shared/awaitable.hpp"
#include "shared/http/parser.hpp"
#include "shared/result.hpp"

namespace miniweb::http {

// The head of the next request, with the bytes after it left in `buffer`. `became_busy` runs
// when the first byte of a request arrives on a connection that was idle (the caller's
// keep-alive timeout gives way to its header timeout); `timed_out` says whether the read
// that failed ran out of time.
template <class ReadMore, class BecameBusy, class TimedOut>
asio::awaitable<Result<Request>> read_request_head(std::string& buffer, const Limits& limits,
                                                   ReadMore& read_more, BecameBusy& became_busy,
                                                   TimedOut& timed_out) {
  std::size_t head_end;
  while ((head_end = find_head_end(buffer)) == std::string::npos) {
    if (buffer.size() > limits.max_header_bytes) {
      const bool line_too_long =
          buffer.find('\n') == std::string::npos || buffer.find('\n') > limits.max_request_line;
      co_return line_too_long ? make_error("client sent too long a URI", 414)
                              : make_error("client sent too large a request head", 431);
    }
    const bool was_idle = buffer.empty();
    if (!co_await read_more()) {
      // A client that started a request and stalled gets 408 (slowloris); an idle one is
      // closed without a word, as nginx does.
      if (timed_out() && !was_idle)
        co_return make_error("client timed out sending the request head", 408);
      co_return make_error("the connection ended", 0);
    }
    if (was_idle) became_busy();
  }
  auto request = parse_request_head(std::string_view(buffer).substr(0, head_end), limits);
  if (!request)
    co_return make_error("client sent an invalid request: " + request.error().message,
                         request.error().code);
  buffer.erase(0, head_end);
  co_return std::move(*request);
}

// The interim answer to Expect: 100-continue (RFC 9110 section 10.1.1), written to `stream`;
// false when the connection failed. What a server's `send_continue` below usually does.
template <class Stream>
asio::awaitable<bool> send_100_continue(Stream& stream) {
  static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
  auto [ec, n] = co_await asio::async_write(stream, asio::buffer(kContinue), use_tuple);
  co_return !ec;
}

// The body the head announces, into request.body (RFC 9112 section 6.3). When the client waits
// for permission (Expect: 100-continue) and the body has not started, `send_continue` is
// awaited first; it returns false when the connection failed.
template <class ReadMore, class SendContinue>
asio::awaitable<Status> read_request_body(Request& request, std::string& buffer,
                                          const Limits& limits, ReadMore& read_more,
                                          SendContinue& send_continue) {
  auto length = request_body_length(request);
  if (!length)
    co_return make_error("client sent an invalid body: " + length.error().message,
                         length.error().code);
  // A body announced too large is refused before the client is told to send it: 413 instead
  // of 100 Continue, as nginx checks client_max_body_size first.
  if (length->framing == BodyFraming::ContentLength &&
      length->content_length > limits.max_body_bytes)
    co_return make_error("client intended to send too large a body", 413);
  // RFC 9110 section 10.1.1: answer 100-continue only when a body is still to come.
  if (length->framing != BodyFraming::None && buffer.empty() &&
      request.headers.has_token("Expect", "100-continue") && !co_await send_continue())
    co_return make_error("the connection ended", 0);
  if (length->framing == BodyFraming::ContentLength) {
    while (buffer.size() < length->content_length)
      if (!co_await read_more()) co_return make_error("the connection ended in the body", 0);
    request.body = buffer.substr(0, length->content_length);
    buffer.erase(0, length->content_length);
  } else if (length->framing == BodyFraming::Chunked) {
    ChunkedDecoder decoder;
    while (true) {
      auto progress = decoder.feed(buffer, request.body, limits.max_body_bytes);
      if (!progress)
        co_return make_error("client sent an invalid chunked body: " + progress.error().message,
                             progress.error().code);
      if (*progress == ChunkedDecoder::Progress::Done) break;
      if (!co_await read_more()) co_return make_error("the connection ended in the body", 0);
    }
  }
  co_return Ok{};
}

}  // namespace miniweb::http
