#include "stack/topology.hpp"

#include <algorithm>
#include <fstream>
#include <iterator>
#include <map>
#include <set>

namespace miniweb::stack {
namespace {

// A problem at a place in the file; turned into "file:line: reason" at the top.
struct TopologyError {
  std::string message;
  toml::source_region where;
};

const toml::node& require(const toml::table& table, std::string_view key, std::string_view what) {
  const toml::node* node = table.get(key);
  if (!node)
    throw TopologyError{std::string(what) + " needs '" + std::string(key) + "'", table.source()};
  return *node;
}

std::string string_at(const toml::table& table, std::string_view key, std::string_view what) {
  const toml::node& node = require(table, key, what);
  auto value = node.value<std::string>();
  if (!value || value->empty())
    throw TopologyError{"'" + std::string(key) + "' must be a non-empty string", node.source()};
  return *value;
}

// Service names become file names and launcher words: keep them plain.
std::string service_at(const toml::table& table, std::string_view what) {
  std::string name = string_at(table, "service", what);
  bool ok = std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
  });
  if (!ok)
    throw TopologyError{"a service name is lower-case letters, digits and '-'",
                        table.get("service")->source()};
  return name;
}

std::string optional_string(const toml::table& table, std::string_view key, std::string fallback) {
  const toml::node* node = table.get(key);
  if (!node) return fallback;
  auto value = node->value<std::string>();
  if (!value) throw TopologyError{"'" + std::string(key) + "' must be a string", node->source()};
  return *value;
}

HostOctet octet_at(const toml::node& node) {
  auto value = node.value_exact<std::int64_t>();
  if (!value || *value < 1 || *value > 254)
    throw TopologyError{"an address is the last octet under the stack's network, 1 to 254",
                        node.source()};
  return static_cast<HostOctet>(*value);
}

// Host names as DNS writes them: letters, digits, hyphens, dots; lower case; no empty label.
bool is_host_name(std::string_view name) {
  return !name.empty() && name.size() <= 253 && name.front() != '.' && name.back() != '.' &&
         name.find("..") == std::string_view::npos &&
         std::all_of(name.begin(), name.end(), [](char c) {
           return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
         });
}

std::string host_name(const toml::node& node) {
  auto value = node.value<std::string>();
  if (!value || !is_host_name(*value))
    throw TopologyError{
        "a host name is lower-case letters, digits, '-' and '.', without a final dot",
        node.source()};
  return *value;
}

const toml::array& array_at(const toml::table& table, std::string_view key, std::string_view what) {
  const toml::node& node = require(table, key, what);
  const toml::array* array = node.as_array();
  if (!array || array->empty())
    throw TopologyError{"'" + std::string(key) + "' must be a non-empty list", node.source()};
  return *array;
}

// Each [[name]] entry, in order; a single [name] table is refused (it is a list).
template <class Each>
void for_each_entry(const toml::table& root, std::string_view key, Each each) {
  const toml::node* node = root.get(key);
  if (!node) return;
  const toml::array* entries = node->as_array();
  if (!entries)
    throw TopologyError{"'" + std::string(key) + "' is a list: write [[" + std::string(key) + "]]",
                        node->source()};
  for (const toml::node& entry : *entries) {
    const toml::table* table = entry.as_table();
    if (!table)
      throw TopologyError{"each '" + std::string(key) + "' entry is a table", entry.source()};
    each(*table);
  }
}

CertificateKind certificate_kind(const toml::table& table) {
  const toml::node* node = table.get("certificate");
  if (!node) return CertificateKind::Acme;
  static const std::map<std::string, CertificateKind, std::less<>> kinds = {
      {"acme", CertificateKind::Acme},
      {"expired", CertificateKind::Expired},
      {"wrong-host", CertificateKind::WrongHost},
      {"untrusted-root", CertificateKind::UntrustedRoot},
      {"self-signed", CertificateKind::SelfSigned},
      {"incomplete-chain", CertificateKind::IncompleteChain},
      {"revoked", CertificateKind::Revoked},
  };
  auto value = node->value<std::string>();
  auto found = value ? kinds.find(*value) : kinds.end();
  if (found == kinds.end())
    throw TopologyError{
        "certificate is one of acme, expired, wrong-host, untrusted-root, "
        "self-signed, incomplete-chain, revoked",
        node->source()};
  return found->second;
}

// The site's keys that belong to the description, not to the server.
toml::table server_settings_of(const toml::table& table,
                               std::initializer_list<std::string_view> description_keys) {
  toml::table settings = table;
  for (std::string_view key : description_keys) settings.erase(key);
  return settings;
}

