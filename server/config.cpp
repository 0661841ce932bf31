#include "server/config.hpp"

#include <toml++/toml.h>

#include <asio/ip/address.hpp>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <iterator>
#include <type_traits>

#include "shared/dns/endpoint.hpp"
#include "shared/text.hpp"

namespace miniweb::server {
namespace {

// An error in the file, located at the node it concerns.
struct ConfigError {
  std::string message;
  toml::source_region where;
};

// A node's value as T. An integer is read only from an integer: toml++ 3.3 converts a float
// beyond int64's range with a cast that is undefined behaviour (found by the server_config
// fuzz target, "port = 8e80").
template <class T>
std::optional<T> value_of(const toml::node& node) {
  if constexpr (std::is_same_v<T, std::int64_t>)
    return node.value_exact<T>();
  else
    return node.value<T>();
}

template <class T>
T required(const toml::table& table, std::string_view key, std::string_view what) {
  const toml::node* node = table.get(key);
  if (!node)
    throw ConfigError{std::string(what) + " needs '" + std::string(key) + "'", table.source()};
  auto value = value_of<T>(*node);
  if (!value) throw ConfigError{"'" + std::string(key) + "' has the wrong type", node->source()};
  return *value;
}

template <class T>
T optional_value(const toml::table& table, std::string_view key, T fallback) {
  const toml::node* node = table.get(key);
  if (!node) return fallback;
  auto value = value_of<T>(*node);
  if (!value) throw ConfigError{"'" + std::string(key) + "' has the wrong type", node->source()};
  return *value;
}

std::int64_t positive(const toml::table& table, std::string_view key, std::int64_t fallback) {
  std::int64_t value = optional_value<std::int64_t>(table, key, fallback);
  if (value <= 0)
    throw ConfigError{"'" + std::string(key) + "' must be positive", table.get(key)->source()};
  return value;
}

const toml::array* array_of_tables(const toml::table& root, std::string_view key) {
  const toml::node* node = root.get(key);
  if (!node) return nullptr;
  const toml::array* array = node->as_array();
  if (!array || !array->is_array_of_tables())
    throw ConfigError{"'" + std::string(key) + "' must be written as [[" + std::string(key) + "]]",
                      node->source()};
  return array;
}

std::chrono::seconds seconds(const toml::table& table, std::string_view key,
                             std::chrono::seconds fallback);

// A DNS resolver's address as the server's settings write it.
std::string read_resolver(const toml::node& node) {
  auto text = node.value<std::string>();
  if (!text || text->empty())
    throw ConfigError{"'resolver' is a DNS resolver's address, \"IP\" or \"IP:PORT\"",
                      node.source()};
  if (auto endpoint = dns::parse_endpoint(*text); !endpoint || endpoint->port() == 0)
    throw ConfigError{"resolver '" + *text + "' is not \"IP\" or \"IP:PORT\"", node.source()};
  return *text;
}

void read_forward_proxy(const toml::table& table, ForwardProxyConfig& proxy) {
  if (const toml::node* allow = table.get("allow")) {
    if (!allow->is_array())
      throw ConfigError{"'allow' must be a list of address ranges such as [\"127.0.0.0/8\"]",
                        allow->source()};
    proxy.allow.clear();
    for (const toml::node& item : *allow->as_array()) {
      auto text = item.value<std::string>();
      if (!text)
        throw ConfigError{"'allow' entries are strings such as \"10.0.0.0/8\"", item.source()};
      auto range = Cidr::parse(*text);
      if (!range) throw ConfigError{range.error().message, item.source()};
      proxy.allow.push_back(*range);
    }
  }
  if (const toml::node* ports = table.get("connect_ports")) {
    if (!ports->is_array())
      throw ConfigError{"'connect_ports' must be a list of ports such as [443]", ports->source()};
    proxy.connect_ports.clear();
    for (const toml::node& item : *ports->as_array()) {
      auto port = value_of<std::int64_t>(item);
      if (!port || *port < 1 || *port > 65535)
        throw ConfigError{"'connect_ports' entries are ports, 1 to 65535", item.source()};
      proxy.connect_ports.push_back(static_cast<std::uint16_t>(*port));
    }
  }
  if (const toml::node* resolver = table.get("resolver")) proxy.resolver = read_resolver(*resolver);
  proxy.connect_timeout = seconds(table, "connect_timeout", proxy.connect_timeout);
  proxy.read_timeout = seconds(table, "read_timeout", proxy.read_timeout);
  proxy.tunnel_idle_timeout = seconds(table, "idle_timeout", proxy.tunnel_idle_timeout);
}

ListenerConfig read_listener(const toml::table& table) {
  ListenerConfig listener;
  listener.address = required<std::string>(table, "address", "a listener");
  std::int64_t port = required<std::int64_t>(table, "port", "a listener");
  if (port < 0 || port > 65535)
    throw ConfigError{"port must be 0 to 65535", table.get("port")->source()};
  listener.port = static_cast<std::uint16_t>(port);
  std::string kind = optional_value<std::string>(table, "protocol", "https");
  if (kind == "https") {
    listener.kind = ListenerKind::Https;
  } else if (kind == "http") {
    listener.kind = ListenerKind::Http;
  } else if (kind == "forward-proxy") {
    listener.kind = ListenerKind::ForwardProxy;
  } else {
    throw ConfigError{"protocol must be \"https\", \"http\" or \"forward-proxy\"",
                      table.get("protocol")->source()};
  }
  static constexpr std::string_view kProxyKeys[] = {
      "allow", "connect_ports", "resolver", "connect_timeout", "read_timeout", "idle_timeout"};
  for (auto&& [key, node] : table) {
    const bool proxy_key =
        std::find(std::begin(kProxyKeys), std::end(kProxyKeys), key.str()) != std::end(kProxyKeys);
    if (proxy_key && listener.kind != ListenerKind::ForwardProxy)
      throw ConfigError{"'" + std::string(key.str()) +
                            "' is a setting of a listener with protocol = \"forward-proxy\"",
                        node.source()};
    if (!proxy_key && key != "address" && key != "port" && key != "protocol")
      throw ConfigError{"unknown listener setting '" + std::string(key.str()) + "'", node.source()};
  }
  if (listener.kind == ListenerKind::ForwardProxy) read_forward_proxy(table, listener.forward);
  return listener;
}

std::vector<std::string> string_list(const toml::table& table, std::string_view key,
                                     std::string_view what) {
  std::vector<std::string> out;
  const toml::node* node = table.get(key);
  if (!node) return out;
  if (!node->is_array())
    throw ConfigError{"'" + std::string(key) + "' must be a list of " + std::string(what),
                      node->source()};
  for (const toml::node& item : *node->as_array()) {
    auto text = item.value<std::string>();
    if (!text || text->empty())
      throw ConfigError{"'" + std::string(key) + "' entries must be " + std::string(what),
                        item.source()};
    out.push_back(*text);
  }
  return out;
}

// An [acme] table (or a site's `acme = { ... }`) over `defaults`; paths relative to `base`.
AcmeConfig read_acme(const toml::table& table, const std::filesystem::path& base, AcmeConfig acme) {
  for (auto&& [key, node] : table) {
    static constexpr std::string_view kKnown[] = {"directory",
                                                  "contact",
                                                  "state_dir",
                                                  "ca_bundle",
                                                  "resolver",
                                                  "renewal_window_ratio",
                                                  "renewal_check_interval"};
    if (std::find(std::begin(kKnown), std::end(kKnown), key.str()) == std::end(kKnown))
      throw ConfigError{"unknown acme setting '" + std::string(key.str()) + "'", node.source()};
  }
  acme.directory = optional_value<std::string>(table, "directory", acme.directory);
  if (!acme.directory.empty() && !acme.directory.starts_with("https://"))
    throw ConfigError{"the ACME directory is an https:// URL", table.get("directory")->source()};
  if (table.contains("contact")) acme.contact = string_list(table, "contact", "mailto: URLs");
  if (table.contains("state_dir"))
    acme.state_dir = base / required<std::string>(table, "state_dir", "acme");
  if (table.contains("ca_bundle"))
    acme.ca_bundle = base / required<std::string>(table, "ca_bundle", "acme");
  acme.resolver = optional_value<std::string>(table, "resolver", acme.resolver);
  if (const toml::node* ratio = table.get("renewal_window_ratio")) {
    auto value = ratio->value<double>();
    if (!value || *value <= 0 || *value > 1)
      throw ConfigError{"renewal_window_ratio is a number above 0 and at most 1", ratio->source()};
    acme.renewal_window_ratio = *value;
  }
  acme.renewal_check_interval = std::chrono::seconds(
      positive(table, "renewal_check_interval", acme.renewal_check_interval.count()));
  return acme;
}

ReturnRule read_return(const toml::table& table) {
  ReturnRule rule;
  rule.path = optional_value<std::string>(table, "path", "");
  rule.prefix = optional_value<std::string>(table, "prefix", "");
  if (rule.path.empty() == rule.prefix.empty())
    throw ConfigError{"a return rule has either 'path' (exact) or 'prefix'", table.source()};
  if (!(rule.path + rule.prefix).starts_with("/"))
    throw ConfigError{"a return rule's path or prefix starts with '/'", table.source()};
  const std::int64_t status = required<std::int64_t>(table, "status", "a return rule");
  if (status >= 100 && status <= 199)
    throw ConfigError{
        "a 1xx status is interim, never a final response (RFC 9110 section 15.2); "
        "100 Continue is sent for Expect: 100-continue",
        table.get("status")->source()};
  if (status < 200 || status > 599)
    throw ConfigError{"a return status is 200 to 599", table.get("status")->source()};
  rule.status = static_cast<int>(status);
  rule.location = optional_value<std::string>(table, "location", "");
  const bool redirect = rule.status == 301 || rule.status == 302 || rule.status == 303 ||
                        rule.status == 307 || rule.status == 308;
  if (redirect && rule.location.empty())
    throw ConfigError{"a " + std::to_string(rule.status) + " return needs 'location'",
                      table.source()};
  if (const toml::node* body = table.get("body")) {
    auto text = body->value<std::string>();
    if (!text) throw ConfigError{"'body' has the wrong type", body->source()};
    rule.body = *text;
  }
  rule.content_type = optional_value<std::string>(table, "content_type", rule.content_type);
  if (const toml::node* headers = table.get("headers")) {
    if (!headers->is_table())
      throw ConfigError{"'headers' must be a table such as { \"Retry-After\" = \"120\" }",
                        headers->source()};
    for (auto&& [name, value] : *headers->as_table()) {
      auto text = value.value<std::string>();
      const std::string field(name.str());
      const bool token = !field.empty() && std::all_of(field.begin(), field.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
      });
      if (!text || !token || text->find_first_of("\r\n") != std::string::npos)
        throw ConfigError{"header '" + field + "' needs a field name and a one-line string",
                          value.source()};
      rule.headers.emplace_back(field, *text);
    }
  }
  for (auto&& [key, node] : table) {
    static constexpr std::string_view kKnown[] = {"path", "prefix",       "status", "location",
                                                  "body", "content_type", "headers"};
    if (std::find(std::begin(kKnown), std::end(kKnown), key.str()) == std::end(kKnown))
      throw ConfigError{"unknown return setting '" + std::string(key.str()) + "'", node.source()};
  }
  return rule;
}

SiteConfig read_site(const toml::table& table, const std::filesystem::path& base,
                     const std::optional<AcmeConfig>& acme_defaults) {
  SiteConfig site;
  const toml::node* names = table.get("names");
  if (!names || !names->is_array() || names->as_array()->empty())
    throw ConfigError{"a site needs 'names', a non-empty list of host names", table.source()};
  for (const std::string& name : string_list(table, "names", "host names")) {
    // What a Host field holds (RFC 9110 section 7.2, RFC 3986 section 3.2.2), and the ACME
    // client names its files after the first name: never a path.
    const bool host =
        name != "." && name != ".." && std::all_of(name.begin(), name.end(), [](char c) {
          const auto byte = static_cast<unsigned char>(c);
          return byte > 0x20 && byte < 0x7f && c != '/' && c != '\\';
        });
    if (!host)
      throw ConfigError{
          "site name '" + name + "' is not a host name (printable ASCII without spaces or slashes)",
          names->source()};
    site.names.push_back(to_lower(name));
  }
  if (table.contains("root")) site.root = base / required<std::string>(table, "root", "a site");
  if (table.contains("certificate") || table.contains("key")) {
    site.certificate_chain =
        base / required<std::string>(table, "certificate", "a site with a key");
    site.private_key = base / required<std::string>(table, "key", "a site with a certificate");
  }
  if (const toml::node* acme = table.get("acme")) {
    if (site.certificate_chain != std::filesystem::path())
      throw ConfigError{"a site has either 'certificate' and 'key' or 'acme'", acme->source()};
    AcmeConfig defaults = acme_defaults.value_or(AcmeConfig{});
    if (const toml::table* overrides = acme->as_table()) {
      site.acme = read_acme(*overrides, base, std::move(defaults));
    } else if (acme->value<bool>().value_or(false)) {
      if (!acme_defaults)
        throw ConfigError{"'acme = true' needs an [acme] table with the CA's directory",
                          acme->source()};
      site.acme = std::move(defaults);
    } else if (!acme->is_boolean()) {
      throw ConfigError{"'acme' is true or a table such as { directory = \"https://...\" }",
                        acme->source()};
    }
    if (site.acme) {
      if (site.acme->directory.empty())
        throw ConfigError{"acme needs 'directory', the CA's ACME directory URL", acme->source()};
      if (site.acme->state_dir.empty())
        throw ConfigError{"acme needs 'state_dir', where keys and certificates are kept",
                          acme->source()};
      if (site.acme->ca_bundle.empty())
        throw ConfigError{"acme needs 'ca_bundle', the root(s) that sign the CA's own HTTPS",
                          acme->source()};
      // The ACME client writes these; the TLS contexts load them once they exist.
      const std::filesystem::path folder = site.acme->state_dir / "certificates";
      site.certificate_chain = folder / (site.names.front() + ".chain.pem");
      site.private_key = folder / (site.names.front() + ".key");
    }
  }
  site.redirect_to_https = optional_value<bool>(table, "redirect_to_https", site.redirect_to_https);
  site.gzip = optional_value<bool>(table, "gzip", site.gzip);
  site.ocsp_stapling = optional_value<bool>(table, "ocsp_stapling", site.ocsp_stapling);
  if (table.contains("index")) {
    site.index_files = string_list(table, "index", "plain file names");
    for (const std::string& file : site.index_files)
      if (file.find('/') != std::string::npos)
        throw ConfigError{"index entries must be plain file names", table.get("index")->source()};
  }
  if (const toml::node* pages = table.get("error_pages")) {
    if (!pages->is_table())
      throw ConfigError{"'error_pages' must be a table such as { 404 = \"/errors/404.html\" }",
                        pages->source()};
    for (auto&& [key, value] : *pages->as_table()) {
      int status = 0;
      const std::string text(key.str());
      if (text.size() == 3 &&
          std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; }))
        status = std::stoi(text);
      if (status < 400 || status > 599)
        throw ConfigError{"error page key '" + text + "' is not a 4xx or 5xx status",
                          value.source()};
      auto path = value.value<std::string>();
      if (!path || !path->starts_with("/"))
        throw ConfigError{"an error page is a path under the root, starting with '/'",
                          value.source()};
      site.error_pages[status] = *path;
    }
  }
  if (const toml::node* proxy = table.get("proxy")) {
    const toml::array* routes = proxy->as_array();
    if (!routes || !routes->is_array_of_tables())
      throw ConfigError{"'proxy' must be written as [[site.proxy]]", proxy->source()};
    for (const toml::node& node : *routes) {
      const toml::table& route_table = *node.as_table();
      ProxyRoute route;
      route.prefix = required<std::string>(route_table, "prefix", "a proxy route");
      if (!route.prefix.starts_with("/"))
        throw ConfigError{"a proxy prefix starts with '/'", route_table.get("prefix")->source()};
      route.upstream = required<std::string>(route_table, "upstream", "a proxy route");
      site.proxies.push_back(std::move(route));
    }
  }
  if (const toml::node* returns = table.get("return")) {
    const toml::array* rules = returns->as_array();
    if (!rules || !rules->is_array_of_tables())
      throw ConfigError{"'return' must be written as [[site.return]]", returns->source()};
    for (const toml::node& node : *rules) site.returns.push_back(read_return(*node.as_table()));
  }
  if (const toml::node* early = table.get("early_hints")) {
    const toml::array* entries = early->as_array();
    if (!entries || !entries->is_array_of_tables())
      throw ConfigError{"'early_hints' must be written as [[site.early_hints]]", early->source()};
    for (const toml::node& node : *entries) {
      const toml::table& entry = *node.as_table();
      EarlyHints hints;
      hints.path = required<std::string>(entry, "path", "early hints");
      if (!hints.path.starts_with("/"))
        throw ConfigError{"an early-hints path starts with '/'", entry.get("path")->source()};
      hints.links =
          string_list(entry, "link", "Link header values such as \"</style.css>; rel=preload\"");
      if (hints.links.empty())
        throw ConfigError{"early hints need 'link', a list of Link values", entry.source()};
      for (const std::string& link : hints.links)
        if (link.empty() || link.find_first_of("\r\n") != std::string::npos)
          throw ConfigError{"a Link value is one non-empty line", entry.get("link")->source()};
      for (auto&& [key, value] : entry)
        if (key != "path" && key != "link")
          throw ConfigError{"unknown early-hints setting '" + std::string(key.str()) + "'",
                            value.source()};
      site.early_hints.push_back(std::move(hints));
    }
  }
  for (auto&& [key, node] : table) {
    static constexpr std::string_view kKnown[] = {
        "names",  "root",        "certificate",  "key",   "redirect_to_https",
        "gzip",   "index",       "error_pages",  "proxy", "acme",
        "return", "early_hints", "ocsp_stapling"};
    if (std::find(std::begin(kKnown), std::end(kKnown), key.str()) == std::end(kKnown))
      throw ConfigError{"unknown site setting '" + std::string(key.str()) + "'", node.source()};
  }
  return site;
}

