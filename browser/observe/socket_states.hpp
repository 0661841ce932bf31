#pragma once
// TCP states as the kernel reports them, through sock_diag (the netlink interface `ss` reads):
// for each connection of a load, both ends (the browser's socket and the server's), with the
// kernel's own timer (TIME_WAIT's, a retransmission's). Nothing here is guessed: a state the
// kernel did not report is absent.

#include <asio/ip/tcp.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "shared/result.hpp"

namespace miniweb::browser::observe {

// The kernel's TCP states (include/net/tcp_states.h), named as RFC 9293 names them.
enum class TcpState : std::uint8_t {
  Established = 1,
  SynSent,
  SynReceived,
  FinWait1,
  FinWait2,
  TimeWait,
  Closed,
  CloseWait,
  LastAck,
  Listen,
  Closing,
  NewSynReceived,
};
// "ESTABLISHED", "SYN_SENT", "FIN_WAIT_1", "TIME_WAIT"...
std::string_view state_name(TcpState state);

// One end of a connection, as its own socket sees it.
struct SocketEnd {
  asio::ip::tcp::endpoint local;
  asio::ip::tcp::endpoint remote;
  bool operator==(const SocketEnd&) const = default;
};

struct ReportedState {
  SocketEnd end;
  TcpState state = TcpState::Closed;
  // The timer the kernel runs on the socket, when it runs one: TIME_WAIT's (about 60 s on
  // Linux), a retransmission's, a keepalive's, a zero-window probe's.
  enum class Timer { None, Retransmit, Keepalive, TimeWait, ZeroWindowProbe };
  Timer timer = Timer::None;
  std::chrono::milliseconds expires{0};
};

// The states of those of `ends` the kernel has a socket for (TCP over IPv4 and IPv6), in one
// dump of the kernel's table. A socket that is gone (closed, its TIME_WAIT over) is absent.
// Error: sock_diag is not available (no netlink in this sandbox, say).
Result<std::vector<ReportedState>> report_states(const std::vector<SocketEnd>& ends);

}  // namespace miniweb::browser::observe
