#pragma once
// How the browser finds an address for a host name, layer by layer as a real browser does:
// its own DNS cache, the hosts file, the on-disk cache kept between runs, then the
// recursive resolver (RFC 1035 over UDP). What the resolver itself did (the root, the TLD,
// the authoritative server, or its cache) is not guessed here: the packet view captures it.

#include <asio/ip/address.hpp>
#include <asio/ip/udp.hpp>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "browser/exit_codes.hpp"
#include "browser/net/load_observer.hpp"
#include "browser/trace.hpp"
#include "shared/awaitable.hpp"
#include "shared/dns/client.hpp"
#include "shared/result.hpp"

namespace miniweb::browser {

struct ResolverSettings {
  std::optional<asio::ip::udp::endpoint> recursive;  // the recursive resolver to ask
  std::filesystem::path hosts_file = "/etc/hosts";
  // Each question waits this long for the resolver, and is asked this many times in all
  // (glibc's resolv.conf "timeout" and "attempts"): a datagram lost is asked again.
  std::chrono::milliseconds timeout{2000};
  int attempts = 2;
  // A folder for the DNS cache kept between runs (dns-cache.json); none when empty.
  std::filesystem::path cache_dir;
};

struct ResolvedHost {
  std::vector<asio::ip::address> addresses;
  // From an HTTPS record (RFC 9460 section 7.2): the port the service really listens on.
  std::optional<std::uint16_t> https_port;
  std::string layer;  // which layer answered: "browser cache", "hosts file", "recursive resolver"
};

class HostResolver {
 public:
  explicit HostResolver(ResolverSettings settings) : settings_(std::move(settings)) {}

  asio::awaitable<Result<ResolvedHost>> resolve(const std::string& host, Trace& trace);
  // Who watches the load in progress (the packet view), or nullptr.
  void set_observer(LoadObserver* observer) { observer_ = observer; }

 private:
  std::optional<ResolvedHost> from_hosts_file(const std::string& host) const;
  std::optional<ResolvedHost> from_disk_cache(const std::string& host) const;
  // Writes the answer into the on-disk cache (settings_.cache_dir, not empty): what was kept,
  // or why nothing was.
  std::string save_to_disk_cache(const std::string& host, const ResolvedHost& resolved,
                                 std::uint32_t ttl) const;
  asio::awaitable<Result<ResolvedHost>> from_recursive(const std::string& host, Trace& trace);
  // A question to the recursive resolver whose first asking got `reply`: asked again while
  // unanswered (settings_.attempts in all); `step` finished with the answer, or the failure.
  asio::awaitable<Result<dns::Message>> ask_again(const dns::Name& name, std::uint16_t type,
                                                  Trace& trace, std::size_t step,
                                                  Result<dns::Message> reply);
  // The resolver's answer to one question written into `step`, which it finishes.
  static void note_answer(Trace& trace, std::size_t step, const dns::Message& reply,
                          const dns::ExchangeNotes& notes);

  struct CacheEntry {
    ResolvedHost host;
    std::chrono::steady_clock::time_point expires;
  };
  ResolverSettings settings_;
  std::map<std::string, CacheEntry> cache_;  // the browser's own DNS cache
  LoadObserver* observer_ = nullptr;
  // The local ends a question to the resolver left from, for the load's observer.
  void tell_observer(const dns::ExchangeNotes& notes);
};

}  // namespace miniweb::browser
