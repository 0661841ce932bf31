#pragma once
// The live connections of a server, after the connection_manager of Asio's classic HTTP
// server: what the server knows of each connection (its socket once a coroutine owns it, its
// deadline, its peer, whether it is between requests), and a registry that holds them all so
// that a stop closes the idle ones at once and lets the busy ones finish their request.

#include <asio/ip/tcp.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <unordered_set>

#include "shared/deadline.hpp"

namespace miniweb::http {

class ServerConnection {
 public:
  using Clock = std::chrono::steady_clock;

  ServerConnection(const asio::ip::tcp::endpoint& peer, std::uint64_t number, const bool& stopping)
      : peer_(peer),
        peer_address_(peer.address().to_string()),
        number_(number),
        stopping_(stopping) {}
  ServerConnection(const ServerConnection&) = delete;
  ServerConnection& operator=(const ServerConnection&) = delete;

  // The socket the connection runs on, once its coroutine owns it (inside a TLS stream, say);
  // starts the deadline's watchdog over it. detach() before the socket goes.
  void attach(asio::ip::tcp::socket& socket) {
    socket_ = &socket;
    deadline_ = SocketDeadline::start(socket);
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
  // The peer's address as logs write it.
  const std::string& peer_address() const { return peer_address_; }
  // The connection's serial number, as nginx's error log shows it ("*7").
  std::uint64_t number() const { return number_; }
  // The server is stopping: finish the request in hand, then close.
  bool stopping() const { return stopping_; }
  // The same, for code that watches it while it waits (a tunnel).
  const bool& stopping_flag() const { return stopping_; }

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
    if (on_notice) on_notice();
  }
  // A reload: a connection that can say so (HTTP/2's GOAWAY) asks its client to open a new
  // connection for its next requests, which then meet the new configuration and certificates.
  void drain() {
    draining_ = true;
    if (on_notice) on_notice();
  }
  bool draining() const { return draining_; }
  // Called on stop and drain (the HTTP/2 loop wakes up to send GOAWAY).
  std::function<void()> on_notice;

 private:
  asio::ip::tcp::endpoint peer_;
  std::string peer_address_;
  std::uint64_t number_;
  const bool& stopping_;
  bool draining_ = false;
  asio::ip::tcp::socket* socket_ = nullptr;  // owned by the connection's coroutine
  std::shared_ptr<SocketDeadline> deadline_;
};

class ConnectionRegistry {
 public:
  // A connection accepted from `peer`, numbered in order.
  std::shared_ptr<ServerConnection> add(const asio::ip::tcp::endpoint& peer) {
    auto connection = std::make_shared<ServerConnection>(peer, ++last_number_, stopping_);
    connections_.insert(connection);
    return connection;
  }
  void remove(const std::shared_ptr<ServerConnection>& connection) {
    connections_.erase(connection);
  }
  std::size_t size() const { return connections_.size(); }

  // No more keep-alive; idle connections are closed now, busy ones after their response.
  void stop() {
    stopping_ = true;
    for (const auto& connection : connections_) connection->close_if_idle();
  }
  bool stopping() const { return stopping_; }
  // The same, for code that watches it while it waits (a tunnel).
  const bool& stopping_flag() const { return stopping_; }
  // A reload: connections that can ask their clients to move to a new one do so.
  void drain() {
    for (const auto& connection : connections_) connection->drain();
  }

 private:
  std::unordered_set<std::shared_ptr<ServerConnection>> connections_;
  std::uint64_t last_number_ = 0;
  bool stopping_ = false;
};

}  // namespace miniweb::http
