#pragma once
// The error log, after nginx's error_log: one line per event with a severity level, written to
// a file or to standard error; events below the configured level are dropped.
//   2026/11/23 22:50:01 [error] 4242#0: *7 upstream 127.0.0.1:8081 timed out, client: 127.0.0.1
// The server runs on one thread; a line is one write(2), so lines never interleave.

#include <cstdint>
#include <ctime>
#include <filesystem>
#include <string>
#include <string_view>

#include "shared/result.hpp"

namespace miniweb::server {

// nginx's levels, least severe first (alert and emerg are not used by this server).
enum class LogLevel { Debug, Info, Notice, Warn, Error, Crit };

Result<LogLevel> parse_log_level(std::string_view text);
std::string_view log_level_name(LogLevel level);

class ErrorLog {
 public:
  // Writes to standard error at level notice until configured.
  ErrorLog() = default;
  ~ErrorLog();
  ErrorLog(const ErrorLog&) = delete;
  ErrorLog& operator=(const ErrorLog&) = delete;

  // Opens `path` for appending (created if missing); an empty path is standard error. On
  // failure the log stays as it was and the error says why.
  Status open(const std::filesystem::path& path, LogLevel level);

  bool enabled(LogLevel level) const { return level >= level_; }
  bool to_stderr() const { return fd_ == 2; }
  LogLevel level() const { return level_; }

  // `connection` is the connection's number (0: none), shown as nginx's "*N".
  void write(LogLevel level, std::string_view message, std::uint64_t connection = 0);

 private:
  int fd_ = 2;
  LogLevel level_ = LogLevel::Notice;
};

// The process's error log.
ErrorLog& error_log();

// Shorthand: error_log().write(level, message).
inline void log_event(LogLevel level, std::string_view message, std::uint64_t connection = 0) {
  if (error_log().enabled(level)) error_log().write(level, message, connection);
}

// A new connection number for the logs (nginx's connection serial).
std::uint64_t next_connection_number();

}  // namespace miniweb::server
