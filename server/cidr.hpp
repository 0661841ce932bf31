#pragma once
// Address ranges in CIDR notation (RFC 4632 section 3.1), for the forward proxy's `allow` list.

#include <asio/ip/address.hpp>

#include <string>
#include <string_view>

#include "shared/result.hpp"

namespace miniweb::server {

struct Cidr {
  asio::ip::address network;  // with the host bits cleared
  unsigned prefix_length = 0;

  // "127.0.0.0/8", "::1/128", or a bare address (a range of one).
  static Result<Cidr> parse(std::string_view text);
  // An IPv4-mapped IPv6 address (a v4 client on a v6 socket) matches as the IPv4 address.
  bool contains(const asio::ip::address& address) const;
  std::string to_string() const;
};

}  // namespace miniweb::server
