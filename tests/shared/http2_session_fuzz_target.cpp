// libFuzzer entry point for the server's HTTP/2 input (shared/http2/server_session.hpp),
// shared by the clang fuzzer and the corpus driver (tests/support/fuzz_driver.cpp). The input
// is what a client sends after its connection preface: any frames, cut into reads of sizes the
// first byte picks. Every request that arrives is answered with a body, so that responses,
// flow control and resets interleave with the input. Nothing may crash, hang or leak.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "shared/http2/server_session.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace miniweb;
  if (size == 0) return 0;
  const std::size_t read_size = 1 + data[0] % 64 * 37;
  ++data;
  --size;
  http::ConnectionLimits limits;
  limits.request.max_body_bytes = 4096;
  limits.http2.max_header_list_size = 4096;
  http2::ServerSession session(limits, http2::FloodLimits{}, nullptr);
  static const std::string preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
  bool alive =
      session.receive({reinterpret_cast<const std::uint8_t*>(preface.data()), preface.size()});
  const auto body = std::make_shared<const std::string>(20000, 'x');
  std::string out;
  for (std::size_t offset = 0; alive && offset < size; offset += read_size) {
    const std::size_t n = std::min(read_size, size - offset);
    alive = session.receive({data + offset, n});
    for (const auto& refused : session.take_refused()) {
      http::Response response;
      response.status = refused.status;
      session.respond(refused.stream_id, response, nullptr, {});
    }
    for (const auto& arrived : session.take_arrived()) {
      http::Response response;
      response.headers.add("Content-Type", "text/plain");
      if (arrived.request->target.size() % 3 == 0)
        session.reset(arrived.stream_id, 2);
      else
        session.respond(arrived.stream_id, response, body, {{"Server", "fuzz"}});
    }
    out.clear();
    session.take_output(out, 1 + offset % 70000);
    session.report_ended();
  }
  return 0;
}
