#include "dns/server.hpp"

#include <sys/socket.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <deque>

#include "dns/reply_cache.hpp"
#include "shared/dns/wire.hpp"

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/experimental/awaitable_operators.hpp>
#include <asio/post.hpp>
#include <asio/read.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>

namespace miniweb::dns {
namespace {

using namespace asio::experimental::awaitable_operators;
constexpr auto kTuple = asio::experimental::as_tuple(asio::use_awaitable);

}  // namespace

Vetting vet_query(std::span<const uint8_t> packet, Message& query, Message& reply) {
  // Never answer a response (the header's QR bit): that is how reflection loops start.
  if (packet.size() < kHeaderSize || (packet[2] & 0x80) != 0) return Vetting::kDrop;
  // Decoded over the last query, whose memory it reuses.
  if (!Message::decode_into(packet, query)) {
    // RFC 1035 4.1.1: FORMERR, built from the header alone.
    query = Message{};
    reply = Message::decode_header(packet)->make_reply();
    reply.rcode = rcode::FORMERR;
    return Vetting::kReply;
  }
  // The reply skeleton is built only for the errors answered here: the handler builds its own.
  if (query.opcode != opcode::QUERY) {
    reply = query.make_reply();
    reply.rcode = rcode::NOTIMP;
    return Vetting::kReply;
  }
  if (query.questions.size() != 1 || !query.answers.empty() || !query.authority.empty()) {
    reply = query.make_reply();
    reply.rcode = rcode::FORMERR;
    return Vetting::kReply;
  }
  if (query.edns && query.edns->version != 0) {
    reply = query.make_reply();
    reply.rcode = rcode::BADVERS;  // RFC 6891 6.1.3
    reply.questions.clear();
    return Vetting::kReply;
  }
  return Vetting::kAnswer;
}

std::vector<uint8_t> finish_reply(const Message& query, Message& reply, bool over_udp,
                                  const ServerLimits& limits) {
  size_t max_size = 65535;
  bool query_edns = query.edns.has_value() || (reply.rcode == rcode::BADVERS);
  if (query_edns) {
    reply.edns = Edns{};
    reply.edns->udp_size = limits.max_udp_payload;
  } else {
    reply.edns.reset();
  }
  if (over_udp) {
    // RFC 6891 6.2.5: use the smaller of the client's size and ours, never below 512.
    max_size = kMaxUdpWithoutEdns;
    if (query.edns)
      max_size =
          std::clamp<size_t>(query.edns->udp_size, kMaxUdpWithoutEdns, limits.max_udp_payload);
  }
  return reply.encode(max_size);
}

struct DnsServer::State : std::enable_shared_from_this<DnsServer::State> {
  State(asio::any_io_executor executor, const asio::ip::udp::endpoint& listen)
      : udp(executor), tcp(executor) {
    open_udp(listen);
    // Port 0 asks for any port free over UDP and TCP alike: the kernel picks the UDP one, whose
    // TCP twin may be taken (a test's connection, another server). Try another then.
    for (int attempt = 1;; ++attempt) {
      asio::ip::tcp::endpoint tcp_endpoint(listen.address(), udp.local_endpoint().port());
      tcp.open(tcp_endpoint.protocol());
      tcp.set_option(asio::socket_base::reuse_address(true));
      asio::error_code error;
      tcp.bind(tcp_endpoint, error);
      if (!error) break;
      tcp.close();
      if (listen.port() != 0 || error != asio::error::address_in_use || attempt == 16)
        asio::detail::throw_error(error, "bind");
      rebind_udp_elsewhere(listen);
    }
    tcp.listen();
  }

  void open_udp(const asio::ip::udp::endpoint& listen) {
    udp.open(listen.protocol());
    // 1 MiB each way, as NSD asks for: a burst of queries waits in the socket instead of being
    // dropped by the kernel. Root may exceed the system limit (SO_RCVBUFFORCE); else take what
    // the limit allows.
    for (auto [force, plain] :
         {std::pair{SO_RCVBUFFORCE, SO_RCVBUF}, {SO_SNDBUFFORCE, SO_SNDBUF}}) {
      int size = 1 << 20;
      if (::setsockopt(udp.native_handle(), SOL_SOCKET, force, &size, sizeof size) != 0)
        ::setsockopt(udp.native_handle(), SOL_SOCKET, plain, &size, sizeof size);
    }
    udp.bind(listen);
  }

