#include "shared/http/combined_log.hpp"

#include <ctime>

#include "shared/text.hpp"

namespace miniweb::http {
namespace {

// nginx's $time_local, formatted once a second rather than per line. One per thread: a
// server's connections all run on the thread of its io_context.
const std::string& local_time_now() {
  thread_local std::time_t second = -1;
  thread_local std::string text;
  const std::time_t now = std::time(nullptr);
  if (now != second) {
    second = now;
    std::tm local{};
    localtime_r(&now, &local);
    char when[64];
    std::strftime(when, sizeof when, "%d/%b/%Y:%H:%M:%S %z", &local);
    text = when;
  }
  return text;
}

}  // namespace

AccessLogEntry entry_for(const Request& request, int status, std::uint64_t body_bytes,
                         std::string_view client, std::string_view request_id) {
  return AccessLogEntry{
      .client = client,
      .method = request.method,
      .target = request.target,
      .protocol = request.protocol(),
      .status = status,
      .body_bytes = body_bytes,
      .referer = request.headers.get("Referer").value_or(""),
      .user_agent = request.headers.get("User-Agent").value_or(""),
      .request_id = request_id,
  };
}

void append_combined_log_line(std::string& out, const AccessLogEntry& entry) {
  auto or_dash = [](std::string_view text) { return text.empty() ? std::string_view("-") : text; };
  out += entry.client;
  out += " - - [";
  out += local_time_now();
  out += "] \"";
  out += entry.method;
  out += ' ';
  out += entry.target;
  out += ' ';
  out += entry.protocol;
  out += "\" ";
  append_decimal(out, static_cast<std::uint64_t>(entry.status));
  out += ' ';
  append_decimal(out, entry.body_bytes);
  out += " \"";
  out += or_dash(entry.referer);
  out += "\" \"";
  out += or_dash(entry.user_agent);
  out += '"';
  if (!entry.request_id.empty()) {
    out += " \"";
    out += entry.request_id;
    out += '"';
  }
  out += '\n';
}

}  // namespace miniweb::http
