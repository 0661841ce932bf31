#include "dns/resolver_iteration.hpp"

#include <algorithm>
#include <set>
#include <utility>

namespace miniweb::dns {
namespace {

using Clock = std::chrono::steady_clock;

asio::ip::address address_of(const ResourceRecord& record) {
  if (const auto* a = std::get_if<RdataA>(&record.rdata)) return asio::ip::address_v4(a->address);
  if (const auto* a = std::get_if<RdataAAAA>(&record.rdata))
    return asio::ip::address_v6(a->address);
  return {};
}

std::string join_names(const std::vector<Name>& names) {
  std::string out;
  for (const auto& name : names) {
    if (!out.empty()) out += ", ";
    out += name.to_string();
  }
  return out;
}

const ResourceRecord* find_soa(const std::vector<ResourceRecord>& records, const Name& zone) {
  for (const auto& record : records)
    if (record.type == type::SOA && record.name.is_subdomain_of(zone)) return &record;
  return nullptr;
}

}  // namespace

ResolverIteration::ResolverIteration(const ResolverOptions& options, ResolverCache& cache)
    : options_(options), cache_(cache) {
  for (const auto& record : options_.root_hints) {
    if (record.type == type::NS && record.name.is_root())
      root_servers_.push_back(std::get<RdataName>(record.rdata).name);
    else if (record.type == type::A || record.type == type::AAAA)
      hint_addresses_[record.name].push_back(address_of(record));
  }
}

std::vector<asio::ip::address> ResolverIteration::addresses_of(const Name& server) {
  std::vector<asio::ip::address> out;
  for (uint16_t t : {type::A, type::AAAA}) {
    std::vector<ResourceRecord> records;
    const CacheEntry* entry = cache_.lookup(CacheKeyRef{server, t}, &records);
    if (entry != nullptr && !entry->negative)
      for (const auto& record : records) out.push_back(address_of(record));
  }
  if (out.empty()) {
    auto hint = hint_addresses_.find(server);
    if (hint != hint_addresses_.end()) out = hint->second;
  }
  return out;
}

// The deepest zone cut known for `name`: from the cache, else the root hints.
std::pair<Name, std::vector<Name>> ResolverIteration::closest_delegation(const Name& name) {
  for (size_t count = name.label_count(); count > 0; --count) {
    Name zone = name.suffix(count);
    std::vector<ResourceRecord> records;
    const CacheEntry* entry = cache_.lookup(CacheKeyRef{zone, type::NS}, &records);
    if (entry == nullptr || entry->negative || records.empty()) continue;
    std::vector<Name> servers;
    for (const auto& record : records) servers.push_back(std::get<RdataName>(record.rdata).name);
    return {zone, servers};
  }
  // The root: its primed NS set (RFC 8109) if cached, else the hints.
  std::vector<ResourceRecord> records;
  const Name root;
  const CacheEntry* entry = cache_.lookup(CacheKeyRef{root, type::NS}, &records);
  if (entry != nullptr && !entry->negative && !records.empty()) {
    std::vector<Name> servers;
    for (const auto& record : records) servers.push_back(std::get<RdataName>(record.rdata).name);
    return {Name(), servers};
  }
  return {Name(), root_servers_};
}

asio::awaitable<void> ResolverIteration::prime(Context& ctx) {
  const Name root;
  const Question question{root, type::NS, rclass::IN};
  int tries = 0;
  for (const auto& server_name : root_servers_) {
    auto hint = hint_addresses_.find(server_name);
    if (hint == hint_addresses_.end()) continue;
    for (const auto& address : hint->second) {
      if (++tries > 3) co_return;  // bounded: a dead root costs at most three timeouts
      asio::ip::udp::endpoint endpoint(address, options_.upstream_port);
      Message query = make_query(root, type::NS, false);
      ++queries_sent_;
      const asio::ip::address* source =
          options_.outgoing_address ? &*options_.outgoing_address : nullptr;
      const auto started = Clock::now();
      ExchangeNotes notes;
      Result<Message> reply =
          co_await exchange(endpoint, query, options_.query_timeout, &notes, source);
      const auto took = Clock::now() - started;
      if (!reply || reply->rcode != rcode::NOERROR) {
        record_step(ctx, server_name, endpoint, root, question, reply, took, notes.transport,
                    reply ? "priming: " + rcode_to_string(reply->rcode)
                          : "priming: error: " + reply.error().message);
        continue;
      }
      std::vector<ResourceRecord> ns;
      std::vector<Name> names;
      for (const auto& record : reply->answers) {
        if (record.type != type::NS || !record.name.is_root() || record.rclass != rclass::IN)
          continue;
        ns.push_back(record);
        names.push_back(std::get<RdataName>(record.rdata).name);
      }
      if (ns.empty()) {
        record_step(ctx, server_name, endpoint, root, question, reply, took, notes.transport,
                    "priming: no NS set for the root in the answer");
        continue;
      }
      std::vector<ResourceRecord> addresses;
      for (const auto& record : reply->additional)
        if ((record.type == type::A || record.type == type::AAAA) &&
            std::find(names.begin(), names.end(), record.name) != names.end())
          addresses.push_back(record);
      cache_.store_rrsets(ns, reply->aa ? Trust::kAnswer : Trust::kNonAuthAnswer);
      cache_.store_rrsets(addresses, Trust::kGlue);
      record_step(ctx, server_name, endpoint, root, question, reply, took, notes.transport,
                  "priming: the root's NS set, " + std::to_string(ns.size()) + " server(s) and " +
                      std::to_string(addresses.size()) + " address(es), cached");
      co_return;
    }
  }
}

asio::awaitable<Resolution> ResolverIteration::resolve(const Name& qname, uint16_t qtype,
                                                       Context& ctx, int depth) {
  Resolution result;
  result.from_cache = true;
  Name current = qname;
  for (int hop = 0; hop <= options_.max_cname_chain; ++hop) {
    ResolverCache::Link got = cache_.answer_link(current, qtype, result);
    if (got == ResolverCache::Link::kDone) co_return result;
    if (got == ResolverCache::Link::kFollowed) continue;
    result.from_cache = false;
    Step step = co_await iterate(current, qtype, ctx, depth);
    result.answers.insert(result.answers.end(), step.answers.begin(), step.answers.end());
    result.rcode = step.rcode;
    if (step.rcode != rcode::NOERROR) {
      result.authority = std::move(step.authority);
      result.error = std::move(step.error);
      co_return result;
    }
    if (!step.cname_target) {
      result.authority = std::move(step.authority);
      co_return result;
    }
    current = *step.cname_target;
  }
  result.rcode = rcode::SERVFAIL;
  result.error = "CNAME chain longer than " + std::to_string(options_.max_cname_chain);
  co_return result;
}

void ResolverIteration::record_step(Context& ctx, const Name& server_name,
                                    const asio::ip::udp::endpoint& server, const Name& zone,
                                    const Question& question, const Result<Message>& response,
                                    Clock::duration took, Transport transport,
                                    std::string summary) {
  if (ctx.trace_mode != TraceMode::kRecord) return;
  TraceStep step;
  step.server_name = server_name.to_string();
  step.server = server;
  step.zone = zone;
  step.question = question;
  if (response)
    step.response = *response;
  else
    step.error = response.error().message;
  step.duration = std::chrono::duration_cast<std::chrono::microseconds>(took);
  step.transport = transport;
  step.summary = std::move(summary);
  ctx.trace.push_back(std::move(step));
}

// Asks the servers of the closest known zone cut, following referrals, until one answers
// for `qname` (RFC 1034 5.3.3 steps 2-4).
asio::awaitable<ResolverIteration::Step> ResolverIteration::iterate(const Name& qname,
                                                                    uint16_t qtype, Context& ctx,
                                                                    int depth) {
  auto [zone, servers] = closest_delegation(qname);
  // QNAME minimisation (RFC 9156): ask each zone's servers only for the next label down,
  // with type A, until the full name is reached; without it, always the full question.
  const bool minimise = options_.qname_minimisation;
  size_t ask_labels = qname.label_count();
  // RFC 9156 2.3: one label at a time for the first MINIMISE_ONE_LAB (4) queries, then larger
  // steps so a long name takes at most MAX_MINIMISE_COUNT (10) queries (Unbound's values).
  constexpr size_t kMinimiseOneLabel = 4, kMaxMinimiseCount = 10;
  size_t minimised_queries = 0;
  auto next_labels = [&](size_t from) {
    ++minimised_queries;
    const size_t total = qname.label_count();
    if (from >= total) return total;
    if (minimised_queries <= kMinimiseOneLabel) return from + 1;
    if (minimised_queries >= kMaxMinimiseCount - 1) return total;
    const size_t left = kMaxMinimiseCount - minimised_queries;
    return std::min(total, from + (total - from + left - 1) / left);
  };
  auto minimised_labels = [&] { return next_labels(zone.label_count()); };
  if (minimise) ask_labels = minimised_labels();
  int referrals = 0;
  while (true) {
    const bool full = ask_labels >= qname.label_count();
    const Name ask_name = full ? qname : qname.suffix(ask_labels);
    const uint16_t ask_type = full ? qtype : type::A;
    Question question{ask_name, ask_type, rclass::IN};
    std::optional<Message> response;
    bool descend = false;  // a minimised name was answered: add the next label
    std::string last_error = "no server of " + zone.to_string() + " has a known address";
    // Servers with known addresses first; then those whose names must be resolved.
    std::vector<Name> order;
    for (const auto& s : servers)
      if (!addresses_of(s).empty()) order.push_back(s);
    for (const auto& s : servers)
      if (addresses_of(s).empty()) order.push_back(s);
    // A server that did not answer (its question or its answer lost on the way) is asked
    // again once the others have been tried, waiting twice as long each round, as Unbound
    // backs off; one that answered with an error is not asked again.
    std::set<asio::ip::address> silent;
    for (int round = 0; round < options_.query_rounds && !response; ++round) {
      if (round > 0 && silent.empty()) break;
      const auto timeout = options_.query_timeout * (1 << round);
      const std::set<asio::ip::address> ask_again = std::exchange(silent, {});
      for (const auto& server_name : order) {
        std::vector<asio::ip::address> addresses = addresses_of(server_name);
        if (round > 0) {
          std::erase_if(addresses, [&](const auto& a) { return !ask_again.count(a); });
          if (addresses.empty()) continue;
        }
        if (addresses.empty()) {
          if (depth >= options_.max_ns_depth) {
            last_error = "NS name lookups nested too deeply";
            continue;
          }
          // RFC 1034 5.3.3 step 3: resolve the server's name first.
          Resolution found = co_await resolve(server_name, type::A, ctx, depth + 1);
          for (const auto& record : found.answers)
            if (record.type == type::A && record.name == server_name)
              addresses.push_back(address_of(record));
          if (addresses.empty()) {
            last_error = "cannot find the address of " + server_name.to_string();
            continue;
          }
        }
        for (const auto& address : addresses) {
          if (ctx.queries >= options_.max_queries) {
            co_return Step{rcode::SERVFAIL,
                           {},
                           {},
                           {},
                           "gave up after " + std::to_string(options_.max_queries) + " queries"};
          }
          ++ctx.queries;
          ++queries_sent_;
          asio::ip::udp::endpoint endpoint(address, options_.upstream_port);
          Message query = make_query(ask_name, ask_type, false);
          auto started = Clock::now();
          ExchangeNotes notes;
          const asio::ip::address* source =
              options_.outgoing_address ? &*options_.outgoing_address : nullptr;
          Result<Message> reply = co_await exchange(endpoint, query, timeout, &notes, source);
          const Transport transport = notes.transport;
          auto took = Clock::now() - started;
          if (!reply) {
            last_error = reply.error().message;
            silent.insert(address);
            record_step(ctx, server_name, endpoint, zone, question, reply, took, transport,
                        "error: " + reply.error().message);
            continue;
          }
          if (reply->rcode != rcode::NOERROR && reply->rcode != rcode::NXDOMAIN) {
            // SERVFAIL, REFUSED (a lame server), ...: try the next one.
            last_error =
                endpoint_to_string(endpoint) + " answered " + rcode_to_string(reply->rcode);
            record_step(ctx, server_name, endpoint, zone, question, reply, took, transport,
                        rcode_to_string(reply->rcode));
            continue;
          }
          response = std::move(*reply);
          Name asked_zone = zone;  // classify() moves zone down on a referral
          Step step = classify(*response, ask_name, ask_type, zone, servers);
          record_step(ctx, server_name, endpoint, asked_zone, question, *response, took, transport,
                      summarize(step, *response, zone, servers));
          if (step.rcode == rcode::SERVFAIL && step.error == "lame") {
            response.reset();
            last_error = endpoint_to_string(endpoint) + " gave neither an answer nor a referral";
            continue;
          }
          if (step.rcode == rcode::NOERROR && step.error == "referral") break;
          if (!full) {
            // The minimised name exists here (or, on NXDOMAIN, the server may be one that
            // answers wrongly for empty non-terminals: like Unbound's relaxed mode, fall back
            // to the full name).
            descend = true;
            ask_labels =
                step.rcode == rcode::NXDOMAIN ? qname.label_count() : next_labels(ask_labels);
            break;
          }
          co_return step;
        }
        if (response) break;
      }
    }
    if (!response) co_return Step{rcode::SERVFAIL, {}, {}, {}, last_error};
    if (descend) continue;
    // A referral: zone and servers moved down.
    if (++referrals > options_.max_referrals)
      co_return Step{rcode::SERVFAIL,
                     {},
                     {},
                     {},
                     "more than " + std::to_string(options_.max_referrals) + " referrals"};
    if (minimise && ask_labels < qname.label_count() && ask_labels <= zone.label_count())
      ask_labels = minimised_labels();
  }
}

// Reads one NOERROR/NXDOMAIN reply from a server of `zone`. A referral updates `zone` and
// `servers` and returns error "referral". Records outside `zone` are ignored (bailiwick).
ResolverIteration::Step ResolverIteration::classify(const Message& reply, const Name& qname,
                                                    uint16_t qtype, Name& zone,
                                                    std::vector<Name>& servers) {
  Step step;
  step.rcode = rcode::NOERROR;
  if (reply.aa) {
    // The zone's own NS set in an authoritative reply outranks the parent's referral copy.
    std::vector<ResourceRecord> zone_ns;
    for (const auto& record : reply.authority)
      if (record.type == type::NS && record.name == zone) zone_ns.push_back(record);
    if (!zone_ns.empty()) cache_.store_rrsets(zone_ns, Trust::kAuthAuthority);
  }
  // The answer: follow the chain from qname through records this zone may speak for.
  Name current = qname;
  std::vector<ResourceRecord> accepted;
  for (int hop = 0; hop <= options_.max_cname_chain; ++hop) {
    std::vector<ResourceRecord> matching;
    const ResourceRecord* cname = nullptr;
    for (const auto& record : reply.answers) {
      if (!(record.name == current) || !record.name.is_subdomain_of(zone)) continue;
      if (record.rclass != rclass::IN) continue;
      if (record.type == qtype || qtype == type::ANY)
        matching.push_back(record);
      else if (record.type == type::CNAME && cname == nullptr)
        cname = &record;
    }
    if (!matching.empty()) {
      accepted.insert(accepted.end(), matching.begin(), matching.end());
      step.cname_target.reset();
      break;
    }
    if (cname == nullptr) break;
    accepted.push_back(*cname);
    current = std::get<RdataName>(cname->rdata).name;
    step.cname_target = current;
  }
  if (!accepted.empty()) {
    cache_.store_rrsets(accepted, reply.aa ? Trust::kAnswer : Trust::kNonAuthAnswer);
    step.answers = std::move(accepted);
    // The chain ends at a name this zone did not answer for: resolve it anew. If the reply
    // says NXDOMAIN for the target (RFC 6604), that is the final answer.
    if (step.cname_target && reply.rcode == rcode::NXDOMAIN &&
        step.cname_target->is_subdomain_of(zone)) {
      step.rcode = rcode::NXDOMAIN;
      if (const auto* soa = find_soa(reply.authority, zone)) step.authority = {*soa};
      step.cname_target.reset();
    }
    if (step.cname_target && step.cname_target->is_subdomain_of(zone) &&
        reply.rcode == rcode::NOERROR && reply.aa) {
      // NODATA for the target inside the same zone.
      if (const auto* soa = find_soa(reply.authority, zone)) {
        step.authority = {*soa};
        cache_.store_negative(*step.cname_target, qtype, rcode::NOERROR, soa);
        step.cname_target.reset();
      }
    }
    return step;
  }
  const ResourceRecord* soa = find_soa(reply.authority, zone);
  if (reply.rcode == rcode::NXDOMAIN) {
    step.rcode = rcode::NXDOMAIN;
    cache_.store_negative(qname, qtype, rcode::NXDOMAIN, soa);
    if (soa) step.authority = {*soa};
    return step;
  }
  // A referral: NS records for a zone strictly below the current one, above qname.
  std::optional<Name> cut;
  std::vector<ResourceRecord> ns_records;
  for (const auto& record : reply.authority) {
    if (record.type != type::NS) continue;
    if (!record.name.is_subdomain_of(zone) || record.name == zone) continue;
    if (!qname.is_subdomain_of(record.name)) continue;
    if (cut && !(record.name == *cut)) continue;
    cut = record.name;
    ns_records.push_back(record);
  }
  if (cut && !reply.aa) {
    std::vector<Name> new_servers;
    for (const auto& record : ns_records)
      new_servers.push_back(std::get<RdataName>(record.rdata).name);
    // Glue: addresses of those servers, only when inside the zone that gave them.
    std::vector<ResourceRecord> glue;
    for (const auto& record : reply.additional) {
      if (record.type != type::A && record.type != type::AAAA) continue;
      if (!record.name.is_subdomain_of(zone)) continue;
      if (std::find(new_servers.begin(), new_servers.end(), record.name) == new_servers.end())
        continue;
      glue.push_back(record);
    }
    cache_.store_rrsets(ns_records, Trust::kReferral);
    cache_.store_rrsets(glue, Trust::kGlue);
    zone = *cut;
    servers = std::move(new_servers);
    step.error = "referral";
    return step;
  }
  if (soa != nullptr || reply.aa) {
    // NODATA (RFC 2308 2.2).
    cache_.store_negative(qname, qtype, rcode::NOERROR, soa);
    if (soa) step.authority = {*soa};
    return step;
  }
  step.rcode = rcode::SERVFAIL;
  step.error = "lame";
  return step;
}

std::string ResolverIteration::summarize(const Step& step, const Message& reply, const Name& zone,
                                         const std::vector<Name>& servers) {
  if (step.error == "referral")
    return "referral to " + zone.to_string() + " (" + join_names(servers) + ")";
  if (step.error == "lame") return "lame: no answer and no referral";
  if (!step.answers.empty()) {
    std::string out = "answer:";
    for (const auto& record : step.answers)
      out += " " + record.name.to_string() + " " + type_to_string(record.type) + " " +
             record.rdata_to_string() + ",";
    out.pop_back();
    if (step.rcode == rcode::NXDOMAIN) out += " then NXDOMAIN";
    return out;
  }
  if (reply.rcode == rcode::NXDOMAIN) return "NXDOMAIN";
  return "NODATA";
}

}  // namespace miniweb::dns
