#include "stack/listener_queues.hpp"

#include <arpa/inet.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace miniweb::stack {

Result<bool> tally_diag_reply(std::span<const std::uint8_t> reply, Address address,
                              std::uint16_t port, ListenerQueues& queues) {
  std::size_t at = 0;
  while (at + sizeof(nlmsghdr) <= reply.size()) {
    nlmsghdr header{};
    std::memcpy(&header, reply.data() + at, sizeof header);
    if (header.nlmsg_len < sizeof header || at + header.nlmsg_len > reply.size())
      return make_error("sock_diag: a message longer than the reply");
    if (header.nlmsg_type == NLMSG_DONE) return true;
    if (header.nlmsg_type == NLMSG_ERROR) {
      nlmsgerr error{};
      if (header.nlmsg_len >= NLMSG_LENGTH(sizeof error))
        std::memcpy(&error, reply.data() + at + NLMSG_HDRLEN, sizeof error);
      return make_error(std::string("sock_diag: ") + std::strerror(-error.error));
    }
    if (header.nlmsg_type == SOCK_DIAG_BY_FAMILY &&
        header.nlmsg_len >= NLMSG_LENGTH(sizeof(inet_diag_msg))) {
      inet_diag_msg message{};
      std::memcpy(&message, reply.data() + at + NLMSG_HDRLEN, sizeof message);
      if (ntohs(message.id.idiag_sport) == port && ntohl(message.id.idiag_src[0]) == address) {
        if (message.idiag_state == TCP_LISTEN) {
          // For a listener, inet_diag reports the accept queue and its limit in the queues.
          queues.listening = true;
          queues.accept_queue = message.idiag_rqueue;
          queues.backlog_limit = message.idiag_wqueue;
        } else if (message.idiag_state == TCP_SYN_RECV) {
          ++queues.syn_queue;
        }
      }
    }
    at += NLMSG_ALIGN(header.nlmsg_len);
  }
  return false;
}

Result<ListenerQueueProbe> ListenerQueueProbe::open() {
  const int fd = ::socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
  if (fd < 0) return make_error(std::string("sock_diag socket: ") + std::strerror(errno));
  return ListenerQueueProbe(fd);
}

ListenerQueueProbe::~ListenerQueueProbe() {
  if (fd_ >= 0) ::close(fd_);
}

Result<ListenerQueues> ListenerQueueProbe::read(Address address, std::uint16_t port) {
  struct {
    nlmsghdr header;
    inet_diag_req_v2 request;
  } message{};
  message.header.nlmsg_len = sizeof message;
  message.header.nlmsg_type = SOCK_DIAG_BY_FAMILY;
  message.header.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  message.request.sdiag_family = AF_INET;
  message.request.sdiag_protocol = IPPROTO_TCP;
  // Asking for SYN_RECV gets the request sockets too (the kernel's NEW_SYN_RECV).
  message.request.idiag_states = (1U << TCP_LISTEN) | (1U << TCP_SYN_RECV);
  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  if (::sendto(fd_, &message, sizeof message, 0, reinterpret_cast<sockaddr*>(&kernel),
               sizeof kernel) < 0)
    return make_error(std::string("sock_diag: ") + std::strerror(errno));
  ListenerQueues queues;
  std::vector<std::uint8_t> reply(32768);
  for (;;) {
    const ssize_t got = ::recv(fd_, reply.data(), reply.size(), 0);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) return make_error(std::string("sock_diag: ") + std::strerror(errno));
    auto done = tally_diag_reply(std::span(reply.data(), static_cast<std::size_t>(got)), address,
                                 port, queues);
    if (!done) return done.error();
    if (*done) return queues;
  }
}

}  // namespace miniweb::stack
