// The answer cache on its own (dns/reply_cache.hpp): replies kept by their query's bytes, given
// back with each query's ID, and, for a resolver's replies, aged by a clock the test moves.

#include <gtest/gtest.h>

#include <vector>

#include "dns/reply_cache.hpp"
#include "tests/dns/dns_internet.hpp"

namespace miniweb::dns {
namespace {

using namespace std::chrono_literals;
using test_support::N;

ReplyCache::Clock::time_point g_now = ReplyCache::Clock::time_point{} + 1000h;
ReplyCache::Clock::time_point test_clock() {
  return g_now;
}

std::vector<uint8_t> query_wire(uint16_t id, const char* name = "www.example.test") {
  Message query = make_query(N(name), type::A);
  query.id = id;
  query.edns = Edns{};
  return query.encode();
}

// An answer (TTL 60), an SOA in the authority section (TTL 30), and an OPT record whose
// TTL field holds its flags (DO set), not a TTL.
Message reply_message(uint16_t id, uint32_t answer_ttl = 60, uint32_t soa_ttl = 30) {
  Message reply = make_query(N("www.example.test"), type::A).make_reply();
  reply.id = id;
  reply.ra = true;
  reply.answers.push_back(ResourceRecord{N("www.example.test"), type::A, rclass::IN, answer_ttl,
                                         RdataA{{192, 0, 2, 1}}});
  reply.authority.push_back(
      ResourceRecord{N("example.test"), type::SOA, rclass::IN, soa_ttl,
                     RdataSoa{N("ns1.example.test"), N("host.example.test"), 1, 2, 3, 4, 5}});
  reply.edns = Edns{.udp_size = 1232, .version = 0, .dnssec_ok = true, .options = {}};
  return reply;
}

Message decoded(const std::vector<uint8_t>& wire) {
  auto message = Message::decode(wire);
  EXPECT_TRUE(message.ok());
  return message.ok() ? *message : Message{};
}

TEST(ReplyCache, GivesAKeptReplyWithEachQuerysId) {
  ReplyCache cache(8, &test_clock);
  EXPECT_FALSE(cache.answer(query_wire(1)));
  cache.store(query_wire(1), reply_message(1).encode(), ReplyCache::Aging::kNone);
  auto again = cache.answer(query_wire(2));
  ASSERT_TRUE(again);
  Message expected = reply_message(2);
  EXPECT_EQ(*again, expected.encode());
  // Another question (here another name) is another entry.
  EXPECT_FALSE(cache.answer(query_wire(3, "mail.example.test")));
}

TEST(ReplyCache, AgingRepliesCountTheirTtlsDownAndGoWithTheFirstAtZero) {
  ReplyCache cache(8, &test_clock);
  cache.store(query_wire(1), reply_message(1).encode(), ReplyCache::Aging::kTtls);
  g_now += 10s + 900ms;  // whole seconds count: ten
  auto later = cache.answer(query_wire(2));
  ASSERT_TRUE(later);
  Message reply = decoded(*later);
  ASSERT_EQ(reply.answers.size(), 1u);
  ASSERT_EQ(reply.authority.size(), 1u);
  EXPECT_EQ(reply.id, 2);
  EXPECT_EQ(reply.answers[0].ttl, 50u);
  EXPECT_EQ(reply.authority[0].ttl, 20u);
  ASSERT_TRUE(reply.edns);
  EXPECT_TRUE(reply.edns->dnssec_ok);  // the OPT record's flags are left as they were
  EXPECT_EQ(reply.edns->version, 0);
  g_now += 19s;  // 29 s: the SOA has one second left
  auto last = cache.answer(query_wire(3));
  ASSERT_TRUE(last);
  EXPECT_EQ(decoded(*last).authority[0].ttl, 1u);
  g_now += 1s;  // 30 s: the SOA's TTL is spent, and the reply goes
  EXPECT_FALSE(cache.answer(query_wire(4)));
  EXPECT_EQ(cache.size(), 0u);
}

TEST(ReplyCache, RepliesKeptAsTheyAreDoNotAge) {
  ReplyCache cache(8, &test_clock);
  cache.store(query_wire(1), reply_message(1).encode(), ReplyCache::Aging::kNone);
  g_now += 3600s;
  auto later = cache.answer(query_wire(2));
  ASSERT_TRUE(later);
  EXPECT_EQ(decoded(*later).answers[0].ttl, 60u);
}

TEST(ReplyCache, KeepsNoAgingReplyWithAZeroTtlNorAReplyItCannotWalk) {
  ReplyCache cache(8, &test_clock);
  cache.store(query_wire(1), reply_message(1, 60, 0).encode(), ReplyCache::Aging::kTtls);
  EXPECT_EQ(cache.size(), 0u);
  std::vector<uint8_t> cut = reply_message(1).encode();
  cut.resize(cut.size() - 3);  // the OPT record's end is missing
  cache.store(query_wire(1), cut, ReplyCache::Aging::kNone);
  EXPECT_EQ(cache.size(), 0u);
  std::vector<uint8_t> trailing = reply_message(1).encode();
  trailing.push_back(0);  // a byte after the last record
  cache.store(query_wire(1), trailing, ReplyCache::Aging::kNone);
  EXPECT_EQ(cache.size(), 0u);
}

TEST(ReplyCache, KeepsNothingForOversizedQueriesAndStartsAgainWhenFull) {
  ReplyCache cache(2, &test_clock);
  std::vector<uint8_t> oversized = query_wire(1);
  oversized.resize(ReplyCache::kMaxQuery + 1);
  cache.store(oversized, reply_message(1).encode(), ReplyCache::Aging::kNone);
  EXPECT_EQ(cache.size(), 0u);
  EXPECT_FALSE(cache.answer(oversized));
  cache.store(query_wire(1, "a.example.test"), reply_message(1).encode(), ReplyCache::Aging::kNone);
  cache.store(query_wire(1, "b.example.test"), reply_message(1).encode(), ReplyCache::Aging::kNone);
  EXPECT_EQ(cache.size(), 2u);
  cache.store(query_wire(1, "c.example.test"), reply_message(1).encode(), ReplyCache::Aging::kNone);
  EXPECT_EQ(cache.size(), 1u);
  EXPECT_TRUE(cache.answer(query_wire(2, "c.example.test")));
  EXPECT_FALSE(cache.answer(query_wire(2, "a.example.test")));
  ReplyCache off(0, &test_clock);
  off.store(query_wire(1), reply_message(1).encode(), ReplyCache::Aging::kNone);
  EXPECT_EQ(off.size(), 0u);
}

}  // namespace
}  // namespace miniweb::dns