std::chrono::seconds seconds(const toml::table& table, std::string_view key,
                             std::chrono::seconds fallback) {
  return std::chrono::seconds(positive(table, key, fallback.count()));
}

UpstreamConfig read_upstream(const toml::table& table) {
  UpstreamConfig upstream;
  upstream.name = required<std::string>(table, "name", "an upstream");
  const std::string balance = optional_value<std::string>(table, "balance", "weighted_round_robin");
  if (balance == "round_robin") {
    upstream.balance = BalanceMethod::RoundRobin;
  } else if (balance == "weighted_round_robin") {
    upstream.balance = BalanceMethod::WeightedRoundRobin;
  } else if (balance == "least_connections") {
    upstream.balance = BalanceMethod::LeastConnections;
  } else {
    throw ConfigError{
        "balance must be \"round_robin\", \"weighted_round_robin\" or \"least_connections\"",
        table.get("balance")->source()};
  }
  upstream.max_fails = static_cast<int>(positive(table, "max_fails", upstream.max_fails));
  upstream.fail_timeout = seconds(table, "fail_timeout", upstream.fail_timeout);
  upstream.connect_timeout = seconds(table, "connect_timeout", upstream.connect_timeout);
  upstream.read_timeout = seconds(table, "read_timeout", upstream.read_timeout);
  // nginx's keepalive: how many idle connections to keep; a negative count would read as a
  // size without bound.
  const std::int64_t keepalive = optional_value<std::int64_t>(table, "keepalive", 16);
  if (keepalive < 0)
    throw ConfigError{"'keepalive' is how many idle connections to keep, 0 or more",
                      table.get("keepalive")->source()};
  upstream.keepalive = static_cast<std::size_t>(keepalive);
  upstream.max_response_bytes = positive(table, "max_response_bytes", upstream.max_response_bytes);
  upstream.bind = optional_value<std::string>(table, "bind", "");
  if (!upstream.bind.empty()) {
    std::error_code ec;
    asio::ip::make_address(upstream.bind, ec);
    if (ec) throw ConfigError{"bind must be an IP address", table.get("bind")->source()};
  }
  const toml::node* servers = table.get("server");
  if (!servers || !servers->is_array_of_tables() || servers->as_array()->empty())
    throw ConfigError{"upstream '" + upstream.name + "' needs at least one [[upstream.server]]",
                      table.source()};
  for (const toml::node& node : *servers->as_array()) {
    const toml::table& server = *node.as_table();
    UpstreamServerConfig entry;
    const std::string address = required<std::string>(server, "address", "an upstream server");
    const auto colon = address.rfind(':');
    std::error_code ec;
    if (colon == std::string::npos)
      throw ConfigError{"an upstream address is IP:PORT", server.get("address")->source()};
    entry.address = address.substr(0, colon);
    if (entry.address.starts_with("[") && entry.address.ends_with("]"))
      entry.address = entry.address.substr(1, entry.address.size() - 2);
    asio::ip::make_address(entry.address, ec);
    int port = 0;
    try {
      port = std::stoi(address.substr(colon + 1));
    } catch (const std::exception&) {
      port = -1;
    }
    if (ec || port <= 0 || port > 65535)
      throw ConfigError{"upstream address '" + address + "' is not IP:PORT",
                        server.get("address")->source()};
    entry.port = static_cast<std::uint16_t>(port);
    entry.weight = static_cast<int>(positive(server, "weight", 1));
    upstream.servers.push_back(std::move(entry));
  }
  return upstream;
}

