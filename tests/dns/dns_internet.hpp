#pragma once
// A small internet for the DNS tests: real authoritative servers for ".", "test.",
// "example.test." and "other.test." on loopback addresses sharing one port, each counting the
// questions it sees, and a way to run one coroutine against them.

#include <gtest/gtest.h>
#include <unistd.h>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/io_context.hpp>
#include <asio/read.hpp>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>

#include <chrono>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "dns/recursive_server.hpp"
#include "dns/resolver.hpp"
#include "dns/server.hpp"
#include "dns/zone.hpp"
#include "dns/zone_parser.hpp"
#include "shared/dns/client.hpp"
#include "shared/dns/wire.hpp"
#include "tests/dns/zones_from_text.hpp"

namespace miniweb::dns::test_support {

using namespace std::chrono_literals;

inline Name N(std::string_view text) {
  return *Name::parse(text);
}

// ASSERT_* returns from the function, which a coroutine cannot do.
#define CO_ASSERT(condition)                \
  if (!(condition)) {                       \
    ADD_FAILURE() << "failed: " #condition; \
    co_return;                              \
  }

// A small internet: root, test., example.test. and other.test., each on its own 127.x address,
// all on one port. Queries seen by each server are counted.
class DnsInternet : public ::testing::Test {
 protected:
  void SetUp() override {
    // A /24 of loopback picked from the pid, so parallel test runs do not collide.
    std::string net = "127.54." + std::to_string(getpid() % 250 + 1) + ".";
    root_ = net + "1";
    tld_ = net + "2";
    example_ = net + "3";
    other_ = net + "4";
    dead_ = net + "9";  // nothing listens here
    recursive_ = net + "5";
    std::string root_zone =
        ". 86400 IN SOA a.root-servers.test. host.root-servers.test. 1 1800 900 604800 86400\n"
        ". 86400 IN NS a.root-servers.test.\n"
        "a.root-servers.test. 86400 IN A " +
        root_ +
        "\n"
        "test. 172800 IN NS ns1.nic.test.\n"
        "ns1.nic.test. 172800 IN A " +
        tld_ + "\n";
    std::string test_zone =
        "$ORIGIN test.\n$TTL 3600\n"
        "@ SOA ns1.nic hostmaster.nic 1 7200 3600 1209600 300\n"
        "@ NS ns1.nic\n"
        "ns1.nic A " +
        tld_ +
        "\n"
        "example NS ns1.example\n"
        "example NS ns0.example\n"  // listed first in glue, but dead
        "ns0.example A " +
        dead_ +
        "\n"
        "ns1.example A " +
        example_ +
        "\n"
        "other NS ns.example.test.\n"  // out of bailiwick, no glue
        "alias CNAME www.example.test.\n"
        "broken NS ns.broken\n"
        "ns.broken A " +
        dead_ + "\n" + "evil NS ns.evil\nns.evil A " + net + "6\n";
    std::string example_zone =
        "$ORIGIN example.test.\n$TTL 300\n"
        "@ SOA ns1 hostmaster 1 3600 900 604800 60\n"
        "@ NS ns1\n@ NS ns0\n"
        "ns0 A " +
        dead_ +
        "\n"
        "ns1 A " +
        example_ +
        "\n"
        "ns A " +
        other_ +
        "\n"
        "www A 127.53.0.10\n"
        "shop CNAME www.other.test.\n";
    for (int i = 0; i < 100; ++i) example_zone += "big A 10.0.0." + std::to_string(i) + "\n";
    std::string other_zone =
        "$ORIGIN other.test.\n$TTL 300\n"
        "@ SOA ns.example.test. hostmaster 1 3600 900 604800 60\n"
        "@ NS ns.example.test.\n"
        "www A 127.53.0.20\n";
    // The first server picks a free port; the others take the same port on their addresses.
    start(root_, 0, zones_from(root_zone));
    port_ = servers_.front()->local_endpoint().port();
    start(tld_, port_, zones_from(test_zone));
    start(example_, port_, zones_from(example_zone));
    start(other_, port_, zones_from(other_zone));
    hints_ = *parse_zone_text(
        ". 3600000 NS a.root-servers.test.\na.root-servers.test. 3600000 A " + root_ + "\n",
        "hints");
  }

  void start(const std::string& address, uint16_t port, ZoneSet zones) {
    auto shared = std::make_shared<ZoneSet>(std::move(zones));
    auto counter = std::make_shared<int>(0);
    counts_[address] = counter;
    // A question listed in unanswered_ is answered only after every resolver has stopped
    // waiting: to the resolver, it or its answer was lost.
    auto server = std::make_unique<DnsServer>(
        io_.get_executor(), asio::ip::udp::endpoint(asio::ip::make_address(address), port),
        AsyncHandler([this, shared, counter, address](
                         Message query, asio::ip::address) -> asio::awaitable<Message> {
          const int number = ++*counter;
          if (unanswered_.count({address, number})) {
            asio::steady_timer later(co_await asio::this_coro::executor, 1s);
            co_await later.async_wait(asio::use_awaitable);
          }
          co_return answer_authoritative(*shared, query);
        }));
    server->start();
    servers_.push_back(std::move(server));
  }

  ResolverOptions options() {
    ResolverOptions o;
    o.root_hints = hints_;
    o.upstream_port = port_;
    o.query_timeout = 2000ms;
    return o;
  }

  // Runs one coroutine on the test's io_context to completion.
  template <class F>
  void run(F body) {
    bool done = false;
    asio::co_spawn(
        io_,
        [&]() -> asio::awaitable<void> {
          co_await body();
          done = true;
          for (auto& s : servers_) s->stop();
        },
        [](std::exception_ptr e) {
          if (e) std::rethrow_exception(e);
        });
    io_.run();
    io_.restart();
    EXPECT_TRUE(done);
  }

  // After bad input: the server at `address` still answers www.example.test, with one record.
  asio::awaitable<void> expect_www_answered(const std::string& address,
                                            std::chrono::milliseconds timeout = 2000ms) {
    asio::ip::udp::endpoint server(asio::ip::make_address(address), port_);
    auto good =
        co_await exchange(server, make_query(N("www.example.test"), type::A, false), timeout);
    EXPECT_TRUE(good.ok()) << (good.ok() ? "" : good.error().message);
    if (good.ok()) {
      EXPECT_EQ(good->answers.size(), 1u);
    }
  }

  asio::io_context io_{1};
  std::vector<std::unique_ptr<DnsServer>> servers_;
  std::map<std::string, std::shared_ptr<int>> counts_;
  std::vector<ResourceRecord> hints_;
  std::string root_, tld_, example_, other_, dead_, recursive_;
  std::set<std::pair<std::string, int>> unanswered_;  // (server, its Nth question)
  uint16_t port_ = 0;
};

}  // namespace miniweb::dns::test_support