  // Another port the kernel picks, opened afresh: the socket on the old one is closed only
  // after, so the kernel cannot hand the same port back.
  void rebind_udp_elsewhere(const asio::ip::udp::endpoint& listen) {
    asio::ip::udp::socket old = std::move(udp);
    udp = asio::ip::udp::socket(old.get_executor());
    open_udp(listen);
  }

  asio::ip::udp::socket udp;
  asio::ip::tcp::acceptor tcp;
  SyncHandler sync_handler;
  AsyncHandler async_handler;
  FastHandler fast_handler;
  ServerLimits limits;
  size_t tcp_connections = 0;
  size_t pending_udp = 0;
  // Replies by their query's bytes (ServerLimits::answer_cache_entries): every reply of a
  // SyncHandler, kept as it is; with set_reply_cache, the fast handler's replies, aging.
  ReplyCache answer_cache{0};
  std::function<bool(const asio::ip::address&)> cache_admits;
  std::function<void()> on_cached_reply;
  // Datagrams read at once (recvmmsg), each in a slot of its own.
  static constexpr size_t kBatch = 32;
  static constexpr size_t kSlot = 4096;  // larger queries are not legitimate; they are dropped
  // Lone datagrams read between two looks for a queue building up behind them (udp_loop).
  static constexpr unsigned kLookEvery = 16;
  std::vector<uint8_t> batch_buffer;
  // recvmmsg's and sendmmsg's headers, kept from one batch to the next and pointed at their
  // slots once: set up afresh at every wake they were a fifth of the instructions a cache hit
  // costs the resolver (callgrind), for a lone query as for a full batch.
  std::array<mmsghdr, kBatch> in_headers{};
  std::array<iovec, kBatch> in_iov{};
  std::array<sockaddr_storage, kBatch> in_from{};
  std::array<mmsghdr, kBatch> out_headers{};
  std::array<iovec, kBatch> out_iov{};
  std::array<std::vector<uint8_t>, kBatch> replies;
  bool stopped = false;

  asio::awaitable<Message> respond(Message query, asio::ip::address client) {
    if (sync_handler) co_return sync_handler(query, client);
    co_return co_await async_handler(std::move(query), std::move(client));
  }

  asio::awaitable<void> answer_udp(Message query, asio::ip::udp::endpoint client) {
    auto self = shared_from_this();
    struct PendingGuard {
      size_t& count;
      ~PendingGuard() { --count; }
    } guard{pending_udp};
    Message reply = co_await respond(query, client.address());
    auto wire = finish_reply(query, reply, true, limits);
    co_await udp.async_send_to(asio::buffer(wire), client, kTuple);
  }

  // Answers one datagram: the reply to send, or nothing (dropped, or handed to the async
  // handler, which sends its own reply).
  std::optional<std::vector<uint8_t>> answer_datagram(std::span<const uint8_t> packet,
                                                      const asio::ip::udp::endpoint& client,
                                                      Message& query, Message& reply) {
    const bool cacheable = answer_cache.enabled() &&
                           (sync_handler || (cache_admits && cache_admits(client.address())));
    if (cacheable) {
      // The reply is a function of every byte of the query but the ID (and, aging, the time).
      if (auto wire = answer_cache.answer(packet)) {
        if (on_cached_reply) on_cached_reply();
        return wire;
      }
    }
    Vetting vetting = vet_query(packet, query, reply);
    if (vetting == Vetting::kDrop) return std::nullopt;
    // A query with EDNS options (a cookie, a client subnet) is not kept: its bytes seldom come
    // again, and a stream of them would only push the others out.
    const bool keep =
        cacheable && vetting == Vetting::kAnswer && (!query.edns || query.edns->options.empty());
    if (keep && sync_handler) {
      reply = sync_handler(query, client.address());
      auto wire = finish_reply(query, reply, true, limits);
      answer_cache.store(packet, wire, ReplyCache::Aging::kNone);
      return wire;
    }
    if (vetting == Vetting::kAnswer) {
      if (async_handler && fast_handler && fast_handler(query, client.address(), reply)) {
        auto wire = finish_reply(query, reply, true, limits);
        if (keep) answer_cache.store(packet, wire, ReplyCache::Aging::kTtls);
        return wire;
      }
      if (async_handler) {
        // Slow answers (recursion) must not hold up the next packet.
        if (pending_udp >= limits.max_pending_udp) return std::nullopt;
        ++pending_udp;
        asio::co_spawn(udp.get_executor(), answer_udp(std::move(query), client), asio::detached);
        return std::nullopt;
      }
      reply = sync_handler(query, client.address());
    }
    return finish_reply(query, reply, true, limits);
  }

