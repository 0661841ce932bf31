#pragma once
// The names and RRsets of one zone in memory, kept small for zones of millions of records (as
// NSD keeps its own): every owner name is stored once, relative to the apex (a flat zone's
// "host123" fits in the string's own bytes), and each RRset's data in its uncompressed wire
// form rather than as decoded values. The nodes live in a deque (no copies as the zone grows)
// indexed by an open-addressing table of 32-bit slots, searched by the case-insensitive hash
// of the relative name.

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

#include "shared/dns/message.hpp"
#include "shared/result.hpp"

namespace miniweb::dns {

// The records of one owner name and type: one TTL (RFC 2181 5.2) and the rdata of each record,
// each as a 2-octet length and its uncompressed wire bytes.
struct StoredRRset {
  uint16_t type = 0;
  uint16_t count = 0;
  uint32_t ttl = 0;
  std::string rdata;

  // Adds one record's data unless the set holds it already; false when it was a duplicate.
  // Fails for data that would not read back as it was given.
  Result<bool> add(const Rdata& data);
  // Each record, with `owner` as its name, appended to `out`.
  void append_to(const Name& owner, std::vector<ResourceRecord>& out) const;
  // The data of the first record (a CNAME's target, for instance).
  Rdata first() const;
};

// One owner name: its wire form without the apex's labels ("" for the apex itself) and its
// RRsets (none for an empty non-terminal).
struct ZoneNode {
  std::string relative;
  std::vector<StoredRRset> rrsets;
  const StoredRRset* find(uint16_t type) const;
};

class ZoneNodes {
 public:
  const ZoneNode* find(std::string_view relative) const;
  // The node of `relative`, added (with no RRsets) when missing.
  ZoneNode& find_or_add(std::string_view relative);
  size_t size() const { return nodes_.size(); }
  const ZoneNode& operator[](size_t index) const { return nodes_[index]; }

 private:
  size_t slot_of(std::string_view relative) const;  // its slot, or the empty one to take
  void grow();
  std::deque<ZoneNode> nodes_;
  std::vector<uint32_t> slots_;  // 1 + an index into nodes_; 0 when empty; a power of two long
};

}  // namespace miniweb::dns
