#include "browser/net/tcp_connect.hpp"

#include "browser/exit_codes.hpp"

namespace miniweb::browser {

using asio::ip::tcp;

asio::awaitable<Result<std::string>> connect_tcp(tcp::socket& socket, SocketDeadline& deadline,
                                                 const TcpTarget& target,
                                                 const std::chrono::milliseconds& timeout,
                                                 int connection_number, Trace& trace,
                                                 Trace::Clock::duration set_up_since) {
  std::string failures;
  bool timed_out = false;
  for (const asio::ip::address& address : target.addresses) {
    const tcp::endpoint endpoint(address, target.port);
    const std::string where = address.to_string() + ":" + std::to_string(target.port);
    std::size_t step =
        trace.begin("tcp", "connect to " + std::string(target.proxy ? "the proxy " : "") + where,
                    failures.empty() ? set_up_since : trace.elapsed());
    deadline.arm(timeout);
    std::error_code ignored;
    socket.close(ignored);
    auto [ec] = co_await socket.async_connect(endpoint, use_tuple);
    if (!ec) {
      // As curl and browsers do: a request written just after the TLS handshake would
      // otherwise wait, under Nagle's algorithm, for the server's delayed ACK of our
      // Finished message (40 ms on Linux).
      socket.set_option(tcp::no_delay(true), ignored);
      const auto local = socket.local_endpoint(ignored);
      trace.finish(step, "connection #" + std::to_string(connection_number) + " from " +
                             local.address().to_string() + ":" + std::to_string(local.port()));
      co_return target.host + " (" + where + ")";
    }
    timed_out = deadline.expired();
    const std::string why = timed_out ? "timed out" : ec.message();
    trace.finish(step, "failed: " + why);
    failures += (failures.empty() ? "" : "; ") + where + " " + why;
  }
  co_return make_error(
      std::string(target.proxy ? "cannot connect to the proxy " : "cannot connect to ") +
          target.host + ": " + failures,
      timed_out ? exit_code::kTimeout : exit_code::kConnect);
}

}  // namespace miniweb::browser
