#include "stack/tcpdump_process.hpp"

#include <fcntl.h>
#include <linux/capability.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <regex>
#include <utility>
#include <vector>

namespace miniweb::stack {

namespace {

// CAP_NET_RAW and CAP_NET_ADMIN made inheritable, then ambient, so they survive execve() for a
// program that is not root: the user namespace's creator has them over its namespace.
void keep_capture_capabilities() {
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[2]{};
  if (::syscall(SYS_capget, &header, data) != 0) return;
  for (int capability : {CAP_NET_RAW, CAP_NET_ADMIN}) {
    data[0].inheritable |= 1U << capability;
    ::syscall(SYS_capset, &header, data);
    ::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, capability, 0, 0);
  }
}

}  // namespace

Result<TcpdumpCounts> parse_tcpdump_counts(const std::string& standard_error) {
  static const std::regex captured(R"((\d+) packets? captured)");
  static const std::regex dropped(R"((\d+) packets? dropped by kernel)");
  std::smatch match;
  TcpdumpCounts counts;
  if (!std::regex_search(standard_error, match, captured))
    return make_error("tcpdump did not say how many packets it captured: " + standard_error);
  counts.captured = static_cast<unsigned>(std::stoul(match[1]));
  if (std::regex_search(standard_error, match, dropped))
    counts.kernel_dropped = static_cast<unsigned>(std::stoul(match[1]));
  return counts;
}

Result<TcpdumpProcess> TcpdumpProcess::start(const std::filesystem::path& file) {
  int pipe_ends[2];
  if (::pipe2(pipe_ends, O_CLOEXEC) != 0)
    return make_error(std::string("pipe: ") + std::strerror(errno));
  const std::string path = file.string();
  // A small snapshot: in immediate mode each slot of the capture ring is as large as the
  // snapshot, and tcpdump's own (262144 bytes) leaves room for a few packets in its buffer.
  // Root of this namespace keeps the file: tcpdump would otherwise give it to its own user.
  // Without root (a user namespace), the capabilities to capture are passed on as ambient.
  const bool root = ::geteuid() == 0;
  std::vector<const char*> arguments{"tcpdump",          "-i", "any", "-nn", "-U",
                                     "--immediate-mode", "-s", "256", "-B",  "8192"};
  if (root) arguments.insert(arguments.end(), {"-Z", "root"});
  arguments.insert(arguments.end(), {"-w", path.c_str(), "tcp", nullptr});
  const pid_t pid = ::fork();
  if (pid < 0) return make_error(std::string("fork: ") + std::strerror(errno));
  if (pid == 0) {
    // The child: stderr to the pipe, nothing else kept; gone if this program dies first.
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    ::dup2(pipe_ends[1], STDERR_FILENO);
    const int null = ::open("/dev/null", O_RDWR);
    ::dup2(null, STDIN_FILENO);
    ::dup2(null, STDOUT_FILENO);
    if (!root) keep_capture_capabilities();
    ::execvp("tcpdump", const_cast<char* const*>(arguments.data()));
    ::_exit(127);
  }
  ::close(pipe_ends[1]);
  TcpdumpProcess process(pid, pipe_ends[0]);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (process.said_.find("listening on") == std::string::npos) {
    if (std::chrono::steady_clock::now() > deadline)
      return make_error("tcpdump did not start listening within 5 s: " + process.said_);
    const std::string more = process.read_standard_error(100);
    int status = 0;
    if (more.empty() && ::waitpid(pid, &status, WNOHANG) == pid) {
      process.pid_ = -1;
      process.said_ += process.read_standard_error(0);
      return make_error("tcpdump ended before listening" + (process.said_.empty()
                                                                ? std::string(" (is it installed?)")
                                                                : ": " + process.said_));
    }
  }
  return process;
}

TcpdumpProcess::TcpdumpProcess(TcpdumpProcess&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)),
      standard_error_(std::exchange(other.standard_error_, -1)),
      said_(std::move(other.said_)) {}

TcpdumpProcess::~TcpdumpProcess() {
  if (pid_ > 0) {
    ::kill(pid_, SIGTERM);
    ::waitpid(pid_, nullptr, 0);
  }
  if (standard_error_ >= 0) ::close(standard_error_);
}

std::string TcpdumpProcess::read_standard_error(int timeout_ms) {
  std::string out;
  pollfd ready{standard_error_, POLLIN, 0};
  while (::poll(&ready, 1, out.empty() ? timeout_ms : 0) > 0) {
    char buffer[4096];
    const ssize_t got = ::read(standard_error_, buffer, sizeof buffer);
    if (got <= 0) break;
    out.append(buffer, static_cast<std::size_t>(got));
  }
  said_ += out;
  return out;
}

Result<TcpdumpCounts> TcpdumpProcess::stop() {
  if (pid_ <= 0) return make_error("tcpdump is not running");
  ::kill(pid_, SIGTERM);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
  // After the end, the pipe holds the rest of what it said, up to end of file.
  for (;;) {
    char buffer[4096];
    const ssize_t got = ::read(standard_error_, buffer, sizeof buffer);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) break;
    said_.append(buffer, static_cast<std::size_t>(got));
  }
  return parse_tcpdump_counts(said_);
}

}  // namespace miniweb::stack
