#include "dns/control_server.hpp"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <asio/local/stream_protocol.hpp>
#include <asio/read_until.hpp>
#include <asio/steady_timer.hpp>
#include <asio/write.hpp>
#include <cerrno>
#include <cstring>

#include "shared/awaitable.hpp"
#include "shared/unique_fd.hpp"

namespace miniweb::dns {
namespace {

using namespace asio::experimental::awaitable_operators;
using Local = asio::local::stream_protocol;

std::string errno_text(int error) {
  return std::strerror(error);
}

// Whether something listens on the socket file at `path` (a resolver already running).
bool someone_listens(const std::string& path) {
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (fd.get() < 0) return false;
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::memcpy(address.sun_path, path.c_str(), path.size());
  return ::connect(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0;
}

// Makes room for the socket: nothing there, or a socket file nobody listens on any more.
Status clear_the_way(const std::filesystem::path& path) {
  struct stat info {};
  if (::lstat(path.c_str(), &info) != 0) {
    if (errno == ENOENT) return Ok{};
    return make_error("cannot look at " + path.string() + ": " + errno_text(errno));
  }
  if (!S_ISSOCK(info.st_mode))
    return make_error(path.string() + " exists and is not a socket; not replacing it");
  if (someone_listens(path.string()))
    return make_error("something already listens on " + path.string() +
                      " (another resolver with the same --control?)");
  if (::unlink(path.c_str()) != 0)
    return make_error("cannot remove the stale socket " + path.string() + ": " + errno_text(errno));
  return Ok{};
}

}  // namespace

Result<PeerCredentials> peer_credentials(int socket_fd) {
  ucred credentials{};
  socklen_t length = sizeof credentials;
  if (::getsockopt(socket_fd, SOL_SOCKET, SO_PEERCRED, &credentials, &length) != 0)
    return make_error(std::string("cannot tell who the peer is (SO_PEERCRED): ") +
                      errno_text(errno));
  return PeerCredentials{credentials.pid, credentials.uid, credentials.gid};
}

bool control_peer_allowed(uid_t peer, uid_t self) {
  return peer == self || peer == 0;
}

struct ControlServer::State : std::enable_shared_from_this<ControlServer::State> {
  State(asio::any_io_executor executor, std::filesystem::path path, ControlHandler handler,
        ControlLog log, ControlLimits limits)
      : acceptor(executor),
        path(std::move(path)),
        handler(std::move(handler)),
        log(std::move(log)),
        limits(limits) {}

  Local::acceptor acceptor;
  std::filesystem::path path;
  ControlHandler handler;
  ControlLog log;
  ControlLimits limits;
  ino_t inode = 0;  // of the socket file this server made
  dev_t device = 0;
  size_t connections = 0;
  bool stopped = false;

  void say(const std::string& line) const {
    if (log) log("control: " + line);
  }

  // Writes one reply line, within the idle timeout. False when the peer is gone or stuck.
  asio::awaitable<bool> send_line(Local::socket& socket, asio::steady_timer& timer,
                                  const std::string& line) {
    std::string framed = line + "\n";
    timer.expires_after(limits.idle_timeout);
    auto sent = co_await (asio::async_write(socket, asio::buffer(framed), use_tuple) ||
                          timer.async_wait(use_tuple));
    co_return sent.index() == 0 && !std::get<0>(std::get<0>(sent));
  }

