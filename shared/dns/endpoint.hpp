#pragma once
// A DNS server's address as written in settings: "127.0.0.1:53", "[::1]:53" or a bare address.
// Apart from the client (shared/dns/client), whose exchanges are coroutines, so that the
// configuration parsers that check such addresses build without them (the fuzz targets).

#include <asio/ip/udp.hpp>
#include <cstdint>
#include <string>
#include <string_view>

#include "shared/result.hpp"

namespace miniweb::dns {

// Parses "127.0.0.1:53", "[::1]:53" or a bare address (then `default_port`).
Result<asio::ip::udp::endpoint> parse_endpoint(std::string_view text, uint16_t default_port = 53);
// "127.0.0.1:53" / "[::1]:53".
std::string endpoint_to_string(const asio::ip::udp::endpoint& endpoint);

}  // namespace miniweb::dns
