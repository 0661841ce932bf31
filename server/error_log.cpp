#include "server/error_log.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <ctime>

#include "shared/unique_fd.hpp"

namespace miniweb::server {
namespace {

constexpr std::string_view kNames[] = {"debug", "info", "notice", "warn", "error", "crit"};

}  // namespace

Result<LogLevel> parse_log_level(std::string_view text) {
  for (std::size_t i = 0; i < std::size(kNames); ++i)
    if (text == kNames[i]) return static_cast<LogLevel>(i);
  return make_error("log level '" + std::string(text) +
                    "' is not one of debug, info, notice, warn, error, crit");
}

std::string_view log_level_name(LogLevel level) {
  return kNames[static_cast<std::size_t>(level)];
}

ErrorLog::~ErrorLog() {
  if (fd_ > 2) ::close(fd_);
}

Status ErrorLog::open(const std::filesystem::path& path, LogLevel level) {
  int fd = 2;
  if (!path.empty()) {
    fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0)
      return make_error("cannot open the error log " + path.string() + ": " + std::strerror(errno));
  }
  if (fd_ > 2 && fd_ != fd) ::close(fd_);
  fd_ = fd;
  level_ = level;
  return Ok{};
}

void ErrorLog::write(LogLevel level, std::string_view message, std::uint64_t connection) {
  if (!enabled(level)) return;
  std::time_t now = std::time(nullptr);
  std::tm local{};
  localtime_r(&now, &local);
  char when[32];
  std::strftime(when, sizeof when, "%Y/%m/%d %H:%M:%S", &local);
  // nginx: "<date> [<level>] <pid>#<tid>: *<connection> <message>".
  std::string line = std::string(when) + " [" + std::string(log_level_name(level)) + "] " +
                     std::to_string(::getpid()) + "#0: ";
  if (connection != 0) line += "*" + std::to_string(connection) + " ";
  line += message;
  line += '\n';
  write_all(fd_, line);
}

ErrorLog& error_log() {
  static ErrorLog log;
  return log;
}

std::uint64_t next_connection_number() {
  static std::atomic<std::uint64_t> next{0};
  return ++next;
}

}  // namespace miniweb::server
