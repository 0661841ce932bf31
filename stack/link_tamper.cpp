#include "stack/link_tamper.hpp"

#include <netinet/in.h>

#include <algorithm>
#include <cstdio>
#include <utility>

#include "shared/dns/wire.hpp"
#include "stack/internet_checksum.hpp"
#include "stack/packet_headers.hpp"

namespace miniweb::stack {
namespace {

// A TLS record's header (RFC 8446 5.1): type, legacy version 3.3, length. TLS 1.3 sends all it
// encrypts, its later handshake messages and alerts included, as application_data (23).
constexpr std::uint8_t kTlsApplicationData = 23;
constexpr std::size_t kTlsRecordHeader = 5;

constexpr std::uint16_t kTypeA = 1;
constexpr std::uint16_t kClassIn = 1;

std::uint16_t read16(std::span<const std::uint8_t> bytes, std::size_t at) {
  return static_cast<std::uint16_t>(bytes[at] << 8 | bytes[at + 1]);
}
void write16(std::span<std::uint8_t> bytes, std::size_t at, std::uint16_t value) {
  bytes[at] = static_cast<std::uint8_t>(value >> 8);
  bytes[at + 1] = static_cast<std::uint8_t>(value);
}

bool on_link(const LinkTamper& tamper, const PacketHeaders& packet) {
  return (!tamper.from || *tamper.from == packet.source) &&
         (!tamper.to || *tamper.to == packet.destination);
}

std::string hex_byte(std::uint8_t value) {
  char text[8];
  std::snprintf(text, sizeof text, "0x%02x", value);
  return text;
}

}  // namespace

PacketTamperer::PacketTamperer(std::vector<LinkTamper> tampers) {
  for (LinkTamper& tamper : tampers) tampers_.push_back({std::move(tamper), 0});
}

std::optional<std::string> PacketTamperer::apply(std::vector<std::uint8_t>& packet) {
  if (tampers_.empty()) return std::nullopt;
  auto headers = read_packet_headers(packet);
  if (!headers || !headers->has_ports || packet.size() != headers->total_length ||
      headers->payload.size() != headers->payload_length)
    return std::nullopt;
  const auto payload_at = static_cast<std::size_t>(headers->payload.data() - packet.data());
  std::string done;
  for (Armed& armed : tampers_) {
    if (!on_link(armed.tamper, *headers)) continue;
    auto what = apply_one(armed, packet, payload_at, headers->payload_length);
    if (!what) continue;
    done += (done.empty() ? "" : "; ") + *what;
  }
  if (done.empty()) return std::nullopt;
  compute_checksums(packet);
  return done;
}

std::optional<std::string> PacketTamperer::apply_one(Armed& armed, std::span<std::uint8_t> packet,
                                                     std::size_t payload_at,
                                                     std::size_t payload_length) {
  const LinkTamper& tamper = armed.tamper;
  std::span<std::uint8_t> payload = packet.subspan(payload_at, payload_length);
  const std::uint8_t protocol = packet[9];
  switch (tamper.kind) {
    case TamperKind::Rewrite: {
      if (protocol != IPPROTO_TCP || tamper.old_bytes.empty()) return std::nullopt;
      std::vector<std::size_t> offsets;
      auto at = payload.begin();
      while ((at = std::search(at, payload.end(), tamper.old_bytes.begin(),
                               tamper.old_bytes.end())) != payload.end()) {
        offsets.push_back(static_cast<std::size_t>(at - payload.begin()));
        at = std::copy(tamper.new_bytes.begin(), tamper.new_bytes.end(), at);
      }
      if (offsets.empty()) return std::nullopt;
      std::string where;
      for (std::size_t offset : offsets)
        where += (where.empty() ? "" : ", ") + std::to_string(offset);
      return "'" + tamper.old_bytes + "' rewritten to '" + tamper.new_bytes + "' at byte " + where +
             " of the payload";
    }
    case TamperKind::Corrupt: {
      if (protocol != IPPROTO_TCP || payload.size() <= kTlsRecordHeader ||
          payload[0] != kTlsApplicationData || payload[1] != 3)
        return std::nullopt;
      const unsigned index = armed.matched++;
      if (index < tamper.skip || index >= tamper.skip + tamper.count) return std::nullopt;
      const std::size_t record = read16(payload, 3);
      const std::size_t body = std::min(record, payload.size() - kTlsRecordHeader);
      if (body == 0) return std::nullopt;
      // The middle of the record's ciphertext: any byte would do, AEAD checks them all.
      const std::size_t offset = kTlsRecordHeader + body / 2;
      const std::uint8_t was = payload[offset];
      payload[offset] = static_cast<std::uint8_t>(~was);
      return "byte " + std::to_string(offset) + " of the payload, inside a TLS application_data " +
             "record of " + std::to_string(record) + " bytes, changed from " + hex_byte(was) +
             " to " + hex_byte(payload[offset]);
    }
    case TamperKind::SpoofDns: {
      if (protocol != IPPROTO_UDP) return std::nullopt;
      std::string changed;
      for (std::size_t offset : a_record_offsets(payload, tamper.name)) {
        const std::string was = address_text(static_cast<Address>(read16(payload, offset)) << 16 |
                                             read16(payload, offset + 2));
        write16(payload, offset, static_cast<std::uint16_t>(tamper.address >> 16));
        write16(payload, offset + 2, static_cast<std::uint16_t>(tamper.address));
        changed += (changed.empty() ? "" : ", ") + was;
      }
      if (changed.empty()) return std::nullopt;
      return "the A record of " + tamper.name + " in a DNS answer: " + changed + " rewritten to " +
             address_text(tamper.address);
    }
  }
  return std::nullopt;
}

void compute_checksums(std::span<std::uint8_t> packet) {
  if (packet.size() < 20) return;
  const std::size_t header = static_cast<std::size_t>(packet[0] & 0x0f) * 4;
  const std::size_t total = std::min<std::size_t>(read16(packet, 2), packet.size());
  if (header < 20 || header > total) return;
  write16(packet, 10, 0);
  write16(packet, 10, internet_checksum(packet.first(header)));
  const std::uint8_t protocol = packet[9];
  std::size_t checksum_at = 0;
  if (protocol == IPPROTO_TCP && total >= header + 20)
    checksum_at = header + 16;
  else if (protocol == IPPROTO_UDP && total >= header + 8)
    checksum_at = header + 6;
  else
    return;
  std::span<std::uint8_t> segment = packet.subspan(header, total - header);
  write16(packet, checksum_at, 0);
  // The pseudo-header: source, destination, zero, protocol, the segment's length.
  const std::uint32_t pseudo = ones_complement_sum(packet.subspan(12, 8)) + protocol +
                               static_cast<std::uint32_t>(segment.size());
  std::uint16_t checksum = internet_checksum(segment, pseudo);
  // RFC 768: a UDP checksum that comes out as zero is sent as all ones (zero means none).
  if (protocol == IPPROTO_UDP && checksum == 0) checksum = 0xffff;
  write16(packet, checksum_at, checksum);
}

std::vector<std::size_t> a_record_offsets(std::span<const std::uint8_t> message,
                                          const std::string& name) {
  auto wanted = dns::Name::parse(name);
  if (!wanted || message.size() < 12 || (message[2] & 0x80) == 0) return {};  // QR: an answer
  dns::WireReader reader(message);
  reader.u16();  // ID
  reader.u16();  // flags
  const std::uint16_t questions = reader.u16();
  const std::uint16_t answers = reader.u16();
  reader.u16();  // authority
  reader.u16();  // additional
  for (std::uint16_t i = 0; i < questions && reader.ok(); ++i) {
    reader.name();
    reader.u16();
    reader.u16();
  }
  std::vector<std::size_t> offsets;
  for (std::uint16_t i = 0; i < answers && reader.ok(); ++i) {
    const dns::Name owner = reader.name();
    const std::uint16_t type = reader.u16();
    const std::uint16_t rclass = reader.u16();
    reader.u32();  // TTL
    const std::uint16_t length = reader.u16();
    const std::size_t data_at = reader.position();
    reader.bytes(length);
    if (reader.ok() && type == kTypeA && rclass == kClassIn && length == 4 && owner == *wanted)
      offsets.push_back(data_at);
  }
  return reader.ok() ? offsets : std::vector<std::size_t>{};
}

}  // namespace miniweb::stack
