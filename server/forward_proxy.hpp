#pragma once
// A forward-proxy listener's connections, as squid and tinyproxy serve them: CONNECT opens a
// tunnel to an allowed port (RFC 9110 section 9.3.6), an absolute-form http:// request is
// forwarded to its origin (RFC 9112 section 3.2.2), anything else is refused. Only clients in
// the listener's `allow` ranges may use it; everyone else gets 403.

#include <asio/awaitable.hpp>
#include <asio/ip/tcp.hpp>

#include <cstdint>

#include "server/config.hpp"
#include "shared/deadline.hpp"

namespace miniweb::server {

// What the server lends the proxy of one client connection.
struct ProxyConnection {
  asio::ip::tcp::socket& socket;
  SocketDeadline& deadline;
  asio::ip::tcp::endpoint peer;
  bool& idle;            // true while the server may close the connection at once on stop
  const bool& stopping;  // the server is stopping: finish the request in hand, then close
  std::uint64_t number;  // the connection's number in the error log
};

bool client_allowed(const ForwardProxyConfig& proxy, const asio::ip::address& client);

// Serves requests on the connection until it closes, keep-alive ends or a tunnel is done.
// `config` gives the limits and the server's name; it outlives the call.
asio::awaitable<void> serve_forward_proxy(ProxyConnection& connection, const ServerConfig& config,
                                          const ForwardProxyConfig& proxy);

}  // namespace miniweb::server
