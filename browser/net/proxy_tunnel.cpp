#include "browser/net/proxy_tunnel.hpp"

#include <array>

#include "shared/http/parser.hpp"

namespace miniweb::browser {

std::string connect_request(const std::string& authority, const std::string& user_agent) {
  // The request target is the authority form (RFC 9112 section 3.2.3), and so is Host.
  return "CONNECT " + authority + " HTTP/1.1\r\nHost: " + authority +
         "\r\nUser-Agent: " + user_agent + "\r\n\r\n";
}

asio::awaitable<Result<std::string>> open_tunnel(asio::ip::tcp::socket& socket,
                                                 const SocketDeadline& deadline,
                                                 const std::string& authority,
                                                 const std::string& user_agent) {
  const std::string request = connect_request(authority, user_agent);
  auto [write_error, written] =
      co_await asio::async_write(socket, asio::buffer(request), use_tuple);
  (void)written;
  if (write_error)
    co_return make_error("cannot send CONNECT to the proxy: " + write_error.message());
  // Only the head matters: a 2xx has no body (RFC 9110 section 9.3.6), and after a refusal
  // the connection is closed.
  std::string buffer;
  std::array<char, 4096> chunk;
  std::size_t head_end;
  while ((head_end = http::find_head_end(buffer)) == std::string::npos) {
    if (buffer.size() > 65536) co_return make_error("the proxy's answer to CONNECT is too large");
    auto [ec, n] = co_await socket.async_read_some(asio::buffer(chunk), use_tuple);
    buffer.append(chunk.data(), n);
    if (ec) {
      if (deadline.expired()) co_return make_error("the proxy did not answer CONNECT in time");
      co_return make_error(buffer.empty()
                               ? "the proxy closed the connection without answering CONNECT"
                               : "the proxy's answer to CONNECT was cut short");
    }
  }
  auto head = http::parse_response_head(std::string_view(buffer).substr(0, head_end));
  if (!head)
    co_return make_error("the proxy's answer to CONNECT is malformed: " + head.error().message);
  const std::string status_line = "HTTP/1." + std::to_string(head->version_minor) + " " +
                                  std::to_string(head->status) + " " + head->reason;
  if (head->status / 100 != 2)
    co_return make_error("the proxy refused the tunnel: " + std::to_string(head->status) + " " +
                         head->reason);
  // The origin speaks only after our TLS ClientHello: anything here is not from it.
  if (buffer.size() > head_end)
    co_return make_error("the proxy sent bytes after its " + std::to_string(head->status) +
                         " answer to CONNECT");
  co_return status_line;
}

}  // namespace miniweb::browser
