#pragma once
// The demo internet's description (demo/topology.toml): name servers and their zones, the
// resolver, the CA, web sites with their certificates, upstream groups of backends, extra
// host names. Read and checked here; stack/plan turns it into files and services.

#include <toml++/toml.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "shared/result.hpp"

namespace miniweb::stack {

// Addresses in the description are the last octet under the stack's network (MINIWEB_NET).
using HostOctet = int;

struct Nameserver {
  toml::source_region where;  // for errors that concern the entry as a whole
  std::string service;        // process name in the launcher (root-dns, tld-dns, ...)
  std::string host;           // its own name, e.g. ns1.nic.test (absolute, without the final dot)
  HostOctet address = 0;
  std::vector<std::string> zones;  // origins with a final dot: ".", "test.", "example.test."
  std::uint32_t ttl = 3600;
};

struct ExtraHost {
  toml::source_region where;  // for errors that concern the entry as a whole
  std::string name;
  HostOctet address = 0;
};

// Any other record, written as a zone file would: `name`, `type`, and the data ("v=spf1 -all").
struct ExtraRecord {
  toml::source_region where;
  std::string name;
  std::string type;
  std::vector<std::string> data;  // one record per item: an RRset
};

// How a site's certificate comes to be.
enum class CertificateKind {
  Acme,     // obtained from the stack's CA (ACME), as servers normally get them
  Expired,  // the rest are wrong on purpose, as badssl.com's are
  WrongHost,
  UntrustedRoot,
  SelfSigned,
  IncompleteChain,
  Revoked,
};

struct Site {
  toml::source_region where;  // for errors that concern the entry as a whole
  std::string service;
  HostOctet address = 0;  // taken from the first site of the same service when absent
  std::vector<std::string> names;
  CertificateKind certificate = CertificateKind::Acme;
  std::string issued_for;  // WrongHost: the name the certificate is for instead
  // `dns = false`: its names get no record, so only a lie sends anyone there (the impostor of
  // ./miniweb experiment impersonate, reached through a spoofed answer).
  bool in_dns = true;
  // `hsts = false`: its server sends no Strict-Transport-Security. The header is the server's,
  // so every site of one service must agree.
  bool hsts = true;
  // The server's own site configuration (every other key), passed through to its file.
  toml::table server_settings;
};

struct Backend {
  toml::source_region where;  // for errors that concern the entry as a whole
  std::string name;           // backend-1: what its page says
  std::string service;        // <upstream>-<name>
  HostOctet address = 0;
  int weight = 1;
};

// What an upstream's backends run.
enum class BackendKind {
  StaticPage,       // a miniweb-server each, serving one page made from `page`
  ShopApplication,  // a miniweb-shop each, over one database ($STATE/shop/shop.db)
};

struct Upstream {
  std::string name;
  BackendKind kind = BackendKind::StaticPage;  // `application = "shop"`, or `page`
  std::filesystem::path page;                  // StaticPage: template of each backend's index.html
  std::vector<Backend> backends;
  toml::table server_settings;  // balance, max_fails, ...: the server's upstream keys
};

// A forward proxy (squid's job): CONNECT tunnels to the stack's HTTPS port and absolute-form
// plain HTTP, for loopback clients, names resolved through the stack's resolver.
struct ForwardProxy {
  toml::source_region where;
  std::string service;
  std::string name;  // its host name in DNS, e.g. proxy.example.test
  HostOctet address = 0;
  std::uint16_t port = 3128;
};

// A distance between hosts (demo/topology.toml's [[link]]): the round trip from `from` to each
// of `to`, used by the network profiles that have distance (stack/links). An end is "browser"
// (the browser's own host), a service, "sites" (every site's service and forward proxy) or
// "backends" (every upstream backend).
struct LinkEntry {
  toml::source_region where;
  std::string from;
  std::vector<std::string> to;
  double round_trip_ms = 0;
};

struct Topology {
  std::filesystem::path source;
  std::string resolver_service = "resolver";
  HostOctet resolver_address = 53;
  std::string ca_service = "ca";
  std::string ca_name = "ca.test";
  HostOctet ca_address = 30;
  std::vector<Nameserver> nameservers;
  std::vector<ExtraHost> hosts;
  std::vector<ExtraRecord> records;
  std::vector<Site> sites;
  std::vector<Upstream> upstreams;
  std::vector<ForwardProxy> forward_proxies;
  std::vector<LinkEntry> links;
};

// Reads and checks the description: an error names the file, the line and the reason.
Result<Topology> load_topology(const std::filesystem::path& file);
// The same over the description's text, touching no file: `file` names the source in errors.
// What load_topology calls once it has read the file.
Result<Topology> parse_topology(std::string_view text, const std::filesystem::path& file);

// Whether an absolute name ("www.example.test.") lies in the zone at `origin` ("example.test.").
bool name_in_zone(const std::string& absolute, const std::string& origin);

// "example.test" -> "example.test."; "." stays.
std::string absolute_name(std::string name);

}  // namespace miniweb::stack
