#pragma once
// Persistent connections (RFC 9112 section 9.3): after a response that allows it, the
// connection (TCP, or TLS over TCP) is kept, idle, for the next request to the same origin,
// as browsers and curl do. An origin is scheme, host and port, and the proxy it goes through.

#include <asio/ssl.hpp>

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "browser/net/http2_session.hpp"
#include "browser/net/tls_client.hpp"
#include "shared/awaitable.hpp"
#include "shared/deadline.hpp"

namespace miniweb::browser {

struct Connection {
  using Clock = std::chrono::steady_clock;

  explicit Connection(const asio::any_io_executor& executor) : socket(executor) {}
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // True when the server has not closed an idle connection nor sent anything unasked (a
  // TLS close_notify counts as that); checked before reuse, as curl does. Over HTTP/2 the
  // server may speak unasked (PING, SETTINGS): the connection is reusable while it is open
  // and neither end has sent GOAWAY.
  bool still_open();
  // A watchdog over the socket while a request is in flight; none while idle, so an idle
  // connection leaves nothing pending on the event loop.
  void watch();
  void unwatch();

  asio::ip::tcp::socket socket;
  std::unique_ptr<TlsStream> tls;  // over `socket`
  std::shared_ptr<SocketDeadline> deadline;
  std::string buffer;  // bytes read past the last response
  // The HTTP/2 session when ALPN chose h2; its requests go as streams of it.
  std::unique_ptr<Http2Session> h2;
  int number = 0;        // "#n" in the trace, as curl -v numbers connections
  std::string peer;      // "host (address:port)" for the trace
  TlsSecurity security;  // what its TLS handshake established
  int requests = 0;
  // HTTP/2: the server said it did not process the last stream (REFUSED_STREAM, or a stream
  // above its GOAWAY's last one, RFC 9113 section 8.7), so it may be sent again anywhere.
  bool stream_refused = false;
  // HTTP/2: the first request, sent as TLS 1.3 early data (tls_early_data.hpp) before the
  // handshake ended: its stream, and the frames that carried it, for the exchange's trace.
  struct EarlyRequest {
    std::int32_t stream = 0;
    std::vector<Http2Frame> frames;
  };
  std::optional<EarlyRequest> early_request;
  // Its handshake's early data was accepted: the server's new session ticket comes only after
  // the client's Finished, so after the first answer, not before it as in a handshake without.
  bool early_data_accepted = false;
  // A ticket is still to come on it (early data accepted, none issued yet): the sessions are
  // written once it has come, in the close, not before (they would be written twice).
  bool awaits_ticket() const;
  Clock::time_point idle_since{};
};

class ConnectionPool {
 public:
  explicit ConnectionPool(std::chrono::milliseconds idle_limit = std::chrono::seconds(60),
                          std::size_t max_idle = 16)
      : idle_limit_(idle_limit), max_idle_(max_idle) {}

  // An idle connection to `origin` that is still open, or none. Connections idle past the
  // limit or closed by the server are dropped on the way.
  std::unique_ptr<Connection> take(const std::string& origin);
  // Keeps `connection` idle for the next request to `origin`.
  void give_back(const std::string& origin, std::unique_ptr<Connection> connection);
  // Closes every idle connection (before the event loop they belong to goes away).
  void clear() { idle_.clear(); }
  // Every idle connection, out of the pool, for a clean close.
  std::vector<std::unique_ptr<Connection>> take_all();
  // Each idle connection, left in the pool.
  template <class Visit>
  void for_each_idle(Visit visit) {
    for (auto& [origin, connection] : idle_) visit(*connection);
  }
  int next_number() { return ++opened_; }
  std::size_t idle_count() const { return idle_.size(); }

 private:
  std::chrono::milliseconds idle_limit_;
  std::size_t max_idle_;
  std::multimap<std::string, std::unique_ptr<Connection>> idle_;
  int opened_ = 0;
};

}  // namespace miniweb::browser
