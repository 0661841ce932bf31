#pragma once
// Reverse proxying to upstream groups: the choice of a server (round robin, nginx's smooth
// weighted round robin, least connections), passive health checks, retries on the next
// server, and keep-alive connections to upstreams.

#include <asio.hpp>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "server/config.hpp"
#include "shared/http/message.hpp"

namespace miniweb::server {

// Which server of a group to try, and whether each is healthy. Pure state without I/O, after
// nginx's ngx_http_upstream_round_robin.c and ngx_http_upstream_least_conn_module.c; times
// are parameters so tests can drive them.
class Balancer {
 public:
  using Clock = std::chrono::steady_clock;

  Balancer(BalanceMethod method, const std::vector<int>& weights, int max_fails,
           Clock::duration fail_timeout);

  // The server to try next among those not in `tried` and not out; nullopt when none is left.
  std::optional<std::size_t> pick(const std::vector<bool>& tried, Clock::time_point now);

  // A request to `server` started or ended (least connections counts them).
  void started(std::size_t server) { ++peers_[server].active; }
  void finished(std::size_t server) { --peers_[server].active; }
  // Passive health (nginx max_fails/fail_timeout): `max_fails` failures within `fail_timeout`
  // take a server out for `fail_timeout`; a success forgets the failures.
  void failed(std::size_t server, Clock::time_point now);
  void succeeded(std::size_t server) { peers_[server].fails = 0; }

  bool available(std::size_t server, Clock::time_point now) const {
    return now >= peers_[server].out_until;
  }
  std::size_t size() const { return peers_.size(); }

 private:
  struct Peer {
    int weight = 1;
    int current_weight = 0;  // smooth weighted round robin
    int active = 0;
    int fails = 0;
    Clock::time_point first_failure{};
    Clock::time_point out_until{};
  };
  std::optional<std::size_t> smooth_weighted(const std::vector<std::size_t>& candidates);

  BalanceMethod method_;
  int max_fails_;
  Clock::duration fail_timeout_;
  std::vector<Peer> peers_;
  std::size_t next_ = 0;  // plain round robin
};

// What the proxy passes on about the client (X-Forwarded-*, Via).
struct ForwardContext {
  std::string client_address;
  bool tls = false;
  std::string via_name;              // this server's name in Via
  const SiteConfig* site = nullptr;  // whose error pages dress a 502 or 504
  bool early_data = false;           // the request came in TLS early data (RFC 8470)
};

// One upstream group with its balancer and its idle connections. Lives on one io_context
// thread, so it needs no locks.
class UpstreamGroup {
 public:
  UpstreamGroup(asio::any_io_executor executor, const UpstreamConfig& config);
  ~UpstreamGroup();

  // Forwards the request and returns the upstream's response, or 502 (no server answered
  // properly) or 504 (a server timed out). A connection failure moves on to the next server
  // (nothing was sent); a failure after sending does so only for idempotent methods.
  asio::awaitable<http::Response> forward(const http::Request& request,
                                          const ForwardContext& context);

  // Closes the kept-alive connections (on stop).
  void close_idle();

  const UpstreamConfig& config() const { return config_; }
  Balancer& balancer() { return balancer_; }

 private:
  enum class Outcome { Ok, ConnectFailed, SendFailed, ReadFailed, TimedOut, BadResponse };
  asio::awaitable<Outcome> exchange(std::size_t server, const std::string& wire,
                                    const std::string& method, http::Response& response);
  // Puts a connection in the pool, watched while it waits, as nginx's keepalive close handler:
  // when the server closes it (or sends what nobody asked for), it is closed here too and
  // leaves the pool, instead of holding a descriptor in CLOSE_WAIT until a request finds it
  // dead.
  void keep_idle(std::size_t server, std::unique_ptr<asio::ip::tcp::socket> socket);

  struct IdleConnection {
    std::unique_ptr<asio::ip::tcp::socket> socket;
    std::uint64_t id;  // its watch's, to find it again
  };
  asio::any_io_executor executor_;
  UpstreamConfig config_;
  Balancer balancer_;
  std::vector<asio::ip::tcp::endpoint> endpoints_;
  std::vector<std::vector<IdleConnection>> idle_;  // per server
  std::uint64_t next_idle_id_ = 0;
  // A watch that completes after the group is gone must not touch it.
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);
};

// Every group of a configuration, by name.
using UpstreamGroups = std::map<std::string, std::unique_ptr<UpstreamGroup>, std::less<>>;
UpstreamGroups make_upstream_groups(asio::any_io_executor executor,
                                    const std::vector<UpstreamConfig>& configs);

}  // namespace miniweb::server