void read_limits(const toml::table& table, LimitsConfig& limits) {
  limits.http.max_request_line = positive(table, "max_request_line", limits.http.max_request_line);
  limits.http.max_header_bytes = positive(table, "max_header_bytes", limits.http.max_header_bytes);
  limits.http.max_header_count = positive(table, "max_header_count", limits.http.max_header_count);
  limits.http.max_body_bytes = positive(table, "max_body_bytes", limits.http.max_body_bytes);
  limits.header_timeout =
      std::chrono::seconds(positive(table, "header_timeout", limits.header_timeout.count()));
  limits.keepalive_timeout =
      std::chrono::seconds(positive(table, "keepalive_timeout", limits.keepalive_timeout.count()));
  limits.send_timeout =
      std::chrono::seconds(positive(table, "send_timeout", limits.send_timeout.count()));
  limits.max_connections = positive(table, "max_connections", limits.max_connections);
  limits.max_requests_per_connection =
      positive(table, "max_requests_per_connection", limits.max_requests_per_connection);
  // HTTP/2, as nginx's http2_* directives; each within what RFC 9113 section 6.5.2 allows.
  http::Http2Limits& h2 = limits.http2;
  auto bounded = [&](std::string_view key, std::uint32_t fallback, std::int64_t low,
                     std::int64_t high) {
    const std::int64_t value = positive(table, key, fallback);
    if (value < low || value > high)
      throw ConfigError{"'" + std::string(key) + "' must be between " + std::to_string(low) +
                            " and " + std::to_string(high),
                        table.get(key)->source()};
    return static_cast<std::uint32_t>(value);
  };
  h2.max_concurrent_streams =
      bounded("http2_max_concurrent_streams", h2.max_concurrent_streams, 1, 1 << 16);
  h2.max_header_list_size =
      bounded("http2_max_header_list_size", h2.max_header_list_size, 1024, 1 << 24);
  h2.max_frame_size = bounded("http2_max_frame_size", h2.max_frame_size, 16384, (1 << 24) - 1);
  h2.initial_window_size =
      bounded("http2_initial_window_size", h2.initial_window_size, 1, (1u << 31) - 1);
}

