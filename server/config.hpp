#pragma once
// The server's configuration: one TOML file (toml++), paths relative to the file's folder.

#include <chrono>
#include <cstdint>
#include <filesystem>
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

struct SiteConfig {
  std::vector<std::string> names;  // lower-case host names; the first is the primary one
  std::filesystem::path root;      // document root
  std::filesystem::path certificate_chain;
  std::filesystem::path private_key;
  std::vector<std::string> index_files = {"index.html"};
};

struct LimitsConfig {
  http::Limits http;
  std::chrono::seconds header_timeout{10};    // slowloris: 408 and close
  std::chrono::seconds keepalive_timeout{15};
  std::chrono::seconds send_timeout{30};
  std::size_t max_connections = 1024;
  std::size_t max_requests_per_connection = 1000;
};

struct ServerConfig {
  std::filesystem::path source;  // the file it was read from
  std::vector<ListenerConfig> listeners;
  std::vector<SiteConfig> sites;  // the first one is the default site
  LimitsConfig limits;
  std::string server_name = "miniweb";
  std::chrono::seconds hsts_max_age{31536000};
};

// Reads and checks a configuration file; an error names the file, the line and the reason.
Result<ServerConfig> load_config(const std::filesystem::path& file);

}  // namespace miniweb::server
