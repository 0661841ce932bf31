#include "server/access_log.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>

#include "shared/unique_fd.hpp"

namespace miniweb::server {
namespace {

int g_access_fd = 2;

}  // namespace

std::string combined_log_line(const AccessLogEntry& entry) {
  std::time_t now = std::time(nullptr);
  std::tm local{};
  localtime_r(&now, &local);
  char when[64];
  std::strftime(when, sizeof when, "%d/%b/%Y:%H:%M:%S %z", &local);
  auto or_dash = [](std::string_view text) {
    return text.empty() ? std::string("-") : std::string(text);
  };
  return entry.client + " - - [" + when + "] \"" + std::string(entry.method) + ' ' +
         std::string(entry.target) + " HTTP/1." + std::to_string(entry.version_minor) + "\" " +
         std::to_string(entry.status) + ' ' + std::to_string(entry.body_bytes) + " \"" +
         or_dash(entry.referer) + "\" \"" + or_dash(entry.user_agent) + "\"\n";
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

void write_access_log(std::string_view line) {
  if (g_access_fd < 0) return;
  // One line, one write: lines from different connections never interleave.
  write_all(g_access_fd, line);
}

}  // namespace miniweb::server
