#pragma once
// A tunnel through an HTTP proxy (RFC 9110 section 9.3.6): "CONNECT host:port HTTP/1.1",
// and after a 2xx the connection carries the client's bytes to the origin untouched, so TLS
// runs end to end and is verified against the origin's name as always.

#include <string>

#include "shared/awaitable.hpp"
#include "shared/deadline.hpp"
#include "shared/result.hpp"

namespace miniweb::browser {

// The CONNECT request for `authority` ("host:port"), as sent on the wire.
std::string connect_request(const std::string& authority, const std::string& user_agent);

// Asks the proxy on `socket` (connected, under `deadline`, armed by the caller) for a tunnel
// to `authority`. The text is the proxy's status line; an error says why there is no tunnel
// ("the proxy refused the tunnel: 403 Forbidden").
asio::awaitable<Result<std::string>> open_tunnel(asio::ip::tcp::socket& socket,
                                                 const SocketDeadline& deadline,
                                                 const std::string& authority,
                                                 const std::string& user_agent);

}  // namespace miniweb::browser
