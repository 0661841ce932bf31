#pragma once
// The server's configuration: one TOML file (toml++), paths relative to the file's folder.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "shared/http/parser.hpp"
#include "shared/result.hpp"

namespace miniweb::server {

enum class ListenerKind { Https, Http };

struct ListenerConfig {
  std::string address;
  std::uint16_t port = 0;
  ListenerKind kind = ListenerKind::Https;
};

// Requests whose path starts with `prefix` go to the upstream group `upstream`.
struct ProxyRoute {
  std::string prefix;
  std::string upstream;
};

// Certificates obtained by ACME (RFC 8555) instead of configured files, as Caddy does. Set in
// a server-level [acme] table; a site opts in with `acme = true` or overrides keys with
// `acme = { ... }`.
struct AcmeConfig {
  std::string directory;             // https://ca.test:14000/directory
  std::vector<std::string> contact;  // mailto: URLs
  std::filesystem::path state_dir;   // account key, certificates and keys (files 0600)
  std::filesystem::path ca_bundle;   // PEM roots trusted for the CA's own HTTPS; the only ones
  std::string resolver;  // DNS resolver ADDR[:PORT] for the CA's host name; empty: the system's
  // Renew when less than this fraction of the certificate's lifetime remains (Let's Encrypt and
  // Caddy: one third).
  double renewal_window_ratio = 1.0 / 3.0;
  std::chrono::seconds renewal_check_interval{600};  // Caddy's default: every 10 minutes
};

struct SiteConfig {
  std::vector<std::string> names;  // lower-case host names; the first is the primary one
  std::filesystem::path root;      // document root; empty for a site that only proxies
  // Both empty for a site served only over plain HTTP (a backend).
  std::filesystem::path certificate_chain;
  std::filesystem::path private_key;
  // Variants of a directory's index, negotiated by Accept (e.g. index.html, index.json).
  std::vector<std::string> index_files = {"index.html"};
  // Plain HTTP answers 301 to HTTPS; false makes the site serve plain HTTP (a backend).
  bool redirect_to_https = true;
  bool gzip = true;  // compress text when the client accepts gzip
  // Status -> a path under the root whose content replaces the built-in error page.
  std::map<int, std::string> error_pages;
  std::vector<ProxyRoute> proxies;  // longest prefix wins
  // When set, certificate_chain and private_key name files in acme->state_dir that the ACME
  // client writes; they may not exist yet.
  std::optional<AcmeConfig> acme;
};

enum class BalanceMethod { RoundRobin, WeightedRoundRobin, LeastConnections };

struct UpstreamServerConfig {
  std::string address;  // an IP address
  std::uint16_t port = 0;
  int weight = 1;
};

// An upstream group, with nginx's defaults where it has them.
struct UpstreamConfig {
  std::string name;
  BalanceMethod balance = BalanceMethod::WeightedRoundRobin;
  std::vector<UpstreamServerConfig> servers;
  int max_fails = 1;                        // failures within fail_timeout that take a server out
  std::chrono::seconds fail_timeout{10};    // the window, and how long it stays out
  std::chrono::seconds connect_timeout{5};  // then the next server is tried
  std::chrono::seconds read_timeout{30};    // then 504
  std::size_t keepalive = 16;               // idle connections kept per server
  std::size_t max_response_bytes = 64 << 20;
};

struct LimitsConfig {
  http::Limits http;
  std::chrono::seconds header_timeout{10};  // slowloris: 408 and close
  std::chrono::seconds keepalive_timeout{15};
  std::chrono::seconds send_timeout{30};
  std::size_t max_connections = 1024;
  std::size_t max_requests_per_connection = 1000;
};

struct ServerConfig {
  std::filesystem::path source;  // the file it was read from
  std::vector<ListenerConfig> listeners;
  std::vector<SiteConfig> sites;  // the first one is the default site
  std::vector<UpstreamConfig> upstreams;
  LimitsConfig limits;
  std::string server_name = "miniweb";
  std::chrono::seconds hsts_max_age{31536000};
};

// Reads and checks a configuration file; an error names the file, the line and the reason.
Result<ServerConfig> load_config(const std::filesystem::path& file);

}  // namespace miniweb::server
