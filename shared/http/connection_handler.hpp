#pragma once
// What a server supplies to the shared HTTP/1.1 connection loop (shared/http/connection.hpp):
// a handler that maps each request to a reply, as the request_handler of Asio's classic HTTP
// server does, and the settings its connections run with. The web server, its forward proxy
// and the CA's ACME endpoint are each one handler; the loop around them is the same.

#include <asio/awaitable.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "shared/http/http2_limits.hpp"
#include "shared/http/message.hpp"
#include "shared/http/parser.hpp"

namespace miniweb::http {

class ServerConnection;

// Limits and timeouts of one connection, each with nginx's status when it is passed.
struct ConnectionLimits {
  Limits request;  // 414, 431, 413
  // A request's head, from its first byte (slowloris), then 408.
  std::chrono::steady_clock::duration header_timeout = std::chrono::seconds(10);
  std::chrono::steady_clock::duration keepalive_timeout = std::chrono::seconds(15);
  std::chrono::steady_clock::duration send_timeout = std::chrono::seconds(30);
  std::size_t max_requests = 1000;  // then Connection: close (over HTTP/2, GOAWAY)
  Http2Limits http2;
};

// Fields every response carries, replacing any of the same name in the handler's response
// (Server; Strict-Transport-Security over TLS). Date, Content-Length and Connection are the
// loop's own.
using ServerFields = std::vector<std::pair<std::string, std::string>>;

struct ConnectionSettings {
  ConnectionLimits limits;
  // A body up to this size leaves in one write with its head (over TLS, in one record when it
  // fits one); a larger one is written from where it is, without a copy.
  std::size_t coalesce_bytes = 16 * 1024;
};

// The handler's answer to one request.
struct Reply {
  // What becomes of the connection after the reply.
  enum class Then {
    KeepAlive,  // open for the next request, if the client wants it and the limits allow
    Close,      // closed after this response, whatever the client asked
    TakenOver,  // the handler used the connection itself (a CONNECT tunnel): nothing more is
                // written, and it is torn down
    Abandoned,  // the connection failed while the handler answered: nothing is written or
                // logged, and it is torn down
  };

  Response response;
  // When set, the body (a whole cached file, sent without a copy); response.body stays empty.
  std::shared_ptr<const std::string> shared_body;
  Then then = Then::KeepAlive;

  static Reply answer(Response response, Then then = Then::KeepAlive) {
    Reply reply;
    reply.response = std::move(response);
    reply.then = then;
    return reply;
  }
  static Reply ending(Then then) {
    Reply reply;
    reply.then = then;
    return reply;
  }
};

// What a handler may do with the connection while it answers.
class Exchange {
 public:
  explicit Exchange(ServerConnection& connection) : connection_(connection) {}
  virtual ~Exchange() = default;

  // Sends an interim response (103 Early Hints) before the final one (RFC 9110 section 15.2);
  // false when the connection failed. Only for HTTP/1.1 clients: 1.0 cannot read one.
  virtual asio::awaitable<bool> send_interim(const Response& interim) = 0;
  // Bytes the client sent after this request that the loop has not read as a request (for a
  // handler that takes the connection over: a tunnel's first bytes).
  virtual std::string& unread() = 0;
  ServerConnection& connection() { return connection_; }

 private:
  ServerConnection& connection_;
};

class ConnectionHandler {
 public:
  virtual ~ConnectionHandler() = default;

  // The reply to a request whose head and body have been read.
  virtual asio::awaitable<Reply> respond(Request& request, Exchange& exchange) = 0;

  // The answer to a request refused while it was read (400, 408, 413, 414, 431, 501, 505):
  // `why` says what nginx's error log would say; `request` is there when its head was read.
  virtual Response refuse(int status, std::string_view why, const Request* request,
                          const ServerConnection& connection) = 0;

  // The fields the server sets on every response (they may change with a reload).
  virtual const ServerFields& server_fields() const = 0;

  // After each response written (the access log): its status and the body bytes sent.
  virtual void responded(const Request& /*request*/, int /*status*/, std::uint64_t /*body_bytes*/,
                         const ServerConnection& /*connection*/) {}

  // Whether the client may be told to send the body it announced with Expect: 100-continue.
  // A handler that will refuse whatever the body says answers false; the body is then read
  // only if the client sends it anyway.
  virtual bool may_continue(const Request& /*request*/, const ServerConnection& /*connection*/) {
    return true;
  }

  // A connection ended because the client broke its protocol or attacked it (an HTTP/2 flood):
  // `why` is the error log's line.
  virtual void connection_failed(std::string_view /*why*/, const ServerConnection& /*connection*/) {
  }

  // Whether the client asked to keep the connection open after this request (RFC 9112
  // section 9.3); a forward proxy also reads Proxy-Connection.
  virtual bool wants_keep_alive(const Request& request) const;
};

}  // namespace miniweb::http
