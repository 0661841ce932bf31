// libFuzzer entry point for the HTTP/1.1 parsers (shared/http/parser.hpp), shared by the clang
// fuzzer and the corpus driver (tests/support/fuzz_driver.cpp). Nothing may crash, hang or
// leak, and what is accepted must mean one thing:
//   - a request or response head that parses, serialized again, parses to the same message;
//   - a chunked body decodes the same whether it arrives at once or in pieces.
// The first byte picks the parser; the second (for chunked bodies) how to cut the input.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "shared/http/parser.hpp"

namespace {

using namespace miniweb::http;

bool same_fields(const Headers& a, const Headers& b) {
  return a.fields() == b.fields();
}

void check_request(std::string_view text) {
  const Limits limits;
  const std::size_t end = find_head_end(text);
  auto request = parse_request_head(text.substr(0, end), limits);
  if (!request) return;
  (void)request_body_length(*request);
  (void)request->headers.has_token("Connection", "close");
  // CRLF for bare LF makes the head longer: the second parse gets room for that.
  Limits roomier = limits;
  roomier.max_header_bytes *= 2;
  roomier.max_request_line *= 2;
  const std::string wire = request->serialize();
  auto again = parse_request_head(std::string_view(wire).substr(0, find_head_end(wire)), roomier);
  if (!again || again->method != request->method || again->target != request->target ||
      again->version_minor != request->version_minor ||
      !same_fields(again->headers, request->headers))
    __builtin_trap();
}

void check_response(std::string_view text) {
  auto response = parse_response_head(text.substr(0, find_head_end(text)));
  if (!response) return;
  (void)response_body_length(*response, "GET");
  (void)response_body_length(*response, "HEAD");
  const std::string wire = response->serialize_head();
  auto again = parse_response_head(wire);
  if (!again || again->status != response->status ||
      again->version_minor != response->version_minor ||
      (!response->reason.empty() && again->reason != response->reason) ||
      !same_fields(again->headers, response->headers))
    __builtin_trap();
}

enum class Outcome { NeedMore, Done, Failed };

Outcome decode(ChunkedDecoder& decoder, std::string& input, std::string& body) {
  auto progress = decoder.feed(input, body, 1 << 16);
  if (!progress) return Outcome::Failed;
  return *progress == ChunkedDecoder::Progress::Done ? Outcome::Done : Outcome::NeedMore;
}

void check_chunked(std::string_view text) {
  if (text.empty()) return;
  const std::size_t step = 1 + static_cast<unsigned char>(text[0]) % 64;
  text.remove_prefix(1);

  ChunkedDecoder whole_decoder;
  std::string whole_input(text);
  std::string whole_body;
  const Outcome whole = decode(whole_decoder, whole_input, whole_body);

  ChunkedDecoder piece_decoder;
  std::string piece_input;
  std::string piece_body;
  Outcome pieces = Outcome::NeedMore;
  for (std::size_t at = 0; at < text.size() && pieces == Outcome::NeedMore; at += step) {
    piece_input.append(text.substr(at, step));
    pieces = decode(piece_decoder, piece_input, piece_body);
  }
  if (pieces != whole || (whole != Outcome::Failed && piece_body != whole_body)) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 3) {
    case 0:
      check_request(input);
      break;
    case 1:
      check_response(input);
      break;
    default:
      check_chunked(input);
      break;
  }
  return 0;
}
