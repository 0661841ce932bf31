#include "dns/resolver_cache.hpp"

#include <algorithm>
#include <bit>
#include <cstdlib>
#include <iterator>

namespace miniweb::dns {
namespace {

using Clock = std::chrono::steady_clock;
// Cache key type for "this name does not exist" (RFC 2308 5: NXDOMAIN covers every type).
constexpr uint16_t kAnyTypeKey = 0;

// RFC 2181 5.4.1: only data from an answer section, or the authority section of an
// authoritative reply, may be returned to a client.
bool answerable(Trust trust) {
  return trust >= Trust::kNonAuthAnswer;
}

std::string trust_to_string(Trust trust) {
  switch (trust) {
    case Trust::kGlue:
      return "glue";
    case Trust::kReferral:
      return "referral";
    case Trust::kNonAuthAnswer:
      return "non-authoritative answer";
    case Trust::kAuthAuthority:
      return "authority";
    case Trust::kAnswer:
      return "answer";
  }
  return "answer";
}

}  // namespace

ResolverCache::ResolverCache(const ResolverOptions& options)
    : max_entries_(options.max_cache_entries),
      max_ttl_(options.max_ttl),
      max_negative_ttl_(options.max_negative_ttl),
      max_cname_chain_(options.max_cname_chain),
      seed_(uint64_t{arc4random()} << 32 | arc4random()) {}

size_t ResolverCache::home(size_t hash) const {
  // Fibonacci hashing: the multiply spreads every bit of the seeded hash into the top bits,
  // which pick the position.
  return static_cast<size_t>(((hash ^ seed_) * 0x9E3779B97F4A7C15ull) >> shift_);
}

void ResolverCache::prefetch_probes(const Name& name, size_t name_hash, uint16_t qtype) const {
  if (table_.empty()) return;
  __builtin_prefetch(&table_[home(CacheKeyHash{}(CacheKeyRef{name, kAnyTypeKey, name_hash}))]);
  __builtin_prefetch(&table_[home(CacheKeyHash{}(CacheKeyRef{name, qtype, name_hash}))]);
}

size_t ResolverCache::find_position(const CacheKeyRef& key, size_t hash) const {
  if (table_.empty()) return kNone;
  const size_t mask = table_.size() - 1;
  for (size_t at = home(hash);; at = (at + 1) & mask) {
    const Position& position = table_[at];
    if (!position.slot) return kNone;  // at most half full: an empty position ends every probe
    if (position.hash == hash && position.slot->key.type == key.type &&
        position.slot->key.name == key.name)
      return at;
  }
}

void ResolverCache::insert(std::unique_ptr<Slot> slot, size_t hash) {
  if ((size_ + 1) * 2 > table_.size()) grow();
  const size_t mask = table_.size() - 1;
  size_t at = home(hash);
  while (table_[at].slot) at = (at + 1) & mask;
  table_[at] = Position{hash, std::move(slot)};
  ++size_;
}

void ResolverCache::grow() {
  std::vector<Position> old = std::move(table_);
  const size_t capacity = old.empty() ? 64 : old.size() * 2;
  table_ = std::vector<Position>(capacity);
  shift_ = 64 - static_cast<unsigned>(std::countr_zero(capacity));
  hand_ = 0;
  size_ = 0;
  for (Position& position : old)
    if (position.slot) insert(std::move(position.slot), position.hash);
}

void ResolverCache::remove_at(size_t position) {
  // Backward-shift deletion: the entries after the hole move into it when their probe passes
  // over it, so that no probe stops early at the hole and no tombstones build up.
  const size_t mask = table_.size() - 1;
  table_[position] = Position{};
  --size_;
  size_t hole = position;
  for (size_t at = (position + 1) & mask; table_[at].slot; at = (at + 1) & mask) {
    const size_t from_home = (at - home(table_[at].hash)) & mask;
    if (from_home >= ((at - hole) & mask)) {
      table_[hole] = std::move(table_[at]);
      hole = at;
    }
  }
}

void ResolverCache::evict_one() {
  const size_t mask = table_.size() - 1;
  for (;;) {
    hand_ = (hand_ + 1) & mask;
    Position& position = table_[hand_];
    if (!position.slot) continue;
    if (position.slot->chances > 0) {
      --position.slot->chances;
      continue;
    }
    remove_at(hand_);
    hand_ = (hand_ - 1) & mask;  // an entry shifted into the hole is looked at next
    return;
  }
}

void ResolverCache::store(const CacheKey& key, CacheEntry entry, uint32_t ttl) {
  auto now = Clock::now();
  entry.expires = now + std::chrono::seconds(ttl);
  const CacheKeyRef ref{key.name, key.type};
  const size_t hash = CacheKeyHash{}(ref);
  if (const size_t found = find_position(ref, hash); found != kNone) {
    Slot& slot = *table_[found].slot;
    // RFC 2181 5.4.1: less trustworthy data never replaces fresh, more trustworthy data.
    if (slot.entry.expires > now && entry.trust < slot.entry.trust) return;
    slot.entry = std::move(entry);
    slot.chances = kChancesWhenUsed;
    return;
  }
  // Full: evict (Unbound's rrset and message caches evict the least recently used).
  while (size_ > 0 && size_ >= max_entries_) evict_one();
  insert(std::make_unique<Slot>(Slot{key, std::move(entry)}), hash);
}

template <class Predicate>
size_t ResolverCache::remove_where(Predicate matches) {
  // A walk over every entry: an operator's command, never on the query path. A removal shifts
  // later entries back into the hole, so the same position is looked at again.
  size_t removed = 0;
  for (size_t at = 0; at < table_.size();) {
    if (table_[at].slot && matches(table_[at].slot->key)) {
      remove_at(at);
      ++removed;
    } else {
      ++at;
    }
  }
  return removed;
}

size_t ResolverCache::remove_name(const Name& name) {
  return remove_where([&](const CacheKey& key) { return key.name == name; });
}

size_t ResolverCache::remove_subtree(const Name& name) {
  return remove_where([&](const CacheKey& key) { return key.name.is_subdomain_of(name); });
}

size_t ResolverCache::clear() {
  const size_t removed = size_;
  std::vector<Position>().swap(table_);
  size_ = 0;
  shift_ = 64;
  hand_ = 0;
  return removed;
}

std::vector<CachedEntry> ResolverCache::entries_at(const Name& name) const {
  std::vector<CachedEntry> out;
  const auto now = Clock::now();
  for (const Position& position : table_) {
    if (!position.slot) continue;
    const Slot& slot = *position.slot;
    if (!(slot.key.name == name) || slot.entry.expires <= now) continue;
    CachedEntry entry;
    entry.type = slot.key.type;
    entry.negative = slot.entry.negative;
    entry.rcode = slot.entry.rcode;
    entry.rank = trust_to_string(slot.entry.trust);
    entry.ttl_left = static_cast<uint32_t>(
        std::chrono::duration_cast<std::chrono::seconds>(slot.entry.expires - now).count());
    entry.records = slot.entry.records;
    for (auto& record : entry.records) record.ttl = entry.ttl_left;
    out.push_back(std::move(entry));
  }
  std::sort(out.begin(), out.end(),
            [](const CachedEntry& a, const CachedEntry& b) { return a.type < b.type; });
  return out;
}

void ResolverCache::store_rrsets(const std::vector<ResourceRecord>& records, Trust trust) {
  // Grouped into RRsets in the order they came (RFC 2181 5: an RRset is cached as a whole).
  std::vector<std::pair<CacheKey, std::vector<ResourceRecord>>> sets;
  for (const auto& record : records) {
    CacheKey key{record.name, record.type};
    auto same =
        std::find_if(sets.begin(), sets.end(), [&](const auto& s) { return s.first == key; });
    if (same == sets.end())
      sets.emplace_back(std::move(key), std::vector<ResourceRecord>{record});
    else
      same->second.push_back(record);
  }
  for (auto& [key, rrset] : sets) {
    uint32_t ttl = max_ttl_;
    for (const auto& record : rrset) ttl = std::min(ttl, record.ttl);
    CacheEntry entry;
    entry.records = std::move(rrset);
    entry.trust = trust;
    store(key, std::move(entry), ttl);
  }
}

void ResolverCache::store_negative(const Name& name, uint16_t qtype, uint16_t rcode_value,
                                   const ResourceRecord* soa) {
  if (soa == nullptr) return;  // RFC 2308 5: no SOA, no negative caching
  uint32_t ttl = std::min({soa->ttl, std::get<RdataSoa>(soa->rdata).minimum, max_negative_ttl_});
  CacheEntry entry;
  entry.records = {*soa};
  entry.records.front().ttl = ttl;
  entry.rcode = rcode_value;
  entry.negative = true;
  entry.trust = Trust::kAuthAuthority;
  store(CacheKey{name, rcode_value == rcode::NXDOMAIN ? kAnyTypeKey : qtype}, std::move(entry),
        ttl);
}

CacheEntry* ResolverCache::find_fresh(const CacheKeyRef& key, Clock::time_point now,
                                      uint32_t& ttl_left) {
  const size_t found = find_position(key, CacheKeyHash{}(key));
  if (found == kNone) return nullptr;
  Slot& slot = *table_[found].slot;
  if (slot.entry.expires <= now) {
    remove_at(found);
    return nullptr;
  }
  slot.chances = kChancesWhenUsed;
  ttl_left = static_cast<uint32_t>(
      std::chrono::duration_cast<std::chrono::seconds>(slot.entry.expires - now).count());
  return &slot.entry;
}

const CacheEntry* ResolverCache::lookup(const CacheKeyRef& key, std::vector<ResourceRecord>* out) {
  uint32_t left = 0;
  const CacheEntry* entry = find_fresh(key, Clock::now(), left);
  if (entry != nullptr && out != nullptr) {
    *out = entry->records;
    for (auto& record : *out) record.ttl = left;
  }
  return entry;
}

ResolverCache::Link ResolverCache::answer_link(Name& current, uint16_t qtype, Resolution& result) {
  Name next;
  const Link got = answer_link(current, qtype, result, next);
  if (got == Link::kFollowed) current = std::move(next);
  return got;
}

ResolverCache::Link ResolverCache::answer_link(const Name& current, uint16_t qtype,
                                               Resolution& result, Name& next) {
  const size_t name_hash = current.hash();
  prefetch_probes(current, name_hash, qtype);
  std::vector<ResourceRecord> cached;
  if (lookup(CacheKeyRef{current, kAnyTypeKey, name_hash}, &cached) != nullptr) {
    result.rcode = rcode::NXDOMAIN;
    result.authority = std::move(cached);
    return Link::kDone;
  }
  if (const CacheEntry* hit = lookup(CacheKeyRef{current, qtype, name_hash}, &cached);
      hit && (answerable(hit->trust) || hit->negative)) {
    if (hit->negative) {
      result.rcode = hit->rcode;
      result.authority = std::move(cached);
    } else {
      result.rcode = rcode::NOERROR;
      if (result.answers.empty())
        result.answers = std::move(cached);
      else
        std::move(cached.begin(), cached.end(), std::back_inserter(result.answers));
    }
    return Link::kDone;
  }
  if (qtype != type::CNAME) {
    if (const CacheEntry* hit = lookup(CacheKeyRef{current, type::CNAME, name_hash}, &cached);
        hit && answerable(hit->trust) && !hit->negative && !cached.empty()) {
      next = std::get<RdataName>(cached.front().rdata).name;
      result.answers.push_back(std::move(cached.front()));
      return Link::kFollowed;
    }
  }
  return Link::kMiss;
}

bool ResolverCache::answer_into(const Name& qname, uint16_t qtype, uint16_t& rcode,
                                std::vector<ResourceRecord>& answers,
                                std::vector<ResourceRecord>& authority) {
  // Records go over the ones already in the vectors (copy-assigned: a name's memory is
  // reused), then the vectors are cut to what was written. The same steps as answer_link.
  size_t answer_count = 0;
  auto put = [](std::vector<ResourceRecord>& out, size_t& count, const CacheEntry& entry,
                uint32_t ttl, size_t limit) {
    for (size_t i = 0; i < entry.records.size() && i < limit; ++i) {
      if (count < out.size())
        out[count] = entry.records[i];
      else
        out.push_back(entry.records[i]);
      out[count++].ttl = ttl;
    }
  };
  auto finish = [&](uint16_t value, const CacheEntry* negative, uint32_t ttl) {
    rcode = value;
    answers.resize(answer_count);
    size_t authority_count = 0;
    if (negative != nullptr) put(authority, authority_count, *negative, ttl, SIZE_MAX);
    authority.resize(authority_count);
    return true;
  };
  // One reading of the clock for every probe: reading it for each was 5% of a hit (perf, in a
  // virtual machine, where the clock costs more).
  const auto now = Clock::now();
  const Name* current = &qname;
  Name followed;
  for (int hop = 0; hop <= max_cname_chain_; ++hop) {
    const size_t name_hash = current->hash();
    prefetch_probes(*current, name_hash, qtype);
    uint32_t ttl = 0;
    if (const CacheEntry* nx = find_fresh(CacheKeyRef{*current, kAnyTypeKey, name_hash}, now, ttl))
      return finish(rcode::NXDOMAIN, nx, ttl);
    if (const CacheEntry* hit = find_fresh(CacheKeyRef{*current, qtype, name_hash}, now, ttl);
        hit && (answerable(hit->trust) || hit->negative)) {
      if (hit->negative) return finish(hit->rcode, hit, ttl);
      put(answers, answer_count, *hit, ttl, SIZE_MAX);
      return finish(rcode::NOERROR, nullptr, 0);
    }
    if (qtype == type::CNAME) return false;
    const CacheEntry* cname = find_fresh(CacheKeyRef{*current, type::CNAME, name_hash}, now, ttl);
    if (cname == nullptr || !answerable(cname->trust) || cname->negative || cname->records.empty())
      return false;
    put(answers, answer_count, *cname, ttl, 1);
    followed = std::get<RdataName>(cname->records.front().rdata).name;
    current = &followed;
  }
  return false;
}

std::optional<Resolution> ResolverCache::answer(const Name& qname, uint16_t qtype) {
  Resolution result;
  result.from_cache = true;
  // The question's own name is not copied; only a CNAME's target is held here.
  const Name* current = &qname;
  Name followed;
  for (int hop = 0; hop <= max_cname_chain_; ++hop) {
    Name next;
    Link got = answer_link(*current, qtype, result, next);
    if (got == Link::kDone) return result;
    if (got == Link::kMiss) return std::nullopt;
    followed = std::move(next);
    current = &followed;
  }
  return std::nullopt;
}

}  // namespace miniweb::dns
