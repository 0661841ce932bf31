#pragma once
// Reading the server's TOML configuration: a value of a key as a type, with the mistakes named
// at the node they concern (ConfigError). Internal to config.cpp and config_site.cpp.

#include <toml++/toml.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "shared/dns/endpoint.hpp"

namespace miniweb::server::config_detail {

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

inline std::int64_t positive(const toml::table& table, std::string_view key,
                             std::int64_t fallback) {
  std::int64_t value = optional_value<std::int64_t>(table, key, fallback);
  if (value <= 0)
    throw ConfigError{"'" + std::string(key) + "' must be positive", table.get(key)->source()};
  return value;
}

inline const toml::array* array_of_tables(const toml::table& root, std::string_view key) {
  const toml::node* node = root.get(key);
  if (!node) return nullptr;
  const toml::array* array = node->as_array();
  if (!array || !array->is_array_of_tables())
    throw ConfigError{"'" + std::string(key) + "' must be written as [[" + std::string(key) + "]]",
                      node->source()};
  return array;
}

inline std::chrono::seconds seconds(const toml::table& table, std::string_view key,
                                    std::chrono::seconds fallback) {
  return std::chrono::seconds(positive(table, key, fallback.count()));
}

inline std::vector<std::string> string_list(const toml::table& table, std::string_view key,
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

// A DNS resolver's address as the server's settings write it.
inline std::string read_resolver(const toml::node& node) {
  auto text = node.value<std::string>();
  if (!text || text->empty())
    throw ConfigError{"'resolver' is a DNS resolver's address, \"IP\" or \"IP:PORT\"",
                      node.source()};
  if (auto endpoint = dns::parse_endpoint(*text); !endpoint || endpoint->port() == 0)
    throw ConfigError{"resolver '" + *text + "' is not \"IP\" or \"IP:PORT\"", node.source()};
  return *text;
}

}  // namespace miniweb::server::config_detail
