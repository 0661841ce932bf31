// miniweb-dns-floor ADDRESS [PORT]: the part of a cache hit no resolver on this machine can go
// below. It answers every query on UDP without looking anything up: it reads the datagram,
// writes an answer of a real hit's shape (the question, one A record pointing back at it, so
// the reply is as long as the resolvers'), and sends it, in Unbound's loop (epoll_wait, then
// recvfrom and sendto until the socket is dry) with nothing else in the process. bench/dns times
// it beside the resolver and Unbound at the hit-latency rate: Unbound's latency over this
// program's is the most any resolver could gain over Unbound there.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace {

constexpr size_t kHeader = 12;
// One A record for the question's name: a pointer to offset 12, type A, class IN, TTL 3600,
// four bytes of address.
constexpr std::array<uint8_t, 16> kAnswer = {0xC0, 0x0C, 0, 1, 0,  1, 0, 0,
                                             0x0E, 0x10, 0, 4, 10, 0, 0, 1};

// Where the question's name ends (the offset after its root label), or 0 if it runs past
// `length` or is compressed (a query's is not).
size_t question_name_end(const uint8_t* message, size_t length) {
  size_t at = kHeader;
  while (at < length && message[at] != 0) {
    if ((message[at] & 0xC0) != 0) return 0;
    at += 1 + message[at];
  }
  return at < length ? at + 1 : 0;
}

// The query turned into its answer in place: the question kept, anything after it (EDNS's OPT)
// dropped, one A record added. The reply's length, or 0 for no reply (not a query).
size_t answer_in_place(uint8_t* message, size_t length, size_t capacity) {
  if (length < kHeader || (message[2] & 0x80) != 0) return 0;  // too short, or a response
  if (message[4] != 0 || message[5] != 1) return 0;            // one question
  const size_t name_end = question_name_end(message, length);
  const size_t question_end = name_end + 4;  // type and class
  if (name_end == 0 || question_end > length || question_end + kAnswer.size() > capacity) return 0;
  message[2] |= 0x80;  // QR: a response
  message[3] = 0x80;   // RA, rcode 0
  message[6] = 0;      // ANCOUNT = 1
  message[7] = 1;
  message[8] = message[9] = message[10] = message[11] = 0;  // no authority, no additional
  std::memcpy(message + question_end, kAnswer.data(), kAnswer.size());
  return question_end + kAnswer.size();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || argc > 3) {
    std::fprintf(stderr, "usage: %s ADDRESS [PORT]\n", argv[0]);
    return 2;
  }
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(argc == 3 ? std::atoi(argv[2]) : 53));
  if (inet_pton(AF_INET, argv[1], &address.sin_addr) != 1) {
    std::fprintf(stderr, "%s: not an IPv4 address: %s\n", argv[0], argv[1]);
    return 2;
  }
  const int socket_fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (socket_fd < 0 ||
      bind(socket_fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
    std::perror("miniweb-dns-floor: socket");
    return 1;
  }
  const int poller = epoll_create1(EPOLL_CLOEXEC);
  epoll_event interest{};
  interest.events = EPOLLIN;
  interest.data.fd = socket_fd;
  if (poller < 0 || epoll_ctl(poller, EPOLL_CTL_ADD, socket_fd, &interest) != 0) {
    std::perror("miniweb-dns-floor: epoll");
    return 1;
  }
  std::array<uint8_t, 4096> message{};
  for (;;) {
    epoll_event ready{};
    if (epoll_wait(poller, &ready, 1, -1) < 1) continue;
    for (;;) {
      sockaddr_in client{};
      socklen_t client_length = sizeof client;
      const ssize_t received = recvfrom(socket_fd, message.data(), message.size(), 0,
                                        reinterpret_cast<sockaddr*>(&client), &client_length);
      if (received < 0) break;  // dry (or an earlier send's error: the next wait reads on)
      const size_t reply =
          answer_in_place(message.data(), static_cast<size_t>(received), message.size());
      if (reply > 0)
        sendto(socket_fd, message.data(), reply, 0, reinterpret_cast<const sockaddr*>(&client),
               client_length);
    }
  }
}
