#pragma once
// A TCP port for a test to hand a program before the program binds it.
//
// Why not port 0's answer: a port the kernel picks from its ephemeral range is free when the
// probe closes, but any socket bound meanwhile to port 0 on the wildcard address (another test
// running beside this one, ctest -j) may be given it, and the program then fails to listen:
// "Address already in use" (seen once in .ci/run, ServerAcme). A port below the ephemeral range
// is never handed out that way, so only a program that names it can take it.

#include <unistd.h>

#include <asio.hpp>
#include <cstdint>
#include <fstream>
#include <stdexcept>
#include <string>
#include <system_error>

namespace miniweb::test_support {

// A port on `address` that nothing holds now, below the kernel's ephemeral range; each test
// process starts its search at a place of its own.
inline std::uint16_t free_tcp_port_outside_ephemeral(const std::string& address) {
  unsigned ephemeral_low = 32768;
  std::ifstream("/proc/sys/net/ipv4/ip_local_port_range") >> ephemeral_low;
  constexpr unsigned kLowest = 10000;
  if (ephemeral_low <= kLowest + 1000)
    throw std::runtime_error("no ports below the ephemeral range");
  const unsigned span = ephemeral_low - kLowest;
  const unsigned start = static_cast<unsigned>(::getpid()) % span;
  asio::io_context io;
  for (unsigned tried = 0; tried < span; ++tried) {
    const auto port = static_cast<std::uint16_t>(kLowest + (start + tried) % span);
    asio::ip::tcp::acceptor probe(io);
    std::error_code ec;
    const asio::ip::tcp::endpoint at(asio::ip::make_address(address), port);
    probe.open(at.protocol(), ec);
    if (!ec) probe.bind(at, ec);
    if (!ec) return port;
  }
  throw std::runtime_error("no free port below the ephemeral range on " + address);
}

}  // namespace miniweb::test_support
