#pragma once
// A decoded packet's endpoint (browser/packets) against one the browser's own sockets know
// (Asio): the one comparison the ladder makes everywhere.

#include <asio/ip/address.hpp>

#include "browser/packets/address.hpp"

namespace miniweb::browser::observe {

inline bool same_address(const packets::IpAddress& seen, const asio::ip::address& known) {
  return seen.to_string() == known.to_string();
}

// An asio::ip::tcp::endpoint or asio::ip::udp::endpoint.
template <class AsioEndpoint>
bool same_endpoint(const packets::Endpoint& seen, const AsioEndpoint& known) {
  return seen.port == known.port() && same_address(seen.address, known.address());
}

}  // namespace miniweb::browser::observe
