#pragma once
// One access log line in the Combined Log Format (nginx's "combined"), with the request's id
// after it when there is one (as nginx's $request_id would be logged):
//   127.0.0.1 - - [23/Nov/2026:22:50:01 +0000] "GET / HTTP/1.1" 200 612 "-" "curl/7.88.1" "5f0c..."
// The server's access log (server/access_log) and the shop's (shop/app_server) both write it,
// so that one request's id finds its line in each.

#include <cstdint>
#include <string>
#include <string_view>

#include "shared/http/message.hpp"

namespace miniweb::http {

struct AccessLogEntry {
  std::string_view client;  // the client's address
  std::string_view method;  // "CONNECT" for a tunnel, as squid and nginx log it
  std::string_view target;  // "host:port" for CONNECT
  std::string_view protocol = "HTTP/1.1";
  int status = 0;
  std::uint64_t body_bytes = 0;  // bytes sent to the client after the head
  std::string_view referer;      // empty: "-"
  std::string_view user_agent;   // empty: "-"
  std::string_view request_id;   // empty: not written
};

// The entry of a request's response: method, target, protocol, Referer and User-Agent from it.
AccessLogEntry entry_for(const Request& request, int status, std::uint64_t body_bytes,
                         std::string_view client, std::string_view request_id);

// Appends the entry's line, newline included, to `out`.
void append_combined_log_line(std::string& out, const AccessLogEntry& entry);

// The header field the reverse proxy names each request with (always its own id, replacing
// any a client sent), so that the server's line and the application's line can be matched.
inline constexpr std::string_view kRequestIdField = "X-Request-Id";

}  // namespace miniweb::http
