#pragma once
// Host names for the forward proxy. The stack's names exist only in its own DNS, so the proxy
// asks the configured recursive resolver (shared/dns/client); without one it asks the system's
// resolver (getaddrinfo through Asio). Address literals need no lookup.

#include <asio/awaitable.hpp>
#include <asio/ip/address.hpp>

#include <chrono>
#include <string>
#include <vector>

#include "shared/result.hpp"

namespace miniweb::server {

// `resolver`: "IP" or "IP:PORT" of a DNS resolver (shared/dns/lookup); empty for the system's.
// IPv4 addresses come first (the stack is IPv4 on loopback), then IPv6. Error::code is a
// dns::LookupFailure.
asio::awaitable<Result<std::vector<asio::ip::address>>> lookup_host(
    const std::string& host, const std::string& resolver, const std::chrono::milliseconds& timeout);

}  // namespace miniweb::server
