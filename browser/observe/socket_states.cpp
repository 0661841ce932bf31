#include "browser/observe/socket_states.hpp"

#include <arpa/inet.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>

#include "shared/unique_fd.hpp"

namespace miniweb::browser::observe {
namespace {

asio::ip::address address_of(const inet_diag_sockid& id, std::uint8_t family, bool source) {
  const auto* words = source ? id.idiag_src : id.idiag_dst;
  if (family == AF_INET) {
    std::uint32_t v4 = 0;
    std::memcpy(&v4, words, sizeof v4);
    return asio::ip::address_v4(ntohl(v4));
  }
  asio::ip::address_v6::bytes_type bytes;
  std::memcpy(bytes.data(), words, bytes.size());
  return asio::ip::address_v6(bytes);
}

ReportedState::Timer timer_of(std::uint8_t timer) {
  // The values the kernel writes in idiag_timer (net/ipv4/inet_diag.c).
  switch (timer) {
    case 1:
      return ReportedState::Timer::Retransmit;
    case 2:
      return ReportedState::Timer::Keepalive;
    case 3:
      return ReportedState::Timer::TimeWait;
    case 4:
      return ReportedState::Timer::ZeroWindowProbe;
    default:
      return ReportedState::Timer::None;
  }
}

// One family's dump of every TCP socket, matched against `ends`.
Status dump_family(int netlink, std::uint8_t family, const std::vector<SocketEnd>& ends,
                   std::vector<ReportedState>& found) {
  struct {
    nlmsghdr header;
    inet_diag_req_v2 request;
  } message{};
  message.header.nlmsg_len = sizeof message;
  message.header.nlmsg_type = SOCK_DIAG_BY_FAMILY;
  message.header.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  message.request.sdiag_family = family;
  message.request.sdiag_protocol = IPPROTO_TCP;
  message.request.idiag_states = ~0u;  // every state, TIME_WAIT included
  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  if (::sendto(netlink, &message, sizeof message, 0, reinterpret_cast<sockaddr*>(&kernel),
               sizeof kernel) < 0)
    return make_error(std::string("sock_diag: cannot ask the kernel: ") + std::strerror(errno));
  alignas(nlmsghdr) std::array<char, 32768> buffer;
  while (true) {
    const ssize_t n = ::recv(netlink, buffer.data(), buffer.size(), 0);
    if (n < 0) return make_error(std::string("sock_diag: ") + std::strerror(errno));
    int length = static_cast<int>(n);
    for (auto* header = reinterpret_cast<nlmsghdr*>(buffer.data()); NLMSG_OK(header, length);
         header = NLMSG_NEXT(header, length)) {
      if (header->nlmsg_type == NLMSG_DONE) return Ok{};
      if (header->nlmsg_type == NLMSG_ERROR) {
        const auto* error = static_cast<const nlmsgerr*>(NLMSG_DATA(header));
        return make_error(std::string("sock_diag: the kernel answered ") +
                          std::strerror(-error->error));
      }
      const auto* socket = static_cast<const inet_diag_msg*>(NLMSG_DATA(header));
      const asio::ip::tcp::endpoint local(address_of(socket->id, socket->idiag_family, true),
                                          ntohs(socket->id.idiag_sport));
      const asio::ip::tcp::endpoint remote(address_of(socket->id, socket->idiag_family, false),
                                           ntohs(socket->id.idiag_dport));
      for (const SocketEnd& end : ends) {
        if (end.local != local || end.remote != remote) continue;
        found.push_back(ReportedState{end, static_cast<TcpState>(socket->idiag_state),
                                      timer_of(socket->idiag_timer),
                                      std::chrono::milliseconds(socket->idiag_expires)});
      }
    }
  }
}

}  // namespace

std::string_view state_name(TcpState state) {
  switch (state) {
    case TcpState::Established:
      return "ESTABLISHED";
    case TcpState::SynSent:
      return "SYN_SENT";
    case TcpState::SynReceived:
      return "SYN_RCVD";
    case TcpState::FinWait1:
      return "FIN_WAIT_1";
    case TcpState::FinWait2:
      return "FIN_WAIT_2";
    case TcpState::TimeWait:
      return "TIME_WAIT";
    case TcpState::Closed:
      return "CLOSED";
    case TcpState::CloseWait:
      return "CLOSE_WAIT";
    case TcpState::LastAck:
      return "LAST_ACK";
    case TcpState::Listen:
      return "LISTEN";
    case TcpState::Closing:
      return "CLOSING";
    case TcpState::NewSynReceived:
      return "SYN_RCVD";
  }
  return "UNKNOWN";
}

Result<std::vector<ReportedState>> report_states(const std::vector<SocketEnd>& ends) {
  std::vector<ReportedState> found;
  if (ends.empty()) return found;
  UniqueFd netlink(::socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG));
  if (netlink.get() < 0) return make_error(std::string("sock_diag: ") + std::strerror(errno));
  bool v4 = false;
  bool v6 = false;
  for (const SocketEnd& end : ends) (end.local.address().is_v4() ? v4 : v6) = true;
  if (v4)
    if (Status status = dump_family(netlink.get(), AF_INET, ends, found); !status)
      return status.error();
  if (v6)
    if (Status status = dump_family(netlink.get(), AF_INET6, ends, found); !status)
      return status.error();
  return found;
}

}  // namespace miniweb::browser::observe
