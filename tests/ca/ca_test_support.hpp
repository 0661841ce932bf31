#pragma once
// Helpers for the CA tests: a temporary directory per test, and running real programs (the
// built miniweb-ca, the openssl command line) with their output captured.

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "tests/support/temp_dir.hpp"

namespace miniweb::ca::testing {

// A directory per test, named after the CA.
class TempDir : public test_support::TempDir {
 public:
  TempDir() : test_support::TempDir("miniweb-ca") {}
};

struct ProcessResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr together
};

// Starts a program (argv[0] searched in PATH) with stdout+stderr captured in `log`; returns
// its pid. Used directly to run several at once.
inline pid_t start_process(const std::vector<std::string>& argv, const std::string& log) {
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0) ::_exit(126);
    ::dup2(fd, 1);
    ::dup2(fd, 2);
    std::vector<char*> args;
    for (const auto& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
    args.push_back(nullptr);
    ::execvp(args[0], args.data());
    ::_exit(127);
  }
  return pid;
}

inline int wait_process(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return -1;
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

inline std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

inline ProcessResult run(const std::vector<std::string>& argv) {
  char log_template[] = "/tmp/miniweb-ca-log-XXXXXX";
  const int fd = ::mkstemp(log_template);
  if (fd < 0) throw std::runtime_error("mkstemp failed");
  ::close(fd);
  ProcessResult result;
  result.exit_code = wait_process(start_process(argv, log_template));
  result.output = slurp(log_template);
  ::unlink(log_template);
  return result;
}

// The permission bits of a file.
inline unsigned file_mode(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return 0;
  return st.st_mode & 0777;
}

}  // namespace miniweb::ca::testing
