#pragma once
// The resolver's cache, apart from its iteration as Unbound keeps its rrset and message caches
// apart from its iterator: RRsets and negative answers (RFC 2308) by name and type, ranked by
// how much they are trusted (RFC 2181 5.4.1), TTLs counted down, bounded in entries with the
// least recently used evicted first (approximately: see below). It answers what it can, CNAME by
// CNAME; the iteration (resolver_iteration.hpp) asks servers for the rest and stores what they say
// here.
//
// A cache hit is the resolver's most frequent path, and with 100 000 names or more each memory
// access it makes is likely a miss to DRAM: the entries are indexed by an open-addressing table
// of (hash, entry) pairs, so that a lookup reads one cache line of the index and then the entry,
// and eviction is CLOCK (an approximation of LRU where a hit sets a count in the entry instead of
// relinking a list).
//
// Threading: it belongs to its Resolver's executor, like the Resolver.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "dns/resolver.hpp"
#include "shared/dns/message.hpp"

namespace miniweb::dns {

// A name and a type: what the cache, and the resolutions in flight, are keyed by.
struct CacheKey {
  Name name;
  uint16_t type;
  friend bool operator==(const CacheKey&, const CacheKey&) = default;
};
// A key to look up without copying the name (heterogeneous lookup: the cache is probed
// several times per client query).
// The name's hash is computed once: a client query probes one name for several types.
struct CacheKeyRef {
  CacheKeyRef(const Name& name, uint16_t type) : CacheKeyRef(name, type, name.hash()) {}
  CacheKeyRef(const Name& name, uint16_t type, size_t name_hash)
      : name(name), type(type), name_hash(name_hash) {}
  const Name& name;
  uint16_t type;
  size_t name_hash;
};
struct CacheKeyHash {
  using is_transparent = void;
  size_t operator()(const CacheKey& key) const { return key.name.hash() * 31 + key.type; }
  size_t operator()(const CacheKeyRef& key) const { return key.name_hash * 31 + key.type; }
};
struct CacheKeyEqual {
  using is_transparent = void;
  bool operator()(const CacheKey& a, const CacheKey& b) const { return a == b; }
  bool operator()(const CacheKeyRef& a, const CacheKey& b) const {
    return a.type == b.type && a.name == b.name;
  }
  bool operator()(const CacheKey& a, const CacheKeyRef& b) const {
    return a.type == b.type && a.name == b.name;
  }
};

// How much a cached RRset is trusted (RFC 2181 5.4.1), lowest first. Data of a lower rank never
// replaces fresh data of a higher one; glue and referral NS sets only steer iteration and are
// never returned to a client as an answer.
enum class Trust : uint8_t {
  kGlue,           // additional section of a referral
  kReferral,       // NS set in the authority section of a non-authoritative reply
  kNonAuthAnswer,  // answer section of a reply without AA
  kAuthAuthority,  // authority section of an authoritative reply (NS, SOA)
  kAnswer,         // answer section of an authoritative reply
};

struct CacheEntry {
  std::vector<ResourceRecord> records;  // positive RRset; or the SOA of a negative answer
  uint16_t rcode = rcode::NOERROR;      // NOERROR with no records is NODATA
  bool negative = false;
  Trust trust = Trust::kAnswer;
  std::chrono::steady_clock::time_point expires;
};

class ResolverCache {
 public:
  // Takes its bounds from the options: max_cache_entries, max_ttl, max_negative_ttl, and
  // max_cname_chain for answers.
  explicit ResolverCache(const ResolverOptions& options);

  // Stores the records as RRsets (grouped by name and type, in the order they came), each with
  // the lowest TTL of its records, capped at max_ttl.
  void store_rrsets(const std::vector<ResourceRecord>& records, Trust trust);
  // Stores a negative answer for `name` (NXDOMAIN: for every type) for the SOA's negative TTL.
  void store_negative(const Name& name, uint16_t qtype, uint16_t rcode_value,
                      const ResourceRecord* soa);
  // A fresh entry, its records copied to `out` (when given) with the TTLs counted down; or
  // nullptr. A lookup makes the entry the most recently used.
  const CacheEntry* lookup(const CacheKeyRef& key, std::vector<ResourceRecord>* out);

