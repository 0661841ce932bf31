// Bad input over UDP to a real server: malformed, too short, oversized and random datagrams
// get FORMERR or are dropped, and the queries around them are still answered.

#include <gtest/gtest.h>

#include "tests/dns/dns_internet.hpp"

namespace miniweb::dns {
namespace {

using namespace std::chrono_literals;
using test_support::DnsInternet;
using test_support::N;

TEST_F(DnsInternet, GarbageGetsFormerrAndGoodQueriesStillWork) {
  run([&]() -> asio::awaitable<void> {
    auto executor = co_await asio::this_coro::executor;
    asio::ip::udp::socket socket(executor, asio::ip::udp::v4());
    asio::ip::udp::endpoint server(asio::ip::make_address(example_), port_);
    std::vector<uint8_t> garbage = {0xAB, 0xCD, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00,
                                    0x00, 0x00, 0x00, 0x00, 0xC0, 0x0C, 0x00};
    co_await socket.async_send_to(asio::buffer(garbage), server, asio::use_awaitable);
    std::vector<uint8_t> buffer(512);
    asio::ip::udp::endpoint from;
    size_t n = co_await socket.async_receive_from(asio::buffer(buffer), from, asio::use_awaitable);
    auto reply = Message::decode(std::span(buffer.data(), n));
    EXPECT_TRUE(reply.ok());
    if (reply.ok()) {
      EXPECT_EQ(reply->id, 0xABCD);
      EXPECT_EQ(reply->rcode, rcode::FORMERR);
    }
    // Too short for a header, or a response: dropped silently; the server keeps answering.
    std::vector<uint8_t> tiny = {1, 2, 3};
    co_await socket.async_send_to(asio::buffer(tiny), server, asio::use_awaitable);
    co_await expect_www_answered(example_);
  });
}

// A datagram larger than a query can legitimately be is dropped whole, whether it is the first
// of a wakeup (read alone) or later in a batch; the queries around it are answered.
TEST_F(DnsInternet, OversizedDatagramsAreDroppedAndTheRestAnswered) {
  run([&]() -> asio::awaitable<void> {
    auto executor = co_await asio::this_coro::executor;
    asio::ip::udp::socket socket(executor, asio::ip::udp::v4());
    asio::ip::udp::endpoint server(asio::ip::make_address(example_), port_);
    std::vector<uint8_t> huge = make_query(N("www.example.test"), type::A, false).encode();
    huge.resize(5000, 0);  // a real query's header and question, then padding past 4096 bytes
    for (int i = 0; i < 3; ++i)
      co_await socket.async_send_to(asio::buffer(huge), server, asio::use_awaitable);
    co_await expect_www_answered(example_);
    // Nothing came back for the oversized ones.
    EXPECT_EQ(socket.available(), 0u);
  });
}

TEST_F(DnsInternet, FloodOfGarbageDoesNotStopAnswers) {
  run([&]() -> asio::awaitable<void> {
    auto executor = co_await asio::this_coro::executor;
    asio::ip::udp::socket socket(executor, asio::ip::udp::v4());
    asio::ip::udp::endpoint server(asio::ip::make_address(example_), port_);
    uint32_t seed = 7;
    for (int i = 0; i < 2000; ++i) {
      std::vector<uint8_t> junk(1 + i % 300);
      for (auto& byte : junk) {
        seed = seed * 1103515245 + 12345;
        byte = static_cast<uint8_t>(seed >> 16);
      }
      co_await socket.async_send_to(asio::buffer(junk), server, asio::use_awaitable);
    }
    co_await expect_www_answered(example_, 5000ms);
  });
}

}  // namespace
}  // namespace miniweb::dns
