#pragma once
// The resolver's control channel, as Unbound's unbound-control has one: a Unix stream socket,
// never a network one, made mode 0600 where the stack keeps its state. The kernel says who is at
// the other end (SO_PEERCRED): only the resolver's own user and root are served; anyone else
// gets one line saying so and the connection closes. A peer types lines (`socat -
// UNIX-CONNECT:PATH` works) and gets one line back for each; a line longer than the limit is
// refused and the connection closed, never buffered without bound.
//
//   auto control = ControlServer::open(io.get_executor(), "run/resolver.control",
//                                      [&](std::string_view line) { return answer(line); },
//                                      log_line);   // Result<std::unique_ptr<ControlServer>>
//   (*control)->start();
//
// Threading: it runs on the executor it is given, the resolver's, so its commands touch the
// cache without locks.

#include <sys/types.h>

#include <asio/any_io_executor.hpp>
#include <chrono>
#include <cstddef>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "shared/result.hpp"

namespace miniweb::dns {

struct ControlLimits {
  size_t max_line = 512;  // bytes, without the newline
  size_t max_connections = 8;
  std::chrono::milliseconds idle_timeout{60000};
};

// The reply line (without its newline) to one line a peer sent.
using ControlHandler = std::function<std::string(std::string_view line)>;
using ControlLog = std::function<void(const std::string& line)>;

// Who the kernel says is at the other end of a Unix socket.
struct PeerCredentials {
  pid_t pid = 0;
  uid_t uid = 0;
  gid_t gid = 0;
};
Result<PeerCredentials> peer_credentials(int socket_fd);

// The resolver's own user may use the channel, and root; no one else.
bool control_peer_allowed(uid_t peer, uid_t self);

class ControlServer {
 public:
  // Makes the socket at `path`, mode 0600 from the start, and listens. A socket file left by a
  // resolver that stopped is replaced; one that something still listens on, or any other kind
  // of file, is not. The error says why it cannot, in words a user can act on.
  static Result<std::unique_ptr<ControlServer>> open(asio::any_io_executor executor,
                                                     const std::filesystem::path& path,
                                                     ControlHandler handler, ControlLog log,
                                                     ControlLimits limits = {});
  // Stops, and removes the socket file if it is still the one this server made.
  ~ControlServer();
  ControlServer(const ControlServer&) = delete;
  ControlServer& operator=(const ControlServer&) = delete;

  // Starts accepting on the executor.
  void start();
  // Closes the listening socket; connections end.
  void stop();
  const std::filesystem::path& path() const;

 private:
  struct State;
  explicit ControlServer(std::shared_ptr<State> state);
  std::shared_ptr<State> state_;
};

}  // namespace miniweb::dns
