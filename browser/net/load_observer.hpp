#pragma once
// What the network code tells whoever watches a load (the packet view, browser/observe/):
// which sockets are the browser's own, so that a capture of the loopback interface can be told
// apart from everything else on it; each TLS connection, so that its handshake messages are
// recorded; and each close, so that the kernel's states can be asked for. Called on the load's
// thread; nothing is called when no one watches.

#include <openssl/ssl.h>

#include <asio/ip/tcp.hpp>
#include <asio/ip/udp.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace miniweb::browser {

class LoadObserver {
 public:
  virtual ~LoadObserver() = default;

  // A DNS question of the browser's own, from `local` to `server`: once for its UDP socket,
  // and once more for its TCP one (the port as a UDP endpoint) when the answer came truncated.
  virtual void dns_question(const asio::ip::udp::endpoint& local,
                            const asio::ip::udp::endpoint& server) = 0;
  // Connection number `connection` is up, to `host` (as the URL or the proxy names it).
  virtual void tcp_connected(int connection, const asio::ip::tcp::endpoint& local,
                             const asio::ip::tcp::endpoint& remote, std::string_view host) = 0;
  // Its TLS handshake is about to start on `ssl`.
  virtual void tls_starting(int connection, SSL* ssl) = 0;
  // A line of the TLS key log (NSS format), for a capture Wireshark can decrypt.
  virtual void tls_secret(std::string_view line) = 0;
  // A request went out on `connection` (its start line, and its body as the trace shows it: a
  // form's fields with passwords masked; empty without a body), and its response came in (its
  // status line): what the browser wrote and read inside the connection, which a capture of
  // TLS shows only as encrypted records.
  virtual void http_request(int connection, std::string_view start_line,
                            const std::vector<std::string>& body_shown) = 0;
  virtual void http_response(int connection, std::string_view status_line) = 0;
  // An HTTP/2 frame nghttp2 sent (`sent`) or received on `connection`: where it lies in the
  // plaintext the browser wrote or read after the TLS handshake (`offset` of its 9-byte header;
  // the preface is the first 24 bytes the browser wrote), its `length` with the header, and
  // the frame described ("HEADERS stream 1 (END_STREAM END_HEADERS): ..."). A capture sees
  // only the TLS records around them; the record lengths place each frame.
  virtual void http2_frame(int connection, bool sent, std::uint64_t offset, std::uint64_t length,
                           std::string_view text) = 0;
  // The browser has closed the connection (its FIN is on the way).
  virtual void tcp_closed(int connection) = 0;
};

}  // namespace miniweb::browser
