#include "server/config.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <cctype>

namespace miniweb::server {
namespace {

// An error in the file, located at the node it concerns.
struct ConfigError {
  std::string message;
  toml::source_region where;
};

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

template <class T>
T required(const toml::table& table, std::string_view key, std::string_view what) {
  const toml::node* node = table.get(key);
  if (!node) throw ConfigError{std::string(what) + " needs '" + std::string(key) + "'", table.source()};
  auto value = node->value<T>();
  if (!value) throw ConfigError{"'" + std::string(key) + "' has the wrong type", node->source()};
  return *value;
}

template <class T>
T optional_value(const toml::table& table, std::string_view key, T fallback) {
  const toml::node* node = table.get(key);
  if (!node) return fallback;
  auto value = node->value<T>();
  if (!value) throw ConfigError{"'" + std::string(key) + "' has the wrong type", node->source()};
  return *value;
}

std::int64_t positive(const toml::table& table, std::string_view key, std::int64_t fallback) {
  std::int64_t value = optional_value<std::int64_t>(table, key, fallback);
  if (value <= 0) throw ConfigError{"'" + std::string(key) + "' must be positive", table.get(key)->source()};
  return value;
}

const toml::array* array_of_tables(const toml::table& root, std::string_view key) {
  const toml::node* node = root.get(key);
  if (!node) return nullptr;
  const toml::array* array = node->as_array();
  if (!array || !array->is_array_of_tables())
    throw ConfigError{"'" + std::string(key) + "' must be written as [[" + std::string(key) + "]]", node->source()};
  return array;
}

ListenerConfig read_listener(const toml::table& table) {
  ListenerConfig listener;
  listener.address = required<std::string>(table, "address", "a listener");
  std::int64_t port = required<std::int64_t>(table, "port", "a listener");
  if (port < 0 || port > 65535) throw ConfigError{"port must be 0 to 65535", table.get("port")->source()};
  listener.port = static_cast<std::uint16_t>(port);
  std::string kind = optional_value<std::string>(table, "protocol", "https");
  if (kind == "https") {
    listener.kind = ListenerKind::Https;
  } else if (kind == "http") {
    listener.kind = ListenerKind::Http;
  } else {
    throw ConfigError{"protocol must be \"https\" or \"http\"", table.get("protocol")->source()};
  }
  return listener;
}

SiteConfig read_site(const toml::table& table, const std::filesystem::path& base) {
  SiteConfig site;
  const toml::node* names = table.get("names");
  if (!names || !names->is_array() || names->as_array()->empty())
    throw ConfigError{"a site needs 'names', a non-empty list of host names", table.source()};
  for (const toml::node& name : *names->as_array()) {
    auto text = name.value<std::string>();
    if (!text || text->empty()) throw ConfigError{"site names must be strings", name.source()};
    site.names.push_back(lower(*text));
  }
  site.root = base / required<std::string>(table, "root", "a site");
  site.certificate_chain = base / required<std::string>(table, "certificate", "a site");
  site.private_key = base / required<std::string>(table, "key", "a site");
  if (const toml::node* index = table.get("index")) {
    if (!index->is_array()) throw ConfigError{"'index' must be a list of file names", index->source()};
    site.index_files.clear();
    for (const toml::node& file : *index->as_array()) {
      auto text = file.value<std::string>();
      if (!text || text->find('/') != std::string::npos)
        throw ConfigError{"index entries must be plain file names", file.source()};
      site.index_files.push_back(*text);
    }
  }
  return site;
}

void read_limits(const toml::table& table, LimitsConfig& limits) {
  limits.http.max_request_line = positive(table, "max_request_line", limits.http.max_request_line);
  limits.http.max_header_bytes = positive(table, "max_header_bytes", limits.http.max_header_bytes);
  limits.http.max_header_count = positive(table, "max_header_count", limits.http.max_header_count);
  limits.http.max_body_bytes = positive(table, "max_body_bytes", limits.http.max_body_bytes);
  limits.header_timeout = std::chrono::seconds(positive(table, "header_timeout", limits.header_timeout.count()));
  limits.keepalive_timeout = std::chrono::seconds(positive(table, "keepalive_timeout", limits.keepalive_timeout.count()));
  limits.send_timeout = std::chrono::seconds(positive(table, "send_timeout", limits.send_timeout.count()));
  limits.max_connections = positive(table, "max_connections", limits.max_connections);
  limits.max_requests_per_connection =
      positive(table, "max_requests_per_connection", limits.max_requests_per_connection);
}

}  // namespace

Result<ServerConfig> load_config(const std::filesystem::path& file) {
  ServerConfig config;
  config.source = file;
  const std::filesystem::path base = file.parent_path();
  toml::table root;
  try {
    root = toml::parse_file(file.string());
  } catch (const toml::parse_error& error) {
    return make_error(file.string() + ":" + std::to_string(error.source().begin.line) + ": " +
                      std::string(error.description()));
  }
  try {
    if (const toml::node* server = root.get("server")) {
      if (!server->is_table()) throw ConfigError{"[server] must be a table", server->source()};
      config.server_name = optional_value<std::string>(*server->as_table(), "name", config.server_name);
      config.hsts_max_age = std::chrono::seconds(
          optional_value<std::int64_t>(*server->as_table(), "hsts_max_age", config.hsts_max_age.count()));
    }
    if (const toml::node* limits = root.get("limits")) {
      if (!limits->is_table()) throw ConfigError{"[limits] must be a table", limits->source()};
      read_limits(*limits->as_table(), config.limits);
    }
    if (const toml::array* listeners = array_of_tables(root, "listener"))
      for (const toml::node& node : *listeners) config.listeners.push_back(read_listener(*node.as_table()));
    if (const toml::array* sites = array_of_tables(root, "site"))
      for (const toml::node& node : *sites) config.sites.push_back(read_site(*node.as_table(), base));
    if (config.listeners.empty()) throw ConfigError{"no [[listener]] is configured", root.source()};
    if (config.sites.empty()) throw ConfigError{"no [[site]] is configured", root.source()};
    for (auto&& [key, node] : root) {
      if (key != "server" && key != "limits" && key != "listener" && key != "site")
        throw ConfigError{"unknown section '" + std::string(key.str()) + "'", node.source()};
    }
  } catch (const ConfigError& error) {
    return make_error(file.string() + ":" + std::to_string(error.where.begin.line) + ": " + error.message);
  }
  return config;
}

}  // namespace miniweb::server
