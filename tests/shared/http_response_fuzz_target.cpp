// libFuzzer entry point for the framing of HTTP/1.1 responses (shared/http/response_framer.hpp),
// as the browser, the reverse proxy and the CA's http-01 check read them, shared by the clang
// fuzzer and the corpus driver (tests/support/fuzz_driver.cpp). Nothing may crash, hang or
// leak, and:
//   - the bytes frame the same whether they arrive in one read or in reads cut where the input
//     says: the same response, interim responses, reusability and bytes left over, or the same
//     failure;
//   - what completes keeps the framing's promises: no body for HEAD, 1xx, 204 and 304, exactly
//     Content-Length bytes, nothing over the body limit, no reuse after a close-delimited body
//     or "Connection: close".
// Input: a flags byte (the request method, how the stream ends, small or default limits), a
// byte giving the number of read sizes (0 to 7: 0 is one read), the read sizes (1 to 256
// bytes each, used in turn), then the bytes the server sends.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "shared/http/response_framer.hpp"

namespace {

using namespace miniweb;
using namespace miniweb::http;

struct Outcome {
  Result<ReceivedResponse> received = make_error("not framed");
  std::string left;  // the bytes after the response, read or not
};

Outcome frame(std::string_view wire, const std::vector<std::size_t>& reads, std::string_view method,
              const ResponseLimits& limits, const StreamEnd& end) {
  ResponseFramer framer(method, limits);
  Outcome outcome;
  std::string buffer;
  std::size_t at = 0;
  for (std::size_t turn = 0;; ++turn) {
    auto progress = framer.feed(buffer);
    if (!progress) {
      outcome.received = progress.error();
      return outcome;
    }
    if (*progress == ResponseFramer::Progress::Complete) break;
    if (at == wire.size()) {
      auto ended = framer.finish(buffer, end);
      if (!ended) {
        outcome.received = ended.error();
        return outcome;
      }
      break;
    }
    const std::size_t size = reads.empty() ? wire.size() : reads[turn % reads.size()];
    buffer.append(wire.substr(at, size));
    at = std::min(wire.size(), at + size);
  }
  outcome.received = framer.take();
  outcome.left = buffer + std::string(wire.substr(at));
  return outcome;
}

bool same_head(const Response& a, const Response& b) {
  return a.status == b.status && a.reason == b.reason && a.version_minor == b.version_minor &&
         a.headers.fields() == b.headers.fields();
}

bool same(const Outcome& a, const Outcome& b) {
  if (static_cast<bool>(a.received) != static_cast<bool>(b.received)) return false;
  if (!a.received)
    return a.received.error().code == b.received.error().code &&
           a.received.error().message == b.received.error().message;
  const ReceivedResponse& x = *a.received;
  const ReceivedResponse& y = *b.received;
  if (!same_head(x.response, y.response) || x.response.body != y.response.body ||
      x.reusable != y.reusable || x.interim.size() != y.interim.size() || a.left != b.left)
    return false;
  for (std::size_t i = 0; i < x.interim.size(); ++i)
    if (!same_head(x.interim[i], y.interim[i])) return false;
  return true;
}

void check_promises(const ReceivedResponse& received, std::string_view method,
                    const ResponseLimits& limits) {
  const Response& response = received.response;
  if (response.status / 100 == 1 && response.status != 101) __builtin_trap();
  if (received.interim.size() > 16) __builtin_trap();
  for (const Response& interim : received.interim)
    if (interim.status / 100 != 1 || interim.status == 101) __builtin_trap();
  if (response.body.size() > limits.max_body_bytes) __builtin_trap();
  auto length = response_body_length(response, method);
  if (!length) __builtin_trap();  // the framer refuses what has no framing
  switch (length->framing) {
    case BodyFraming::None:
      if (!response.body.empty()) __builtin_trap();
      break;
    case BodyFraming::ContentLength:
      if (response.body.size() != length->content_length) __builtin_trap();
      break;
    case BodyFraming::Chunked:
      break;
    case BodyFraming::UntilClose:
      if (received.reusable) __builtin_trap();
      break;
  }
  if (received.reusable &&
      (response.version_minor < 1 || response.headers.has_token("Connection", "close")))
    __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  static constexpr std::string_view kMethods[] = {"GET", "HEAD", "POST", "GET"};
  const std::string_view method = kMethods[data[0] & 3];
  const StreamEnd end = (data[0] & 4) ? StreamEnd{false, false, "Connection reset by peer"}
                                      : StreamEnd{false, true, ""};
  ResponseLimits limits;
  if (data[0] & 8) limits = ResponseLimits{.max_head_bytes = 120, .max_body_bytes = 40};
  const std::size_t count = data[1] % 8;
  if (size < 2 + count) return 0;
  std::vector<std::size_t> reads;
  for (std::size_t i = 0; i < count; ++i) reads.push_back(1 + data[2 + i]);
  const std::string_view wire(reinterpret_cast<const char*>(data) + 2 + count, size - 2 - count);

  const Outcome whole = frame(wire, {}, method, limits, end);
  if (whole.received) check_promises(*whole.received, method, limits);
  if (!reads.empty() && !same(whole, frame(wire, reads, method, limits, end))) __builtin_trap();
  // A byte at a time, the smallest reads a stream can give (for short inputs: the head's end
  // is looked for afresh after each read).
  if (wire.size() <= 512 && !same(whole, frame(wire, {1}, method, limits, end))) __builtin_trap();
  return 0;
}
