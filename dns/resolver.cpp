#include "dns/resolver.hpp"

#include <algorithm>
#include <asio/experimental/as_tuple.hpp>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>
#include <list>
#include <unordered_map>

#include "dns/zone_parser.hpp"
#include "shared/dns/client.hpp"

namespace miniweb::dns {
namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kTuple = asio::experimental::as_tuple(asio::use_awaitable);
// Cache key type for "this name does not exist" (RFC 2308 5: NXDOMAIN covers every type).
constexpr uint16_t kAnyTypeKey = 0;

struct Key {
  Name name;
  uint16_t type;
  friend bool operator==(const Key&, const Key&) = default;
};
// A key to look up without copying the name (heterogeneous lookup: the cache is probed
// several times per client query).
struct KeyRef {
  const Name& name;
  uint16_t type;
};
struct KeyHash {
  using is_transparent = void;
  size_t operator()(const Key& key) const { return key.name.hash() * 31 + key.type; }
  size_t operator()(const KeyRef& key) const { return key.name.hash() * 31 + key.type; }
};
struct KeyEqual {
  using is_transparent = void;
  bool operator()(const Key& a, const Key& b) const { return a == b; }
  bool operator()(const KeyRef& a, const Key& b) const {
    return a.type == b.type && a.name == b.name;
  }
  bool operator()(const Key& a, const KeyRef& b) const {
    return a.type == b.type && a.name == b.name;
  }
};

// How much a cached RRset is trusted (RFC 2181 5.4.1), lowest first. Data of a lower rank never
// replaces fresh data of a higher one; glue and referral NS sets only steer iteration and are
// never returned to a client as an answer.
enum class Trust : uint8_t {
  kGlue,           // additional section of a referral
  kReferral,       // NS set in the authority section of a non-authoritative reply
  kNonAuthAnswer,  // answer section of a reply without AA
  kAuthAuthority,  // authority section of an authoritative reply (NS, SOA)
  kAnswer,         // answer section of an authoritative reply
};
// RFC 2181 5.4.1: only data from an answer section, or the authority section of an
// authoritative reply, may be returned to a client.
bool answerable(Trust trust) {
  return trust >= Trust::kNonAuthAnswer;
}

struct Entry {
  std::vector<ResourceRecord> records;  // positive RRset; or the SOA of a negative answer
  uint16_t rcode = rcode::NOERROR;      // NOERROR with no records is NODATA
  bool negative = false;
  Trust trust = Trust::kAnswer;
  Clock::time_point expires;
};

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

// What one round of iteration found out about one name.
struct Step {
  uint16_t rcode = rcode::SERVFAIL;
  std::vector<ResourceRecord> answers;
  std::vector<ResourceRecord> authority;
  std::optional<Name> cname_target;  // the chain leaves the answering zone here
  std::string error;
};

struct Context {
  TraceMode trace_mode = TraceMode::kOff;
  std::vector<TraceStep> trace;
  int queries = 0;
};

}  // namespace

struct Resolver::Impl {
  Impl(asio::any_io_executor executor, ResolverOptions options)
      : executor(std::move(executor)), options(std::move(options)) {
    for (const auto& record : this->options.root_hints) {
      if (record.type == type::NS && record.name.is_root())
        root_servers.push_back(std::get<RdataName>(record.rdata).name);
      else if (record.type == type::A || record.type == type::AAAA)
        hint_addresses[record.name].push_back(address_of(record));
    }
  }

  asio::any_io_executor executor;
  ResolverOptions options;
  std::vector<Name> root_servers;
  std::unordered_map<Name, std::vector<asio::ip::address>, NameHash> hint_addresses;
  // The cache: entries in least-recently-used order (front: most recent), and an index.
  struct Slot {
    Key key;
    Entry entry;
  };
  std::list<Slot> lru;
  std::unordered_map<Key, std::list<Slot>::iterator, KeyHash, KeyEqual> cache;
  bool primed = false;

  struct Inflight {
    explicit Inflight(asio::any_io_executor executor) : done(executor) {
      done.expires_at(Clock::time_point::max());
    }
    asio::steady_timer done;
    std::optional<Resolution> result;
  };
  std::unordered_map<Key, std::shared_ptr<Inflight>, KeyHash, KeyEqual> inflight;

