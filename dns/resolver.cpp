#include "dns/resolver.hpp"

#include <asio/experimental/as_tuple.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>
#include <unordered_map>

#include "dns/resolver_cache.hpp"
#include "dns/resolver_iteration.hpp"
#include "dns/zone_parser.hpp"
#include "shared/dns/client.hpp"

namespace miniweb::dns {
namespace {

constexpr auto kTuple = asio::experimental::as_tuple(asio::use_awaitable);

}  // namespace

// The resolver is its cache, its iteration, and the resolutions in flight that identical
// questions share.
struct Resolver::Impl {
  Impl(asio::any_io_executor executor, ResolverOptions options)
      : executor(std::move(executor)),
        options(std::move(options)),
        cache(this->options),
        iteration(this->options, cache) {}

  asio::any_io_executor executor;
  ResolverOptions options;
  ResolverCache cache;
  ResolverIteration iteration;
  bool primed = false;
  uint64_t hits = 0;
  uint64_t misses = 0;
  std::function<void()> on_flush;

  void flushed() {
    if (on_flush) on_flush();
  }

  // After a flush: prime again when the root's NS set is no longer cached.
  void reprime_if_root_gone() {
    if (cache.lookup(CacheKeyRef{Name(), type::NS}, nullptr) == nullptr) primed = false;
  }

  struct Inflight {
    explicit Inflight(asio::any_io_executor executor) : done(executor) {
      done.expires_at(std::chrono::steady_clock::time_point::max());
    }
    asio::steady_timer done;
    std::optional<Resolution> result;
  };
  std::unordered_map<CacheKey, std::shared_ptr<Inflight>, CacheKeyHash, CacheKeyEqual> inflight;
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
  if (auto cached = impl.cache.answer(name, qtype)) {
    ++impl.hits;
    co_return std::move(*cached);
  }
  ++impl.misses;
  ResolverIteration::Context ctx;
  ctx.trace_mode = trace;
  if (impl.options.prime_root && !impl.primed) {
    impl.primed = true;  // set first: questions arriving meanwhile use the hints
    co_await impl.iteration.prime(ctx);
  }
  CacheKey key{name, qtype};
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
  Resolution result;
  try {
    result = co_await impl.iteration.resolve(name, qtype, ctx);
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
  auto cached = impl_->cache.answer(name, type);
  // A miss is counted by the resolve() that follows it.
  if (cached) ++impl_->hits;
  return cached;
}

bool Resolver::answer_from_cache(const Name& name, uint16_t type, uint16_t& rcode,
                                 std::vector<ResourceRecord>& answers,
                                 std::vector<ResourceRecord>& authority) {
  const bool hit = impl_->cache.answer_into(name, type, rcode, answers, authority);
  if (hit) ++impl_->hits;  // a miss is counted by the resolve() that follows it
  return hit;
}

size_t Resolver::flush_name(const Name& name) {
  const size_t removed = impl_->cache.remove_name(name);
  impl_->reprime_if_root_gone();
  impl_->flushed();
  return removed;
}

size_t Resolver::flush_zone(const Name& name) {
  const size_t removed = impl_->cache.remove_subtree(name);
  impl_->reprime_if_root_gone();
  impl_->flushed();
  return removed;
}

size_t Resolver::flush_all() {
  const size_t removed = impl_->cache.clear();
  impl_->primed = false;
  impl_->flushed();
  return removed;
}

void Resolver::on_flush(std::function<void()> forget) {
  impl_->on_flush = std::move(forget);
}

void Resolver::count_hit() {
  ++impl_->hits;
}

std::vector<CachedEntry> Resolver::cached_at(const Name& name) const {
  return impl_->cache.entries_at(name);
}

ResolverStats Resolver::stats() const {
  return ResolverStats{.entries = impl_->cache.size(),
                       .hits = impl_->hits,
                       .misses = impl_->misses,
                       .upstream_queries = impl_->iteration.queries_sent()};
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
    // A reply says whom it came from; a failed exchange only whom it asked.
    const std::string took = std::to_string(step.duration.count() / 1000) + "." +
                             std::to_string((step.duration.count() / 100) % 10) + " ms";
    out += ";; " + step.summary + (step.response ? " (from " : " (asked ") + step.server_name +
           " " + endpoint_to_string(step.server) + " over " + transport_to_string(step.transport) +
           (step.response ? " in " + took : ", gave up after " + took) + ")\n\n";
  }
  return out;
}

}  // namespace miniweb::dns