// access_log = "path" | "off"; error_log = "path" | { path = "path", level = "warn" }.
void read_logs(const toml::table& table, const std::filesystem::path& base, LogConfig& logs) {
  if (const toml::node* access = table.get("access_log")) {
    auto path = access->value<std::string>();
    if (!path || path->empty())
      throw ConfigError{"'access_log' is a file path, or \"off\"", access->source()};
    if (*path == "off")
      logs.access_log_off = true;
    else
      logs.access_log = base / *path;
  }
  if (const toml::node* error = table.get("error_log")) {
    std::optional<std::string> path = error->value<std::string>();
    if (const toml::table* settings = error->as_table()) {
      path = optional_value<std::string>(*settings, "path", "");
      if (const toml::node* level = settings->get("level")) {
        auto text = level->value<std::string>();
        auto parsed = parse_log_level(text.value_or(""));
        if (!parsed) throw ConfigError{parsed.error().message, level->source()};
        logs.error_level = *parsed;
      }
      for (auto&& [key, node] : *settings)
        if (key != "path" && key != "level")
          throw ConfigError{"unknown error_log setting '" + std::string(key.str()) + "'",
                            node.source()};
    } else if (!path) {
      throw ConfigError{
          "'error_log' is a file path, or a table such as { path = \"error.log\", level = "
          "\"warn\" }",
          error->source()};
    }
    if (path && !path->empty()) logs.error_log = base / *path;
  }
}

}  // namespace

