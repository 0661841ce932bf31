#pragma once
// Parsing HTTP/1.1 message heads and bodies (RFC 9112), strictly enough to close request
// smuggling: a message is either understood exactly one way or refused.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "shared/http/message.hpp"
#include "shared/result.hpp"

namespace miniweb::http {

// Limits, with the status nginx answers when one is passed.
struct Limits {
  std::size_t max_request_line = 8192;   // 414
  std::size_t max_header_bytes = 32768;  // 431 (the whole head)
  std::size_t max_header_count = 100;    // 431
  std::size_t max_body_bytes = 1 << 20;  // 413
};

// How the body of a message is delimited (RFC 9112 section 6.3).
enum class BodyFraming { None, ContentLength, Chunked, UntilClose };

struct BodyLength {
  BodyFraming framing = BodyFraming::None;
  std::uint64_t content_length = 0;
};

// `head` is everything up to and including the empty line. On error, Error::code is the
// status to answer with (400, 414, 431, 501, 505).
Result<Request> parse_request_head(std::string_view head, const Limits& limits);
Result<Response> parse_response_head(std::string_view head);

// Where the head ends: the offset just past the empty line, or npos if it is not there yet.
// Accepts CRLF and bare LF line endings (RFC 9112 section 2.2).
std::size_t find_head_end(std::string_view data);

// RFC 9112 section 6: Transfer-Encoding with Content-Length, differing Content-Lengths and
// malformed values are errors (code 400; 501 for a transfer coding we do not know).
Result<BodyLength> request_body_length(const Request& request);
Result<BodyLength> response_body_length(const Response& response, std::string_view request_method);

// Decodes a chunked body (RFC 9112 section 7.1) as bytes arrive.
class ChunkedDecoder {
 public:
  enum class Progress { NeedMore, Done };

  // Consumes what it can from `input` (removing it), appending data to `body`.
  Result<Progress> feed(std::string& input, std::string& body, std::size_t max_body);

 private:
  enum class State { Size, Data, DataEnd, Trailer };
  State state_ = State::Size;
  std::uint64_t remaining_ = 0;
};

}  // namespace miniweb::http
