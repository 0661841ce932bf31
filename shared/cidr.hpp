#pragma once
// Address ranges in CIDR notation (RFC 4632 section 3.1): who may ask the DNS resolver for
// recursion (dns/recursive_server.hpp) and who may use the server's forward proxy
// (server/config.hpp).

#include <asio/ip/address.hpp>
#include <string>
#include <string_view>

#include "shared/result.hpp"

namespace miniweb {

struct Cidr {
  // With the host bits cleared, and an IPv4-mapped IPv6 address kept as the IPv4 address.
  asio::ip::address network;
  unsigned prefix_length = 0;

  // "127.0.0.0/8", "::1/128", or a bare address (a range of one: /32 or /128). "127.0.0.1/8"
  // means 127.0.0.0/8; "::ffff:10.0.0.0/8" means 10.0.0.0/8.
  static Result<Cidr> parse(std::string_view text);
  // An IPv4-mapped IPv6 address (a v4 client on a dual-stack socket) matches as the IPv4
  // address. Allocates nothing: the resolver asks this for every query.
  bool contains(const asio::ip::address& address) const;
  std::string to_string() const;
};

}  // namespace miniweb
