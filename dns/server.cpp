#include "dns/server.hpp"

#include <sys/socket.h>

#include <cstring>

#include "shared/dns/wire.hpp"

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/experimental/awaitable_operators.hpp>
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
  auto header = Message::decode_header(packet);
  if (!header) return Vetting::kDrop;
  // Never answer a response: that is how reflection loops start.
  if (header->qr) return Vetting::kDrop;
  auto decoded = Message::decode(packet);
  if (!decoded) {
    // RFC 1035 4.1.1: FORMERR, built from the header alone.
    query = Message{};
    reply = header->make_reply();
    reply.rcode = rcode::FORMERR;
    return Vetting::kReply;
  }
  query = std::move(*decoded);
  reply = query.make_reply();
  if (query.opcode != opcode::QUERY) {
    reply.rcode = rcode::NOTIMP;
    return Vetting::kReply;
  }
  if (query.questions.size() != 1 || !query.answers.empty() || !query.authority.empty()) {
    reply.rcode = rcode::FORMERR;
    return Vetting::kReply;
  }
  if (query.edns && query.edns->version != 0) {
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
    udp.open(listen.protocol());
    udp.bind(listen);
    asio::ip::tcp::endpoint tcp_endpoint(listen.address(), udp.local_endpoint().port());
    tcp.open(tcp_endpoint.protocol());
    tcp.set_option(asio::socket_base::reuse_address(true));
    tcp.bind(tcp_endpoint);
    tcp.listen();
  }

  asio::ip::udp::socket udp;
  asio::ip::tcp::acceptor tcp;
  SyncHandler sync_handler;
  AsyncHandler async_handler;
  ServerLimits limits;
  size_t tcp_connections = 0;
  size_t pending_udp = 0;
  std::vector<uint8_t> batch_buffer;
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
    Vetting vetting = vet_query(packet, query, reply);
    if (vetting == Vetting::kDrop) return std::nullopt;
    if (vetting == Vetting::kAnswer) {
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
  // way (recvmmsg/sendmmsg, as NSD does). Returns false when the socket is empty.
  bool drain_batch(Message& query, Message& reply) {
    constexpr size_t kBatch = 32;
    constexpr size_t kSlot = 4096;  // larger queries are not legitimate; they are dropped
    if (batch_buffer.empty()) batch_buffer.resize(kBatch * kSlot);
    mmsghdr in[kBatch] = {};
    iovec in_iov[kBatch];
    sockaddr_storage from[kBatch];
    for (size_t i = 0; i < kBatch; ++i) {
      in_iov[i] = {batch_buffer.data() + i * kSlot, kSlot};
      in[i].msg_hdr.msg_iov = &in_iov[i];
      in[i].msg_hdr.msg_iovlen = 1;
      in[i].msg_hdr.msg_name = &from[i];
      in[i].msg_hdr.msg_namelen = sizeof from[i];
    }
    int received = ::recvmmsg(udp.native_handle(), in, kBatch, MSG_DONTWAIT, nullptr);
    if (received <= 0) return false;
    std::vector<uint8_t> replies[kBatch];
    mmsghdr out[kBatch] = {};
    iovec out_iov[kBatch];
    unsigned count = 0;
    for (int i = 0; i < received; ++i) {
      if (in[i].msg_hdr.msg_flags & MSG_TRUNC) continue;
      asio::ip::udp::endpoint client;
      if (in[i].msg_hdr.msg_namelen > client.capacity()) continue;
      std::memcpy(client.data(), &from[i], in[i].msg_hdr.msg_namelen);
      client.resize(in[i].msg_hdr.msg_namelen);
      auto wire = answer_datagram(
          std::span(batch_buffer.data() + static_cast<size_t>(i) * kSlot, in[i].msg_len), client,
          query, reply);
      if (!wire) continue;
      replies[count] = std::move(*wire);
      out_iov[count] = {replies[count].data(), replies[count].size()};
      out[count].msg_hdr.msg_iov = &out_iov[count];
      out[count].msg_hdr.msg_iovlen = 1;
      out[count].msg_hdr.msg_name = &from[i];
      out[count].msg_hdr.msg_namelen = in[i].msg_hdr.msg_namelen;
      ++count;
    }
    for (unsigned sent = 0; sent < count;) {
      int n = ::sendmmsg(udp.native_handle(), out + sent, count - sent, MSG_DONTWAIT);
      if (n <= 0) break;  // a full send buffer drops the rest, as any UDP server would
      sent += static_cast<unsigned>(n);
    }
    return static_cast<size_t>(received) == kBatch;
  }

  asio::awaitable<void> udp_loop() {
    auto self = shared_from_this();
    std::vector<uint8_t> buffer(65535);
    Message query, reply;
    while (!stopped) {
      asio::ip::udp::endpoint client;
      auto [receive_error, size] =
          co_await udp.async_receive_from(asio::buffer(buffer), client, kTuple);
      if (receive_error) {
        if (receive_error == asio::error::operation_aborted || stopped) co_return;
        continue;  // e.g. ICMP errors from earlier sends; keep serving
      }
      if (auto wire = answer_datagram(std::span(buffer.data(), size), client, query, reply)) {
        asio::error_code send_error;
        udp.send_to(asio::buffer(*wire), client, 0, send_error);
      }
      // Then whatever is already queued, in bounded batches so TCP and timers get their turn.
      for (int round = 0; round < 4 && !stopped && drain_batch(query, reply); ++round) {
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

  asio::awaitable<void> serve_tcp(asio::ip::tcp::socket socket) {
    auto self = shared_from_this();
    asio::steady_timer idle(socket.get_executor());
    asio::error_code ignored;
    auto client = socket.remote_endpoint(ignored).address();
    Message query, reply;
    while (!stopped) {
      // RFC 7766 6.2.3: close idle connections after a while.
      idle.expires_after(limits.tcp_idle_timeout);
      uint8_t length_bytes[2];
      auto got = co_await (asio::async_read(socket, asio::buffer(length_bytes), kTuple) ||
                           idle.async_wait(kTuple));
      if (got.index() == 1 || std::get<0>(std::get<0>(got))) break;
      size_t length = tcp_frame_length(length_bytes);
      std::vector<uint8_t> buffer(length);
      auto body = co_await (asio::async_read(socket, asio::buffer(buffer), kTuple) ||
                            idle.async_wait(kTuple));
      if (body.index() == 1 || std::get<0>(std::get<0>(body))) break;
      Vetting vetting = vet_query(buffer, query, reply);
      if (vetting == Vetting::kDrop) break;
      if (vetting == Vetting::kAnswer) reply = co_await respond(query, client);
      auto wire = finish_reply(query, reply, false, limits);
      std::vector<uint8_t> framed = tcp_frame(wire);
      auto [write_error, n] = co_await asio::async_write(socket, asio::buffer(framed), kTuple);
      if (write_error) break;
    }
    socket.close(ignored);
    --tcp_connections;
  }
};

DnsServer::DnsServer(asio::any_io_executor executor, const asio::ip::udp::endpoint& listen,
                     SyncHandler handler, ServerLimits limits)
    : state_(std::make_shared<State>(executor, listen)) {
  state_->sync_handler = std::move(handler);
  state_->limits = limits;
}

DnsServer::DnsServer(asio::any_io_executor executor, const asio::ip::udp::endpoint& listen,
                     AsyncHandler handler, ServerLimits limits)
    : state_(std::make_shared<State>(executor, listen)) {
  state_->async_handler = std::move(handler);
  state_->limits = limits;
}

DnsServer::~DnsServer() {
  stop();
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
