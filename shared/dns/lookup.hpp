#pragma once
// A host's addresses from a DNS resolver, as the stack's servers look names up (the forward
// proxy its origins, the CA the names it validates): A first, then AAAA when the name has no
// A (the stack is IPv4 on loopback). An address literal is its own answer.

#include <asio/awaitable.hpp>
#include <asio/ip/address.hpp>
#include <asio/ip/udp.hpp>

#include <chrono>
#include <string>
#include <vector>

#include "shared/result.hpp"

namespace miniweb::dns {

// Error::code of a failed lookup.
enum class LookupFailure {
  NotFound = 1,  // NXDOMAIN, or no address of either family
  Failed = 2,    // the resolver did not answer, or answered with an error
};
inline Error lookup_error(LookupFailure kind, std::string message) {
  return Error{std::move(message), static_cast<int>(kind)};
}

asio::awaitable<Result<std::vector<asio::ip::address>>> lookup_addresses(
    const std::string& host, const asio::ip::udp::endpoint& resolver,
    const std::chrono::milliseconds& timeout);

}  // namespace miniweb::dns
