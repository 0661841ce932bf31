#include "server/reactor_reserve.hpp"

#include <array>
#include <optional>

namespace miniweb::server {

void ReactorReserve::cover(std::size_t sockets_open) {
  while (sockets_open + kMargin > reserved_)
    if (!reserve_block()) return;
}

bool ReactorReserve::reserve_block() {
  // On the stack, so that nothing but the reactor's states is allocated in between.
  std::array<std::optional<asio::ip::udp::socket>, kBlock> block;
  std::size_t opened = 0;
  for (auto& socket : block) {
    std::error_code ec;
    socket.emplace(io_).open(asio::ip::udp::v4(), ec);  // registers it with the reactor
    if (ec) break;
    ++opened;
  }
  // Those opened count even when the file limit cut the block short: the next call then
  // tries only for the rest (one failing socket() a connection while the limit holds).
  reserved_ += opened;
  return opened == kBlock;  // closed as `block` goes: their states wait in the reactor
}

}  // namespace miniweb::server
