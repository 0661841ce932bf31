#include "browser/packets/pcapng_blocks.hpp"

#include <utility>

namespace miniweb::packets::pcapng {
namespace {

// Block types (section 4 and 11.1).
constexpr std::uint32_t kSectionHeaderBlock = 0x0A0D0D0A;
constexpr std::uint32_t kInterfaceDescriptionBlock = 0x00000001;
constexpr std::uint32_t kEnhancedPacketBlock = 0x00000006;
constexpr std::uint32_t kDecryptionSecretsBlock = 0x0000000A;
constexpr std::uint32_t kByteOrderMagic = 0x1A2B3C4D;

// Option codes (sections 3.5, 4.1, 4.2).
constexpr std::uint16_t kEndOfOptions = 0;
constexpr std::uint16_t kShbUserApplication = 4;
constexpr std::uint16_t kIfName = 2;
constexpr std::uint16_t kIfTsResol = 9;

constexpr int kLinkTypeRaw = 101;

// One block: type, total length, body, total length again (section 3.1).
class BlockBuilder {
 public:
  explicit BlockBuilder(std::uint32_t type) {
    u32(type);
    u32(0);  // total length, patched in finish()
  }
  void u16(std::uint16_t value) {
    for (int shift = 0; shift < 16; shift += 8)
      bytes_.push_back(static_cast<std::uint8_t>(value >> shift));
  }
  void u32(std::uint32_t value) {
    for (int shift = 0; shift < 32; shift += 8)
      bytes_.push_back(static_cast<std::uint8_t>(value >> shift));
  }
  // Bytes, then zeros up to the next 32-bit boundary.
  void padded(std::span<const std::uint8_t> data) {
    bytes_.insert(bytes_.end(), data.begin(), data.end());
    while (bytes_.size() % 4 != 0) bytes_.push_back(0);
  }
  // An option (section 3.5): code, length of the value, the value padded to 32 bits.
  void option(std::uint16_t code, std::span<const std::uint8_t> value) {
    u16(code);
    u16(static_cast<std::uint16_t>(value.size()));
    padded(value);
  }
  void text_option(std::uint16_t code, std::string_view text) {
    option(code, {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()});
  }
  void end_of_options() {
    u16(kEndOfOptions);
    u16(0);
  }
  std::vector<std::uint8_t> finish() {
    const auto total = static_cast<std::uint32_t>(bytes_.size() + 4);
    u32(total);
    for (int i = 0; i < 4; ++i) bytes_[4 + i] = static_cast<std::uint8_t>(total >> (8 * i));
    return std::move(bytes_);
  }

 private:
  std::vector<std::uint8_t> bytes_;
};

}  // namespace

std::uint16_t file_link_type(int link_type) {
  if (link_type == link_type::Raw || link_type == 14) return kLinkTypeRaw;  // 14: OpenBSD's DLT_RAW
  return static_cast<std::uint16_t>(link_type);
}

std::vector<std::uint8_t> section_header_block(std::string_view application) {
  BlockBuilder block(kSectionHeaderBlock);
  block.u32(kByteOrderMagic);
  block.u16(1);           // major version
  block.u16(0);           // minor version
  block.u32(0xFFFFFFFF);  // section length: -1, not given (64 bits)
  block.u32(0xFFFFFFFF);
  if (!application.empty()) {
    block.text_option(kShbUserApplication, application);
    block.end_of_options();
  }
  return block.finish();
}

std::vector<std::uint8_t> interface_description_block(const Interface& interface) {
  BlockBuilder block(kInterfaceDescriptionBlock);
  block.u16(file_link_type(interface.link_type));
  block.u16(0);  // reserved
  block.u32(interface.snaplen);
  if (!interface.name.empty()) block.text_option(kIfName, interface.name);
  // if_tsresol: 10^-6 is the default; say it anyway, and 10^-9 when nanoseconds.
  const std::uint8_t resolution = interface.resolution == TimestampResolution::Nanoseconds ? 9 : 6;
  block.option(kIfTsResol, std::span(&resolution, 1));
  block.end_of_options();
  return block.finish();
}

std::vector<std::uint8_t> enhanced_packet_block(std::uint32_t interface_id, CaptureTime time,
                                                TimestampResolution resolution,
                                                std::span<const std::uint8_t> data,
                                                std::uint32_t original_length) {
  const auto nanoseconds = static_cast<std::uint64_t>(time.time_since_epoch().count());
  const std::uint64_t units =
      resolution == TimestampResolution::Nanoseconds ? nanoseconds : nanoseconds / 1000;
  BlockBuilder block(kEnhancedPacketBlock);
  block.u32(interface_id);
  block.u32(static_cast<std::uint32_t>(units >> 32));
  block.u32(static_cast<std::uint32_t>(units));
  block.u32(static_cast<std::uint32_t>(data.size()));
  block.u32(original_length);
  block.padded(data);
  return block.finish();
}

std::vector<std::uint8_t> decryption_secrets_block(std::uint32_t secrets_type,
                                                   std::span<const std::uint8_t> secrets) {
  BlockBuilder block(kDecryptionSecretsBlock);
  block.u32(secrets_type);
  block.u32(static_cast<std::uint32_t>(secrets.size()));
  block.padded(secrets);
  return block.finish();
}

}  // namespace miniweb::packets::pcapng