  // --- cache ---
  void store(const Key& key, Entry entry, uint32_t ttl) {
    auto now = Clock::now();
    entry.expires = now + std::chrono::seconds(ttl);
    auto found = cache.find(key);
    if (found != cache.end()) {
      Entry& old = found->second->entry;
      // RFC 2181 5.4.1: less trustworthy data never replaces fresh, more trustworthy data.
      if (old.expires > now && entry.trust < old.trust) return;
      old = std::move(entry);
      lru.splice(lru.begin(), lru, found->second);
      return;
    }
    // Full: evict the least recently used entry (Unbound's rrset and message caches are LRU).
    while (!lru.empty() && cache.size() >= options.max_cache_entries) {
      cache.erase(lru.back().key);
      lru.pop_back();
    }
    lru.push_front(Slot{key, std::move(entry)});
    cache.emplace(key, lru.begin());
  }

  void erase(
      std::unordered_map<Key, std::list<Slot>::iterator, KeyHash, KeyEqual>::iterator found) {
    lru.erase(found->second);
    cache.erase(found);
  }

  void clear() {
    cache.clear();
    lru.clear();
  }

  void store_rrsets(const std::vector<ResourceRecord>& records, Trust trust) {
    // Grouped into RRsets in the order they came (RFC 2181 5: an RRset is cached as a whole).
    std::vector<std::pair<Key, std::vector<ResourceRecord>>> sets;
    for (const auto& record : records) {
      Key key{record.name, record.type};
      auto same =
          std::find_if(sets.begin(), sets.end(), [&](const auto& s) { return s.first == key; });
      if (same == sets.end())
        sets.emplace_back(std::move(key), std::vector<ResourceRecord>{record});
      else
        same->second.push_back(record);
    }
    for (auto& [key, rrset] : sets) {
      uint32_t ttl = options.max_ttl;
      for (const auto& record : rrset) ttl = std::min(ttl, record.ttl);
      Entry entry;
      entry.records = std::move(rrset);
      entry.trust = trust;
      store(key, std::move(entry), ttl);
    }
  }

  void store_negative(const Name& name, uint16_t qtype, uint16_t rcode_value,
                      const ResourceRecord* soa) {
    if (soa == nullptr) return;  // RFC 2308 5: no SOA, no negative caching
    uint32_t ttl =
        std::min({soa->ttl, std::get<RdataSoa>(soa->rdata).minimum, options.max_negative_ttl});
    Entry entry;
    entry.records = {*soa};
    entry.records.front().ttl = ttl;
    entry.rcode = rcode_value;
    entry.negative = true;
    entry.trust = Trust::kAuthAuthority;
    store(Key{name, rcode_value == rcode::NXDOMAIN ? kAnyTypeKey : qtype}, std::move(entry), ttl);
  }

  // A fresh entry with its TTLs counted down, or nullptr.
  const Entry* lookup(const KeyRef& key, std::vector<ResourceRecord>* out) {
    auto found = cache.find(key);
    if (found == cache.end()) return nullptr;
    auto now = Clock::now();
    Entry& entry = found->second->entry;
    if (entry.expires <= now) {
      erase(found);
      return nullptr;
    }
    lru.splice(lru.begin(), lru, found->second);
    if (out != nullptr) {
      auto left = std::chrono::duration_cast<std::chrono::seconds>(entry.expires - now);
      *out = entry.records;
      for (auto& record : *out) record.ttl = static_cast<uint32_t>(left.count());
    }
    return &entry;
  }

  std::vector<asio::ip::address> addresses_of(const Name& server) {
    std::vector<asio::ip::address> out;
    for (uint16_t t : {type::A, type::AAAA}) {
      std::vector<ResourceRecord> records;
      const Entry* entry = lookup(KeyRef{server, t}, &records);
      if (entry != nullptr && !entry->negative)
        for (const auto& record : records) out.push_back(address_of(record));
    }
    if (out.empty()) {
      auto hint = hint_addresses.find(server);
      if (hint != hint_addresses.end()) out = hint->second;
    }
    return out;
  }

