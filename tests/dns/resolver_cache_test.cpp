// The resolver's cache on its own: its index (open addressing with backward-shift deletion)
// must find every entry it holds through any pattern of stores and removals, and stay within
// its bound while keeping what is used.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "dns/resolver_cache.hpp"
#include "tests/dns/dns_internet.hpp"

namespace miniweb::dns {
namespace {

using test_support::N;

ResourceRecord address_record(const std::string& name, int i) {
  ResourceRecord record;
  record.name = N(name);
  record.type = type::A;
  record.ttl = 300;
  record.rdata = RdataA{
      {10, static_cast<uint8_t>(i >> 16), static_cast<uint8_t>(i >> 8), static_cast<uint8_t>(i)}};
  return record;
}

std::string host(int i) {
  return "host" + std::to_string(i) + (i % 3 == 0 ? ".a.test" : ".b.test");
}

// The records the cache answers for `name` (type A), or none.
std::vector<ResourceRecord> cached(ResolverCache& cache, const std::string& name) {
  std::vector<ResourceRecord> out;
  if (cache.lookup(CacheKeyRef{N(name), type::A}, &out) == nullptr) return {};
  return out;
}

ResolverOptions with_bound(size_t entries) {
  ResolverOptions options;
  options.max_cache_entries = entries;
  return options;
}

TEST(ResolverCache, FindsEveryEntryThroughStoresAndRemovals) {
  ResolverCache cache(with_bound(100000));
  constexpr int kNames = 2000;  // the index grows from 64 positions several times on the way
  for (int i = 0; i < kNames; ++i) cache.store_rrsets({address_record(host(i), i)}, Trust::kAnswer);
  ASSERT_EQ(cache.size(), static_cast<size_t>(kNames));
  for (int i = 0; i < kNames; ++i) {
    auto records = cached(cache, host(i));
    ASSERT_EQ(records.size(), 1u) << host(i);
    EXPECT_EQ(records[0].rdata, address_record(host(i), i).rdata);
  }
  // Removals leave holes all over the index; every entry after one must still be found.
  for (int i = 0; i < kNames; i += 2) EXPECT_EQ(cache.remove_name(N(host(i))), 1u);
  EXPECT_EQ(cache.size(), static_cast<size_t>(kNames / 2));
  for (int i = 0; i < kNames; ++i)
    EXPECT_EQ(cached(cache, host(i)).size(), i % 2 == 0 ? 0u : 1u) << host(i);
  // A subtree: every third name was under a.test.
  const size_t under_a = cache.remove_subtree(N("a.test"));
  EXPECT_EQ(under_a, static_cast<size_t>(kNames / 6));
  for (int i = 1; i < kNames; i += 2)
    EXPECT_EQ(cached(cache, host(i)).size(), i % 3 == 0 ? 0u : 1u) << host(i);
  // Stored again after their removal, the names are found again.
  for (int i = 0; i < kNames; i += 2)
    cache.store_rrsets({address_record(host(i), i)}, Trust::kAnswer);
  for (int i = 0; i < kNames; i += 2) EXPECT_EQ(cached(cache, host(i)).size(), 1u) << host(i);
  const size_t before_clear = cache.size();
  EXPECT_GT(before_clear, 0u);
  EXPECT_EQ(cache.clear(), before_clear);
  EXPECT_EQ(cache.size(), 0u);
  EXPECT_TRUE(cached(cache, host(1)).empty());
}

TEST(ResolverCache, StaysWithinItsBoundAndKeepsWhatIsUsed) {
  constexpr size_t kBound = 50;
  ResolverCache cache(with_bound(kBound));
  cache.store_rrsets({address_record("hot.test", 0)}, Trust::kAnswer);
  for (int i = 1; i <= 2000; ++i) {
    cache.store_rrsets({address_record(host(i), i)}, Trust::kAnswer);
    ASSERT_LE(cache.size(), kBound);
    ASSERT_EQ(cached(cache, "hot.test").size(), 1u) << "evicted after " << i;
  }
  EXPECT_EQ(cache.size(), kBound);
  // The most recent names are there; the first ones, never used again, are gone.
  EXPECT_EQ(cached(cache, host(2000)).size(), 1u);
  int early_left = 0;
  for (int i = 1; i <= 100; ++i) early_left += !cached(cache, host(i)).empty();
  EXPECT_EQ(early_left, 0);
}

TEST(ResolverCache, AnEntryUsedAfterEveryStoreIsNeverTheOneEvicted) {
  // Two entries: the one used and the last one stored. Each store finds both marked since the
  // clock hand last passed; the used one must still not be the one to go.
  ResolverCache cache(with_bound(2));
  cache.store_rrsets({address_record("hot.test", 0)}, Trust::kAnswer);
  for (int i = 1; i <= 500; ++i) {
    ASSERT_EQ(cached(cache, "hot.test").size(), 1u) << "evicted after " << i - 1;
    cache.store_rrsets({address_record(host(i), i)}, Trust::kAnswer);
    ASSERT_EQ(cache.size(), 2u);  // (looking the new entry up would mark it used too)
  }
}

}  // namespace
}  // namespace miniweb::dns
