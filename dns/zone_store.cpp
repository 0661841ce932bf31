#include "dns/zone_store.hpp"

#include "shared/dns/wire.hpp"

namespace miniweb::dns {
namespace {

char ascii_lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

// FNV-1a over the lowercased wire form (its length octets, all below 'A', stay as they are).
size_t hash_relative(std::string_view wire) {
  uint64_t h = 1469598103934665603ull;
  for (char c : wire) {
    h ^= static_cast<unsigned char>(ascii_lower(c));
    h *= 1099511628211ull;
  }
  return static_cast<size_t>(h);
}

std::vector<uint8_t> wire_of(uint16_t type, const Rdata& data) {
  WireWriter writer;
  // Names inside are written whole: a fresh writer has nothing earlier to point to except
  // within this one record, and reading it back over the same bytes follows those pointers.
  encode_rdata(writer, type, data);
  return writer.take();
}

Rdata read_rdata(uint16_t type, std::string_view bytes) {
  WireReader reader(std::span(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
  return decode_rdata(reader, type, bytes.size());
}

// Calls `each(record bytes)` for every record of the set.
template <class Each>
void for_each_record(std::string_view all, Each each) {
  for (size_t at = 0; at + 2 <= all.size();) {
    const size_t length = (static_cast<uint8_t>(all[at]) << 8) | static_cast<uint8_t>(all[at + 1]);
    each(all.substr(at + 2, length));
    at += 2 + length;
  }
}

}  // namespace

Result<bool> StoredRRset::add(const Rdata& data) {
  const std::vector<uint8_t> wire = wire_of(type, data);
  const std::string_view bytes(reinterpret_cast<const char*>(wire.data()), wire.size());
  // Addresses read back byte for byte; other types are checked once, here, so that what is
  // served is what the file said.
  if (type != type::A && type != type::AAAA && !(read_rdata(type, bytes) == data))
    return make_error("the " + type_to_string(type) + " data cannot be stored as given");
  bool duplicate = false;
  // Data equal as values (names compare case-insensitively) is the same record.
  for_each_record(rdata, [&](std::string_view held) {
    if (!duplicate && held.size() == bytes.size())
      duplicate = held == bytes || read_rdata(type, held) == data;
  });
  if (duplicate) return false;
  if (count == UINT16_MAX) return make_error("more than 65535 records in one RRset");
  rdata.push_back(static_cast<char>(wire.size() >> 8));
  rdata.push_back(static_cast<char>(wire.size() & 0xFF));
  rdata.append(bytes);
  ++count;
  return true;
}

void StoredRRset::append_to(const Name& owner, std::vector<ResourceRecord>& out) const {
  for_each_record(rdata, [&](std::string_view bytes) {
    out.push_back(ResourceRecord{owner, type, rclass::IN, ttl, read_rdata(type, bytes)});
  });
}

Rdata StoredRRset::first() const {
  Rdata out;
  bool done = false;
  for_each_record(rdata, [&](std::string_view bytes) {
    if (!done) out = read_rdata(type, bytes);
    done = true;
  });
  return out;
}

const StoredRRset* ZoneNode::find(uint16_t rtype) const {
  for (const auto& rrset : rrsets)
    if (rrset.type == rtype) return &rrset;
  return nullptr;
}

size_t ZoneNodes::slot_of(std::string_view relative) const {
  const size_t mask = slots_.size() - 1;
  for (size_t slot = hash_relative(relative) & mask;; slot = (slot + 1) & mask) {
    const uint32_t held = slots_[slot];
    if (held == 0 || label_equal(nodes_[held - 1].relative, relative)) return slot;
  }
}

const ZoneNode* ZoneNodes::find(std::string_view relative) const {
  if (slots_.empty()) return nullptr;
  const uint32_t held = slots_[slot_of(relative)];
  return held == 0 ? nullptr : &nodes_[held - 1];
}

ZoneNode& ZoneNodes::find_or_add(std::string_view relative) {
  // At most half full: probes stay short.
  if ((nodes_.size() + 1) * 2 > slots_.size()) grow();
  const size_t slot = slot_of(relative);
  if (slots_[slot] != 0) return nodes_[slots_[slot] - 1];
  nodes_.push_back(ZoneNode{std::string(relative), {}});
  slots_[slot] = static_cast<uint32_t>(nodes_.size());
  return nodes_.back();
}

void ZoneNodes::grow() {
  slots_.assign(slots_.empty() ? 1024 : slots_.size() * 2, 0);
  const size_t mask = slots_.size() - 1;
  for (size_t index = 0; index < nodes_.size(); ++index) {
    size_t slot = hash_relative(nodes_[index].relative) & mask;
    while (slots_[slot] != 0) slot = (slot + 1) & mask;
    slots_[slot] = static_cast<uint32_t>(index + 1);
  }
}

}  // namespace miniweb::dns
