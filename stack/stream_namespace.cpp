#include "stack/stream_namespace.hpp"

#include <fcntl.h>
#include <linux/capability.h>
#include <net/if.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

namespace miniweb::stack {
namespace {

std::string last_error() {
  return std::strerror(errno);
}

}  // namespace

std::optional<std::filesystem::path> find_program(const std::string& name) {
  std::string path = std::getenv("PATH") ? std::getenv("PATH") : "/usr/bin:/bin";
  path += ":/usr/sbin:/sbin";
  std::istringstream directories(path);
  for (std::string directory; std::getline(directories, directory, ':');) {
    if (directory.empty()) continue;
    std::filesystem::path candidate = std::filesystem::path(directory) / name;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return std::nullopt;
}

Result<ChildProcess> ChildProcess::start(const std::vector<std::string>& argv,
                                         const std::filesystem::path& output) {
  // Everything the child needs is made before fork: after it, only async-signal-safe calls.
  std::vector<char*> arguments;
  for (const std::string& argument : argv) arguments.push_back(const_cast<char*>(argument.c_str()));
  arguments.push_back(nullptr);
  const int out = ::open(output.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (out < 0) return make_error("cannot write " + output.string() + ": " + last_error());
  const int in = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);
    if (in >= 0) ::dup2(in, 0);
    ::dup2(out, 1);
    ::dup2(out, 2);
    ::execv(arguments[0], arguments.data());
    ::_exit(127);
  }
  const std::string why = last_error();
  ::close(out);
  if (in >= 0) ::close(in);
  if (pid < 0) return make_error("cannot start " + argv[0] + ": " + why);
  return ChildProcess(pid);
}

ChildProcess::~ChildProcess() {
  if (pid_ > 0 && !status_) stop(SIGKILL, std::chrono::milliseconds(1000));
}

bool ChildProcess::running() {
  if (pid_ <= 0 || status_) return false;
  int status = 0;
  if (::waitpid(pid_, &status, WNOHANG) == pid_) status_ = status;
  return !status_;
}

int ChildProcess::stop(int signal, std::chrono::milliseconds patience) {
  if (!running()) return status_.value_or(0);
  ::kill(pid_, signal);
  const auto until = std::chrono::steady_clock::now() + patience;
  while (running() && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  if (running()) ::kill(pid_, SIGKILL);
  return wait();
}

int ChildProcess::wait() {
  while (!status_ && pid_ > 0) {
    int status = 0;
    const pid_t got = ::waitpid(pid_, &status, 0);
    if (got == pid_) status_ = status;
    if (got < 0 && errno != EINTR) status_ = -1;
  }
  return status_.value_or(0);
}

Status run_program(const std::vector<std::string>& argv, const std::filesystem::path& output) {
  auto child = ChildProcess::start(argv, output);
  if (!child) return child.error();
  const int status = child->wait();
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return Ok{};
  std::ifstream in(output);
  std::ostringstream said;
  said << in.rdbuf();
  std::string text = said.str();
  while (!text.empty() && text.back() == '\n') text.pop_back();
  std::string command;
  for (const std::string& argument : argv) command += (command.empty() ? "" : " ") + argument;
  return make_error(command + ": " + status_text(status) + (text.empty() ? "" : ": " + text));
}

std::string status_text(int status) {
  if (WIFEXITED(status)) return "exited " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return "killed by signal " + std::to_string(WTERMSIG(status));
  return "ended (status " + std::to_string(status) + ")";
}

}  // namespace miniweb::stack
