#pragma once
// The box on the path of ./miniweb experiment tamper and impersonate: the link emulator lets a
// packet go on with bytes changed (the link table's rewrite, corrupt and spoof-dns lines, see
// stack/links.hpp), its checksums computed again so that the receiving kernel takes it as if the
// sender had sent it. What it did is said in one line, for the emulator's log.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "stack/links.hpp"

namespace miniweb::stack {

class PacketTamperer {
 public:
  PacketTamperer() = default;
  explicit PacketTamperer(std::vector<LinkTamper> tampers);

  bool empty() const { return tampers_.empty(); }

  // Changes `packet`, a whole IPv4 packet, as the tampers ask. What was changed ("'Lamp' to
  // 'Lump' at byte 412 of the payload"), or nothing when the packet goes on as it came. A packet
  // shorter than its IP header says (a cut copy) is never changed.
  std::optional<std::string> apply(std::vector<std::uint8_t>& packet);

 private:
  struct Armed {
    LinkTamper tamper;
    unsigned matched = 0;  // Corrupt: the segments of its kind so far
  };
  std::optional<std::string> apply_one(Armed& armed, std::span<std::uint8_t> packet,
                                       std::size_t payload_at, std::size_t payload_length);

  std::vector<Armed> tampers_;
};

// Writes the IPv4 header's checksum and the TCP or UDP checksum (RFC 1071's ones' complement
// sum, over RFC 9293 3.1's and RFC 768's pseudo-header) into a whole IPv4 packet.
void compute_checksums(std::span<std::uint8_t> packet);

// Where each A record of `name` (absolute or not, any case) begins its four bytes of data in the
// answer section of the DNS message `message`; empty for a question or a malformed message.
std::vector<std::size_t> a_record_offsets(std::span<const std::uint8_t> message,
                                          const std::string& name);

}  // namespace miniweb::stack
