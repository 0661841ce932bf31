#pragma once
// A pcapng capture file (pcapng_blocks.hpp): one section, the interfaces the caller adds, the
// TLS key log as a Decryption Secrets Block, so that Wireshark and tshark decrypt the capture
// without a separate key log file, and the packets. Writes only what it is given.

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "browser/packets/pcapng_blocks.hpp"
#include "shared/result.hpp"

namespace miniweb::packets {

class PcapngWriter {
 public:
  // Creates (or truncates) the file and writes the Section Header Block.
  static Result<PcapngWriter> create(const std::filesystem::path& path,
                                     std::string_view application = "miniweb-browser");

  // An Interface Description Block; the result is the interface's id for write_packet.
  Result<std::uint32_t> add_interface(const pcapng::Interface& interface);
  // The NSS key log text (what SSLKEYLOGFILE holds). Wireshark reads secrets before the
  // packets that need them, so write it before the packets.
  Status write_tls_key_log(std::string_view nss_key_log);
  // An Enhanced Packet Block; `wire_length` when the snapshot length cut the frame.
  Status write_packet(std::uint32_t interface_id, CaptureTime time,
                      std::span<const std::uint8_t> frame,
                      std::optional<std::uint32_t> wire_length = std::nullopt);
  // Flushes and closes; the destructor closes too, without reporting.
  Status close();

 private:
  PcapngWriter(std::filesystem::path path, std::ofstream file)
      : path_(std::move(path)), file_(std::move(file)) {}
  Status write(const std::vector<std::uint8_t>& block);

  std::filesystem::path path_;
  std::ofstream file_;
  std::vector<pcapng::Interface> interfaces_;
};

}  // namespace miniweb::packets
