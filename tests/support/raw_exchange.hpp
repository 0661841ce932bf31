#pragma once
// Bytes no well-behaved client would send, written to a plain TCP port in one go, and all
// that comes back until the server closes (or a few seconds pass): for framing and smuggling
// tests against the project's servers.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <string>

namespace miniweb::test_support {

// A TCP connection to 127.0.0.1:`port`, made (blocking); -1 when it cannot be.
inline int connect_to_loopback(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// `bytes` written on the connected `fd` in one go, then all that comes back until the server
// closes or `patience` passes; `fd` is closed.
inline std::string exchange_on(int fd, const std::string& bytes,
                               std::chrono::milliseconds patience = std::chrono::seconds(5)) {
  std::string received;
  if (::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(bytes.size())) {
    const auto until = std::chrono::steady_clock::now() + patience;
    char buffer[8192];
    while (std::chrono::steady_clock::now() < until) {
      pollfd readable{fd, POLLIN, 0};
      if (::poll(&readable, 1, 100) <= 0) continue;
      const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
      if (n <= 0) break;  // the server closed
      received.append(buffer, static_cast<std::size_t>(n));
    }
  }
  ::close(fd);
  return received;
}

inline std::string raw_exchange(std::uint16_t port, const std::string& bytes,
                                std::chrono::milliseconds patience = std::chrono::seconds(5)) {
  const int fd = connect_to_loopback(port);
  return fd < 0 ? std::string() : exchange_on(fd, bytes, patience);
}

// How many responses `received` holds (status lines at the start of a line).
inline std::size_t count_responses(const std::string& received) {
  std::size_t count = 0;
  for (std::size_t at = received.find("HTTP/1."); at != std::string::npos;
       at = received.find("HTTP/1.", at + 1))
    if (at == 0 || received[at - 1] == '\n') ++count;
  return count;
}

}  // namespace miniweb::test_support
