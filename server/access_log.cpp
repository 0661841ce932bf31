#include "server/access_log.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>

#include "shared/text.hpp"
#include "shared/unique_fd.hpp"

namespace miniweb::server {
namespace {

int g_access_fd = 2;

// nginx's $time_local, formatted once a second rather than per line. One per thread: the
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
  out += "\"\n";
}

Status open_access_log(const std::filesystem::path& path, bool off) {
  int fd = 2;
  if (off) {
    fd = -1;
  } else if (!path.empty()) {
    fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0)
      return make_error("cannot open the access log " + path.string() + ": " +
                        std::strerror(errno));
  }
  if (g_access_fd > 2 && g_access_fd != fd) ::close(g_access_fd);
  g_access_fd = fd;
  return Ok{};
}

void log_access(const AccessLogEntry& entry) {
  if (g_access_fd < 0) return;
  // Built in a buffer the thread keeps: a line costs no allocation once the buffer has grown.
  thread_local std::string line;
  line.clear();
  append_combined_log_line(line, entry);
  write_all(g_access_fd, line);
}

}  // namespace miniweb::server
