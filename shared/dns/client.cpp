#include "shared/dns/client.hpp"

#include "shared/dns/wire.hpp"

#include <sys/socket.h>
#include <sys/uio.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <memory>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
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

// Sends each of `datagrams` on the connected `socket`: all in one system call (sendmmsg) where
// the socket's buffer takes them, as it nearly always does; the rest one by one through Asio.
asio::awaitable<asio::error_code> send_together(
    asio::ip::udp::socket& socket, const std::vector<std::vector<uint8_t>>& datagrams) {
  std::vector<iovec> parts(datagrams.size());
  std::vector<mmsghdr> messages(datagrams.size());
  for (std::size_t i = 0; i < datagrams.size(); ++i) {
    parts[i] = iovec{const_cast<uint8_t*>(datagrams[i].data()), datagrams[i].size()};
    messages[i].msg_hdr.msg_iov = &parts[i];
    messages[i].msg_hdr.msg_iovlen = 1;
  }
  const int sent = ::sendmmsg(socket.native_handle(), messages.data(),
                              static_cast<unsigned>(messages.size()), MSG_DONTWAIT | MSG_NOSIGNAL);
  if (sent < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
    co_return asio::error_code(errno, asio::error::get_system_category());
  for (std::size_t i = sent < 0 ? 0 : static_cast<std::size_t>(sent); i < datagrams.size(); ++i) {
    auto [error, bytes] = co_await socket.async_send(asio::buffer(datagrams[i]), kTuple);
    (void)bytes;
    if (error) co_return error;
  }
  co_return asio::error_code();
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
  std::vector<Message> queries;
  queries.push_back(std::move(query));
  std::vector<ExchangeNotes> each;
  std::vector<Result<Message>> replies = co_await exchange_together(
      server, std::move(queries), timeout, {}, notes ? &each : nullptr, source);
  if (notes) *notes = each.front();
  co_return std::move(replies.front());
}

asio::awaitable<std::vector<Result<Message>>> exchange_together(asio::ip::udp::endpoint server,
                                                                std::vector<Message> queries,
                                                                std::chrono::milliseconds timeout,
                                                                const AnswerHandler& on_answer,
                                                                std::vector<ExchangeNotes>* notes,
                                                                const asio::ip::address* source) {
  auto executor = co_await asio::this_coro::executor;
  const std::string where = endpoint_to_string(server);
  std::vector<ExchangeNotes> own_notes;
  std::vector<ExchangeNotes>& noted = notes ? *notes : own_notes;
  noted.assign(queries.size(), ExchangeNotes{});
  std::vector<std::optional<Result<Message>>> outcomes(queries.size());
  // Every question's outcome, in order; `error` for each still without one (there is one
  // whenever a question is).
  auto conclude = [&](const std::optional<Error>& error) {
    std::vector<Result<Message>> results;
    results.reserve(outcomes.size());
    for (auto& outcome : outcomes) results.push_back(outcome ? std::move(*outcome) : *error);
    return results;
  };

  std::vector<std::vector<uint8_t>> wires;
  for (std::size_t i = 0; i < queries.size(); ++i) {
    // IDs apart, so that a reply's ID names one question even where two ask the same.
    do {
      queries[i].id = random_u16();
    } while (std::any_of(queries.begin(), queries.begin() + static_cast<std::ptrdiff_t>(i),
                         [&](const Message& earlier) { return earlier.id == queries[i].id; }));
    wires.push_back(queries[i].encode(65535));
  }

  asio::ip::udp::socket socket(executor);
  if (auto ec = open_random_port(socket, server.protocol(), source))
    co_return conclude(make_error("cannot open a UDP socket: " + ec.message()));
  // A connected socket lets the kernel drop datagrams from other peers and report ICMP
  // "port unreachable" as connection_refused (as Unbound does).
  asio::error_code connect_error;
  socket.connect(server, connect_error);
  if (connect_error)
    co_return conclude(make_error("cannot reach " + where + ": " + connect_error.message()));
  const asio::ip::udp::endpoint local = socket.local_endpoint(connect_error);
  for (ExchangeNotes& note : noted) note.local_udp = local;
  if (auto send_error = co_await send_together(socket, wires))
    co_return conclude(make_error("cannot send to " + where + ": " + send_error.message()));

  asio::steady_timer deadline(executor);
  deadline.expires_after(timeout);
  // Room for the largest datagram, left unwritten: zeroing 64 KiB would touch 16 fresh pages
  // per question (a page fault each), where a reply fills one.
  constexpr std::size_t kLargestDatagram = 65535;
  const auto buffer = std::make_unique_for_overwrite<uint8_t[]>(kLargestDatagram);
  std::vector<bool> waiting(queries.size(), true);
  // A truncated reply's question is asked again over TCP at once, beside the receives below:
  // the other questions' replies are still read as they come, and its answer waits neither for
  // them nor for their deadline. `tcp_ended` wakes the wait at the end as each such exchange
  // ends.
  std::size_t over_tcp = 0;
  asio::steady_timer tcp_ended(executor, asio::steady_timer::time_point::max());
  auto ask_over_tcp = [&](std::size_t i) -> asio::awaitable<void> {
    outcomes[i] = co_await exchange_tcp({server.address(), server.port()}, queries[i], timeout,
                                        &noted[i], source);
    if (on_answer && *outcomes[i]) on_answer(i, **outcomes[i], noted[i]);
    --over_tcp;
    tcp_ended.cancel();
  };
  std::optional<Error> failure;
  for (std::size_t unanswered = queries.size(); unanswered > 0;) {
    asio::ip::udp::endpoint from;
    auto result = co_await (
        socket.async_receive_from(asio::buffer(buffer.get(), kLargestDatagram), from, kTuple) ||
        deadline.async_wait(kTuple));
    if (result.index() == 1) {
      failure = make_error("no reply from " + where + " within " + std::to_string(timeout.count()) +
                           " ms");
      break;
    }
    auto [ec, size] = std::get<0>(result);
    if (ec) {
      // ICMP port unreachable shows up as connection_refused on a later receive.
      failure = ec == asio::error::connection_refused
                    ? make_error("connection refused by " + where + " (nothing listening)")
                    : make_error("receive from " + where + " failed: " + ec.message());
      break;
    }
    if (from != server) continue;  // not from the server we asked
    auto reply = Message::decode(std::span<const uint8_t>(buffer.get(), size));
    if (!reply) continue;
    std::size_t i = 0;
    while (i < queries.size() && (!waiting[i] || !matches(queries[i], *reply))) ++i;
    if (i == queries.size()) continue;  // no question of ours still waiting for it
    waiting[i] = false;
    --unanswered;
    if (reply->tc) {
      noted[i].transport = Transport::UdpThenTcp;
      ++over_tcp;
      asio::co_spawn(
          executor, [&ask_over_tcp, i] { return ask_over_tcp(i); }, asio::detached);
      continue;
    }
    noted[i].transport = Transport::Udp;
    outcomes[i] = std::move(*reply);
    if (on_answer) on_answer(i, **outcomes[i], noted[i]);
  }
  // The exchanges over TCP refer to this frame: each ends within its own timeout.
  while (over_tcp > 0) co_await tcp_ended.async_wait(kTuple);
  co_return conclude(failure);
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
