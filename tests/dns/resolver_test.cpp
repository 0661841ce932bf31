// End to end: real authoritative servers for ".", "test." and "example.test." on loopback
// addresses sharing one port, the iterative resolver, the recursive server, and the stub client.

#include <gtest/gtest.h>

#include <array>
#include <asio/co_spawn.hpp>
#include <asio/experimental/awaitable_operators.hpp>
#include <asio/steady_timer.hpp>
#include <set>
#include <utility>

#include "shared/awaitable.hpp"
#include "tests/dns/dns_internet.hpp"

namespace miniweb::dns {
namespace {

using namespace std::chrono_literals;
using namespace asio::experimental::awaitable_operators;
using test_support::DnsInternet;
using test_support::N;

TEST_F(DnsInternet, ResolvesThroughRootTldAndZone) {
  Resolver resolver(io_.get_executor(), options());
  run([&]() -> asio::awaitable<void> {
    Resolution r = co_await resolver.resolve(N("www.example.test"), type::A, TraceMode::kRecord);
    EXPECT_EQ(r.rcode, rcode::NOERROR) << r.error;
    EXPECT_FALSE(r.from_cache);
    EXPECT_EQ(r.answers.size(), 1u);
    if (!r.answers.empty()) {
      EXPECT_EQ(r.answers[0].to_string(), "www.example.test.\t300\tIN\tA\t127.53.0.10");
    }
    // The root's priming first (". NS", RFC 8109), then root -> test. -> example.test. (the dead
    // ns0 may appear as a failed step before ns1).
    CO_ASSERT(!r.trace.empty());
    EXPECT_EQ(r.trace.front().summary.rfind("priming: the root's NS set", 0), 0u)
        << trace_to_string(r);
    std::vector<TraceStep> walk(r.trace.begin() + 1, r.trace.end());
    std::vector<std::string> zones;
    for (const auto& step : walk)
      if (step.response) zones.push_back(step.zone.to_string());
    EXPECT_EQ(zones, (std::vector<std::string>{".", "test.", "example.test."}));
    CO_ASSERT(!walk.empty());
    EXPECT_EQ(walk.front().server_name, "a.root-servers.test.");
    EXPECT_EQ(walk.front().summary, "referral to test. (ns1.nic.test.)");
    EXPECT_EQ(r.trace.back().summary, "answer: www.example.test. A 127.53.0.10");
    EXPECT_EQ(r.trace.back().server.port(), port_);
    EXPECT_FALSE(trace_to_string(r).empty());

    // Again: from the cache, no queries, TTL counted from the cache.
    Resolution again =
        co_await resolver.resolve(N("WWW.example.test"), type::A, TraceMode::kRecord);
    EXPECT_TRUE(again.from_cache);
    EXPECT_TRUE(again.trace.empty());
    CO_ASSERT(again.answers.size() == 1u);
    EXPECT_LE(again.answers[0].ttl, 300u);
  });
}

TEST_F(DnsInternet, QnameMinimisationAsksOneLabelAtATime) {
  auto o = options();
  o.qname_minimisation = true;
  Resolver resolver(io_.get_executor(), o);
  run([&]() -> asio::awaitable<void> {
    Resolution r = co_await resolver.resolve(N("www.example.test"), type::MX, TraceMode::kRecord);
    EXPECT_EQ(r.rcode, rcode::NOERROR) << r.error;
    std::vector<std::string> asked;  // after the root's priming
    for (const auto& step : r.trace)
      if (step.response && !step.summary.starts_with("priming: "))
        asked.push_back(step.question.to_string());
    EXPECT_EQ(asked, (std::vector<std::string>{";test.\t\tIN\tA", ";example.test.\t\tIN\tA",
                                               ";www.example.test.\t\tIN\tMX"}))
        << trace_to_string(r);
    Resolution shop = co_await resolver.resolve(N("shop.example.test"), type::A);
    EXPECT_EQ(shop.rcode, rcode::NOERROR) << shop.error;
    EXPECT_EQ(shop.answers.size(), 2u);
    Resolution nx = co_await resolver.resolve(N("x.nope.example.test"), type::A);
    EXPECT_EQ(nx.rcode, rcode::NXDOMAIN);
  });
}

TEST_F(DnsInternet, NegativeAnswersAreCached) {
  Resolver resolver(io_.get_executor(), options());
  run([&]() -> asio::awaitable<void> {
    Resolution r = co_await resolver.resolve(N("nope.example.test"), type::A);
    EXPECT_EQ(r.rcode, rcode::NXDOMAIN);
    CO_ASSERT(r.authority.size() == 1u);
    EXPECT_EQ(r.authority[0].type, type::SOA);
    EXPECT_LE(r.authority[0].ttl, 60u);
    int before = *counts_[example_];
    Resolution cached = co_await resolver.resolve(N("nope.example.test"), type::AAAA);
    EXPECT_EQ(cached.rcode, rcode::NXDOMAIN);  // NXDOMAIN covers every type (RFC 2308 5)
    EXPECT_TRUE(cached.from_cache);
    EXPECT_EQ(*counts_[example_], before);

    Resolution nodata = co_await resolver.resolve(N("www.example.test"), type::MX);
    EXPECT_EQ(nodata.rcode, rcode::NOERROR);
    EXPECT_TRUE(nodata.answers.empty());
    EXPECT_EQ(nodata.authority.size(), 1u);
    Resolution nodata_again = co_await resolver.resolve(N("www.example.test"), type::MX);
    EXPECT_TRUE(nodata_again.from_cache);
  });
}

TEST_F(DnsInternet, ChasesCnameAcrossZonesAndResolvesNsWithoutGlue) {
  Resolver resolver(io_.get_executor(), options());
  run([&]() -> asio::awaitable<void> {
    // alias.test -> www.example.test (another zone); shop.example.test -> www.other.test, whose
    // server ns.example.test has no glue in test.
    Resolution r = co_await resolver.resolve(N("alias.test"), type::A);
    EXPECT_EQ(r.rcode, rcode::NOERROR) << r.error;
    CO_ASSERT(r.answers.size() == 2u);
    EXPECT_EQ(r.answers[0].type, type::CNAME);
    EXPECT_EQ(r.answers[1].to_string(), "www.example.test.\t300\tIN\tA\t127.53.0.10");

    Resolution shop =
        co_await resolver.resolve(N("shop.example.test"), type::A, TraceMode::kRecord);
    EXPECT_EQ(shop.rcode, rcode::NOERROR) << shop.error << "\n" << trace_to_string(shop);
    CO_ASSERT(shop.answers.size() == 2u);
    EXPECT_EQ(shop.answers[1].to_string(), "www.other.test.\t300\tIN\tA\t127.53.0.20");
  });
}

TEST_F(DnsInternet, ServfailWhenNoServerAnswers) {
  auto o = options();
  o.query_timeout = 300ms;
  Resolver resolver(io_.get_executor(), o);
  run([&]() -> asio::awaitable<void> {
    Resolution r = co_await resolver.resolve(N("www.broken.test"), type::A, TraceMode::kRecord);
    EXPECT_EQ(r.rcode, rcode::SERVFAIL);
    EXPECT_FALSE(r.error.empty());
    EXPECT_FALSE(r.trace.back().error.empty());
    // A failed exchange says whom it asked and when it gave up, not whom a reply came from.
    const std::string text = trace_to_string(r);
    EXPECT_NE(text.find(" (asked "), std::string::npos) << text;
    EXPECT_NE(text.find(", gave up after "), std::string::npos) << text;
  });
}

TEST_F(DnsInternet, AsksAgainAServerThatGaveNoAnswer) {
  unanswered_.insert({tld_, 1});
  auto o = options();
  o.query_timeout = 200ms;
  Resolver resolver(io_.get_executor(), o);
  run([&]() -> asio::awaitable<void> {
    Resolution r = co_await resolver.resolve(N("www.example.test"), type::A, TraceMode::kRecord);
    EXPECT_EQ(r.rcode, rcode::NOERROR) << r.error << "\n" << trace_to_string(r);
    EXPECT_EQ(*counts_[tld_], 2);
    const std::string trace = trace_to_string(r);
    EXPECT_NE(trace.find("error"), std::string::npos) << trace;
  });
}

TEST_F(DnsInternet, GivesUpAfterItsRounds) {
  unanswered_.insert({tld_, 1});
  unanswered_.insert({tld_, 2});
  auto o = options();
  o.query_timeout = 100ms;
  o.query_rounds = 2;
  Resolver resolver(io_.get_executor(), o);
  run([&]() -> asio::awaitable<void> {
    Resolution r = co_await resolver.resolve(N("www.example.test"), type::A);
    EXPECT_EQ(r.rcode, rcode::SERVFAIL);
    EXPECT_EQ(*counts_[tld_], 2);
  });
}

TEST_F(DnsInternet, CoalescesIdenticalQuestions) {
  Resolver resolver(io_.get_executor(), options());
  run([&]() -> asio::awaitable<void> {
    int finished = 0;
    auto one = [&]() -> asio::awaitable<void> {
      Resolution r = co_await resolver.resolve(N("www.example.test"), type::A);
      EXPECT_EQ(r.answers.size(), 1u);
      ++finished;
    };
    auto executor = co_await asio::this_coro::executor;
    for (int i = 0; i < 5; ++i) asio::co_spawn(executor, one(), asio::detached);
    asio::steady_timer wait(executor);
    while (finished < 5) {
      wait.expires_after(10ms);
      co_await wait.async_wait(asio::use_awaitable);
    }
    EXPECT_EQ(*counts_[root_], 2);  // the priming query (RFC 8109) and one referral
    EXPECT_EQ(*counts_[example_], 1);
  });
}

TEST_F(DnsInternet, TruncatedUdpRetriesOverTcp) {
  run([&]() -> asio::awaitable<void> {
    asio::ip::udp::endpoint server(asio::ip::make_address(example_), port_);
    Message big = make_query(N("big.example.test"), type::A, false);
    ExchangeNotes notes;
    auto reply = co_await exchange(server, big, 2000ms, &notes);
    EXPECT_TRUE(reply.ok()) << (reply.ok() ? "" : reply.error().message);
    if (reply.ok()) {
      EXPECT_FALSE(reply->tc);
      EXPECT_EQ(reply->answers.size(), 100u);
      EXPECT_TRUE(reply->aa);
    }
    EXPECT_EQ(notes.transport, Transport::UdpThenTcp);  // traces show "udp, truncated, then tcp"
    EXPECT_TRUE(notes.local_tcp);
    Message small = make_query(N("www.example.test"), type::A, false);
    notes = ExchangeNotes{};
    co_await exchange(server, small, 2000ms, &notes);
    EXPECT_EQ(notes.transport, Transport::Udp);
    EXPECT_NE(notes.local_udp.port(), 0);
  });
}

TEST_F(DnsInternet, EachQuestionLeavesFromARandomPortWithARandomId) {
  run([&]() -> asio::awaitable<void> {
    asio::ip::udp::endpoint server(asio::ip::make_address(example_), port_);
    std::set<uint16_t> ports;
    std::set<uint16_t> ids;
    const Message query = make_query(N("www.example.test"), type::A);
    constexpr int kQuestions = 32;
    for (int i = 0; i < kQuestions; ++i) {
      ExchangeNotes notes;
      auto reply = co_await exchange(server, query, 2000ms, &notes);
      EXPECT_TRUE(reply.ok());
      if (!reply.ok()) co_return;
      EXPECT_GE(notes.local_udp.port(), 1024);
      ports.insert(notes.local_udp.port());
      ids.insert(reply->id);  // the reply carries the ID the question was sent with
    }
    // 32 draws of 16 random bits: a repeat or two is possible, more is not (RFC 5452 section
    // 9.2); a fixed or counting ID, or one port for all, fails here.
    EXPECT_GE(ids.size(), static_cast<std::size_t>(kQuestions - 2));
    EXPECT_GE(ports.size(), static_cast<std::size_t>(kQuestions - 2));
  });
}

TEST_F(DnsInternet, ExchangeTimesOutClearly) {
  run([&]() -> asio::awaitable<void> {
    // A UDP socket that never answers.
    auto executor = co_await asio::this_coro::executor;
    asio::ip::udp::socket silent(executor,
                                 asio::ip::udp::endpoint(asio::ip::make_address(root_), 0));
    auto reply =
        co_await exchange(silent.local_endpoint(), make_query(N("x.test"), type::A), 200ms);
    EXPECT_FALSE(reply.ok());
    if (!reply.ok()) {
      EXPECT_NE(reply.error().message.find("within 200 ms"), std::string::npos);
    }
  });
}

// A server that answers only with replies to some other question (another ID), one every 5 ms:
// each is read and set aside, and the question still ends at its deadline.
TEST_F(DnsInternet, ExchangeTimesOutThroughStrayReplies) {
  run([&]() -> asio::awaitable<void> {
    auto executor = co_await asio::this_coro::executor;
    asio::ip::udp::socket stray(executor,
                                asio::ip::udp::endpoint(asio::ip::make_address(root_), 0));
    bool done = false;      // told to the stray server once the question has ended
    bool finished = false;  // the stray server's own end: this frame outlives it
    int sent = 0;
    auto answer_wrongly = [&]() -> asio::awaitable<void> {
      std::array<uint8_t, 512> question;
      asio::ip::udp::endpoint asker;
      auto [ec, size] = co_await stray.async_receive_from(asio::buffer(question), asker, use_tuple);
      if (ec || size < 2) {
        finished = true;
        co_return;
      }
      question[0] ^= 0xff;  // another ID
      asio::steady_timer pause(executor);
      while (!done) {
        co_await stray.async_send_to(asio::buffer(question.data(), size), asker, use_tuple);
        ++sent;
        pause.expires_after(5ms);
        co_await pause.async_wait(use_tuple);
      }
      finished = true;
    };
    asio::co_spawn(executor, answer_wrongly(), asio::detached);
    auto reply = co_await exchange(stray.local_endpoint(), make_query(N("x.test"), type::A), 200ms);
    done = true;
    EXPECT_FALSE(reply.ok());
    if (!reply.ok()) {
      EXPECT_NE(reply.error().message.find("within 200 ms"), std::string::npos);
    }
    EXPECT_GT(sent, 5);  // strays came, and were read past
    asio::steady_timer wait(executor);
    while (!finished) {
      wait.expires_after(5ms);
      co_await wait.async_wait(use_tuple);
    }
  });
}

TEST_F(DnsInternet, RecursiveServerAnswersAllowedClientsOnly) {
  Resolver resolver(io_.get_executor(), options());
  AllowList loopback;
  AllowList elsewhere({*Cidr::parse("10.0.0.0/8")});
  DnsServer open(io_.get_executor(), asio::ip::udp::endpoint(asio::ip::make_address(recursive_), 0),
                 AsyncHandler([&](Message q, asio::ip::address c) {
                   return answer_recursive(resolver, loopback, std::move(q), std::move(c));
                 }));
  DnsServer closed(io_.get_executor(),
                   asio::ip::udp::endpoint(asio::ip::make_address(recursive_), 0),
                   AsyncHandler([&](Message q, asio::ip::address c) {
                     return answer_recursive(resolver, elsewhere, std::move(q), std::move(c));
                   }));
  open.set_fast_handler([&](const Message& q, const asio::ip::address& c, Message& r) {
    return answer_recursive_at_once(resolver, loopback, q, c, r);
  });
  open.start();
  closed.start();
  run([&]() -> asio::awaitable<void> {
    Message query = make_query(N("www.example.test"), type::A);
    auto reply = co_await exchange(open.local_endpoint(), query, 3000ms);
    EXPECT_TRUE(reply.ok());
    if (reply.ok()) {
      EXPECT_TRUE(reply->ra);
      EXPECT_FALSE(reply->aa);
      EXPECT_EQ(reply->rcode, rcode::NOERROR);
      EXPECT_EQ(reply->answers.size(), 1u);
    }
    // Again: the synchronous cache path gives the same answer, with no upstream query.
    int before = *counts_[example_];
    auto again = co_await exchange(open.local_endpoint(), query, 3000ms);
    EXPECT_TRUE(again.ok());
    if (again.ok()) {
      EXPECT_TRUE(again->ra);
      EXPECT_EQ(again->rcode, rcode::NOERROR);
      EXPECT_EQ(again->answers.size(), 1u);
    }
    EXPECT_EQ(*counts_[example_], before);
    auto refused = co_await exchange(closed.local_endpoint(),
                                     make_query(N("www.example.test"), type::A), 3000ms);
    EXPECT_TRUE(refused.ok());
    if (refused.ok()) {
      EXPECT_EQ(refused->rcode, rcode::REFUSED);
    }
    open.stop();
    closed.stop();
  });
}

TEST_F(DnsInternet, IgnoresOutOfBailiwickRecords) {
  // evil.test's server answers every question, and adds records for names it has no authority
  // over: an answer for www.example.test, glue for ns1.example.test, NS for example.test.
  auto make_record = [](std::string_view name, uint16_t rtype, Rdata rdata) {
    return ResourceRecord{N(name), rtype, rclass::IN, 3600, std::move(rdata)};
  };
  std::string evil_address = root_.substr(0, root_.size() - 1) + "6";
  DnsServer evil(
      io_.get_executor(), asio::ip::udp::endpoint(asio::ip::make_address(evil_address), port_),
      SyncHandler([&](const Message& query, const asio::ip::address&) {
        Message reply = query.make_reply();
        reply.aa = true;
        reply.answers.push_back(
            make_record(query.questions[0].name.to_string(), type::A, RdataA{{6, 6, 6, 6}}));
        reply.answers.push_back(make_record("www.example.test", type::A, RdataA{{6, 6, 6, 6}}));
        reply.authority.push_back(
            make_record("example.test", type::NS, RdataName{N("ns.evil.test")}));
        reply.additional.push_back(make_record("ns1.example.test", type::A, RdataA{{6, 6, 6, 6}}));
        return reply;
      }));
  evil.start();
  Resolver resolver(io_.get_executor(), options());
  run([&]() -> asio::awaitable<void> {
    Resolution r = co_await resolver.resolve(N("www.evil.test"), type::A);
    EXPECT_EQ(r.rcode, rcode::NOERROR) << r.error;
    CO_ASSERT(r.answers.size() == 1u);
    EXPECT_EQ(r.answers[0].rdata_to_string(), "6.6.6.6");
    int before = *counts_[example_];
    Resolution real = co_await resolver.resolve(N("www.example.test"), type::A);
    EXPECT_FALSE(real.from_cache);
    CO_ASSERT(real.answers.size() == 1u);
    EXPECT_EQ(real.answers[0].rdata_to_string(), "127.53.0.10");
    EXPECT_EQ(*counts_[example_], before + 1);  // asked the real server, at its real address
    evil.stop();
  });
}

TEST_F(DnsInternet, PrimesFromTheRootNotTheHints) {
  // RFC 8109: the hints name an old server (at the right address); the root's own NS set names
  // a.root-servers.test., and iteration must use that one.
  auto o = options();
  o.root_hints = *parse_zone_text(
      ". 3600000 NS old.root-servers.test.\nold.root-servers.test. 3600000 A " + root_ + "\n",
      "hints");
  Resolver resolver(io_.get_executor(), o);
  run([&]() -> asio::awaitable<void> {
    Resolution r = co_await resolver.resolve(N("www.example.test"), type::A, TraceMode::kRecord);
    EXPECT_EQ(r.rcode, rcode::NOERROR) << r.error;
    CO_ASSERT(r.trace.size() >= 2);
    // The priming is in the resolver's record, as it happened: ". NS" to the hinted server.
    const TraceStep& priming = r.trace.front();
    EXPECT_EQ(priming.server_name, "old.root-servers.test.") << trace_to_string(r);
    EXPECT_TRUE(priming.question.name.is_root());
    EXPECT_EQ(priming.question.type, type::NS);
    EXPECT_EQ(priming.summary.rfind("priming: the root's NS set", 0), 0u) << priming.summary;
    // Then the iteration, from the root's own NS set.
    EXPECT_EQ(r.trace[1].server_name, "a.root-servers.test.") << trace_to_string(r);
  });
}

TEST_F(DnsInternet, GlueIsNeverReturnedAsAnAnswer) {
  // RFC 2181 5.4.1: the test. server's glue for ns1.example.test (TTL 3600) steers iteration,
  // but a client asking for ns1.example.test gets the zone's own authoritative record (TTL 300).
  Resolver resolver(io_.get_executor(), options());
  run([&]() -> asio::awaitable<void> {
    Resolution www = co_await resolver.resolve(N("www.example.test"), type::A);
    EXPECT_EQ(www.rcode, rcode::NOERROR) << www.error;
    int before = *counts_[example_];
    Resolution ns = co_await resolver.resolve(N("ns1.example.test"), type::A);
    EXPECT_EQ(ns.rcode, rcode::NOERROR) << ns.error;
    EXPECT_FALSE(ns.from_cache);
    EXPECT_EQ(*counts_[example_], before + 1);
    CO_ASSERT(ns.answers.size() == 1u);
    EXPECT_LE(ns.answers[0].ttl, 300u);
    // Now the authoritative answer is cached and served as such.
    Resolution again = co_await resolver.resolve(N("ns1.example.test"), type::A);
    EXPECT_TRUE(again.from_cache);
    // Resolving a sibling walks the same delegation; the glue must not replace the answer.
    Resolution other = co_await resolver.resolve(N("nope.example.test"), type::A);
    EXPECT_EQ(other.rcode, rcode::NXDOMAIN);
    Resolution still = co_await resolver.resolve(N("ns1.example.test"), type::A);
    EXPECT_TRUE(still.from_cache);
    CO_ASSERT(still.answers.size() == 1u);
    EXPECT_LE(still.answers[0].ttl, 300u);
  });
}

TEST_F(DnsInternet, FullCacheEvictsTheLeastRecentlyUsed) {
  auto o = options();
  o.max_cache_entries = 16;
  Resolver resolver(io_.get_executor(), o);
  run([&]() -> asio::awaitable<void> {
    Resolution www = co_await resolver.resolve(N("www.example.test"), type::A);
    EXPECT_EQ(www.rcode, rcode::NOERROR) << www.error;
    for (int i = 0; i < 40; ++i) {
      Name name = N("nope" + std::to_string(i) + ".example.test");
      Resolution nx = co_await resolver.resolve(name, type::A);
      EXPECT_EQ(nx.rcode, rcode::NXDOMAIN) << nx.error;
      // Used after every insertion, www stays; clearing the whole cache would lose it.
      Resolution hot = co_await resolver.resolve(N("www.example.test"), type::A);
      EXPECT_TRUE(hot.from_cache) << "evicted after " << i;
      EXPECT_LE(resolver.cache_size(), 16u);
    }
    // The oldest negative answers went first.
    Name oldest = N("nope0.example.test");
    Resolution old = co_await resolver.resolve(oldest, type::A);
    EXPECT_FALSE(old.from_cache);
  });
}

TEST(DnsAllowList, MatchesPrefixes) {
  AllowList loopback;
  EXPECT_TRUE(loopback.allows(asio::ip::make_address("127.0.0.1")));
  EXPECT_TRUE(loopback.allows(asio::ip::make_address("127.53.1.4")));
  EXPECT_TRUE(loopback.allows(asio::ip::make_address("::1")));
  EXPECT_FALSE(loopback.allows(asio::ip::make_address("10.0.0.1")));
  AllowList lan({*Cidr::parse("192.168.1.0/24")});
  EXPECT_TRUE(lan.allows(asio::ip::make_address("192.168.1.200")));
  EXPECT_FALSE(lan.allows(asio::ip::make_address("192.168.2.1")));
}

}  // namespace
}  // namespace miniweb::dns
