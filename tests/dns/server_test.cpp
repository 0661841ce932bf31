// The DNS server's own work, through real sockets on loopback: its UDP loop (lone reads, batches),
// TCP pipelining, and the answer cache of both roles (the authoritative role's replies as they
// are, the resolver's kept replies aging), in the small internet of dns_internet.hpp.

#include <gtest/gtest.h>

#include <asio/experimental/as_tuple.hpp>
#include <asio/experimental/awaitable_operators.hpp>
#include <asio/read.hpp>
#include <asio/steady_timer.hpp>
#include <asio/write.hpp>
#include <set>
#include <utility>
#include <variant>

#include "tests/dns/dns_internet.hpp"

namespace miniweb::dns {
namespace {

using namespace std::chrono_literals;
using namespace asio::experimental::awaitable_operators;
using test_support::DnsInternet;
using test_support::N;

// The resolver's kept replies (DnsServer::set_reply_cache): a question its cache answered is
// answered again from the reply itself, without the fast handler, with the TTLs counted down;
// never to a client the allow list refuses; not for a query with EDNS options; and not after
// a flush.
TEST_F(DnsInternet, KeptRepliesAnswerAllowedClientsAndAgeUntilAFlush) {
  const std::string net = recursive_.substr(0, recursive_.rfind('.') + 1);
  const std::string friend_address = net + "7", stranger_address = net + "8";
  Resolver resolver(io_.get_executor(), options());
  AllowList allow({*Cidr::parse(friend_address + "/32")});
  DnsServer server(io_.get_executor(),
                   asio::ip::udp::endpoint(asio::ip::make_address(recursive_), 0),
                   AsyncHandler([&](Message q, asio::ip::address c) {
                     return answer_recursive(resolver, allow, std::move(q), std::move(c));
                   }),
                   ServerLimits{.answer_cache_entries = 64});
  int fast_calls = 0;
  server.set_fast_handler([&](const Message& q, const asio::ip::address& c, Message& r) {
    ++fast_calls;
    return answer_recursive_at_once(resolver, allow, q, c, r);
  });
  server.set_reply_cache([&](const asio::ip::address& c) { return allow.allows(c); },
                         [&] { resolver.count_hit(); });
  resolver.on_flush([&] { server.clear_answer_cache(); });
  server.start();
  run([&]() -> asio::awaitable<void> {
    auto ask = [&](const std::string& from, uint16_t id,
                   bool cookie = false) -> asio::awaitable<Message> {
      asio::ip::udp::socket socket(io_.get_executor(),
                                   asio::ip::udp::endpoint(asio::ip::make_address(from), 0));
      Message query = make_query(N("www.example.test"), type::A);
      query.id = id;
      if (cookie) query.edns = Edns{.options = {EdnsOption{10, {1, 2, 3, 4, 5, 6, 7, 8}}}};
      std::vector<uint8_t> wire = query.encode(), buffer(1232);
      co_await socket.async_send_to(asio::buffer(wire), server.local_endpoint(),
                                    asio::use_awaitable);
      asio::steady_timer limit(io_.get_executor(), 3s);
      auto got = co_await (socket.async_receive(asio::buffer(buffer), asio::use_awaitable) ||
                           limit.async_wait(asio::use_awaitable));
      if (got.index() != 0) co_return Message{};
      auto reply = Message::decode(std::span(buffer.data(), std::get<0>(got)));
      co_return reply.ok() ? *reply : Message{};
    };
    Message first = co_await ask(friend_address, 1);  // resolved: servers asked
    CO_ASSERT(first.answers.size() == 1u);
    const int upstream = *counts_[example_];
    Message second = co_await ask(friend_address, 2);  // the fast handler, from the cache
    EXPECT_EQ(fast_calls, 2);
    Message third = co_await ask(friend_address, 3);  // the kept reply
    EXPECT_EQ(fast_calls, 2);
    EXPECT_EQ(third.id, 3);
    EXPECT_EQ(resolver.stats().hits, 2u);
    CO_ASSERT(second.answers.size() == 1u && third.answers.size() == 1u);
    EXPECT_EQ(third.answers[0].rdata_to_string(), second.answers[0].rdata_to_string());
    EXPECT_EQ(*counts_[example_], upstream);
    // A second and a bit later, the kept reply's TTL is at least one lower.
    asio::steady_timer pause(io_.get_executor(), 1100ms);
    co_await pause.async_wait(asio::use_awaitable);
    Message later = co_await ask(friend_address, 4);
    EXPECT_EQ(fast_calls, 2);
    CO_ASSERT(later.answers.size() == 1u);
    EXPECT_LE(later.answers[0].ttl + 1, second.answers[0].ttl);
    // The same question from a client the resolver does not serve: refused, not kept.
    Message refused = co_await ask(stranger_address, 5);
    EXPECT_EQ(refused.rcode, rcode::REFUSED);
    EXPECT_TRUE(refused.answers.empty());
    EXPECT_EQ(fast_calls, 3);
    // A question with an EDNS option (here a client cookie, RFC 7873) is answered, not kept.
    for (uint16_t id : {6, 7}) {
      Message with_cookie = co_await ask(friend_address, id, true);
      EXPECT_EQ(with_cookie.answers.size(), 1u);
    }
    EXPECT_EQ(fast_calls, 5);
    // A flush takes the kept replies with the cache: the servers are asked again.
    resolver.flush_name(N("www.example.test"));
    Message after = co_await ask(friend_address, 8);
    CO_ASSERT(after.answers.size() == 1u);
    EXPECT_EQ(*counts_[example_], upstream + 1);
    server.stop();
  });
}

TEST_F(DnsInternet, TcpQueriesOnOneConnectionAreAnsweredConcurrently) {
  // RFC 7766 6.2.1.1: a slow question must not hold up the reply to a later one on the same
  // connection. "slow.test" is answered only after "fast.test" has been, or after 20 s.
  auto executor = io_.get_executor();
  asio::steady_timer release(executor);
  release.expires_after(20s);
  DnsServer server(
      executor, asio::ip::udp::endpoint(asio::ip::make_address(recursive_), 0),
      AsyncHandler([&](Message query, asio::ip::address) -> asio::awaitable<Message> {
        Message reply = query.make_reply();
        if (query.questions.front().name == N("slow.test"))
          co_await release.async_wait(asio::experimental::as_tuple(asio::use_awaitable));
        else
          release.cancel();
        co_return reply;
      }));
  server.start();
  run([&]() -> asio::awaitable<void> {
    asio::ip::tcp::socket socket(executor);
    asio::ip::tcp::endpoint endpoint(server.local_endpoint().address(),
                                     server.local_endpoint().port());
    co_await socket.async_connect(endpoint, asio::use_awaitable);
    Message slow = make_query(N("slow.test"), type::A);
    Message fast = make_query(N("fast.test"), type::A);
    slow.id = 1;
    fast.id = 2;
    std::vector<uint8_t> both = tcp_frame(slow.encode());
    std::vector<uint8_t> second = tcp_frame(fast.encode());
    both.insert(both.end(), second.begin(), second.end());
    co_await asio::async_write(socket, asio::buffer(both), asio::use_awaitable);
    std::vector<uint16_t> order;
    for (int i = 0; i < 2; ++i) {
      uint8_t length[2];
      co_await asio::async_read(socket, asio::buffer(length), asio::use_awaitable);
      std::vector<uint8_t> body(tcp_frame_length(length));
      co_await asio::async_read(socket, asio::buffer(body), asio::use_awaitable);
      auto reply = Message::decode(body);
      CO_ASSERT(reply.ok());
      order.push_back(reply->id);
    }
    EXPECT_EQ(order, (std::vector<uint16_t>{2, 1}));
    server.stop();
  });
}

TEST_F(DnsInternet, AnswerCacheRepliesWithEachQuerysIdUntilCleared) {
  // The authoritative role's UDP answer cache: the second identical question (another ID) is
  // answered from the cache; after clear_answer_cache() the handler is asked again.
  auto executor = io_.get_executor();
  std::string address = "1.2.3.4";
  int handled = 0;
  DnsServer server(executor, asio::ip::udp::endpoint(asio::ip::make_address(recursive_), 0),
                   SyncHandler([&](const Message& query, const asio::ip::address&) {
                     ++handled;
                     Message reply = query.make_reply();
                     reply.aa = true;
                     reply.answers.push_back(
                         ResourceRecord{query.questions.front().name, type::A, rclass::IN, 60,
                                        RdataA{asio::ip::make_address_v4(address).to_bytes()}});
                     return reply;
                   }),
                   ServerLimits{.answer_cache_entries = 8});
  server.start();
  run([&]() -> asio::awaitable<void> {
    auto ask = [&](uint16_t id) -> asio::awaitable<Message> {
      asio::ip::udp::socket socket(executor, asio::ip::udp::v4());
      Message query = make_query(N("cached.test"), type::A);
      query.id = id;
      std::vector<uint8_t> wire = query.encode();
      co_await socket.async_send_to(asio::buffer(wire), server.local_endpoint(),
                                    asio::use_awaitable);
      std::vector<uint8_t> buffer(1232);
      size_t n = co_await socket.async_receive(asio::buffer(buffer), asio::use_awaitable);
      auto reply = Message::decode(std::span(buffer.data(), n));
      if (!reply) co_return Message{};
      co_return *reply;
    };
    Message first = co_await ask(100);
    Message second = co_await ask(200);
    EXPECT_EQ(first.id, 100);
    EXPECT_EQ(second.id, 200);
    EXPECT_EQ(handled, 1);
    CO_ASSERT(second.answers.size() == 1u);
    EXPECT_EQ(second.answers[0].rdata_to_string(), "1.2.3.4");
    address = "5.6.7.8";
    server.clear_answer_cache();
    Message third = co_await ask(300);
    EXPECT_EQ(third.id, 300);
    EXPECT_EQ(handled, 2);
    CO_ASSERT(third.answers.size() == 1u);
    EXPECT_EQ(third.answers[0].rdata_to_string(), "5.6.7.8");
    server.stop();
  });
}

// A burst queued before the server wakes: the first datagrams are read and answered alone,
// until the server looks for a queue and finds one; the rest in batches (more than one full
// batch here, answered with sendmmsg). Every query gets its own reply, once.
TEST_F(DnsInternet, EveryQueryOfABurstIsAnsweredOnce) {
  auto executor = io_.get_executor();
  int handled = 0;
  DnsServer server(
      executor, asio::ip::udp::endpoint(asio::ip::make_address(recursive_), 0),
      SyncHandler([&](const Message& query, const asio::ip::address&) {
        ++handled;
        Message reply = query.make_reply();
        reply.aa = true;
        reply.answers.push_back(ResourceRecord{query.questions.front().name, type::A, rclass::IN,
                                               60, RdataA{{192, 0, 2, 1}}});
        return reply;
      }),
      ServerLimits{.answer_cache_entries = 0});  // each query reaches the handler
  server.start();
  run([&]() -> asio::awaitable<void> {
    constexpr int kQueries = 200;
    constexpr auto kAwaitTuple = asio::experimental::as_tuple(asio::use_awaitable);
    asio::ip::udp::socket socket(executor, asio::ip::udp::v4());
    Message query = make_query(N("burst.test"), type::A);
    // Sent without yielding: the server, on this thread, wakes to all of them queued.
    for (int i = 0; i < kQueries; ++i) {
      query.id = static_cast<uint16_t>(1000 + i);
      std::vector<uint8_t> wire = query.encode();
      socket.send_to(asio::buffer(wire), server.local_endpoint());
    }
    std::set<uint16_t> answered;
    std::vector<uint8_t> buffer(1232);
    asio::steady_timer deadline(executor, 5s);
    while (answered.size() < static_cast<size_t>(kQueries)) {
      auto got = co_await (socket.async_receive(asio::buffer(buffer), kAwaitTuple) ||
                           deadline.async_wait(kAwaitTuple));
      if (got.index() == 1) break;
      auto [error, n] = std::get<0>(got);
      CO_ASSERT(!error);
      auto reply = Message::decode(std::span(buffer.data(), n));
      CO_ASSERT(reply.ok());
      CO_ASSERT(reply->answers.size() == 1u);
      EXPECT_EQ(reply->answers[0].rdata_to_string(), "192.0.2.1");
      EXPECT_TRUE(answered.insert(reply->id).second) << "answered twice: " << reply->id;
    }
    EXPECT_EQ(answered.size(), static_cast<size_t>(kQueries));
    EXPECT_EQ(*answered.begin(), 1000);
    EXPECT_EQ(*answered.rbegin(), 1000 + kQueries - 1);
    EXPECT_EQ(handled, kQueries);
    server.stop();
  });
}

}  // namespace
}  // namespace miniweb::dns
