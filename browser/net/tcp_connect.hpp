#pragma once
// The TCP connection: the kernel makes the three-way handshake; the browser tries each address
// of the host in turn within the connect timeout, as curl does, and each attempt is a step of
// the journey with its measured duration.

#include <asio/ip/tcp.hpp>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "browser/trace.hpp"
#include "shared/awaitable.hpp"
#include "shared/deadline.hpp"
#include "shared/result.hpp"

namespace miniweb::browser {

struct TcpTarget {
  std::string host;  // as the trace names it
  std::vector<asio::ip::address> addresses;
  std::uint16_t port = 0;
  bool proxy = false;  // the host is the proxy, not the origin
};

// Connects `socket` (watched by `deadline`) to the first address that accepts. The result is
// "host (address:port)" for the trace; Error::code is exit_code::kConnect, or kTimeout when the
// last address did not answer in time (as curl's connect timeout). The first attempt's step
// begins at `set_up_since`, when the caller began to make the socket and its watchdog.
asio::awaitable<Result<std::string>> connect_tcp(asio::ip::tcp::socket& socket,
                                                 SocketDeadline& deadline, const TcpTarget& target,
                                                 const std::chrono::milliseconds& timeout,
                                                 int connection_number, Trace& trace,
                                                 Trace::Clock::duration set_up_since);

}  // namespace miniweb::browser
