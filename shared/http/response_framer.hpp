#pragma once
// The framing of one HTTP/1.1 response (RFC 9112 section 6.3) over bytes as they arrive: the
// head, interim 1xx responses set aside, then the body as its framing says (none, Content-Length,
// chunked, or until the close), within limits. A plain class over bytes, so that it can be
// tested and fuzzed alone; read_response (response_reader.hpp) feeds it from a stream.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

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

// How the stream ended, which decides what an unfinished response becomes.
struct StreamEnd {
  bool timed_out = false;  // the deadline passed
  // The peer closed: a FIN, or a TLS peer's close without close_notify (which a body delimited
  // by the close cannot tell from the end, as browsers accept it). A reset or a TLS error is not.
  bool closed = false;
  std::string error;  // why, when it was not a close ("Connection reset by peer")
};

class ResponseFramer {
 public:
  enum class Progress { NeedMore, Complete };

  // `method` is the request's: a response to HEAD has no body.
  ResponseFramer(std::string_view method, const ResponseLimits& limits);

  // Frames what `buffer` holds (the bytes read so far and not yet framed), removing what
  // belongs to the response. After Complete, what is left belongs to the next response on the
  // connection. An error's code is a ResponseFailure.
  Result<Progress> feed(std::string& buffer);
  // No more bytes will come: Complete when the close ends the body, else why not.
  Result<Progress> finish(std::string& buffer, const StreamEnd& end);

  // The response, once feed or finish said Complete.
  ReceivedResponse take() { return std::move(received_); }

 private:
  enum class Stage { Head, Body, Done };

  Result<Progress> feed_head(std::string& buffer);
  Result<Progress> start_body();
  Result<Progress> feed_body(std::string& buffer);

  std::string method_;
  ResponseLimits limits_;
  Stage stage_ = Stage::Head;
  // Whether the buffer was empty when the head asked for more: a stream that ends then sent
  // no response at all.
  bool nothing_yet_ = true;
  BodyLength length_;
  ChunkedDecoder chunked_;
  ReceivedResponse received_;
};

}  // namespace miniweb::http