  // Reads and answers what is already queued, up to kBatch datagrams per system call each
  // way (recvmmsg/sendmmsg, as NSD does). Returns how many datagrams it read (kBatch: more
  // may be queued), or -1 when the read reported an earlier send's error (datagrams may be
  // behind it).
  int drain_batch(Message& query, Message& reply) {
    if (batch_buffer.empty()) {
      batch_buffer.resize(kBatch * kSlot);
      for (size_t i = 0; i < kBatch; ++i) {
        in_iov[i] = {batch_buffer.data() + i * kSlot, kSlot};
        in_headers[i].msg_hdr.msg_iov = &in_iov[i];
        in_headers[i].msg_hdr.msg_iovlen = 1;
        in_headers[i].msg_hdr.msg_name = &in_from[i];
        out_headers[i].msg_hdr.msg_iov = &out_iov[i];
        out_headers[i].msg_hdr.msg_iovlen = 1;
      }
    }
    // The kernel writes each address's length over the room it was given: give it all again.
    for (mmsghdr& header : in_headers) header.msg_hdr.msg_namelen = sizeof(sockaddr_storage);
    int received =
        ::recvmmsg(udp.native_handle(), in_headers.data(), kBatch, MSG_DONTWAIT, nullptr);
    // An error from an earlier send (ICMP unreachable) is reported once; datagrams behind it
    // are still to be read.
    if (received < 0) return errno != EAGAIN && errno != EWOULDBLOCK && !stopped ? -1 : 0;
    if (received == 0) return 0;
    unsigned count = 0;
    for (int i = 0; i < received; ++i) {
      const msghdr& in = in_headers[i].msg_hdr;
      if (in.msg_flags & MSG_TRUNC) continue;
      asio::ip::udp::endpoint client;
      if (in.msg_namelen > client.capacity()) continue;
      std::memcpy(client.data(), &in_from[i], in.msg_namelen);
      client.resize(in.msg_namelen);
      auto wire = answer_datagram(
          std::span(batch_buffer.data() + static_cast<size_t>(i) * kSlot, in_headers[i].msg_len),
          client, query, reply);
      if (!wire) continue;
      replies[count] = std::move(*wire);
      out_iov[count] = {replies[count].data(), replies[count].size()};
      out_headers[count].msg_hdr.msg_name = &in_from[i];
      out_headers[count].msg_hdr.msg_namelen = in.msg_namelen;
      ++count;
    }
    for (unsigned sent = 0; sent < count;) {
      int n =
          ::sendmmsg(udp.native_handle(), out_headers.data() + sent, count - sent, MSG_DONTWAIT);
      if (n <= 0) break;  // a full send buffer drops the rest, as any UDP server would
      sent += static_cast<unsigned>(n);
    }
    return received;
  }