  // The deepest zone cut known for `name`: from the cache, else the root hints.
  std::pair<Name, std::vector<Name>> closest_delegation(const Name& name) {
    for (size_t count = name.label_count(); count > 0; --count) {
      Name zone = name.suffix(count);
      std::vector<ResourceRecord> records;
      const Entry* entry = lookup(KeyRef{zone, type::NS}, &records);
      if (entry == nullptr || entry->negative || records.empty()) continue;
      std::vector<Name> servers;
      for (const auto& record : records) servers.push_back(std::get<RdataName>(record.rdata).name);
      return {zone, servers};
    }
    // The root: its primed NS set (RFC 8109) if cached, else the hints.
    std::vector<ResourceRecord> records;
    const Name root;
    const Entry* entry = lookup(KeyRef{root, type::NS}, &records);
    if (entry != nullptr && !entry->negative && !records.empty()) {
      std::vector<Name> servers;
      for (const auto& record : records) servers.push_back(std::get<RdataName>(record.rdata).name);
      return {Name(), servers};
    }
    return {Name(), root_servers};
  }

  // Root priming (RFC 8109): ask a root server from the hints for ". NS" once, so iteration
  // uses the root's current NS set and addresses rather than the possibly stale hints. When no
  // hinted server answers, the hints stay in use (RFC 8109 3.3).
  asio::awaitable<void> prime() {
    const Name root;
    int tries = 0;
    for (const auto& server_name : root_servers) {
      auto hint = hint_addresses.find(server_name);
      if (hint == hint_addresses.end()) continue;
      for (const auto& address : hint->second) {
        if (++tries > 3) co_return;  // bounded: a dead root costs at most three timeouts
        asio::ip::udp::endpoint endpoint(address, options.upstream_port);
        Message query = make_query(root, type::NS, false);
        Result<Message> reply = co_await exchange(endpoint, query, options.query_timeout);
        if (!reply || reply->rcode != rcode::NOERROR) continue;
        std::vector<ResourceRecord> ns;
        std::vector<Name> names;
        for (const auto& record : reply->answers) {
          if (record.type != type::NS || !record.name.is_root() || record.rclass != rclass::IN)
            continue;
          ns.push_back(record);
          names.push_back(std::get<RdataName>(record.rdata).name);
        }
        if (ns.empty()) continue;
        std::vector<ResourceRecord> addresses;
        for (const auto& record : reply->additional)
          if ((record.type == type::A || record.type == type::AAAA) &&
              std::find(names.begin(), names.end(), record.name) != names.end())
            addresses.push_back(record);
        store_rrsets(ns, reply->aa ? Trust::kAnswer : Trust::kNonAuthAnswer);
        store_rrsets(addresses, Trust::kGlue);
        co_return;
      }
    }
  }

  // --- iteration ---
  enum class CacheStep { kDone, kFollowed, kMiss };
  // One link of the chain from the cache: the final answer or negative answer (kDone), a CNAME
  // followed to a new `current` (kFollowed), or nothing usable (kMiss).
  CacheStep cache_step(Name& current, uint16_t qtype, Resolution& result) {
    std::vector<ResourceRecord> cached;
    if (lookup(KeyRef{current, kAnyTypeKey}, &cached) != nullptr) {
      result.rcode = rcode::NXDOMAIN;
      result.authority = std::move(cached);
      return CacheStep::kDone;
    }
    if (const Entry* hit = lookup(KeyRef{current, qtype}, &cached);
        hit && (answerable(hit->trust) || hit->negative)) {
      if (hit->negative) {
        result.rcode = hit->rcode;
        result.authority = std::move(cached);
      } else {
        result.rcode = rcode::NOERROR;
        result.answers.insert(result.answers.end(), cached.begin(), cached.end());
      }
      return CacheStep::kDone;
    }
    if (qtype != type::CNAME) {
      if (const Entry* hit = lookup(KeyRef{current, type::CNAME}, &cached);
          hit && answerable(hit->trust) && !hit->negative && !cached.empty()) {
        result.answers.push_back(cached.front());
        current = std::get<RdataName>(cached.front().rdata).name;
        return CacheStep::kFollowed;
      }
    }
    return CacheStep::kMiss;
  }

  // The whole answer from the cache, without suspending (the recursive server's fast path).
  std::optional<Resolution> answer_from_cache(const Name& qname, uint16_t qtype) {
    Resolution result;
    result.from_cache = true;
    Name current = qname;
    for (int hop = 0; hop <= options.max_cname_chain; ++hop) {
      CacheStep got = cache_step(current, qtype, result);
      if (got == CacheStep::kDone) return result;
      if (got == CacheStep::kMiss) return std::nullopt;
    }
    return std::nullopt;
  }

