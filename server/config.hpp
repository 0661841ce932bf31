#pragma once
// The server's configuration: one TOML file (toml++), paths relative to the file's folder.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "server/error_log.hpp"
#include "shared/cidr.hpp"
#include "shared/http/http2_limits.hpp"
#include "shared/http/parser.hpp"
#include "shared/result.hpp"

namespace miniweb::server {

enum class ListenerKind { Https, Http, ForwardProxy };

// A forward proxy's settings (squid's http_access and CONNECT port rules, in small).
struct ForwardProxyConfig {
  // Clients that may use the proxy; everyone else gets 403.
  std::vector<Cidr> allow = {*Cidr::parse("127.0.0.0/8"), *Cidr::parse("::1")};
  // Ports CONNECT may open a tunnel to (squid's SSL_ports); others get 403.
  std::vector<std::uint16_t> connect_ports = {443};
  // The DNS resolver ("IP" or "IP:PORT") that names are resolved through; empty: the system's.
  std::string resolver;
  std::chrono::seconds connect_timeout{10};       // then 504
  std::chrono::seconds read_timeout{60};          // an origin's response (absolute-form), then 504
  std::chrono::seconds tunnel_idle_timeout{300};  // a tunnel with no bytes either way is closed
};

struct ListenerConfig {
  std::string address;
  std::uint16_t port = 0;
  ListenerKind kind = ListenerKind::Https;
  ForwardProxyConfig forward;  // for ListenerKind::ForwardProxy
  // nginx's `listen ... deferred`: the server is woken for a connection once its first bytes
  // are in (TCP_DEFER_ACCEPT), not as soon as its TCP handshake completes (server.cpp).
  bool deferred = false;
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

  bool operator==(const AcmeConfig&) const = default;
};

// nginx's `return code [text|URL];` in a location: any request for an exact path (nginx's
// `location = /path`) or under a prefix is answered with a fixed status, headers and body.
struct ReturnRule {
  std::string path;      // exact match; or
  std::string prefix;    // prefix match (the longest prefix wins, against proxy routes too)
  int status = 200;      // 200 to 599: a 1xx cannot be a final response
  std::string location;  // Location; required for 301, 302, 303, 307 and 308
  std::optional<std::string> body;  // none: a built-in page for the status
  std::string content_type = "text/html; charset=utf-8";
  std::vector<std::pair<std::string, std::string>> headers;  // e.g. Retry-After, WWW-Authenticate
};

// 103 Early Hints (RFC 8297): before the final response to a request for `path`, an interim
// response with these Link values, so a client can start fetching what the page will need.
struct EarlyHints {
  std::string path;
  std::vector<std::string> links;
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
  std::vector<ReturnRule> returns;  // exact paths first, then the longest prefix
  std::vector<EarlyHints> early_hints;
  // Staples the OCSP response for the site's certificate into its handshakes when the
  // certificate names a responder (RFC 6066 section 8), as Caddy does by default.
  bool ocsp_stapling = true;
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
  // The local address the connections to the servers start from (nginx's proxy_bind); empty:
  // the kernel's choice. An application that trusts X-Forwarded-For only from its proxy tells
  // the proxy from a client by this address.
  std::string bind;
};

struct LimitsConfig {
  http::Limits http;
  std::chrono::seconds header_timeout{10};  // slowloris: 408 and close
  std::chrono::seconds keepalive_timeout{15};
  std::chrono::seconds send_timeout{30};
  std::size_t max_connections = 1024;
  std::size_t max_requests_per_connection = 1000;
  http::Http2Limits http2;
};

// Where the logs go (nginx's access_log and error_log); paths are relative to the file.
struct LogConfig {
  std::filesystem::path access_log;  // empty: standard error
  bool access_log_off = false;       // access_log = "off"
  std::filesystem::path error_log;   // empty: standard error
  LogLevel error_level = LogLevel::Notice;
};

struct ServerConfig {
  std::filesystem::path source;  // the file it was read from
  std::vector<ListenerConfig> listeners;
  std::vector<SiteConfig> sites;  // the first one is the default site
  std::vector<UpstreamConfig> upstreams;
  LimitsConfig limits;
  std::string server_name = "miniweb";
  std::chrono::seconds hsts_max_age{31536000};
  // ALPN offers h2 beside http/1.1 on TLS listeners (nginx's `http2 on`).
  bool http2 = true;
  // TLS 1.3 early data accepted from resumed sessions, its safe requests answered before the
  // handshake ends (nginx's `ssl_early_data`; server/early_data.hpp).
  bool early_data = true;
  LogConfig logs;
  // The DNS resolver ("IP" or "IP:PORT") for the OCSP responders' names (nginx's `resolver`);
  // empty: a site with acme uses its acme.resolver; the others look no name up (an OCSP URL
  // with an IP address still works).
  std::string resolver;
};

// Reads and checks a configuration file; an error names the file, the line and the reason.
Result<ServerConfig> load_config(const std::filesystem::path& file);
// The same over the file's text, touching no file: `file` names the source in errors, and
// relative paths in it are taken from its folder. What load_config calls once it has read it.
Result<ServerConfig> parse_config(std::string_view text, const std::filesystem::path& file);

}  // namespace miniweb::server
