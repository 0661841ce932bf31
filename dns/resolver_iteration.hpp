#pragma once
// The resolver's iteration (RFC 1034 5.3.3; Unbound's iterator): from the closest zone cut the
// cache knows, ask that zone's servers, follow referrals down with their glue (in bailiwick
// only), resolve the names of servers that came without addresses, chase CNAMEs, and store
// every answer, referral and negative answer in the cache (resolver_cache.hpp) at its rank.
// Also QNAME minimisation (RFC 9156) and root priming (RFC 8109).
//
// Threading: it belongs to its Resolver's executor, like the Resolver.

#include <asio/awaitable.hpp>
#include <asio/ip/address.hpp>
#include <asio/ip/udp.hpp>
#include <chrono>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "dns/resolver.hpp"
#include "dns/resolver_cache.hpp"
#include "shared/dns/client.hpp"
#include "shared/dns/message.hpp"
#include "shared/result.hpp"

namespace miniweb::dns {

class ResolverIteration {
 public:
  // The work one resolution has done so far, and its trace.
  struct Context {
    TraceMode trace_mode = TraceMode::kOff;
    std::vector<TraceStep> trace;
    int queries = 0;
  };

  // `options` and `cache` must outlive the iteration (the Resolver owns all three).
  ResolverIteration(const ResolverOptions& options, ResolverCache& cache);

  // Resolves one name and type, from the cache where it can and by asking servers for the
  // rest, following the CNAME chain. `depth` counts nested lookups of server names.
  asio::awaitable<Resolution> resolve(const Name& qname, uint16_t qtype, Context& ctx,
                                      int depth = 0);

  // Root priming (RFC 8109): ask a root server from the hints for ". NS" once, so iteration
  // uses the root's current NS set and addresses rather than the possibly stale hints. When no
  // hinted server answers, the hints stay in use (RFC 8109 3.3). Each exchange goes into
  // `ctx`'s trace when it records one (the question that waited for the priming).
  asio::awaitable<void> prime(Context& ctx);

  // Queries sent to servers so far, priming included.
  uint64_t queries_sent() const { return queries_sent_; }

 private:
  // What one round of iteration found out about one name.
  struct Step {
    uint16_t rcode = rcode::SERVFAIL;
    std::vector<ResourceRecord> answers;
    std::vector<ResourceRecord> authority;
    std::optional<Name> cname_target;  // the chain leaves the answering zone here
    std::string error;
  };

  std::vector<asio::ip::address> addresses_of(const Name& server);
  std::pair<Name, std::vector<Name>> closest_delegation(const Name& name);
  asio::awaitable<Step> iterate(const Name& qname, uint16_t qtype, Context& ctx, int depth);
  Step classify(const Message& reply, const Name& qname, uint16_t qtype, Name& zone,
                std::vector<Name>& servers);
  static std::string summarize(const Step& step, const Message& reply, const Name& zone,
                               const std::vector<Name>& servers);
  void record_step(Context& ctx, const Name& server_name, const asio::ip::udp::endpoint& server,
                   const Name& zone, const Question& question, const Result<Message>& response,
                   std::chrono::steady_clock::duration took, Transport transport,
                   std::string summary);

  const ResolverOptions& options_;
  ResolverCache& cache_;
  std::vector<Name> root_servers_;
  std::unordered_map<Name, std::vector<asio::ip::address>, NameHash> hint_addresses_;
  uint64_t queries_sent_ = 0;
};

}  // namespace miniweb::dns
