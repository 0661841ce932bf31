#include "browser/net/connection_pool.hpp"

#include <sys/socket.h>

#include <algorithm>
#include <cerrno>

namespace miniweb::browser {

Connection::~Connection() {
  unwatch();
  std::error_code ignored;
  socket.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  socket.close(ignored);
}

bool Connection::awaits_ticket() const {
  return early_data_accepted && tls && TlsClient::sessions_issued(tls->native_handle()) == 0;
}

bool Connection::still_open() {
  if (!socket.is_open() || !buffer.empty()) return false;
  char byte = 0;
  const auto n = ::recv(socket.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  // HTTP/2: bytes waiting are frames the next exchange reads first (a GOAWAY among them
  // refuses its stream, and the request goes again on a new connection).
  if (h2) return h2->usable() && (n > 0 || (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)));
  // -1 with EAGAIN: nothing to read, the connection is open and quiet. 0: the server closed
  // it. A byte: the server said something unasked (a TLS alert, a 408): not reusable.
  return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
}

void Connection::watch() {
  if (!deadline) deadline = SocketDeadline::start(socket);
}

void Connection::unwatch() {
  if (deadline) deadline->stop();
  deadline.reset();
}

std::unique_ptr<Connection> ConnectionPool::take(const std::string& origin) {
  const auto now = Connection::Clock::now();
  auto [first, last] = idle_.equal_range(origin);
  auto best = last;
  for (auto it = first; it != last;) {
    if (now - it->second->idle_since >= idle_limit_ || !it->second->still_open()) {
      it = idle_.erase(it);
      continue;
    }
    // The most recently used: the least likely to have been closed by the server.
    if (best == last || it->second->idle_since > best->second->idle_since) best = it;
    ++it;
  }
  if (best == last) return nullptr;
  std::unique_ptr<Connection> found = std::move(best->second);
  idle_.erase(best);
  found->watch();
  return found;
}

std::vector<std::unique_ptr<Connection>> ConnectionPool::take_all() {
  std::vector<std::unique_ptr<Connection>> all;
  for (auto& [origin, connection] : idle_) all.push_back(std::move(connection));
  idle_.clear();
  for (auto& connection : all) connection->watch();
  return all;
}

void ConnectionPool::give_back(const std::string& origin, std::unique_ptr<Connection> connection) {
  connection->unwatch();
  connection->idle_since = Connection::Clock::now();
  idle_.emplace(origin, std::move(connection));
  // Over the limit, the connection idle longest is closed.
  while (idle_.size() > max_idle_) {
    auto oldest = std::min_element(idle_.begin(), idle_.end(), [](const auto& a, const auto& b) {
      return a.second->idle_since < b.second->idle_since;
    });
    idle_.erase(oldest);
  }
}

}  // namespace miniweb::browser