  asio::awaitable<void> udp_loop() {
    auto self = shared_from_this();
    Message query, reply;
    // One byte more than a slot, so a datagram too large for one shows as one.
    std::vector<uint8_t> datagram(kSlot + 1);
    asio::ip::udp::endpoint client;
    // Whether the last batch read found datagrams queued, and lone reads since it looked.
    bool queue_seen = false;
    unsigned reads_since_look = 0;
    while (!stopped) {
      // Each datagram is read alone and answered at once, as in Unbound's loop: its reply
      // never waits for a batch read to find the socket dry. Asio tries the read before it
      // waits, so that try is the only read that finds the socket dry, and the wait needs no
      // epoll_ctl re-arm (async_wait would make one each time).
      auto [error, size] = co_await udp.async_receive_from(asio::buffer(datagram), client, kTuple);
      if (error) {
        if (error == asio::error::operation_aborted || stopped) co_return;
        continue;
      }
      if (size <= kSlot) {
        if (auto wire = answer_datagram(std::span(datagram.data(), size), client, query, reply))
          ::sendto(udp.native_handle(), wire->data(), wire->size(), MSG_DONTWAIT, client.data(),
                   static_cast<socklen_t>(client.size()));
      }
      // Under load datagrams queue up, and reading them in batches (recvmmsg, sendmmsg) saves
      // two system calls for each: batches are read while the last one found any, and every
      // kLookEvery-th lone datagram looks for a queue building up. Full batches are read again
      // in bounded rounds so TCP and timers get their turn.
      if (!queue_seen && ++reads_since_look < kLookEvery) continue;
      reads_since_look = 0;
      queue_seen = false;
      bool more = true;
      while (more && !stopped) {
        for (int round = 0; round < 4 && more && !stopped; ++round) {
          const int read = drain_batch(query, reply);
          queue_seen = queue_seen || read != 0;
          more = read < 0 || static_cast<size_t>(read) == kBatch;
        }
        if (more) co_await asio::post(udp.get_executor(), asio::use_awaitable);
      }
    }
  }

  asio::awaitable<void> tcp_loop() {
    auto self = shared_from_this();
    while (!stopped) {
      auto [ec, socket] = co_await tcp.async_accept(kTuple);
      if (ec) {
        if (ec == asio::error::operation_aborted || stopped) co_return;
        continue;
      }
      if (tcp_connections >= limits.max_tcp_connections) continue;  // socket closes here
      ++tcp_connections;
      asio::co_spawn(tcp.get_executor(), serve_tcp(std::move(socket)), asio::detached);
    }
  }

  // One TCP connection. Queries on it are answered concurrently and each reply is sent as soon
  // as it is ready, possibly out of order (RFC 7766 6.2.1.1: pipelining); the client matches
  // replies by ID.
  struct TcpConnection {
    explicit TcpConnection(asio::ip::tcp::socket s)
        : socket(std::move(s)), changed(socket.get_executor()) {
      changed.expires_at(asio::steady_timer::time_point::max());
    }
    asio::ip::tcp::socket socket;
    std::deque<std::vector<uint8_t>> outgoing;  // framed replies waiting for the writer
    bool writing = false;
    bool broken = false;   // a write failed: stop reading and answering
    size_t in_flight = 0;  // queries handed to the async handler and not yet answered
    // Cancelled whenever in_flight drops or the writer goes idle, to wake the reader.
    asio::steady_timer changed;
  };
  // Queries answered at once on one connection; the reader waits beyond this (Unbound:
  // a connection's share of num-queries-per-thread).
  static constexpr size_t kMaxInFlightPerConnection = 64;

  void send_tcp(const std::shared_ptr<TcpConnection>& conn, std::vector<uint8_t> framed) {
    if (conn->broken) return;
    conn->outgoing.push_back(std::move(framed));
    if (conn->writing) return;
    conn->writing = true;
    asio::co_spawn(conn->socket.get_executor(), tcp_writer(conn), asio::detached);
  }

  asio::awaitable<void> tcp_writer(std::shared_ptr<TcpConnection> conn) {
    auto self = shared_from_this();
    while (!conn->outgoing.empty() && !conn->broken) {
      std::vector<uint8_t> frame = std::move(conn->outgoing.front());
      conn->outgoing.pop_front();
      auto [write_error, n] = co_await asio::async_write(conn->socket, asio::buffer(frame), kTuple);
      if (write_error) conn->broken = true;
    }
    conn->outgoing.clear();
    conn->writing = false;
    conn->changed.cancel();
  }

  asio::awaitable<void> answer_tcp(std::shared_ptr<TcpConnection> conn, Message query,
                                   asio::ip::address client) {
    auto self = shared_from_this();
    Message reply = co_await async_handler(query, client);
    auto wire = finish_reply(query, reply, false, limits);
    send_tcp(conn, tcp_frame(wire));
    --conn->in_flight;
    conn->changed.cancel();
  }

