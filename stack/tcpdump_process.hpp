#pragma once
// Debian's tcpdump, run inside this process's network namespace while an experiment runs, so
// that its capture can be read apart from this program's own (`tcpdump -r FILE`).

#include <sys/types.h>

#include <filesystem>
#include <string>

#include "shared/result.hpp"

namespace miniweb::stack {

struct TcpdumpCounts {
  unsigned captured = 0;        // "N packets captured"
  unsigned kernel_dropped = 0;  // "N packets dropped by kernel"
};

// tcpdump's closing lines on standard error; nullopt-like error when they are not there.
Result<TcpdumpCounts> parse_tcpdump_counts(const std::string& standard_error);

class TcpdumpProcess {
 public:
  // `tcpdump -i any -U --immediate-mode -w FILE tcp`, started and waited for until it says it
  // is listening.
  static Result<TcpdumpProcess> start(const std::filesystem::path& file);
  TcpdumpProcess(TcpdumpProcess&& other) noexcept;
  TcpdumpProcess& operator=(TcpdumpProcess&&) = delete;
  ~TcpdumpProcess();

  // SIGTERM to the tcpdump this started, then its counts.
  Result<TcpdumpCounts> stop();

 private:
  TcpdumpProcess(pid_t pid, int standard_error) : pid_(pid), standard_error_(standard_error) {}
  std::string read_standard_error(int timeout_ms);

  pid_t pid_ = -1;
  int standard_error_ = -1;
  std::string said_;
};

}  // namespace miniweb::stack
