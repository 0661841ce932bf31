#pragma once
// A CONNECT tunnel (RFC 9110 section 9.3.6): bytes relayed both ways between the client and
// the origin until both have closed. A FIN from one side is passed on as a FIN to the other
// (half-close), so a client that has finished sending still gets the rest of the answer. A
// tunnel in which no byte moves for `idle_timeout` is closed, as is one where either side
// fails (a reset, a write that cannot finish).

#include <asio/awaitable.hpp>
#include <asio/ip/tcp.hpp>

#include <chrono>
#include <cstdint>
#include <string>

#include "shared/deadline.hpp"

namespace miniweb::server {

struct TunnelBytes {
  std::uint64_t to_origin = 0;
  std::uint64_t to_client = 0;
};

// `early` holds bytes the client sent after the CONNECT head (a TLS ClientHello, say); they go
// to the origin first. Both sockets' deadlines are owned by the caller and re-armed here.
asio::awaitable<TunnelBytes> relay_tunnel(asio::ip::tcp::socket& client,
                                          SocketDeadline& client_deadline,
                                          asio::ip::tcp::socket& origin,
                                          SocketDeadline& origin_deadline, const std::string& early,
                                          const std::chrono::seconds& idle_timeout,
                                          const bool& stopping);

}  // namespace miniweb::server
