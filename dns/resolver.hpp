#pragma once
// An iterative resolver (RFC 1034 5.3.3, hardened like Unbound), as a library: the recursive
// server, `miniweb-dns query --trace` and the browser's trace all call Resolver::resolve.
//
//   asio::io_context io;
//   auto hints = miniweb::dns::load_root_hints("root.hints");       // Result<...>
//   miniweb::dns::Resolver resolver(io.get_executor(), {.root_hints = *hints,
//                                                        .upstream_port = 5300});
//   // inside a coroutine on io:
//   Resolution r = co_await resolver.resolve(*Name::parse("www.example.test."), type::A,
//                                            TraceMode::kRecord);
//   // r.rcode, r.answers (the CNAME chain and the final RRset), r.trace (one step per query)
//
// Threading: a Resolver and its cache belong to one executor; call it only from coroutines on
// that executor (no locks on the hot path).
//
// Inside, three parts: the cache (resolver_cache.hpp), the iteration that asks servers
// (resolver_iteration.hpp), and, in resolver.cpp, root priming once and the sharing of
// identical questions in flight.

#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>
#include <asio/ip/udp.hpp>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "shared/dns/client.hpp"
#include "shared/dns/message.hpp"
#include "shared/result.hpp"

namespace miniweb::dns {

struct ResolverOptions {
  // NS records for "." and the A/AAAA records of their targets (a named.root-style file).
  std::vector<ResourceRecord> root_hints;
  // The port every upstream server is asked on. Real DNS uses 53 everywhere; the demo internet
  // puts every server on its own loopback address but all on one other port.
  uint16_t upstream_port = 53;
  // The address questions to other servers leave from, as Unbound's outgoing-interface: the
  // resolver's own, so that a capture shows the resolver asking. Empty: the kernel's choice.
  std::optional<asio::ip::address> outgoing_address;
  // How long to wait for one server before trying the next; and how many rounds over the
  // servers that gave no answer at all, each waiting twice as long as the one before.
  std::chrono::milliseconds query_timeout{600};
  int query_rounds = 2;
  // Limits on the work one resolution may do (Unbound: max-referrals, target-fetch depth).
  int max_referrals = 16;
  int max_cname_chain = 8;
  int max_ns_depth = 4;
  int max_queries = 64;
  // Cache bounds: entries, and the longest positive and negative TTLs kept (Unbound's
  // cache-max-ttl and cache-max-negative-ttl defaults).
  size_t max_cache_entries = 100000;
  uint32_t max_ttl = 86400;
  uint32_t max_negative_ttl = 3600;
  // QNAME minimisation (RFC 9156): each zone is asked only for one more label (type A) until
  // the full name is reached; NXDOMAIN for a minimised name falls back to the full name.
  bool qname_minimisation = false;
  // Root priming (RFC 8109): before the first resolution, ask a hinted root server for ". NS"
  // and use its answer (and the addresses in its additional section) instead of the hints.
  bool prime_root = true;
};

// Reads root hints in zone-file format (". NS a.root-servers.test." + its A record).
Result<std::vector<ResourceRecord>> load_root_hints(const std::filesystem::path& path);

enum class TraceMode { kOff, kRecord };

// One upstream query made during a resolution, for `dig +trace`-like display.
struct TraceStep {
  std::string server_name;         // the NS name asked ("a.root-servers.test.")
  asio::ip::udp::endpoint server;  // its address and the upstream port
  Name zone;                       // the zone this server was asked as authority for
  Question question;
  std::optional<Message> response;  // absent when the query failed
  std::string error;                // why it failed ("no reply from ... within 1000 ms")
  std::chrono::microseconds duration{0};
  Transport transport = Transport::Udp;  // UDP, or TCP after a truncated UDP answer
  // One line: "referral to test. (ns1.nic.test.)", "answer: www.example.test. A 127.53.0.10",
  // "NXDOMAIN", "NODATA", "REFUSED", "timeout: ...".
  std::string summary;
};

struct Resolution {
  uint16_t rcode = rcode::SERVFAIL;
  std::vector<ResourceRecord> answers;    // the full chain: CNAMEs, then the final RRset
  std::vector<ResourceRecord> authority;  // the SOA of a negative answer
  std::vector<TraceStep> trace;           // empty unless TraceMode::kRecord
  bool from_cache = false;                // answered from the cache without asking anyone
  std::string error;                      // for SERVFAIL: why
};

// What the cache holds at one name and type, for the control channel's `dump`.
struct CachedEntry {
  uint16_t type = 0;  // 0: an NXDOMAIN, which covers every type
  bool negative = false;
  uint16_t rcode = rcode::NOERROR;  // of a negative entry: NXDOMAIN, or NOERROR for NODATA
  std::string rank;                 // how it was learnt: "answer", "referral", "glue", ...
  uint32_t ttl_left = 0;
  std::vector<ResourceRecord> records;  // the RRset, or the SOA of a negative answer
};

// What the resolver has done since it started (the control channel's `stats`).
struct ResolverStats {
  size_t entries = 0;             // in the cache now
  uint64_t hits = 0;              // questions answered from the cache alone
  uint64_t misses = 0;            // questions that needed servers to be asked
  uint64_t upstream_queries = 0;  // queries sent to servers (iteration and root priming)
};

class Resolver {
 public:
  Resolver(asio::any_io_executor executor, ResolverOptions options);
  ~Resolver();
  Resolver(const Resolver&) = delete;
  Resolver& operator=(const Resolver&) = delete;

  // Resolves one name and type. Identical questions in flight at the same time share one
  // upstream resolution (not when tracing: a trace shows its own queries). TTLs in the result
  // are the time left in the cache.
  asio::awaitable<Resolution> resolve(Name name, uint16_t type, TraceMode trace = TraceMode::kOff);

  // The answer when the cache holds all of it (TTLs counted down), without suspending; nullopt
  // when resolving needs a query. Lets a server answer cache hits synchronously.
  std::optional<Resolution> resolve_from_cache(const Name& name, uint16_t type);
  // The same written over a reply's sections (their memory reused): true with `rcode`,
  // `answers` and `authority` set when the cache holds the whole answer; false otherwise (the
  // sections then hold anything).
  bool answer_from_cache(const Name& name, uint16_t type, uint16_t& rcode,
                         std::vector<ResourceRecord>& answers,
                         std::vector<ResourceRecord>& authority);

  // The control channel's commands (unbound-control's flush, flush_zone, flush_all), each
  // returning how many cache entries went: every entry at `name`; at `name` and below it;
  // everything, zone cuts included. Whenever the root's NS set goes, the root is primed again
  // before the next resolution; the hints themselves are never forgotten.
  size_t flush_name(const Name& name);
  size_t flush_zone(const Name& name);
  size_t flush_all();
  // Told after every flush (flush_name, flush_zone, flush_all, clear_cache), so that what keeps
  // replies built from the cache (the server's answer cache) forgets them too.
  void on_flush(std::function<void()> forget);
  // Counts a question answered from a reply built from the cache and kept (a hit all the same).
  void count_hit();
  std::vector<CachedEntry> cached_at(const Name& name) const;
  ResolverStats stats() const;

  void clear_cache() { flush_all(); }
  size_t cache_size() const;
  const ResolverOptions& options() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Renders a resolution like `dig +trace`: each step's records and "from SERVER in N ms".
std::string trace_to_string(const Resolution& resolution);

}  // namespace miniweb::dns
