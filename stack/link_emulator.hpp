#pragma once
// The link emulator: holds each packet the stack's nft (or iptables) rules queue to NFQUEUE
// `queue`, for as long as the link table says, and lets it go on (NF_ACCEPT), or drops it (by its
// link's loss, or a fault the table asks for) and writes one line to the drop log. The rules queue
// with `bypass`: if this program dies, the packets pass unharmed. SIGHUP reads the link table
// again; SIGTERM lets every held packet go and ends.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>

#include "shared/result.hpp"
#include "stack/links.hpp"

namespace miniweb::stack {

struct LinkEmulatorSettings {
  std::uint16_t queue = 0;
  std::filesystem::path links;  // the link table (link_table_text)
  std::filesystem::path drops;  // one line per dropped packet
  std::filesystem::path ready;  // written once the queue is bound and after each reload
  std::size_t capacity = 8192;  // packets held at most; past it, accepted at once
};

// Runs until SIGTERM or SIGINT; an error when the queue cannot be bound.
Status run_link_emulator(const LinkEmulatorSettings& settings);

}  // namespace miniweb::stack