  asio::awaitable<void> serve_tcp(asio::ip::tcp::socket socket) {
    auto self = shared_from_this();
    auto conn = std::make_shared<TcpConnection>(std::move(socket));
    asio::steady_timer idle(conn->socket.get_executor());
    asio::error_code ignored;
    auto client = conn->socket.remote_endpoint(ignored).address();
    Message query, reply;
    while (!stopped && !conn->broken) {
      // Bounded work per connection: wait for answers before reading more queries.
      while (conn->in_flight >= kMaxInFlightPerConnection && !conn->broken) {
        conn->changed.expires_at(asio::steady_timer::time_point::max());
        co_await conn->changed.async_wait(kTuple);
      }
      // RFC 7766 6.2.3: close idle connections after a while.
      idle.expires_after(limits.tcp_idle_timeout);
      uint8_t length_bytes[2];
      auto got = co_await (asio::async_read(conn->socket, asio::buffer(length_bytes), kTuple) ||
                           idle.async_wait(kTuple));
      if (got.index() == 1 || std::get<0>(std::get<0>(got))) break;
      size_t length = tcp_frame_length(length_bytes);
      std::vector<uint8_t> buffer(length);
      auto body = co_await (asio::async_read(conn->socket, asio::buffer(buffer), kTuple) ||
                            idle.async_wait(kTuple));
      if (body.index() == 1 || std::get<0>(std::get<0>(body))) break;
      Vetting vetting = vet_query(buffer, query, reply);
      if (vetting == Vetting::kDrop) break;
      if (vetting == Vetting::kAnswer) {
        if (sync_handler) {
          reply = sync_handler(query, client);
        } else if (fast_handler && fast_handler(query, client, reply)) {
          // `reply` is written
        } else {
          ++conn->in_flight;
          asio::co_spawn(conn->socket.get_executor(), answer_tcp(conn, std::move(query), client),
                         asio::detached);
          continue;
        }
      }
      auto wire = finish_reply(query, reply, false, limits);
      send_tcp(conn, tcp_frame(wire));
    }
    // Answer what is in flight and send every reply before closing (RFC 7766 6.2.4).
    while ((conn->in_flight > 0 || conn->writing) && !conn->broken) {
      conn->changed.expires_at(asio::steady_timer::time_point::max());
      co_await conn->changed.async_wait(kTuple);
    }
    conn->broken = true;
    conn->socket.close(ignored);
    --tcp_connections;
  }
};

DnsServer::DnsServer(asio::any_io_executor executor, const asio::ip::udp::endpoint& listen,
                     SyncHandler handler, ServerLimits limits)
    : state_(std::make_shared<State>(executor, listen)) {
  state_->sync_handler = std::move(handler);
  state_->limits = limits;
  state_->answer_cache = ReplyCache(limits.answer_cache_entries);
}

DnsServer::DnsServer(asio::any_io_executor executor, const asio::ip::udp::endpoint& listen,
                     AsyncHandler handler, ServerLimits limits)
    : state_(std::make_shared<State>(executor, listen)) {
  state_->async_handler = std::move(handler);
  state_->limits = limits;
  state_->answer_cache = ReplyCache(limits.answer_cache_entries);
}

DnsServer::~DnsServer() {
  stop();
}

void DnsServer::set_fast_handler(FastHandler handler) {
  state_->fast_handler = std::move(handler);
}

void DnsServer::set_reply_cache(std::function<bool(const asio::ip::address&)> admits,
                                std::function<void()> on_hit) {
  state_->cache_admits = std::move(admits);
  state_->on_cached_reply = std::move(on_hit);
}

void DnsServer::clear_answer_cache() {
  state_->answer_cache.clear();
}

void DnsServer::start() {
  asio::co_spawn(state_->udp.get_executor(), state_->udp_loop(), asio::detached);
  asio::co_spawn(state_->tcp.get_executor(), state_->tcp_loop(), asio::detached);
}

void DnsServer::stop() {
  if (!state_ || state_->stopped) return;
  state_->stopped = true;
  asio::error_code ignored;
  state_->udp.close(ignored);
  state_->tcp.close(ignored);
}

asio::ip::udp::endpoint DnsServer::local_endpoint() const {
  return state_->udp.local_endpoint();
}

}  // namespace miniweb::dns
