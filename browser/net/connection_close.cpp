// PageLoader's connections closed (page_loader.hpp): HTTP/2's GOAWAY, TLS's close_notify both
// ways, then TCP's FIN, each said in the close's step; the sessions the servers issued written
// while a close waits for its server.

#include <asio/steady_timer.hpp>

#include <functional>

#include "browser/net/http2_exchange.hpp"
#include "browser/net/page_loader.hpp"

namespace miniweb::browser {
namespace {

using asio::ip::tcp;
using namespace asio::experimental::awaitable_operators;

// A close step's TCP shutdown, made inside the step: what the call answered, once it has (the
// FIN itself shows in --packets).
std::string shut_down_tcp(tcp::socket& socket) {
  std::error_code error;
  socket.shutdown(tcp::socket::shutdown_both, error);
  return error ? "shutdown() failed: " + error.message()
               : "shutdown() returned (the FIN itself shows in --packets)";
}

}  // namespace

asio::awaitable<void> PageLoader::close(Connection& connection, Trace& trace,
                                        const std::function<void()>& meanwhile) {
  if (connection.tls) {
    std::size_t step =
        trace.begin("close", "connection #" + std::to_string(connection.number) + ": " +
                                 (connection.h2 ? "HTTP/2 GOAWAY, then " : "") +
                                 "TLS close_notify, then TCP FIN");
    connection.deadline->arm(std::chrono::seconds(1));
    co_await send_goaway(connection, observer_, trace, step);
    // OpenSSL's bidirectional shutdown completes only when the server's close_notify came.
    // Begun first, it has sent ours (asio writes at once to a socket with nothing queued) when
    // `meanwhile` runs, beside the server's answer.
    auto shutdown = [&connection]() -> asio::awaitable<std::error_code> {
      auto [error] = co_await connection.tls->async_shutdown(use_tuple);
      co_return error;
    };
    auto work_meanwhile = [&meanwhile]() -> asio::awaitable<void> {
      if (meanwhile) meanwhile();
      co_return;
    };
    // With a ticket still to come (after early data the server issues it once it has read the
    // browser's Finished), `meanwhile` (the sessions' write) waits for it. It comes before the
    // server's close_notify, most often already there for the shutdown's first read: the write
    // then runs while the server answers ours, where after the shutdown it added its 0.1 ms to
    // the close's end (a warm trace 0.03 ms shorter in two sets of 150 loads in turns, as long
    // in a third: the server then wants the CPU the write takes). Should none come, it runs once
    // the shutdown ends; asked again then, it writes what a later ticket brought.
    std::error_code shutdown_error;
    if (connection.awaits_ticket()) {
      SSL* ssl = connection.tls->native_handle();
      asio::steady_timer issued(co_await asio::this_coro::executor,
                                asio::steady_timer::time_point::max());
      TlsClient::when_session_issued(ssl, [&issued] { issued.cancel(); });
      auto shutdown_then_stop_waiting = [&]() -> asio::awaitable<std::error_code> {
        const std::error_code error = co_await shutdown();
        TlsClient::when_session_issued(ssl, nullptr);
        issued.cancel();
        co_return error;
      };
      auto work_once_issued = [&]() -> asio::awaitable<void> {
        co_await issued.async_wait(use_tuple);
        co_await work_meanwhile();
      };
      shutdown_error = co_await (shutdown_then_stop_waiting() && work_once_issued());
      co_await work_meanwhile();
    } else {
      shutdown_error = co_await (shutdown() && work_meanwhile());
    }
    const std::string tls_close =
        tls_close_outcome(connection.tls->native_handle(), shutdown_error);
    trace.finish(step, tls_close + "; " + shut_down_tcp(connection.socket));
  } else {
    std::size_t step =
        trace.begin("close", "connection #" + std::to_string(connection.number) + ": TCP FIN");
    trace.finish(step, shut_down_tcp(connection.socket));
    if (meanwhile) meanwhile();
  }
  if (observer_) observer_->tcp_closed(connection.number);
  std::error_code ignored;
  connection.socket.close(ignored);
}

asio::awaitable<void> PageLoader::close_idle_connections(Trace& trace) {
  // A write begun beside a load that did not reach its end (stopped by a newer one) finishes
  // first: two writers of one file would race to rename theirs into place.
  tls_.finish_saving_sessions(trace);
  // The sessions the servers issued, for the next run's first connections (tls_session_store),
  // written while the first TLS close waits for its server's close_notify (a round trip and the
  // server's work): written before the closes, the write (0.10 ms) had added to the end of every
  // load that changed them. The last close still ends the trace.
  // Whether there is anything to write is asked when it runs: a ticket may come during the close.
  std::function<void()> save_sessions = [this, &trace] {
    if (!tls_.sessions_to_save()) return;
    const std::size_t step = trace.begin("tls", "sessions kept for resumption, for the next run");
    trace.finish(step, tls_.save_sessions().value_or("nothing to write"));
  };
  for (std::unique_ptr<Connection>& connection : pool_.take_all()) {
    // Named, not a temporary of the co_await's expression: g++ 12 destroys a conditional's
    // temporary there twice, harmless only while the function holds its lambda inline (a
    // lambda capturing more became a double free).
    std::function<void()> save_here;
    if (connection->tls) save_here = std::exchange(save_sessions, nullptr);
    co_await close(*connection, trace, save_here);
  }
  if (save_sessions) save_sessions();  // no TLS connection was open
}

}  // namespace miniweb::browser
