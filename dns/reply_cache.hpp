#pragma once
// Whole replies kept by the bytes of the query they answered, all but its ID, so that a
// repeated question is answered with a copy: no decoding, no lookup, no encoding (PowerDNS's
// packet cache; Unbound's message cache answers hits from stored replies too). The
// authoritative role's replies are kept as they are. A resolver's replies age: their records'
// TTLs count down from when they were stored, as its cache's do, and a reply is dropped when
// the first of them reaches zero.
//
// Each reply is one block (its query's bytes, the reply's, where its TTLs lie), so an entry
// costs one allocation beside the table's node: with a million names cached the replies must
// not cost what the resolver's cache does.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string_view>
#include <unordered_set>
#include <vector>

namespace miniweb::dns {

class ReplyCache {
 public:
  using Clock = std::chrono::steady_clock;
  enum class Aging { kNone, kTtls };

  // Holds up to `max_entries` replies (0: none); when full it starts again empty, as a flood
  // of distinct names only costs misses and the common names come straight back. The clock
  // is read only for aging replies (the tests give one of their own).
  explicit ReplyCache(size_t max_entries, Clock::time_point (*clock)() = &Clock::now)
      : max_entries_(max_entries), clock_(clock) {}

  bool enabled() const { return max_entries_ > 0; }
  // The reply stored for `query` (a whole datagram), with the query's ID and, for an aging
  // reply, its TTLs counted down by the whole seconds since it was stored; nullopt when there
  // is none, or it has expired.
  std::optional<std::vector<uint8_t>> answer(std::span<const uint8_t> query);
  // Keeps `reply` (a whole datagram) for `query`. An aging reply whose records have a TTL of
  // zero is not kept; a reply that cannot be walked record by record is not kept either.
  void store(std::span<const uint8_t> query, std::span<const uint8_t> reply, Aging aging);
  void clear() { entries_.clear(); }
  size_t size() const { return entries_.size(); }

  // Queries larger than this are not kept: legitimate ones are far smaller.
  static constexpr size_t kMaxQuery = 512;

 private:
  // One block: this header, then the query's bytes after its ID, the reply's bytes, and the
  // offsets of the reply's TTL fields (the OPT record's is not a TTL).
  struct Entry {
    Clock::time_point stored;
    // Seconds until the first TTL reaches zero; UINT32_MAX for a reply that does not age (kept
    // as it is, or with no records), whose `stored` is never read.
    uint32_t lifetime;
    uint16_t key_size;
    uint16_t reply_size;
    uint16_t ttl_count;

    const uint8_t* bytes() const { return reinterpret_cast<const uint8_t*>(this + 1); }
    uint8_t* bytes() { return reinterpret_cast<uint8_t*>(this + 1); }
    std::string_view key() const { return {reinterpret_cast<const char*>(bytes()), key_size}; }
    const uint8_t* reply() const { return bytes() + key_size; }
    const uint8_t* ttl_offsets() const { return reply() + reply_size; }  // u16 each, unaligned
  };
  struct Free {
    void operator()(Entry* entry) const { ::operator delete(entry); }
  };
  using EntryPointer = std::unique_ptr<Entry, Free>;
  struct KeyHash {
    using is_transparent = void;
    size_t operator()(std::string_view key) const { return std::hash<std::string_view>{}(key); }
    size_t operator()(const EntryPointer& entry) const { return (*this)(entry->key()); }
  };
  struct KeyEqual {
    using is_transparent = void;
    static std::string_view key_of(std::string_view key) { return key; }
    static std::string_view key_of(const EntryPointer& entry) { return entry->key(); }
    template <class A, class B>
    bool operator()(const A& a, const B& b) const {
      return key_of(a) == key_of(b);
    }
  };

  size_t max_entries_;
  Clock::time_point (*clock_)();
  std::unordered_set<EntryPointer, KeyHash, KeyEqual> entries_;
};

}  // namespace miniweb::dns
