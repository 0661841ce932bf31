#include "shared/http/response_head.hpp"

#include <ctime>

namespace miniweb::http {
namespace {

void append_field(std::string& head, std::string_view name, std::string_view value) {
  head += name;
  head += ": ";
  head += value;
  head += "\r\n";
}

}  // namespace

const std::string& http_date_now() {
  // One per thread: a server's connections all run on the thread of its io_context.
  thread_local std::time_t second = -1;
  thread_local std::string date;
  const std::time_t now = std::time(nullptr);
  if (now != second) {
    second = now;
    date = http_date(now);
  }
  return date;
}

void write_response_head(std::string& head, const Response& response,
                         const std::vector<std::pair<std::string, std::string>>& server_fields,
                         const ResponseFraming& framing) {
  // A proxied answer to HEAD keeps the upstream's Content-Length (RFC 9110 section 8.6).
  const bool head_length = framing.head_request && response.headers.contains("Content-Length");
  const bool set_length = status_has_body(response.status) && !head_length;
  // HTTP/1.0 closes by default, so keep-alive is said out loud (RFC 9112 section 9.3).
  const bool set_connection = !framing.keep_alive || framing.request_version_minor == 0;
  head.clear();
  head += "HTTP/1.";
  append_decimal(head, static_cast<std::uint64_t>(response.version_minor));
  head += ' ';
  append_decimal(head, static_cast<std::uint64_t>(response.status));
  head += ' ';
  head +=
      response.reason.empty() ? reason_phrase(response.status) : std::string_view(response.reason);
  head += "\r\n";
  for (const auto& [name, value] : response.headers) {
    if (iequals(name, "Date") || (set_length && iequals(name, "Content-Length")) ||
        (set_connection && iequals(name, "Connection")))
      continue;
    bool fixed = false;
    for (const auto& field : server_fields) fixed = fixed || iequals(name, field.first);
    if (!fixed) append_field(head, name, value);
  }
  for (const auto& [name, value] : server_fields) append_field(head, name, value);
  append_field(head, "Date", http_date_now());
  if (set_length) {
    head += "Content-Length: ";
    append_decimal(head, framing.body_bytes);
    head += "\r\n";
  }
  if (set_connection) append_field(head, "Connection", framing.keep_alive ? "keep-alive" : "close");
  head += "\r\n";
}

}  // namespace miniweb::http
