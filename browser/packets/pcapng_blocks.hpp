#pragma once
// The pcapng blocks a capture file needs (draft-ietf-opsawg-pcapng), encoded to bytes: Section
// Header, Interface Description, Enhanced Packet and Decryption Secrets. Little-endian, as the
// Section Header's byte-order magic tells readers; every block and option padded to 32 bits.
// pcapng_writer.hpp writes them to a file.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "browser/packets/packet.hpp"

namespace miniweb::packets::pcapng {

// Decryption Secrets Block secrets types (section 4.7): TLS key log, NSS's format.
inline constexpr std::uint32_t kTlsKeyLog = 0x544c534b;  // "TLSK"

enum class TimestampResolution { Microseconds, Nanoseconds };

struct Interface {
  int link_type = link_type::Ethernet;  // as libpcap gives it (DLT_); see file_link_type
  std::uint32_t snaplen = 262144;
  TimestampResolution resolution = TimestampResolution::Microseconds;
  std::string name;  // if_name, e.g. "lo"; none when empty
};

// The LINKTYPE_ value a file carries for a DLT_ value: they differ for DLT_RAW only.
std::uint16_t file_link_type(int link_type);

std::vector<std::uint8_t> section_header_block(std::string_view application);
std::vector<std::uint8_t> interface_description_block(const Interface& interface);
// `data` is what was captured (at most the interface's snaplen is written); `original_length`
// is the frame's length on the wire.
std::vector<std::uint8_t> enhanced_packet_block(std::uint32_t interface_id, CaptureTime time,
                                                TimestampResolution resolution,
                                                std::span<const std::uint8_t> data,
                                                std::uint32_t original_length);
std::vector<std::uint8_t> decryption_secrets_block(std::uint32_t secrets_type,
                                                   std::span<const std::uint8_t> secrets);

}  // namespace miniweb::packets::pcapng
