#include "server/access_log.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "shared/text.hpp"
#include "shared/unique_fd.hpp"

namespace miniweb::server {
namespace {

int g_access_fd = 2;

}  // namespace

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
