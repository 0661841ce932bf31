#pragma once
// The faults an experiment asks the link emulator for (./miniweb experiment): one kind of
// packet on a link, the first `skip` of them let through, the next `count` dropped, the rest
// let through again. Reading the link table again (SIGHUP) arms them afresh.

#include <cstdint>
#include <map>
#include <optional>
#include <tuple>
#include <vector>

#include "stack/links.hpp"
#include "stack/packet_headers.hpp"

namespace miniweb::stack {

class FaultMatcher {
 public:
  FaultMatcher() = default;
  explicit FaultMatcher(std::vector<LinkFault> faults);

  // Whether a fault takes this packet: it is to be dropped.
  bool takes(const PacketHeaders& packet);

 private:
  struct Armed {
    LinkFault fault;
    unsigned matched = 0;  // packets of its kind so far
  };
  bool is_kind(FaultKind kind, const PacketHeaders& packet);

  std::vector<Armed> faults_;
  // SYN-ACKs seen, by (client address, client port, server address, server port): the
  // acknowledgement number the third ACK will carry (the SYN-ACK's seq + 1).
  using Connection = std::tuple<Address, std::uint16_t, Address, std::uint16_t>;
  std::map<Connection, std::uint32_t> awaiting_third_ack_;
};

}  // namespace miniweb::stack
