#include "shared/dns/client.hpp"

#include "shared/dns/wire.hpp"

#include <cstdlib>
#include <memory>

#include <asio/experimental/as_tuple.hpp>
#include <asio/experimental/awaitable_operators.hpp>
#include <asio/read.hpp>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>

namespace miniweb::dns {
namespace {

using namespace asio::experimental::awaitable_operators;
constexpr auto kTuple = asio::experimental::as_tuple(asio::use_awaitable);

// True when `reply` answers `query`: same ID, a response, the same question (RFC 5452 9.1).
bool matches(const Message& query, const Message& reply) {
  if (reply.id != query.id || !reply.qr) return false;
  // FORMERR/NOTIMP replies may legitimately carry no question.
  if (reply.questions.empty()) return reply.rcode == rcode::FORMERR || reply.rcode == rcode::NOTIMP;
  return reply.questions == query.questions;
}

// Opens a UDP socket bound to a random port above 1024 (on `source`, or any address), falling
// back to the kernel's choice of port. Failures (out of file descriptors, ...) come back as an
// error code, not an exception.
asio::error_code open_random_port(asio::ip::udp::socket& socket, const asio::ip::udp& protocol,
                                  const asio::ip::address* source) {
  asio::error_code ec;
  socket.open(protocol, ec);
  if (ec) return ec;
  asio::ip::address any = source ? *source
                          : protocol == asio::ip::udp::v4()
                              ? asio::ip::address(asio::ip::address_v4::any())
                              : asio::ip::address(asio::ip::address_v6::any());
  for (int attempt = 0; attempt < 10; ++attempt) {
    const auto port = static_cast<uint16_t>(1024 + arc4random_uniform(65536 - 1024));
    socket.bind({any, port}, ec);
    if (!ec) return ec;
  }
  socket.bind({any, 0}, ec);
  return ec;
}

}  // namespace

// The C library's CSPRNG (glibc's arc4random: the kernel's getrandom), as Unbound takes its IDs
// and ports from arc4random: unpredictable (RFC 5452) and ready at once. OpenSSL's RAND_bytes
// set its generator up on first use, 1.5 ms that a cold page load's first question waited,
// behind the TLS context being built on the browser's other thread.
uint16_t random_u16() {
  return static_cast<uint16_t>(arc4random_uniform(65536));
}

const char* transport_to_string(Transport transport) {
  switch (transport) {
    case Transport::Udp:
      return "udp";
    case Transport::UdpThenTcp:
      return "udp, truncated, then tcp";
    case Transport::Tcp:
      return "tcp";
  }
  return "udp";
}

asio::awaitable<Result<Message>> exchange(asio::ip::udp::endpoint server, Message query,
                                          std::chrono::milliseconds timeout, ExchangeNotes* notes,
                                          const asio::ip::address* source) {
  auto executor = co_await asio::this_coro::executor;
  query.id = random_u16();
  std::vector<uint8_t> wire = query.encode(65535);
  std::string where = endpoint_to_string(server);

  asio::ip::udp::socket socket(executor);
  if (auto ec = open_random_port(socket, server.protocol(), source))
    co_return make_error("cannot open a UDP socket: " + ec.message());
  // A connected socket lets the kernel drop datagrams from other peers and report ICMP
  // "port unreachable" as connection_refused (as Unbound does).
  asio::error_code connect_error;
  socket.connect(server, connect_error);
  if (connect_error) co_return make_error("cannot reach " + where + ": " + connect_error.message());
  if (notes) notes->local_udp = socket.local_endpoint(connect_error);
  auto [send_error, sent] = co_await socket.async_send(asio::buffer(wire), kTuple);
  (void)sent;
  if (send_error) co_return make_error("cannot send to " + where + ": " + send_error.message());

  asio::steady_timer deadline(executor);
  deadline.expires_after(timeout);
  // Room for the largest datagram, left unwritten: zeroing 64 KiB would touch 16 fresh pages
  // per question (a page fault each), where a reply fills one.
  constexpr std::size_t kLargestDatagram = 65535;
  const auto buffer = std::make_unique_for_overwrite<uint8_t[]>(kLargestDatagram);
  while (true) {
    asio::ip::udp::endpoint from;
    auto result = co_await (
        socket.async_receive_from(asio::buffer(buffer.get(), kLargestDatagram), from, kTuple) ||
        deadline.async_wait(kTuple));
    if (result.index() == 1) {
      co_return make_error("no reply from " + where + " within " + std::to_string(timeout.count()) +
                           " ms");
    }
    auto [ec, size] = std::get<0>(result);
    if (ec) {
      // ICMP port unreachable shows up as connection_refused on a later receive.
      if (ec == asio::error::connection_refused)
        co_return make_error("connection refused by " + where + " (nothing listening)");
      co_return make_error("receive from " + where + " failed: " + ec.message());
    }
    if (from != server) continue;  // not from the server we asked
    auto reply = Message::decode(std::span<const uint8_t>(buffer.get(), size));
    if (!reply || !matches(query, *reply)) continue;
    if (reply->tc) {
      if (notes) notes->transport = Transport::UdpThenTcp;
      co_return co_await exchange_tcp({server.address(), server.port()}, query, timeout, notes,
                                      source);
    }
    if (notes) notes->transport = Transport::Udp;
    co_return std::move(*reply);
  }
}

asio::awaitable<Result<Message>> exchange_tcp(asio::ip::tcp::endpoint server, Message query,
                                              std::chrono::milliseconds timeout,
                                              ExchangeNotes* notes,
                                              const asio::ip::address* source) {
  auto executor = co_await asio::this_coro::executor;
  std::string where = server.address().to_string() + ":" + std::to_string(server.port());
  if (server.address().is_v6())
    where = "[" + server.address().to_string() + "]:" + std::to_string(server.port());
  query.id = random_u16();
  std::vector<uint8_t> wire = query.encode(65535);
  std::vector<uint8_t> framed = tcp_frame(wire);

  asio::ip::tcp::socket socket(executor);
  asio::steady_timer deadline(executor);
  deadline.expires_after(timeout);
  auto timed_out = [&] {
    return make_error("no TCP reply from " + where + " within " + std::to_string(timeout.count()) +
                      " ms");
  };

  if (source) {
    asio::error_code bind_error;
    socket.open(server.protocol(), bind_error);
    if (!bind_error) socket.bind({*source, 0}, bind_error);
    if (bind_error)
      co_return make_error("cannot open a TCP socket on " + source->to_string() + ": " +
                           bind_error.message());
  }
  auto connected = co_await (socket.async_connect(server, kTuple) || deadline.async_wait(kTuple));
  if (connected.index() == 1) co_return timed_out();
  if (auto [ec] = std::get<0>(connected); ec)
    co_return make_error("cannot connect to " + where + " over TCP: " + ec.message());
  if (notes) {
    asio::error_code ignored;
    notes->local_tcp = socket.local_endpoint(ignored);
    if (notes->transport == Transport::Udp) notes->transport = Transport::Tcp;
  }

  auto written = co_await (asio::async_write(socket, asio::buffer(framed), kTuple) ||
                           deadline.async_wait(kTuple));
  if (written.index() == 1) co_return timed_out();
  if (auto [ec, n] = std::get<0>(written); ec)
    co_return make_error("cannot send to " + where + " over TCP: " + ec.message());

  while (true) {
    uint8_t length_bytes[2];
    auto got_length = co_await (asio::async_read(socket, asio::buffer(length_bytes), kTuple) ||
                                deadline.async_wait(kTuple));
    if (got_length.index() == 1) co_return timed_out();
    if (auto [ec, n] = std::get<0>(got_length); ec)
      co_return make_error("TCP connection to " + where +
                           " closed before a reply: " + ec.message());
    size_t length = tcp_frame_length(length_bytes);
    std::vector<uint8_t> buffer(length);
    auto got_body = co_await (asio::async_read(socket, asio::buffer(buffer), kTuple) ||
                              deadline.async_wait(kTuple));
    if (got_body.index() == 1) co_return timed_out();
    if (auto [ec, n] = std::get<0>(got_body); ec)
      co_return make_error("TCP connection to " + where + " closed mid-reply: " + ec.message());
    auto reply = Message::decode(buffer);
    if (!reply)
      co_return make_error("malformed TCP reply from " + where + ": " + reply.error().message);
    if (!matches(query, *reply)) continue;
    co_return std::move(*reply);
  }
}

}  // namespace miniweb::dns
