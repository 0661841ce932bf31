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

std::optional<std::uint64_t> namespace_inode(const char* path) {
  struct stat status {};
  if (::stat(path, &status) != 0) return std::nullopt;
  return status.st_ino;
}

Status write_proc(const std::string& path, const std::string& text) {
  std::ofstream out(path);
  out << text;
  out.flush();
  if (!out) return make_error("cannot write '" + text + "' to " + path + ": " + last_error());
  return Ok{};
}

// The user namespace's capabilities this thread keeps across execve (man 7 capabilities:
// ambient capabilities survive the exec of a program without file capabilities).
Status keep_network_capabilities() {
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};
  if (::syscall(SYS_capget, &header, data) != 0)
    return make_error("capget failed: " + last_error());
  for (int capability : {CAP_NET_ADMIN, CAP_NET_RAW})
    data[CAP_TO_INDEX(capability)].inheritable |= CAP_TO_MASK(capability);
  if (::syscall(SYS_capset, &header, data) != 0)
    return make_error("capset failed: " + last_error());
  for (int capability : {CAP_NET_ADMIN, CAP_NET_RAW})
    if (::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, capability, 0, 0) != 0)
      return make_error("cannot keep CAP_NET_ADMIN and CAP_NET_RAW for the programs run inside: " +
                        last_error());
  return Ok{};
}

}  // namespace

Result<OwnNetwork> enter_own_network_namespace() {
  const auto before = namespace_inode("/proc/self/ns/net");
  OwnNetwork network;
  if (::geteuid() == 0) {
    if (::unshare(CLONE_NEWNET) != 0)
      return make_error("cannot make a network namespace (unshare: " + last_error() +
                        "): root here lacks CAP_SYS_ADMIN, as in some containers");
  } else {
    const uid_t uid = ::getuid();
    const gid_t gid = ::getgid();
    if (::unshare(CLONE_NEWUSER | CLONE_NEWNET) != 0)
      return make_error(
          "cannot make a user and network namespace (unshare: " + last_error() +
          "): this machine forbids them to users (kernel.unprivileged_userns_clone=0, "
          "user.max_user_namespaces=0, or AppArmor's restriction); run as root instead");
    network.user_namespace = true;
    // A user may map only itself, and only once setgroups is denied (user_namespaces(7)).
    auto mapped = write_proc("/proc/self/setgroups", "deny");
    if (mapped)
      mapped =
          write_proc("/proc/self/uid_map", std::to_string(uid) + " " + std::to_string(uid) + " 1");
    if (mapped)
      mapped =
          write_proc("/proc/self/gid_map", std::to_string(gid) + " " + std::to_string(gid) + " 1");
    if (!mapped) return mapped.error();
    if (auto kept = keep_network_capabilities(); !kept) return kept.error();
  }
  const auto after = namespace_inode("/proc/self/ns/net");
  const auto host = namespace_inode("/proc/1/ns/net");  // unreadable to a user: then `before`
  if (!after || after == before || (host && after == host))
    return make_error("refusing to run: this process is still in the host's network namespace");
  network.inode = *after;
  return network;
}

Status bring_loopback_up() {
  const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return make_error("cannot open a socket: " + last_error());
  ifreq request{};
  std::strncpy(request.ifr_name, "lo", IFNAMSIZ - 1);
  int result = ::ioctl(fd, SIOCGIFFLAGS, &request);
  if (result == 0) {
    request.ifr_flags = static_cast<short>(request.ifr_flags | IFF_UP);
    result = ::ioctl(fd, SIOCSIFFLAGS, &request);
  }
  const std::string why = last_error();
  ::close(fd);
  if (result != 0) return make_error("cannot bring lo up: " + why);
  return Ok{};
}

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
