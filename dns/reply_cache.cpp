#include "dns/reply_cache.hpp"

#include <algorithm>
#include <cstring>
#include <limits>
#include <new>

#include "shared/dns/message.hpp"
#include "shared/dns/wire.hpp"

namespace miniweb::dns {
namespace {

uint16_t get16(const uint8_t* at) {
  return static_cast<uint16_t>(at[0] << 8 | at[1]);
}
uint32_t get32(const uint8_t* at) {
  return uint32_t{at[0]} << 24 | uint32_t{at[1]} << 16 | uint32_t{at[2]} << 8 | at[3];
}
void put32(uint8_t* at, uint32_t value) {
  at[0] = static_cast<uint8_t>(value >> 24);
  at[1] = static_cast<uint8_t>(value >> 16);
  at[2] = static_cast<uint8_t>(value >> 8);
  at[3] = static_cast<uint8_t>(value);
}

// Where the TTL fields of a reply's records lie (the OPT pseudo-record's field holds flags, not
// a TTL, and is left out), and the least of those TTLs; false when the reply cannot be walked.
bool find_ttls(std::span<const uint8_t> reply, std::vector<uint16_t>& offsets, uint32_t& least) {
  offsets.clear();
  least = std::numeric_limits<uint32_t>::max();
  if (reply.size() < kHeaderSize || reply.size() > std::numeric_limits<uint16_t>::max())
    return false;
  WireReader reader(reply);
  reader.bytes(4);
  const uint16_t questions = reader.u16();
  const unsigned records = unsigned{reader.u16()} + reader.u16() + reader.u16();
  for (uint16_t i = 0; i < questions && reader.ok(); ++i) {
    reader.name();
    reader.bytes(4);  // type, class
  }
  for (unsigned i = 0; i < records && reader.ok(); ++i) {
    reader.name();
    const uint16_t record_type = reader.u16();
    reader.u16();  // class
    const size_t ttl_at = reader.position();
    const uint32_t ttl = reader.u32();
    reader.bytes(reader.u16());  // RDATA
    if (record_type == type::OPT) continue;
    offsets.push_back(static_cast<uint16_t>(ttl_at));
    least = std::min(least, ttl);
  }
  return reader.ok() && reader.remaining() == 0;
}

constexpr uint32_t kForever = std::numeric_limits<uint32_t>::max();

}  // namespace

std::optional<std::vector<uint8_t>> ReplyCache::answer(std::span<const uint8_t> query) {
  if (query.size() <= 2 || query.size() > kMaxQuery) return std::nullopt;
  const std::string_view key(reinterpret_cast<const char*>(query.data()) + 2, query.size() - 2);
  auto found = entries_.find(key);
  if (found == entries_.end()) return std::nullopt;
  const Entry& entry = **found;
  uint32_t elapsed = 0;
  if (entry.lifetime != kForever) {
    const auto age =
        std::chrono::duration_cast<std::chrono::seconds>(clock_() - entry.stored).count();
    if (age < 0 || static_cast<uint64_t>(age) >= entry.lifetime) {
      entries_.erase(found);
      return std::nullopt;
    }
    elapsed = static_cast<uint32_t>(age);
  }
  std::vector<uint8_t> wire(entry.reply(), entry.reply() + entry.reply_size);
  wire[0] = query[0];
  wire[1] = query[1];
  if (elapsed > 0) {
    for (uint16_t i = 0; i < entry.ttl_count; ++i) {
      uint8_t* ttl = wire.data() + get16(entry.ttl_offsets() + 2 * i);
      put32(ttl, get32(ttl) - elapsed);
    }
  }
  return wire;
}

void ReplyCache::store(std::span<const uint8_t> query, std::span<const uint8_t> reply,
                       Aging aging) {
  if (!enabled() || query.size() <= 2 || query.size() > kMaxQuery) return;
  std::vector<uint16_t> offsets;
  uint32_t least = 0;
  if (!find_ttls(reply, offsets, least)) return;
  // A reply kept as it is needs no offsets; one with no records has nothing to age.
  if (aging == Aging::kNone) offsets.clear();
  if (offsets.empty()) least = kForever;
  if (least == 0) return;
  if (entries_.size() >= max_entries_) entries_.clear();
  const size_t key_size = query.size() - 2;
  void* memory = ::operator new(sizeof(Entry) + key_size + reply.size() + 2 * offsets.size());
  EntryPointer entry(new (memory) Entry{
      .stored = least == kForever ? Clock::time_point{} : clock_(),
      .lifetime = least,
      .key_size = static_cast<uint16_t>(key_size),
      .reply_size = static_cast<uint16_t>(reply.size()),
      .ttl_count = static_cast<uint16_t>(offsets.size()),
  });
  uint8_t* out = entry->bytes();
  std::memcpy(out, query.data() + 2, key_size);
  std::memcpy(out + key_size, reply.data(), reply.size());
  uint8_t* offset_out = out + key_size + reply.size();
  for (uint16_t offset : offsets) {
    *offset_out++ = static_cast<uint8_t>(offset >> 8);
    *offset_out++ = static_cast<uint8_t>(offset);
  }
  // A reply already kept for this query stays: it answers the same, and is older.
  entries_.insert(std::move(entry));
}

}  // namespace miniweb::dns
