#pragma once
// A listening socket's two queues as the kernel reports them over NETLINK_SOCK_DIAG (inet_diag,
// what `ss` reads): its SYN queue, counted as the request sockets in SYN_RECV on its address and
// port, and its accept queue with the backlog limit listen() set.

#include <cstdint>
#include <span>
#include <utility>

#include "shared/result.hpp"
#include "stack/links.hpp"  // Address

namespace miniweb::stack {

struct ListenerQueues {
  bool listening = false;      // the listener was in the dump
  unsigned syn_queue = 0;      // request sockets (SYN received, SYN-ACK sent, no ACK yet)
  unsigned accept_queue = 0;   // connections established, not yet accepted
  unsigned backlog_limit = 0;  // the listener's sk_max_ack_backlog: listen()'s, capped
};

// Adds one reply's messages (inet_diag_msg in netlink messages) to `queues`; true once the
// dump's NLMSG_DONE is among them; an error for a reply the kernel would not send, or its
// NLMSG_ERROR.
Result<bool> tally_diag_reply(std::span<const std::uint8_t> reply, Address address,
                              std::uint16_t port, ListenerQueues& queues);

class ListenerQueueProbe {
 public:
  static Result<ListenerQueueProbe> open();
  ListenerQueueProbe(ListenerQueueProbe&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  ListenerQueueProbe& operator=(ListenerQueueProbe&&) = delete;
  ~ListenerQueueProbe();

  // One dump of the namespace's TCP sockets in LISTEN and SYN_RECV.
  Result<ListenerQueues> read(Address address, std::uint16_t port);

 private:
  explicit ListenerQueueProbe(int fd) : fd_(fd) {}
  int fd_ = -1;  // NETLINK_SOCK_DIAG
};

}  // namespace miniweb::stack
