#pragma once
// The state Asio's reactor keeps for every socket, allocated ahead in blocks.
//
// Asio's epoll reactor keeps one state object (176 bytes here) for each socket open at once,
// and when a socket closes it keeps the object for the next one, never freeing it. Allocated
// one at a time as connections arrive, those objects land between each connection's memory;
// once the connections close, they hold the freed memory apart in holes of 12 to 40 KB that
// glibc's malloc cannot merge. After 1000 idle connections came and went, the heap had 1274
// free chunks, and every TLS record buffer freed after that walked a large bin's list of them
// (glibc keeps each large bin sorted by size): _int_malloc took 5.6 to 7.3% of a full
// handshake's CPU, against under 1% on a fresh server. nginx allocates its connection
// structures up front; this has the reactor make its objects together, a block at a time, by
// opening a block of sockets at once and closing them, ahead of the connections that will
// reuse them.

#include <asio.hpp>

#include <cstddef>

namespace miniweb::server {

class ReactorReserve {
 public:
  explicit ReactorReserve(asio::io_context& io) : io_(io) {}

  // Makes sure the reactor holds states for `sockets_open` sockets and a margin (listeners,
  // upstream connections, the next accepts). Stops early, keeping what it has, when no socket
  // can be opened (the file limit).
  void cover(std::size_t sockets_open);
  std::size_t reserved() const { return reserved_; }

  static constexpr std::size_t kBlock = 256;
  static constexpr std::size_t kMargin = 32;

 private:
  bool reserve_block();

  asio::io_context& io_;
  std::size_t reserved_ = 0;
};

}  // namespace miniweb::server