  asio::awaitable<void> serve(Local::socket socket) {
    auto self = shared_from_this();
    struct CountGuard {
      size_t& count;
      ~CountGuard() { --count; }
    } guard{connections};
    asio::steady_timer timer(socket.get_executor());
    auto peer = peer_credentials(socket.native_handle());
    if (!peer) {
      say(peer.error().message);
      co_await send_line(socket, timer, "error: " + peer.error().message);
      co_return;
    }
    const std::string who =
        "uid " + std::to_string(peer->uid) + " pid " + std::to_string(peer->pid);
    if (!control_peer_allowed(peer->uid, ::geteuid())) {
      say("refused " + who + ": not the resolver's user");
      co_await send_line(socket, timer,
                         "error: refused: uid " + std::to_string(peer->uid) +
                             " may not control this resolver (only uid " +
                             std::to_string(::geteuid()) + ", its own user, and root may)");
      co_return;
    }
    std::string buffer;
    while (!stopped) {
      timer.expires_after(limits.idle_timeout);
      // One more byte than a line may have: room for its newline, and no more.
      auto got = co_await (asio::async_read_until(socket,
                                                  asio::dynamic_buffer(buffer, limits.max_line + 1),
                                                  '\n', use_tuple) ||
                           timer.async_wait(use_tuple));
      if (got.index() == 1) {
        co_await send_line(socket, timer, "error: nothing came for a while; closing");
        co_return;
      }
      auto [error, length] = std::get<0>(got);
      if (error == asio::error::not_found) {
        say("refused a line from " + who + ": longer than " + std::to_string(limits.max_line) +
            " bytes");
        co_await send_line(
            socket, timer,
            "error: a line is at most " + std::to_string(limits.max_line) + " bytes; closing");
        co_return;
      }
      if (error) {
        // The peer closed. A last line without its newline (printf 'stats' | socat ...) is
        // still answered.
        if (error == asio::error::eof && !buffer.empty()) {
          const std::string reply = handler(buffer);
          say(who + ": " + buffer + " -> " + reply);
          co_await send_line(socket, timer, reply);
        }
        co_return;
      }
      const std::string line = buffer.substr(0, length - 1);
      buffer.erase(0, length);
      const std::string reply = handler(line);
      // The handler refuses lines that are not printable text; only those are logged whole.
      say(who + ": " + (reply.starts_with("error: the line holds") ? "(unprintable)" : line) +
          " -> " + reply);
      if (!co_await send_line(socket, timer, reply)) co_return;
    }
  }

  asio::awaitable<void> accept_loop() {
    auto self = shared_from_this();
    while (!stopped) {
      auto [error, socket] = co_await acceptor.async_accept(use_tuple);
      if (error) {
        if (error == asio::error::operation_aborted || stopped) co_return;
        continue;
      }
      if (connections >= limits.max_connections) continue;  // the socket closes here
      ++connections;
      asio::co_spawn(acceptor.get_executor(), serve(std::move(socket)), asio::detached);
    }
  }
};

Result<std::unique_ptr<ControlServer>> ControlServer::open(asio::any_io_executor executor,
                                                           const std::filesystem::path& path,
                                                           ControlHandler handler, ControlLog log,
                                                           ControlLimits limits) {
  // sun_path holds 108 bytes with the final NUL.
  if (path.native().size() >= sizeof(sockaddr_un{}.sun_path))
    return make_error("the control socket's path " + path.string() + " is " +
                      std::to_string(path.native().size()) +
                      " bytes long; a Unix socket's path has at most " +
                      std::to_string(sizeof(sockaddr_un{}.sun_path) - 1) +
                      ": choose a shorter one (MINIWEB_STATE for the stack)");
  if (auto cleared = clear_the_way(path); !cleared) return cleared.error();
  auto state = std::make_shared<State>(std::move(executor), path, std::move(handler),
                                       std::move(log), limits);
  asio::error_code error;
  state->acceptor.open(Local(), error);
  if (!error) {
    // Mode 0600 from the moment the file exists: no window in which others could connect.
    const mode_t old_mask = ::umask(0177);
    state->acceptor.bind(Local::endpoint(path.string()), error);
    ::umask(old_mask);
  }
  if (!error) state->acceptor.listen(asio::socket_base::max_listen_connections, error);
  if (error)
    return make_error("cannot listen on the control socket " + path.string() + ": " +
                      error.message());
  struct stat info {};
  if (::lstat(path.c_str(), &info) == 0) {
    state->inode = info.st_ino;
    state->device = info.st_dev;
  }
  return std::unique_ptr<ControlServer>(new ControlServer(std::move(state)));
}

ControlServer::ControlServer(std::shared_ptr<State> state) : state_(std::move(state)) {}

ControlServer::~ControlServer() {
  stop();
  // Only our own socket file: a resolver started since may have made a new one there.
  struct stat info {};
  if (::lstat(state_->path.c_str(), &info) == 0 && info.st_ino == state_->inode &&
      info.st_dev == state_->device)
    ::unlink(state_->path.c_str());
}

void ControlServer::start() {
  asio::co_spawn(state_->acceptor.get_executor(), state_->accept_loop(), asio::detached);
}

void ControlServer::stop() {
  if (state_->stopped) return;
  state_->stopped = true;
  asio::error_code ignored;
  state_->acceptor.close(ignored);
}

const std::filesystem::path& ControlServer::path() const {
  return state_->path;
}

}  // namespace miniweb::dns
