#pragma once
// Reading one HTTP/1.1 response from a stream (RFC 9112 section 6.3): the head, interim 1xx
// responses skipped, then the body as its framing says (response_framer.hpp), within limits and
// a deadline. The browser, the server's reverse proxy and the CA's http-01 check all read
// responses this way; each turns a failure into its own terms (an exit code, a 502 or 504, an
// ACME problem).

#include <asio/ssl/error.hpp>

#include <array>
#include <string>
#include <string_view>

#include "shared/awaitable.hpp"
#include "shared/deadline.hpp"
#include "shared/http/response_framer.hpp"
#include "shared/result.hpp"

namespace miniweb::http {

// Bytes read past the response stay in `buffer` (for the next response on the connection).
template <class Stream>
asio::awaitable<Result<ReceivedResponse>> read_response(Stream& stream, std::string& buffer,
                                                        const SocketDeadline& deadline,
                                                        std::string_view method,
                                                        const ResponseLimits& limits) {
  std::array<char, 16384> chunk;
  ResponseFramer framer(method, limits);
  while (true) {
    auto progress = framer.feed(buffer);
    if (!progress) co_return progress.error();
    if (*progress == ResponseFramer::Progress::Complete) co_return framer.take();
    auto [ec, n] = co_await stream.async_read_some(asio::buffer(chunk), use_tuple);
    buffer.append(chunk.data(), n);
    if (ec) {
      // The peer closed: a FIN, or a TLS peer's close without close_notify. A reset or a TLS
      // error is not.
      const bool closed = ec == asio::error::eof || ec == asio::ssl::error::stream_truncated;
      auto ended = framer.finish(buffer, StreamEnd{deadline.expired(), closed, ec.message()});
      if (!ended) co_return ended.error();
      co_return framer.take();
    }
  }
}

}  // namespace miniweb::http
