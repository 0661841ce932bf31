#pragma once
// A DNS server transport: UDP and TCP (RFC 7766) on one address and port, with the checks every
// role shares (FORMERR for malformed queries, NOTIMP for other opcodes, BADVERS for EDNS
// versions above 0, truncation with TC). The role supplies the answer.

#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/ip/udp.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "shared/dns/message.hpp"

namespace miniweb::dns {

struct ServerLimits {
  // Largest UDP reply, whatever a client advertises (NSD's and Unbound's default: RFC 9715 /
  // DNS flag day 2020).
  uint16_t max_udp_payload = 1232;
  size_t max_tcp_connections = 256;
  // UDP queries being answered asynchronously (recursion) at once; more are dropped, so a
  // flood cannot exhaust memory (Unbound: num-queries-per-thread).
  size_t max_pending_udp = 4096;
  std::chrono::milliseconds tcp_idle_timeout{10000};
  // Entries in the UDP answer cache (0: off; dns/reply_cache.hpp): a repeated query is
  // answered by copying the stored reply and its ID, with no decoding, lookup or encoding (as
  // PowerDNS's packet cache does). A SyncHandler server keeps every reply as it is: only for
  // handlers whose reply depends on nothing but the query's bytes (the authoritative role).
  // An AsyncHandler server keeps only what set_reply_cache allows, aging. Call
  // clear_answer_cache() when the data behind the handler changes (a zone reload, a flush).
  size_t answer_cache_entries = 0;
};

// Answers a vetted query (opcode QUERY, exactly one question, EDNS version 0 if any). The
// returned reply's EDNS and size are handled by the server.
using SyncHandler = std::function<Message(const Message& query, const asio::ip::address& client)>;
using AsyncHandler =
    std::function<asio::awaitable<Message>(Message query, asio::ip::address client)>;
// Tried before the AsyncHandler: true when it could answer at once (a cache hit), with the reply
// written into `reply` (which holds whatever an earlier query left there: writing over it
// reuses its memory); false to go the asynchronous way. Saves a coroutine per query, and the
// allocations of a fresh reply, on the hot path.
using FastHandler =
    std::function<bool(const Message& query, const asio::ip::address& client, Message& reply)>;

enum class Vetting { kAnswer, kReply, kDrop };
// Decodes and checks a packet. kAnswer: `query` is ready for the handler (`reply` is left as it
// was). kReply: `reply` holds an error reply (FORMERR/NOTIMP/BADVERS). kDrop: nothing is sent
// (not even a header, or a response rather than a query).
Vetting vet_query(std::span<const uint8_t> packet, Message& query, Message& reply);
// Sets the reply's EDNS from the query's and encodes it within the transport's size limit.
std::vector<uint8_t> finish_reply(const Message& query, Message& reply, bool over_udp,
                                  const ServerLimits& limits);

class DnsServer {
 public:
  // Binds UDP and TCP on `listen` (port 0: a free port, the same for both). Throws
  // std::system_error when the address cannot be bound (a start-up failure).
  DnsServer(asio::any_io_executor executor, const asio::ip::udp::endpoint& listen,
            SyncHandler handler, ServerLimits limits = {});
  DnsServer(asio::any_io_executor executor, const asio::ip::udp::endpoint& listen,
            AsyncHandler handler, ServerLimits limits = {});
  ~DnsServer();
  DnsServer(const DnsServer&) = delete;
  DnsServer& operator=(const DnsServer&) = delete;

  // With an AsyncHandler: answers what `handler` can answer synchronously without a coroutine.
  // Call before start().
  void set_fast_handler(FastHandler handler);

  // With an AsyncHandler and a fast handler that answers from a cache with TTLs (the
  // resolver): the fast handler's replies to clients that `admits` lets through are kept in
  // the answer cache (ServerLimits::answer_cache_entries) with their TTLs counted down there,
  // and answer those clients' repeated queries. Each reply given from it is told to `on_hit`.
  // Call before start().
  void set_reply_cache(std::function<bool(const asio::ip::address&)> admits,
                       std::function<void()> on_hit);

  // Forgets every cached reply (see ServerLimits::answer_cache_entries).
  void clear_answer_cache();

  // Starts the receive and accept loops on the executor.
  void start();
  // Closes the sockets; loops end.
  void stop();
  asio::ip::udp::endpoint local_endpoint() const;

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace miniweb::dns