// Keys the description does not know are refused, so a misspelt one is not silently ignored.
void only_keys(const toml::table& table, std::initializer_list<std::string_view> known,
               std::string_view what) {
  for (const auto& [key, node] : table)
    if (std::find(known.begin(), known.end(), key.str()) == known.end())
      throw TopologyError{"unknown key '" + std::string(key.str()) + "' in " + std::string(what),
                          node.source()};
}

// The server settings a site or upstream passes through are written again, by toml++, into the
// server's configuration. toml++ 3.3 writes a key holding a tab, a line break or a single quote
// bare, as no TOML reader (its own included) reads it back: such keys are refused here, at their
// line, rather than in a generated file at the server's start. No key the server knows has one.
void keys_written_back(const toml::node& node) {
  if (const toml::array* array = node.as_array()) {
    for (const toml::node& item : *array) keys_written_back(item);
    return;
  }
  const toml::table* table = node.as_table();
  if (!table) return;
  for (const auto& [key, value] : *table) {
    if (key.str().find_first_of("\t\n\r'") != std::string_view::npos)
      throw TopologyError{"a key holds no tab, line break or single quote", value.source()};
    keys_written_back(value);
  }
}

Nameserver read_nameserver(const toml::table& table) {
  only_keys(table, {"service", "host", "address", "zones", "ttl"}, "a name server");
  Nameserver server;
  server.where = table.source();
  server.service = service_at(table, "a name server");
  server.host = host_name(require(table, "host", "a name server"));
  server.address = octet_at(require(table, "address", "a name server"));
  for (const toml::node& zone : array_at(table, "zones", "a name server")) {
    // The origin names the zone's file too: a host name and its dot, nothing a path could
    // read otherwise ("/etc.", "..").
    auto origin = zone.value<std::string>();
    if (!origin || (*origin != "." &&
                    (!origin->ends_with('.') ||
                     !is_host_name(std::string_view(*origin).substr(0, origin->size() - 1)))))
      throw TopologyError{
          "a zone origin is \".\" or a host name with a final dot: \"test.\", "
          "\"example.test.\"",
          zone.source()};
    server.zones.push_back(*origin);
  }
  if (const toml::node* ttl = table.get("ttl")) {
    auto value = ttl->value_exact<std::int64_t>();
    if (!value || *value < 1 || *value > 604800)
      throw TopologyError{"ttl is 1 to 604800 seconds", ttl->source()};
    server.ttl = static_cast<std::uint32_t>(*value);
  }
  return server;
}

// A yes-or-no key with its default when absent.
bool flag_at(const toml::table& table, std::string_view key, bool absent) {
  const toml::node* node = table.get(key);
  if (!node) return absent;
  auto value = node->value<bool>();
  if (!value) throw TopologyError{std::string(key) + " is true or false", node->source()};
  return *value;
}

Site read_site(const toml::table& table) {
  Site site;
  site.where = table.source();
  site.service = service_at(table, "a site");
  if (const toml::node* address = table.get("address")) site.address = octet_at(*address);
  for (const toml::node& name : array_at(table, "names", "a site"))
    site.names.push_back(host_name(name));
  site.certificate = certificate_kind(table);
  if (site.certificate == CertificateKind::WrongHost)
    site.issued_for = host_name(require(table, "issued_for", "a wrong-host site"));
  site.in_dns = flag_at(table, "dns", true);
  site.hsts = flag_at(table, "hsts", true);
  site.server_settings =
      server_settings_of(table, {"service", "address", "certificate", "issued_for", "dns", "hsts"});
  return site;
}

Upstream read_upstream(const toml::table& table) {
  Upstream upstream;
  upstream.name = string_at(table, "name", "an upstream");
  // Either a program of the project behind the proxy, or a static page per backend.
  if (const toml::node* application = table.get("application")) {
    if (table.get("page"))
      throw TopologyError{"an upstream has 'application' or 'page', not both", table.source()};
    if (application->value<std::string>() != "shop")
      throw TopologyError{"the only application is \"shop\" (miniweb-shop)", application->source()};
    upstream.kind = BackendKind::ShopApplication;
  } else {
    upstream.page = string_at(table, "page", "an upstream without 'application'");
  }
  for_each_entry(table, "backend", [&](const toml::table& entry) {
    only_keys(entry, {"name", "address", "weight"}, "a backend");
    Backend backend;
    backend.where = entry.source();
    backend.name = string_at(entry, "name", "a backend");
    if (backend.name.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-") !=
        std::string::npos)
      throw TopologyError{"a backend name is lower-case letters, digits and '-'", entry.source()};
    backend.service = upstream.name + "-" + backend.name;
    backend.address = octet_at(require(entry, "address", "a backend"));
    if (const toml::node* weight = entry.get("weight")) {
      auto value = weight->value_exact<std::int64_t>();
      if (!value || *value < 1 || *value > 1000)
        throw TopologyError{"weight is 1 to 1000", weight->source()};
      backend.weight = static_cast<int>(*value);
    }
    upstream.backends.push_back(backend);
  });
  if (upstream.backends.empty())
    throw TopologyError{"an upstream needs at least one [[upstream.backend]]", table.source()};
  upstream.server_settings = server_settings_of(table, {"page", "application", "backend"});
  return upstream;
}

