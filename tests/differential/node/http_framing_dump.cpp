// How miniweb's server frames each HTTP/1.1 request stream, printed as JSON for
// framing_diff.py to compare with llhttp (llhttp_framing.js prints the same shape). Each line of
// the input file is one hex-encoded stream; each output line is
//   {"messages": [{method, target, version, headers, body, keep_alive}], "end": E, "error": C}
// E: complete | incomplete | error | closed (a message ended the connection) | upgrade (CONNECT).
// "ends" (beside "messages") says where each message ends in the stream.
//
// The stream goes through the server's own reading code (shared/http/request_reader.hpp), the
// loop of shared/http/connection.hpp reduced to framing: the whole stream is in the buffer,
// then the connection ends.

#include <fstream>
#include <iostream>
#include <string>

#include "shared/awaitable.hpp"
#include "shared/http/connection_handler.hpp"
#include "shared/http/request_reader.hpp"
#include "tests/differential/node/byte_json.hpp"

namespace {

using namespace miniweb;
using namespace miniweb::http;

// Only for the server's keep-alive rule (ConnectionHandler::wants_keep_alive), which it does
// not override.
class KeepAliveRule final : public ConnectionHandler {
 public:
  asio::awaitable<Reply> respond(Request& /*request*/, Exchange& /*exchange*/) override {
    co_return Reply{};
  }
  Response refuse(int /*status*/, std::string_view /*why*/, const Request* /*request*/,
                  const ServerConnection& /*connection*/) override {
    return Response{};
  }
  const ServerFields& server_fields() const override { return fields_; }

 private:
  ServerFields fields_;
};

struct Framing {
  std::string messages;  // JSON objects, comma-separated
  std::string ends;      // where each message ends in the stream, comma-separated
  std::string end = "complete";
  std::string error;
};

std::string message_json(const Request& request, bool keep_alive) {
  std::string out = "{\"method\":" + differential::json_bytes(request.method) +
                    ",\"target\":" + differential::json_bytes(request.target) +
                    ",\"version\":\"1." + std::to_string(request.version_minor) +
                    "\",\"headers\":[";
  bool first = true;
  for (const auto& [name, value] : request.headers) {
    out += first ? "[" : ",[";
    out += differential::json_bytes(name) + "," + differential::json_bytes(value) + "]";
    first = false;
  }
  out += "],\"body\":" + differential::json_bytes(request.body) +
         ",\"keep_alive\":" + (keep_alive ? "true" : "false") + "}";
  return out;
}

// Class arguments by reference: GCC 12 miscompiles prvalue class arguments of coroutines.
asio::awaitable<void> frame(const std::string& stream, Framing& framing) {
  std::string buffer = stream;
  const Limits limits;
  const KeepAliveRule rule;
  auto read_more = []() -> asio::awaitable<bool> { co_return false; };  // the stream ended
  auto became_busy = [] {};
  auto timed_out = [] { return false; };
  auto send_continue = []() -> asio::awaitable<bool> { co_return true; };
  auto fail = [&](const Error& error, bool request_begun) {
    // Code 0: the connection ended. Bytes left that are only line ends are no request begun:
    // the server closes without a word, as at the end of a message.
    if (error.code == 0) {
      request_begun = request_begun || buffer.find_first_not_of("\r\n") != std::string::npos;
      framing.end = request_begun ? "incomplete" : "complete";
    } else {
      framing.end = "error";
      framing.error = std::to_string(error.code) + ": " + error.message;
    }
  };
  while (true) {
    auto request = co_await read_request_head(buffer, limits, read_more, became_busy, timed_out);
    if (!request) {
      fail(request.error(), false);
      co_return;
    }
    const std::string separator = framing.messages.empty() ? "" : ",";
    // RFC 9110 section 9.3.6: after a CONNECT's head the bytes are the tunnel's.
    if (request->method == "CONNECT") {
      framing.messages += separator + message_json(*request, rule.wants_keep_alive(*request));
      framing.ends += separator + std::to_string(stream.size() - buffer.size());
      framing.end = "upgrade";
      co_return;
    }
    auto body = co_await read_request_body(*request, buffer, limits, read_more, send_continue);
    if (!body) {
      fail(body.error(), true);
      co_return;
    }
    const bool keep_alive = rule.wants_keep_alive(*request);
    framing.messages += separator + message_json(*request, keep_alive);
    framing.ends += separator + std::to_string(stream.size() - buffer.size());
    if (!keep_alive) {
      framing.end = "closed";
      co_return;
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: " << argv[0] << " HEX_LINES_FILE\n";
    return 2;
  }
  std::ifstream in(argv[1]);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    Framing framing;
    const std::string stream = differential::from_hex(line);
    asio::io_context io;
    asio::co_spawn(io, frame(stream, framing), asio::detached);
    io.run();
    std::cout << "{\"messages\":[" << framing.messages << "],\"ends\":[" << framing.ends
              << "],\"end\":\"" << framing.end << "\",\"error\":"
              << (framing.error.empty() ? "null" : differential::json_bytes(framing.error))
              << "}\n";
  }
  return 0;
}
