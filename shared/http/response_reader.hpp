#pragma once
// Reading one HTTP/1.1 response from a stream (RFC 9112 section 6.3): the head, interim 1xx
// responses skipped, then the body as its framing says, within limits and a deadline. The
// browser, the server's reverse proxy and the CA's http-01 check all read responses this way;
// each turns a failure into its own terms (an exit code, a 502 or 504, an ACME problem).

#include <asio/ssl/error.hpp>

#include <array>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "shared/awaitable.hpp"
#include "shared/deadline.hpp"
#include "shared/http/parser.hpp"
#include "shared/result.hpp"

namespace miniweb::http {

struct ResponseLimits {
  std::size_t max_head_bytes = 65536;
  std::size_t max_body_bytes = 64 << 20;
};

// Error::code of a failed read.
enum class ResponseFailure {
  TimedOut = 1,    // the deadline passed
  NoResponse = 2,  // the connection ended before any byte of a response
  CutShort = 3,    // the connection ended in the middle of the response
  Malformed = 4,   // the bytes are not an HTTP/1.1 response
  TooLarge = 5,    // the head or the body is over its limit
};

inline ResponseFailure failure_of(const Error& error) {
  return static_cast<ResponseFailure>(error.code);
}

struct ReceivedResponse {
  Response response;
  // Interim 1xx responses that came first (103 Early Hints, 100 Continue), heads only.
  std::vector<Response> interim;
  // HTTP/1.1 without "Connection: close" and not delimited by the close: the connection may
  // carry another exchange.
  bool reusable = false;
};

// Bytes read past the response stay in `buffer` (for the next response on the connection).
template <class Stream>
asio::awaitable<Result<ReceivedResponse>> read_response(Stream& stream, std::string& buffer,
                                                        const SocketDeadline& deadline,
                                                        std::string_view method,
                                                        const ResponseLimits& limits) {
  std::array<char, 16384> chunk;
  std::error_code last_error;  // of the read that ended the reading
  auto read_more = [&]() -> asio::awaitable<bool> {
    auto [ec, n] = co_await stream.async_read_some(asio::buffer(chunk), use_tuple);
    buffer.append(chunk.data(), n);
    last_error = ec;
    co_return !ec;
  };
  // The peer closed: a FIN, or a TLS peer's close without close_notify (which a body delimited
  // by the close cannot tell from the end, as browsers accept it). A reset or a TLS error is not.
  auto closed = [&] {
    return last_error == asio::error::eof || last_error == asio::ssl::error::stream_truncated;
  };
  auto fail = [](ResponseFailure failure, std::string message) {
    return make_error(std::move(message), static_cast<int>(failure));
  };
  auto ended = [&](std::string_view while_doing) {
    if (deadline.expired()) return fail(ResponseFailure::TimedOut, "no answer in time");
    return fail(ResponseFailure::CutShort,
                "the connection ended " + std::string(while_doing) +
                    (closed() ? std::string() : " (" + last_error.message() + ")"));
  };

  Response response;
  std::vector<Response> interim;
  while (true) {
    std::size_t head_end;
    while ((head_end = find_head_end(buffer)) == std::string::npos) {
      if (buffer.size() > limits.max_head_bytes)
        co_return fail(
            ResponseFailure::TooLarge,
            "the response head is over " + std::to_string(limits.max_head_bytes) + " bytes");
      const bool nothing_yet = buffer.empty();
      if (!co_await read_more()) {
        if (deadline.expired()) co_return fail(ResponseFailure::TimedOut, "no answer in time");
        // A reset or a TLS error says why (a record that failed its integrity check).
        if (nothing_yet)
          co_return fail(
              ResponseFailure::NoResponse,
              closed() ? std::string("the connection closed without a response")
                       : "the connection failed before a response (" + last_error.message() + ")");
        co_return ended("in the middle of the response head");
      }
    }
    auto head = parse_response_head(std::string_view(buffer).substr(0, head_end));
    if (!head) co_return fail(ResponseFailure::Malformed, head.error().message);
    buffer.erase(0, head_end);
    // Interim responses (RFC 9110 section 15.2) precede the final one.
    if (head->status / 100 == 1 && head->status != 101) {
      if (interim.size() < 16) interim.push_back(std::move(*head));  // a server could send many
      continue;
    }
    response = std::move(*head);
    break;
  }

  auto length = response_body_length(response, method);
  if (!length) co_return fail(ResponseFailure::Malformed, length.error().message);
  bool reusable = response.version_minor >= 1 && !response.headers.has_token("Connection", "close");
  switch (length->framing) {
    case BodyFraming::None:
      break;
    case BodyFraming::ContentLength:
      if (length->content_length > limits.max_body_bytes)
        co_return fail(ResponseFailure::TooLarge, "the response body is over the limit of " +
                                                      std::to_string(limits.max_body_bytes) +
                                                      " bytes");
      while (buffer.size() < length->content_length) {
        if (!co_await read_more()) co_return ended("before the end of the body");
      }
      response.body = buffer.substr(0, length->content_length);
      buffer.erase(0, length->content_length);
      break;
    case BodyFraming::Chunked: {
      ChunkedDecoder decoder;
      while (true) {
        auto progress = decoder.feed(buffer, response.body, limits.max_body_bytes);
        if (!progress)
          co_return fail(
              progress.error().code == 413 ? ResponseFailure::TooLarge : ResponseFailure::Malformed,
              "bad chunked body: " + progress.error().message);
        if (*progress == ChunkedDecoder::Progress::Done) break;
        if (!co_await read_more()) co_return ended("before the last chunk");
      }
      break;
    }
    case BodyFraming::UntilClose:
      // The close ends the body (RFC 9112 section 6.3, rule 8); the connection cannot be reused.
      reusable = false;
      while (co_await read_more()) {
        if (buffer.size() > limits.max_body_bytes)
          co_return fail(ResponseFailure::TooLarge, "the response body is over the limit of " +
                                                        std::to_string(limits.max_body_bytes) +
                                                        " bytes");
      }
      if (deadline.expired() || !closed()) co_return ended("in the body");
      response.body = std::move(buffer);
      buffer.clear();
      break;
  }
  co_return ReceivedResponse{std::move(response), std::move(interim), reusable};
}

}  // namespace miniweb::http
