#pragma once
// The access log in the Combined Log Format (nginx's "combined"), to a file or standard error:
//   127.0.0.1 - - [23/Nov/2026:22:50:01 +0000] "GET / HTTP/1.1" 200 612 "-" "curl/7.88.1"

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "shared/result.hpp"

namespace miniweb::server {

struct AccessLogEntry {
  std::string client;       // the client's address
  std::string_view method;  // "CONNECT" for a tunnel, as squid and nginx log it
  std::string_view target;  // "host:port" for CONNECT
  int version_minor = 1;
  int status = 0;
  std::uint64_t body_bytes = 0;  // bytes sent to the client after the head
  std::string_view referer;      // empty: "-"
  std::string_view user_agent;   // empty: "-"
};

std::string combined_log_line(const AccessLogEntry& entry);

// Where access log lines go: standard error until a path is configured; nowhere when `off`.
Status open_access_log(const std::filesystem::path& path, bool off = false);
void write_access_log(std::string_view line);

}  // namespace miniweb::server