  enum class Link { kDone, kFollowed, kMiss };
  // One link of the chain from the cache: the final answer or negative answer (kDone), a CNAME
  // followed to a new `current` (kFollowed), or nothing usable (kMiss). Adds what it finds to
  // `result`.
  Link answer_link(Name& current, uint16_t qtype, Resolution& result);
  // The same, with the CNAME's target in `next` (kFollowed) and `current` left alone.
  Link answer_link(const Name& current, uint16_t qtype, Resolution& result, Name& next);
  // The whole answer from the cache, without suspending (the recursive server's fast path).
  std::optional<Resolution> answer(const Name& qname, uint16_t qtype);
  // The same written over a reply's sections: records are copied over the ones there (their
  // names' memory reused) and the rest dropped. False, with the sections holding anything,
  // when the cache lacks part of the answer.
  bool answer_into(const Name& qname, uint16_t qtype, uint16_t& rcode,
                   std::vector<ResourceRecord>& answers, std::vector<ResourceRecord>& authority);

  // For the control channel (unbound-control's flush commands), each returning how many
  // entries went: every entry at `name` whatever its type, positive or negative; every entry at
  // `name` and below it; everything.
  size_t remove_name(const Name& name);
  size_t remove_subtree(const Name& name);
  size_t clear();
  // The fresh entries at `name` with their TTLs counted down (unbound-control's dump_cache, for
  // one name); the NXDOMAIN entry is the one of type 0.
  std::vector<CachedEntry> entries_at(const Name& name) const;
  size_t size() const { return size_; }

 private:
  static constexpr uint8_t kChancesWhenStored = 1;
  static constexpr uint8_t kChancesWhenUsed = 2;
  struct Slot {
    CacheKey key;
    CacheEntry entry;
    // How many more times the clock hand passes over the entry before evicting it. A lookup
    // gives it one more pass than a store does, so an entry used since the hand last came by
    // outlasts the ones only stored; with a plain CLOCK bit, a hot entry was evicted whenever
    // every entry's bit happened to be set.
    uint8_t chances = kChancesWhenStored;
  };
  // A position of the index: an entry's key hash beside the entry (empty: no slot).
  struct Position {
    size_t hash = 0;
    std::unique_ptr<Slot> slot;
  };
  static constexpr size_t kNone = SIZE_MAX;

  void store(const CacheKey& key, CacheEntry entry, uint32_t ttl);
  // A fresh entry and the seconds it has left, marked as used; or nullptr.
  CacheEntry* find_fresh(const CacheKeyRef& key, std::chrono::steady_clock::time_point now,
                         uint32_t& ttl_left);
  template <class Predicate>
  size_t remove_where(Predicate matches);

  // The index: linear probing in a power-of-two table kept at most half full.
  size_t home(size_t hash) const;  // where the probe for a hash starts
  size_t find_position(const CacheKeyRef& key, size_t hash) const;  // or kNone
  // Starts loading the index lines of a name's two first probes, its NXDOMAIN entry and its
  // `qtype` entry, so that their misses to memory overlap instead of following each other
  // (with 100 000 names cached they were three quarters of a hit's lookups, perf annotate).
  void prefetch_probes(const Name& name, size_t name_hash, uint16_t qtype) const;
  void insert(std::unique_ptr<Slot> slot, size_t hash);  // a key not in the table
  void remove_at(size_t position);
  void grow();
  // Removes one entry: the first the clock hand finds with no chance left.
  void evict_one();

  size_t max_entries_;
  uint32_t max_ttl_;
  uint32_t max_negative_ttl_;
  int max_cname_chain_;
  std::vector<Position> table_;
  size_t size_ = 0;
  unsigned shift_ = 64;  // 64 - log2 of the table's size
  size_t hand_ = 0;
  // Mixed into every hash before it picks a position, so that which names crowd one stretch
  // of the table cannot be worked out offline. The name hash itself is FNV-1a, the same in
  // every process: only names whose whole 64-bit hashes are equal would still share a home.
  uint64_t seed_;
};

}  // namespace miniweb::dns
