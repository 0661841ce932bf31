#include "server/config.hpp"

#include <toml++/toml.h>

#include <asio/ip/address.hpp>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <string>

#include "server/config_site.hpp"
#include "server/config_toml.hpp"

namespace miniweb::server {

using namespace config_detail;

namespace {

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
    if (!proxy_key && key != "address" && key != "port" && key != "protocol" && key != "deferred")
      throw ConfigError{"unknown listener setting '" + std::string(key.str()) + "'", node.source()};
  }
  listener.deferred = optional_value<bool>(table, "deferred", false);
  if (listener.kind == ListenerKind::ForwardProxy) read_forward_proxy(table, listener.forward);
  return listener;
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
  limits.header_timeout = seconds(table, "header_timeout", limits.header_timeout);
  limits.keepalive_timeout = seconds(table, "keepalive_timeout", limits.keepalive_timeout);
  limits.send_timeout = seconds(table, "send_timeout", limits.send_timeout);
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
      config.early_data =
          optional_value<bool>(*server->as_table(), "early_data", config.early_data);
      read_logs(*server->as_table(), base, config.logs);
      if (const toml::node* resolver = server->as_table()->get("resolver"))
        config.resolver = read_resolver(*resolver);
      for (auto&& [key, node] : *server->as_table()) {
        if (key != "name" && key != "hsts_max_age" && key != "http2" && key != "early_data" &&
            key != "access_log" && key != "error_log" && key != "resolver")
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
