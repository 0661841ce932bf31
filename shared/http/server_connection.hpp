#pragma once
// The live connections of a server, after the connection_manager of Asio's classic HTTP
// server: what the server knows of each connection (its socket once a coroutine owns it, its
// deadline, its peer, whether it is between requests), and a registry that holds them all so
// that a stop closes the idle ones at once and lets the busy ones finish their request.

#include <netinet/in.h>
#include <asio/ip/tcp.hpp>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "shared/deadline.hpp"

namespace miniweb::http {

class ConnectionRegistry;

class ServerConnection {
 public:
  using Clock = std::chrono::steady_clock;

  ServerConnection(const asio::ip::tcp::endpoint& peer, std::uint64_t number,
                   ConnectionRegistry& registry)
      : peer_(peer), number_(number), registry_(&registry) {}
  ServerConnection(const ServerConnection&) = delete;
  ServerConnection& operator=(const ServerConnection&) = delete;
  inline ~ServerConnection();

  // The socket the connection runs on, once its coroutine owns it (inside a TLS stream, say);
  // starts the deadline's watchdog over it. detach() before the socket goes.
  void attach(asio::ip::tcp::socket& socket) {
    socket_ = &socket;
    deadline_.emplace(socket);
  }
  void detach() {
    if (deadline_) deadline_->stop();
    socket_ = nullptr;
  }

  // From now on the connection's operations must finish within `timeout`; when they do not,
  // they are cancelled and expired() says so.
  void arm(Clock::duration timeout) { deadline_->arm(timeout); }
  bool expired() const { return deadline_->expired(); }
  SocketDeadline& deadline() { return *deadline_; }
  asio::ip::tcp::socket& socket() { return *socket_; }

  const asio::ip::tcp::endpoint& peer() const { return peer_; }
  // The peer's address as logs write it (made when asked: an idle connection holds no string).
  // An IPv4 address is written here: Asio's to_string goes through inet_ntop, whose sprintf
  // was a few percent of a keep-alive request's cost (one access log line each).
  std::string peer_address() const {
    if (!peer_.address().is_v4()) return peer_.address().to_string();
    std::string text;  // at most 15 characters: no allocation
    for (const unsigned byte : peer_.address().to_v4().to_bytes()) {
      if (!text.empty()) text.push_back('.');
      if (byte >= 100) text.push_back(static_cast<char>('0' + byte / 100));
      if (byte >= 10) text.push_back(static_cast<char>('0' + byte / 10 % 10));
      text.push_back(static_cast<char>('0' + byte % 10));
    }
    return text;
  }
  // The connection's serial number, as nginx's error log shows it ("*7").
  std::uint64_t number() const { return number_; }
  // The server is stopping: finish the request in hand, then close.
  inline bool stopping() const;
  // The same, for code that watches it while it waits (a tunnel).
  inline const bool& stopping_flag() const;

  // Between requests (or a tunnel, which has no request boundary to wait for): a stop may
  // close the connection at once.
  bool idle = true;
  // The client may still be sending (a refusal before its request was read, or requests
  // pipelined past the last answer): close with a lingering close, not at once.
  bool linger = false;

  // A stop: cancels the socket's operations if the connection is idle, and tells a
  // connection that has streams (HTTP/2) to send its GOAWAY.
  void close_if_idle() {
    std::error_code ignored;
    if (idle && socket_) socket_->cancel(ignored);
    if (on_notice) (*on_notice)();
  }
  // A reload: a connection that can say so (HTTP/2's GOAWAY) asks its client to open a new
  // connection for its next requests, which then meet the new configuration and certificates.
  void drain() {
    draining_ = true;
    if (on_notice) (*on_notice)();
  }
  bool draining() const { return draining_; }
  // Called on stop and drain (the HTTP/2 loop wakes up to send GOAWAY); it lives in that loop,
  // which clears this before it ends (a pointer: no std::function in every idle connection).
  const std::function<void()>* on_notice = nullptr;

 private:
  friend class ConnectionRegistry;

  asio::ip::tcp::endpoint peer_;
  std::uint64_t number_;
  // The registry it is listed in, until removed; null once the registry is gone (a server
  // destroyed before its io_context lets go of the connection's coroutine).
  ConnectionRegistry* registry_;
  // Its place in the registry's list (the registry holds no node of its own per connection).
  ServerConnection* previous_ = nullptr;
  ServerConnection* next_ = nullptr;
  bool draining_ = false;
  asio::ip::tcp::socket* socket_ = nullptr;  // owned by the connection's coroutine
  std::optional<SocketDeadline> deadline_;
};

// The server's live connections, a list threaded through them: a connection is listed from
// its accept until remove() (or its end, whichever comes first).
class ConnectionRegistry {
 public:
  ConnectionRegistry() = default;
  ConnectionRegistry(const ConnectionRegistry&) = delete;
  ConnectionRegistry& operator=(const ConnectionRegistry&) = delete;
  ~ConnectionRegistry() {
    for_each([this](ServerConnection& connection) {
      unlink(connection);
      connection.registry_ = nullptr;
    });  // the connections still held learn that their server is gone
  }

  // A connection accepted from `peer`, numbered in order.
  std::shared_ptr<ServerConnection> add(const asio::ip::tcp::endpoint& peer) {
    auto connection = std::make_shared<ServerConnection>(peer, ++last_number_, *this);
    link(*connection);
    return connection;
  }
  // The connection is done with (it then reads as stopping).
  void remove(const std::shared_ptr<ServerConnection>& connection) {
    unlink(*connection);
    connection->registry_ = nullptr;
  }
  std::size_t size() const { return size_; }

  // No more keep-alive; idle connections are closed now, busy ones after their response.
  void stop() {
    stopping_ = true;
    for_each([](ServerConnection& connection) { connection.close_if_idle(); });
  }
  bool stopping() const { return stopping_; }
  // The same, for code that watches it while it waits (a tunnel).
  const bool& stopping_flag() const { return stopping_; }
  // A reload: connections that can ask their clients to move to a new one do so.
  void drain() {
    for_each([](ServerConnection& connection) { connection.drain(); });
  }

 private:
  friend class ServerConnection;

  void link(ServerConnection& connection) {
    connection.next_ = first_;
    if (first_) first_->previous_ = &connection;
    first_ = &connection;
    ++size_;
  }
  void unlink(ServerConnection& connection) {
    const bool listed = connection.previous_ != nullptr || first_ == &connection;
    if (!listed) return;
    if (connection.previous_)
      connection.previous_->next_ = connection.next_;
    else
      first_ = connection.next_;
    if (connection.next_) connection.next_->previous_ = connection.previous_;
    connection.previous_ = connection.next_ = nullptr;
    --size_;
  }
  // Each listed connection; `visit` may remove the one it is given.
  template <typename Visit>
  void for_each(Visit visit) {
    for (ServerConnection* connection = first_; connection;) {
      ServerConnection* next = connection->next_;
      visit(*connection);
      connection = next;
    }
  }

  ServerConnection* first_ = nullptr;
  std::size_t size_ = 0;
  std::uint64_t last_number_ = 0;
  bool stopping_ = false;
};

ServerConnection::~ServerConnection() {
  if (registry_) registry_->unlink(*this);
}
bool ServerConnection::stopping() const {
  return stopping_flag();
}
const bool& ServerConnection::stopping_flag() const {
  static const bool gone = true;  // no registry, no server: nothing more to serve
  return registry_ ? registry_->stopping_flag() : gone;
}

}  // namespace miniweb::http
