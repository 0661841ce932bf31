#include "dns/control_client.hpp"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>

#include <cerrno>
#include <cstring>

#include "shared/unique_fd.hpp"

namespace miniweb::dns {
namespace {

// Longer replies (a dump of a name with very many records) are cut here.
constexpr size_t kMaxReply = 1 << 20;

std::string connect_error(const std::filesystem::path& socket, int error) {
  const std::string where = socket.string();
  switch (error) {
    case ENOENT:
      return "no control socket at " + where +
             ": is the resolver running, with --control? (./miniweb up starts it)";
    case EACCES:
    case EPERM: {
      std::string owner;
      struct stat info {};
      if (::stat(socket.c_str(), &info) == 0)
        owner = " (owner uid " + std::to_string(info.st_uid) + ")";
      return "permission denied on " + where +
             ": the control socket is for the resolver's own user and root only" + owner;
    }
    case ECONNREFUSED:
      return "nothing listens on " + where + ": the resolver that made it has stopped";
    default:
      return "cannot connect to " + where + ": " + std::strerror(error);
  }
}

// Like write_all, without SIGPIPE: a resolver that refused us may have closed already.
bool send_all(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

void set_timeouts(int fd, std::chrono::milliseconds timeout) {
  timeval limit{};
  limit.tv_sec = static_cast<time_t>(timeout.count() / 1000);
  limit.tv_usec = static_cast<suseconds_t>((timeout.count() % 1000) * 1000);
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof limit);
}

}  // namespace

Result<std::string> control_request(const std::filesystem::path& socket, std::string_view line,
                                    std::chrono::milliseconds timeout) {
  if (line.find('\n') != std::string_view::npos) return make_error("a control command is one line");
  sockaddr_un address{};
  if (socket.native().size() >= sizeof address.sun_path)
    return make_error("the control socket's path " + socket.string() +
                      " is too long for a Unix socket");
  address.sun_family = AF_UNIX;
  std::memcpy(address.sun_path, socket.c_str(), socket.native().size());
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (fd.get() < 0) return make_error(std::string("cannot make a socket: ") + std::strerror(errno));
  set_timeouts(fd.get(), timeout);
  if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0)
    return make_error(connect_error(socket, errno));
  // A refused peer is told so at once, before it writes: a failed write is not the answer.
  const bool sent = send_all(fd.get(), std::string(line) + "\n");
  const int send_error = errno;
  std::string reply;
  char buffer[4096];
  while (reply.find('\n') == std::string::npos && reply.size() < kMaxReply) {
    const ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
      return make_error("no answer from the resolver on " + socket.string() + " within " +
                        std::to_string(timeout.count()) + " ms");
    if (n <= 0) break;  // the end, or ECONNRESET after a refusal: what came is the answer
    reply.append(buffer, static_cast<size_t>(n));
  }
  if (const size_t end = reply.find('\n'); end != std::string::npos) return reply.substr(0, end);
  if (!sent)
    return make_error(std::string("cannot send the command: ") + std::strerror(send_error));
  if (reply.empty()) return make_error("the resolver closed the connection without an answer");
  return reply;
}

}  // namespace miniweb::dns