  asio::awaitable<Resolution> resolve_chain(const Name& qname, uint16_t qtype, Context& ctx,
                                            int depth) {
    Resolution result;
    result.from_cache = true;
    Name current = qname;
    for (int hop = 0; hop <= options.max_cname_chain; ++hop) {
      CacheStep got = cache_step(current, qtype, result);
      if (got == CacheStep::kDone) co_return result;
      if (got == CacheStep::kFollowed) continue;
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
    result.error = "CNAME chain longer than " + std::to_string(options.max_cname_chain);
    co_return result;
  }

  void record_step(Context& ctx, const Name& server_name, const asio::ip::udp::endpoint& server,
                   const Name& zone, const Question& question, const Result<Message>& response,
                   Clock::duration took, Transport transport, std::string summary) {
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
  asio::awaitable<Step> iterate(const Name& qname, uint16_t qtype, Context& ctx, int depth) {
    auto [zone, servers] = closest_delegation(qname);
    // QNAME minimisation (RFC 9156): ask each zone's servers only for the next label down,
    // with type A, until the full name is reached; without it, always the full question.
    const bool minimise = options.qname_minimisation;
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
      for (const auto& server_name : order) {
        std::vector<asio::ip::address> addresses = addresses_of(server_name);
        if (addresses.empty()) {
          if (depth >= options.max_ns_depth) {
            last_error = "NS name lookups nested too deeply";
            continue;
          }
          // RFC 1034 5.3.3 step 3: resolve the server's name first.
          Resolution found = co_await resolve_chain(server_name, type::A, ctx, depth + 1);
          for (const auto& record : found.answers)
            if (record.type == type::A && record.name == server_name)
              addresses.push_back(address_of(record));
          if (addresses.empty()) {
            last_error = "cannot find the address of " + server_name.to_string();
            continue;
          }
        }
        for (const auto& address : addresses) {
          if (ctx.queries >= options.max_queries) {
            co_return Step{rcode::SERVFAIL,
                           {},
                           {},
                           {},
                           "gave up after " + std::to_string(options.max_queries) + " queries"};
          }
          ++ctx.queries;
          asio::ip::udp::endpoint endpoint(address, options.upstream_port);
          Message query = make_query(ask_name, ask_type, false);
          auto started = Clock::now();
          Transport transport = Transport::Udp;
          Result<Message> reply =
              co_await exchange(endpoint, query, options.query_timeout, &transport);
          auto took = Clock::now() - started;
          if (!reply) {
            last_error = reply.error().message;
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
      if (!response) co_return Step{rcode::SERVFAIL, {}, {}, {}, last_error};
      if (descend) continue;
      // A referral: zone and servers moved down.
      if (++referrals > options.max_referrals)
        co_return Step{rcode::SERVFAIL,
                       {},
                       {},
                       {},
                       "more than " + std::to_string(options.max_referrals) + " referrals"};
      if (minimise && ask_labels < qname.label_count() && ask_labels <= zone.label_count())
        ask_labels = minimised_labels();
    }
  }

  // Reads one NOERROR/NXDOMAIN reply from a server of `zone`. A referral updates `zone` and
  // `servers` and returns error "referral". Records outside `zone` are ignored (bailiwick).
  Step classify(const Message& reply, const Name& qname, uint16_t qtype, Name& zone,
                std::vector<Name>& servers) {
    Step step;
    step.rcode = rcode::NOERROR;
    if (reply.aa) {
      // The zone's own NS set in an authoritative reply outranks the parent's referral copy.
      std::vector<ResourceRecord> zone_ns;
      for (const auto& record : reply.authority)
        if (record.type == type::NS && record.name == zone) zone_ns.push_back(record);
      if (!zone_ns.empty()) store_rrsets(zone_ns, Trust::kAuthAuthority);
    }
    // The answer: follow the chain from qname through records this zone may speak for.
    Name current = qname;
    std::vector<ResourceRecord> accepted;
    for (int hop = 0; hop <= options.max_cname_chain; ++hop) {
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
      store_rrsets(accepted, reply.aa ? Trust::kAnswer : Trust::kNonAuthAnswer);
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
          store_negative(*step.cname_target, qtype, rcode::NOERROR, soa);
          step.cname_target.reset();
        }
      }
      return step;
    }
    const ResourceRecord* soa = find_soa(reply.authority, zone);
    if (reply.rcode == rcode::NXDOMAIN) {
      step.rcode = rcode::NXDOMAIN;
      store_negative(qname, qtype, rcode::NXDOMAIN, soa);
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
      store_rrsets(ns_records, Trust::kReferral);
      store_rrsets(glue, Trust::kGlue);
      zone = *cut;
      servers = std::move(new_servers);
      step.error = "referral";
      return step;
    }
    if (soa != nullptr || reply.aa) {
      // NODATA (RFC 2308 2.2).
      store_negative(qname, qtype, rcode::NOERROR, soa);
      if (soa) step.authority = {*soa};
      return step;
    }
    step.rcode = rcode::SERVFAIL;
    step.error = "lame";
    return step;
  }

  static std::string summarize(const Step& step, const Message& reply, const Name& zone,
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
};

Result<std::vector<ResourceRecord>> load_root_hints(const std::filesystem::path& path) {
  auto records = parse_zone_file(path);
  if (!records) return records.error();
  bool has_ns = false, has_address = false;
  for (const auto& record : *records) {
    has_ns |= record.type == type::NS && record.name.is_root();
    has_address |= record.type == type::A || record.type == type::AAAA;
  }
  if (!has_ns || !has_address)
    return make_error(path.string() +
                      ": root hints need '. NS <server>' and that server's address");
  return records;
}

Resolver::Resolver(asio::any_io_executor executor, ResolverOptions options)
    : impl_(std::make_unique<Impl>(std::move(executor), std::move(options))) {}

Resolver::~Resolver() = default;

asio::awaitable<Resolution> Resolver::resolve(Name name, uint16_t qtype, TraceMode trace) {
  Impl& impl = *impl_;
  // Fast path: a complete answer in the cache needs no coalescing, priming or iteration.
  if (auto cached = impl.answer_from_cache(name, qtype)) co_return std::move(*cached);
  if (impl.options.prime_root && !impl.primed) {
    impl.primed = true;  // set first: questions arriving meanwhile use the hints
    co_await impl.prime();
  }
  Key key{name, qtype};
  if (trace == TraceMode::kOff) {
    auto found = impl.inflight.find(key);
    if (found != impl.inflight.end()) {
      // Coalesce: wait for the resolution already under way.
      auto pending = found->second;
      co_await pending->done.async_wait(kTuple);
      if (pending->result) co_return *pending->result;
    }
  }
  std::shared_ptr<Impl::Inflight> pending;
  if (trace == TraceMode::kOff && !impl.inflight.count(key)) {
    pending = std::make_shared<Impl::Inflight>(impl.executor);
    impl.inflight.emplace(key, pending);
  }
  Context ctx;
  ctx.trace_mode = trace;
  Resolution result;
  try {
    result = co_await impl.resolve_chain(name, qtype, ctx, 0);
  } catch (...) {
    if (pending) {
      impl.inflight.erase(key);
      pending->done.cancel();
    }
    throw;
  }
  result.trace = std::move(ctx.trace);
  if (pending) {
    pending->result = result;
    impl.inflight.erase(key);
    pending->done.cancel();
  }
  co_return result;
}

std::optional<Resolution> Resolver::resolve_from_cache(const Name& name, uint16_t type) {
  return impl_->answer_from_cache(name, type);
}

void Resolver::clear_cache() {
  impl_->clear();
  impl_->primed = false;
}
size_t Resolver::cache_size() const {
  return impl_->cache.size();
}
const ResolverOptions& Resolver::options() const {
  return impl_->options;
}

std::string trace_to_string(const Resolution& resolution) {
  std::string out;
  for (const auto& step : resolution.trace) {
    out += "; ask " + step.server_name + " (" + endpoint_to_string(step.server) +
           ") as server of " + step.zone.to_string() + " for " + step.question.name.to_string() +
           " " + type_to_string(step.question.type) + "\n";
    if (step.response) {
      for (const auto* section :
           {&step.response->answers, &step.response->authority, &step.response->additional})
        for (const auto& record : *section) out += record.to_string() + "\n";
    }
    out += ";; " + step.summary + " (from " + step.server_name + " " +
           endpoint_to_string(step.server) + " over " + transport_to_string(step.transport) +
           " in " + std::to_string(step.duration.count() / 1000) + "." +
           std::to_string((step.duration.count() / 100) % 10) + " ms)\n\n";
  }
  return out;
}

}  // namespace miniweb::dns