void check_whole(Topology& topology, const toml::table& root) {
  // One process per service, one service per address: a clash would fail at bind time.
  std::map<std::string, HostOctet> service_address;
  std::map<HostOctet, std::string> address_service;
  auto claim = [&](const std::string& service, HostOctet address,
                   const toml::source_region& where) {
    auto [it, fresh] = service_address.emplace(service, address);
    if (!fresh && it->second != address)
      throw TopologyError{"service '" + service + "' is given two addresses", where};
    auto [other, free] = address_service.emplace(address, service);
    if (!free && other->second != service)
      throw TopologyError{
          "address ." + std::to_string(address) + " is taken by '" + other->second + "'", where};
  };
  claim(topology.resolver_service, topology.resolver_address, root.source());
  claim(topology.ca_service, topology.ca_address, root.source());
  std::set<std::string> origins;
  for (const Nameserver& server : topology.nameservers) {
    claim(server.service, server.address, server.where);
    for (const std::string& zone : server.zones)
      if (!origins.insert(zone).second)
        throw TopologyError{"zone " + zone + " is served by two name servers", server.where};
  }
  if (!origins.contains("."))
    throw TopologyError{"one name server must serve the root zone \".\"", root.source()};
  for (Site& site : topology.sites) {
    if (site.address == 0) {
      auto known = service_address.find(site.service);
      if (known == service_address.end())
        throw TopologyError{"the first site of service '" + site.service + "' needs 'address'",
                            site.where};
      site.address = known->second;
    }
    claim(site.service, site.address, site.where);
  }
  std::map<std::string, bool> service_hsts;
  for (const Site& site : topology.sites)
    if (service_hsts.emplace(site.service, site.hsts).first->second != site.hsts)
      throw TopologyError{"the sites of service '" + site.service +
                              "' disagree on hsts: the header is the server's, for all its sites",
                          site.where};
  for (const Upstream& upstream : topology.upstreams)
    for (const Backend& backend : upstream.backends)
      claim(backend.service, backend.address, backend.where);
  for (const ForwardProxy& proxy : topology.forward_proxies)
    claim(proxy.service, proxy.address, proxy.where);
  for (const LinkEntry& link : topology.links) {
    std::vector<std::string> ends = link.to;
    ends.push_back(link.from);
    for (const std::string& end : ends)
      if (end != "browser" && end != "sites" && end != "backends" && !service_address.contains(end))
        throw TopologyError{
            "a link's end '" + end + "' is not browser, sites, backends nor a service above",
            link.where};
  }
  for (const ExtraHost& host : topology.hosts)
    if (address_service.contains(host.address))
      throw TopologyError{host.name + " would point at ." + std::to_string(host.address) +
                              ", which is '" + address_service[host.address] + "'",
                          host.where};
}

}  // namespace

std::string absolute_name(std::string name) {
  if (name.empty() || name.back() != '.') name += '.';
  return name;
}

Result<Topology> load_topology(const std::filesystem::path& file) {
  // As toml::parse_file reads it (whole, in binary), and with its error when it cannot.
  std::ifstream in(file, std::ios::binary);
  if (!in) return make_error(file.string() + ":0: File could not be opened for reading");
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return parse_topology(text, file);
}

