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
  std::string_view client;  // the client's address
  std::string_view method;  // "CONNECT" for a tunnel, as squid and nginx log it
  std::string_view target;  // "host:port" for CONNECT
  std::string_view protocol = "HTTP/1.1";
  int status = 0;
  std::uint64_t body_bytes = 0;  // bytes sent to the client after the head
  std::string_view referer;      // empty: "-"
  std::string_view user_agent;   // empty: "-"
};

// Appends the entry's line, newline included, to `out`.
void append_combined_log_line(std::string& out, const AccessLogEntry& entry);

// Where access log lines go: standard error until a path is configured; nowhere when `off`.
Status open_access_log(const std::filesystem::path& path, bool off = false);
// Writes the entry's line, in one write (lines from different connections never interleave).
void log_access(const AccessLogEntry& entry);

}  // namespace miniweb::server