Result<ServerConfig> load_config(const std::filesystem::path& file) {
  // As toml::parse_file reads it (whole, in binary), and with its error when it cannot.
  std::ifstream in(file, std::ios::binary);
  if (!in) return make_error(file.string() + ":0: File could not be opened for reading");
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return parse_config(text, file);
}

Result<ServerConfig> parse_config(std::string_view text, const std::filesystem::path& file) {
  ServerConfig config;
  config.source = file;
  const std::filesystem::path base = file.parent_path();
  toml::table root;
  try {
    root = toml::parse(text, file.string());
  } catch (const toml::parse_error& error) {
    return make_error(file.string() + ":" + std::to_string(error.source().begin.line) + ": " +
                      std::string(error.description()));
  }
  try {
    if (const toml::node* server = root.get("server")) {
      if (!server->is_table()) throw ConfigError{"[server] must be a table", server->source()};
      config.server_name =
          optional_value<std::string>(*server->as_table(), "name", config.server_name);
      config.hsts_max_age = std::chrono::seconds(optional_value<std::int64_t>(
          *server->as_table(), "hsts_max_age", config.hsts_max_age.count()));
      config.http2 = optional_value<bool>(*server->as_table(), "http2", config.http2);
      read_logs(*server->as_table(), base, config.logs);
      if (const toml::node* resolver = server->as_table()->get("resolver"))
        config.resolver = read_resolver(*resolver);
      for (auto&& [key, node] : *server->as_table()) {
        if (key != "name" && key != "hsts_max_age" && key != "http2" && key != "access_log" &&
            key != "error_log" && key != "resolver")
          throw ConfigError{"unknown [server] setting '" + std::string(key.str()) + "'",
                            node.source()};
      }
    }
    if (const toml::node* limits = root.get("limits")) {
      if (!limits->is_table()) throw ConfigError{"[limits] must be a table", limits->source()};
      read_limits(*limits->as_table(), config.limits);
    }
    std::optional<AcmeConfig> acme_defaults;
    if (const toml::node* acme = root.get("acme")) {
      if (!acme->is_table()) throw ConfigError{"[acme] must be a table", acme->source()};
      acme_defaults = read_acme(*acme->as_table(), base, AcmeConfig{});
    }
    if (const toml::array* listeners = array_of_tables(root, "listener"))
      for (const toml::node& node : *listeners)
        config.listeners.push_back(read_listener(*node.as_table()));
    if (const toml::array* sites = array_of_tables(root, "site"))
      for (const toml::node& node : *sites)
        config.sites.push_back(read_site(*node.as_table(), base, acme_defaults));
    if (const toml::array* upstreams = array_of_tables(root, "upstream"))
      for (const toml::node& node : *upstreams)
        config.upstreams.push_back(read_upstream(*node.as_table()));
    if (config.listeners.empty()) throw ConfigError{"no [[listener]] is configured", root.source()};
    // A server that is only a forward proxy serves no site.
    const bool serves_sites =
        std::any_of(config.listeners.begin(), config.listeners.end(),
                    [](const ListenerConfig& l) { return l.kind != ListenerKind::ForwardProxy; });
    if (config.sites.empty() && serves_sites)
      throw ConfigError{"no [[site]] is configured", root.source()};
    for (auto&& [key, node] : root) {
      if (key != "server" && key != "limits" && key != "listener" && key != "site" &&
          key != "upstream" && key != "acme")
        throw ConfigError{"unknown section '" + std::string(key.str()) + "'", node.source()};
    }
    bool https = std::any_of(config.listeners.begin(), config.listeners.end(),
                             [](const ListenerConfig& l) { return l.kind == ListenerKind::Https; });
    bool certificate =
        std::any_of(config.sites.begin(), config.sites.end(),
                    [](const SiteConfig& s) { return !s.certificate_chain.empty(); });
    if (https && !certificate)
      throw ConfigError{
          "an https listener needs at least one site with 'certificate' and 'key', or 'acme'",
          root.source()};
    // Route names are checked once every group is read, at the route's own line.
    if (const toml::array* sites = array_of_tables(root, "site")) {
      for (std::size_t i = 0; i < config.sites.size(); ++i) {
        for (std::size_t r = 0; r < config.sites[i].proxies.size(); ++r) {
          const std::string& name = config.sites[i].proxies[r].upstream;
          if (std::none_of(config.upstreams.begin(), config.upstreams.end(),
                           [&](const UpstreamConfig& u) { return u.name == name; })) {
            const toml::node& route = *(*sites)[i].as_table()->get("proxy")->as_array()->get(r);
            throw ConfigError{"no [[upstream]] is named '" + name + "'", route.source()};
          }
        }
      }
    }
  } catch (const ConfigError& error) {
    return make_error(file.string() + ":" + std::to_string(error.where.begin.line) + ": " +
                      error.message);
  }
  return config;
}

}  // namespace miniweb::server