Result<Topology> parse_topology(std::string_view text, const std::filesystem::path& file) {
  Topology topology;
  topology.source = file;
  try {
    toml::table root = toml::parse(text, file.string());
    keys_written_back(root);
    if (const toml::table* resolver = root["resolver"].as_table()) {
      only_keys(*resolver, {"service", "address"}, "[resolver]");
      topology.resolver_service = optional_string(*resolver, "service", topology.resolver_service);
      topology.resolver_address = octet_at(require(*resolver, "address", "[resolver]"));
    }
    if (const toml::table* ca = root["ca"].as_table()) {
      only_keys(*ca, {"service", "name", "address"}, "[ca]");
      topology.ca_service = optional_string(*ca, "service", topology.ca_service);
      topology.ca_name = host_name(require(*ca, "name", "[ca]"));
      topology.ca_address = octet_at(require(*ca, "address", "[ca]"));
    }
    for_each_entry(root, "nameserver", [&](const toml::table& t) {
      topology.nameservers.push_back(read_nameserver(t));
    });
    for_each_entry(root, "host", [&](const toml::table& t) {
      only_keys(t, {"name", "address"}, "a host");
      topology.hosts.push_back({t.source(), host_name(require(t, "name", "a host")),
                                octet_at(require(t, "address", "a host"))});
    });
    for_each_entry(root, "record", [&](const toml::table& t) {
      only_keys(t, {"name", "type", "data"}, "a record");
      ExtraRecord record{t.source(),
                         host_name(require(t, "name", "a record")),
                         string_at(t, "type", "a record"),
                         {}};
      if (record.type.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") !=
          std::string::npos)
        throw TopologyError{"a record type is written in capitals: TXT, MX, CAA",
                            t.get("type")->source()};
      for (const toml::node& item : array_at(t, "data", "a record")) {
        auto text = item.value<std::string>();
        if (!text || text->empty() || text->find('\n') != std::string::npos)
          throw TopologyError{"each data item is one record's data on one line", item.source()};
        record.data.push_back(*text);
      }
      topology.records.push_back(std::move(record));
    });
    for_each_entry(root, "forward_proxy", [&](const toml::table& t) {
      only_keys(t, {"service", "name", "address", "port"}, "a forward proxy");
      ForwardProxy proxy{t.source(), service_at(t, "a forward proxy"),
                         host_name(require(t, "name", "a forward proxy")),
                         octet_at(require(t, "address", "a forward proxy")), 3128};
      if (const toml::node* port = t.get("port")) {
        auto value = port->value_exact<std::int64_t>();
        if (!value || *value < 1 || *value > 65535)
          throw TopologyError{"port is 1 to 65535", port->source()};
        proxy.port = static_cast<std::uint16_t>(*value);
      }
      topology.forward_proxies.push_back(std::move(proxy));
    });
    for_each_entry(root, "site",
                   [&](const toml::table& t) { topology.sites.push_back(read_site(t)); });
    for_each_entry(root, "upstream",
                   [&](const toml::table& t) { topology.upstreams.push_back(read_upstream(t)); });
    for_each_entry(root, "link", [&](const toml::table& t) {
      only_keys(t, {"from", "to", "round_trip_ms"}, "a link");
      LinkEntry link{t.source(), string_at(t, "from", "a link"), {}, 0};
      for (const toml::node& item : array_at(t, "to", "a link")) {
        auto end = item.value<std::string>();
        if (!end || end->empty())
          throw TopologyError{"each end in 'to' is a name: browser, a service, sites, backends",
                              item.source()};
        link.to.push_back(*end);
      }
      const toml::node& round_trip = require(t, "round_trip_ms", "a link");
      auto milliseconds = round_trip.value<double>();
      if (!milliseconds || *milliseconds < 0 || *milliseconds > 10000)
        throw TopologyError{"round_trip_ms is a number of milliseconds, 0 to 10000",
                            round_trip.source()};
      link.round_trip_ms = *milliseconds;
      topology.links.push_back(std::move(link));
    });
    for (const auto& [key, node] : root) {
      static const std::set<std::string, std::less<>> known = {
          "resolver", "ca",       "nameserver",    "host", "record",
          "site",     "upstream", "forward_proxy", "link"};
      if (!known.contains(key.str()))
        throw TopologyError{"unknown key '" + std::string(key.str()) + "'", node.source()};
    }
    check_whole(topology, root);
  } catch (const toml::parse_error& error) {
    return make_error(file.string() + ":" + std::to_string(error.source().begin.line) + ": " +
                      std::string(error.description()));
  } catch (const TopologyError& error) {
    return make_error(file.string() + ":" + std::to_string(error.where.begin.line) + ": " +
                      error.message);
  }
  return topology;
}

bool name_in_zone(const std::string& absolute, const std::string& origin) {
  if (origin == ".") return true;
  return absolute == origin || (absolute.size() > origin.size() && absolute.ends_with(origin) &&
                                absolute[absolute.size() - origin.size() - 1] == '.');
}

}  // namespace miniweb::stack
