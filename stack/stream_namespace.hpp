#pragma once
// The programs the stream experiment runs inside its network namespace (own_namespace.hpp):
// the link emulator, iptables, tcpdump. Nothing of the experiment touches the host's network: its
// addresses, its NFQUEUE rule and its capture live and die with the namespace.

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "shared/result.hpp"

namespace miniweb::stack {

// The full path of a program on PATH, or in /usr/sbin and /sbin (users' PATH often lacks them).
std::optional<std::filesystem::path> find_program(const std::string& name);

// A program run as a child, its standard output and error going to `output`. It is killed if
// this process dies (PR_SET_PDEATHSIG), and when the object goes without having been waited for.
class ChildProcess {
 public:
  static Result<ChildProcess> start(const std::vector<std::string>& argv,
                                    const std::filesystem::path& output);
  ChildProcess(ChildProcess&& other) noexcept : pid_(other.pid_), status_(other.status_) {
    other.pid_ = -1;
  }
  ChildProcess& operator=(ChildProcess&&) = delete;
  ~ChildProcess();

  pid_t pid() const { return pid_; }
  bool running();
  // Sends `signal`, waits up to `patience`, then kills it. Its wait status.
  int stop(int signal, std::chrono::milliseconds patience);
  int wait();

 private:
  explicit ChildProcess(pid_t pid) : pid_(pid) {}
  pid_t pid_ = -1;
  std::optional<int> status_;
};

// Runs a program to its end; what it printed when it fails.
Status run_program(const std::vector<std::string>& argv, const std::filesystem::path& output);

// "exited 1", "killed by signal 9".
std::string status_text(int status);

}  // namespace miniweb::stack
