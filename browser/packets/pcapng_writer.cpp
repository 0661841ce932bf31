#include "browser/packets/pcapng_writer.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace miniweb::packets {

Result<PcapngWriter> PcapngWriter::create(const std::filesystem::path& path,
                                          std::string_view application) {
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  if (!file) return make_error("cannot create " + path.string() + ": " + std::strerror(errno));
  PcapngWriter writer(path, std::move(file));
  if (auto written = writer.write(pcapng::section_header_block(application)); !written)
    return written.error();
  return writer;
}

Result<std::uint32_t> PcapngWriter::add_interface(const pcapng::Interface& interface) {
  if (auto written = write(pcapng::interface_description_block(interface)); !written)
    return written.error();
  interfaces_.push_back(interface);
  return static_cast<std::uint32_t>(interfaces_.size() - 1);
}

Status PcapngWriter::write_tls_key_log(std::string_view nss_key_log) {
  const std::span bytes(reinterpret_cast<const std::uint8_t*>(nss_key_log.data()),
                        nss_key_log.size());
  return write(pcapng::decryption_secrets_block(pcapng::kTlsKeyLog, bytes));
}

Status PcapngWriter::write_packet(std::uint32_t interface_id, CaptureTime time,
                                  std::span<const std::uint8_t> frame,
                                  std::optional<std::uint32_t> wire_length) {
  if (interface_id >= interfaces_.size())
    return make_error("no interface " + std::to_string(interface_id) + " in " + path_.string());
  const pcapng::Interface& interface = interfaces_[interface_id];
  const auto captured = frame.first(std::min<std::size_t>(frame.size(), interface.snaplen));
  const auto original = wire_length.value_or(static_cast<std::uint32_t>(frame.size()));
  return write(
      pcapng::enhanced_packet_block(interface_id, time, interface.resolution, captured, original));
}

Status PcapngWriter::close() {
  if (!file_.is_open()) return Ok{};
  file_.close();
  if (!file_) return make_error("cannot write " + path_.string() + ": " + std::strerror(errno));
  return Ok{};
}

Status PcapngWriter::write(const std::vector<std::uint8_t>& block) {
  if (!file_.is_open()) return make_error(path_.string() + " is closed");
  file_.write(reinterpret_cast<const char*>(block.data()),
              static_cast<std::streamsize>(block.size()));
  if (!file_) return make_error("cannot write " + path_.string() + ": " + std::strerror(errno));
  return Ok{};
}

}  // namespace miniweb::packets
