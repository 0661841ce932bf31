#include "shared/dns/wire.hpp"

#include <cstring>

namespace miniweb::dns {

void WireReader::fail(std::string message) {
  if (error_.empty()) error_ = std::move(message);
}

bool WireReader::need(size_t count) {
  if (!ok()) return false;
  if (count > packet_.size() - position_) {
    fail("truncated message: needed " + std::to_string(count) + " bytes at offset " +
         std::to_string(position_) + " of " + std::to_string(packet_.size()));
    return false;
  }
  return true;
}

uint8_t WireReader::u8() {
  if (!need(1)) return 0;
  return packet_[position_++];
}

uint16_t WireReader::u16() {
  if (!need(2)) return 0;
  uint16_t value = static_cast<uint16_t>((packet_[position_] << 8) | packet_[position_ + 1]);
  position_ += 2;
  return value;
}

uint32_t WireReader::u32() {
  if (!need(4)) return 0;
  uint32_t value = (uint32_t{packet_[position_]} << 24) | (uint32_t{packet_[position_ + 1]} << 16) |
                   (uint32_t{packet_[position_ + 2]} << 8) | uint32_t{packet_[position_ + 3]};
  position_ += 4;
  return value;
}

std::span<const uint8_t> WireReader::bytes(size_t count) {
  if (!need(count)) return {};
  auto out = packet_.subspan(position_, count);
  position_ += count;
  return out;
}

std::string WireReader::character_string() {
  uint8_t length = u8();
  auto data = bytes(length);
  return std::string(data.begin(), data.end());
}

Name WireReader::name() {
  if (!ok()) return Name();
  // The labels go straight into the name's own form (length octets and bytes, no final zero).
  char wire[kMaxNameLength];
  size_t wire_size = 0;
  size_t cursor = position_;
  bool jumped = false;
  // A pointer must point strictly before the place it was read from, so following pointers
  // always moves backwards and ends: loops and forward references are rejected.
  size_t lowest_pointer_site = position_;
  // RFC 1035 4.1.4: a pointer names a prior occurrence of a name, so the labels it leads to end
  // before the pointer itself. Labels that run into it would let two readers disagree on
  // where the record goes on (dnspython resumes after the furthest octet it read).
  size_t label_limit = packet_.size();
  while (true) {
    if (cursor >= packet_.size()) {
      fail("truncated name at offset " + std::to_string(cursor));
      return Name();
    }
    uint8_t length = packet_[cursor];
    if ((length & 0xC0) == 0xC0) {
      if (cursor + 1 >= packet_.size()) {
        fail("truncated compression pointer at offset " + std::to_string(cursor));
        return Name();
      }
      size_t target = static_cast<size_t>(((length & 0x3F) << 8) | packet_[cursor + 1]);
      if (target >= cursor || target >= lowest_pointer_site) {
        fail("compression pointer at offset " + std::to_string(cursor) +
             " does not point backwards");
        return Name();
      }
      if (!jumped) position_ = cursor + 2;
      jumped = true;
      lowest_pointer_site = target;
      label_limit = cursor;
      cursor = target;
      continue;
    }
    if ((length & 0xC0) != 0) {
      fail("unsupported label type at offset " + std::to_string(cursor));
      return Name();
    }
    if (length == 0) {
      if (!jumped) position_ = cursor + 1;
      break;
    }
    // length <= 63 holds here because the two top bits are zero.
    if (cursor + 1 + length > packet_.size()) {
      fail("truncated label at offset " + std::to_string(cursor));
      return Name();
    }
    if (cursor + 1 + length > label_limit) {
      fail("label at offset " + std::to_string(cursor) +
           " runs into the compression pointer that led to it");
      return Name();
    }
    if (wire_size + 1 + length + 1 > kMaxNameLength) {
      fail("name longer than 255 octets at offset " + std::to_string(position_));
      return Name();
    }
    std::memcpy(wire + wire_size, packet_.data() + cursor, 1 + length);
    wire_size += 1 + length;
    cursor += 1 + length;
  }
  auto name = Name::from_wire(std::string_view(wire, wire_size));
  if (!name) {
    fail(name.error().message);
    return Name();
  }
  return std::move(*name);
}

void WireWriter::u16(uint16_t value) {
  buffer_.push_back(static_cast<uint8_t>(value >> 8));
  buffer_.push_back(static_cast<uint8_t>(value & 0xFF));
}

void WireWriter::u32(uint32_t value) {
  for (int shift = 24; shift >= 0; shift -= 8)
    buffer_.push_back(static_cast<uint8_t>(value >> shift));
}

void WireWriter::character_string(std::string_view text) {
  size_t length = std::min<size_t>(text.size(), 255);
  buffer_.push_back(static_cast<uint8_t>(length));
  buffer_.insert(buffer_.end(), text.begin(), text.begin() + static_cast<std::ptrdiff_t>(length));
}

bool WireWriter::matches_at(size_t offset, std::string_view labels) const {
  // The buffer holds only names this writer wrote, so pointers here always point backwards.
  size_t k = 0;
  while (true) {
    uint8_t length = buffer_[offset];
    if ((length & 0xC0) == 0xC0) {
      offset = static_cast<size_t>(((length & 0x3F) << 8) | buffer_[offset + 1]);
      continue;
    }
    if (length == 0) return k == labels.size();
    if (k == labels.size() || static_cast<uint8_t>(labels[k]) != length) return false;
    if (!label_equal(labels.substr(k + 1, length),
                     std::string_view(reinterpret_cast<const char*>(&buffer_[offset + 1]), length)))
      return false;
    offset += 1 + length;
    k += 1 + length;
  }
}

void WireWriter::name(const Name& name, Compression compression) {
  // `wire` is the name's labels, each a length octet and its bytes: the suffix from any label
  // on is itself a name's wire form.
  const std::string_view wire = name.wire();
  for (size_t at = 0; at < wire.size(); at += 1 + static_cast<uint8_t>(wire[at])) {
    const std::string_view rest = wire.substr(at);
    if (compression == Compression::kAllowed) {
      for (size_t t = 0; t < target_count_; ++t) {
        const uint16_t target = targets_[t];
        if (buffer_[target] != static_cast<uint8_t>(rest[0]) || !matches_at(target, rest)) continue;
        u16(static_cast<uint16_t>(0xC000 | target));
        return;
      }
    }
    if (buffer_.size() < 0x3FFF && target_count_ < targets_.size())
      targets_[target_count_++] = static_cast<uint16_t>(buffer_.size());
    const size_t length = 1 + static_cast<uint8_t>(rest[0]);
    buffer_.insert(buffer_.end(), rest.begin(), rest.begin() + static_cast<std::ptrdiff_t>(length));
  }
  buffer_.push_back(0);
}

void WireWriter::patch_u16(size_t offset, uint16_t value) {
  buffer_.at(offset) = static_cast<uint8_t>(value >> 8);
  buffer_.at(offset + 1) = static_cast<uint8_t>(value & 0xFF);
}

void WireWriter::truncate(size_t size) {
  if (size >= buffer_.size()) return;
  buffer_.resize(size);
  // Targets are written in increasing order: the ones at or past `size` are the last ones.
  while (target_count_ > 0 && targets_[target_count_ - 1] >= size) --target_count_;
}

std::vector<uint8_t> tcp_frame(std::span<const uint8_t> message) {
  WireWriter writer;
  writer.u16(static_cast<uint16_t>(message.size()));
  writer.bytes(message);
  return writer.take();
}

}  // namespace miniweb::dns
