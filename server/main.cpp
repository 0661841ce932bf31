// miniweb-server: the stack's HTTPS server (virtual hosts, static files).

#include <CLI/CLI.hpp>

#include <malloc.h>

#include <csignal>
#include <functional>
#include <iostream>

#include "server/acme/manager.hpp"
#include "server/config.hpp"
#include "server/log_files.hpp"
#include "server/server.hpp"
#include "server/tls_contexts.hpp"

int main(int argc, char** argv) {
  // An idle keep-alive connection gives its buffers back (server.cpp) and a busy one takes
  // them again. Left to itself glibc would return the top of the heap to the kernel after each
  // such free and fault the pages in again for the next response (a third of the throughput
  // for 100 KiB files), and would mmap every write buffer over 128 KiB; so freed memory up
  // to 64 MiB stays in the process for the next connection, as in nginx's own pools.
  mallopt(M_TRIM_THRESHOLD, 64 << 20);
  mallopt(M_MMAP_THRESHOLD, 1 << 20);
  CLI::App app{"miniweb-server: HTTPS server with virtual hosts and static files"};
  std::string config_path;
  app.add_option("-c,--config", config_path, "configuration file (TOML)")
      ->required()
      ->check(CLI::ExistingFile);
  bool check_only = false;
  app.add_flag("-t,--test", check_only,
               "check the configuration and certificates, then exit (as nginx -t)");
  CLI11_PARSE(app, argc, argv);

  auto config = miniweb::server::load_config(config_path);
  if (!config) {
    std::cerr << "miniweb-server: " << config.error().message << '\n';
    return 1;
  }
  auto tls =
      miniweb::server::SiteTlsContexts::create(config->sites, config->http2, config->early_data);
  if (!tls) {
    std::cerr << "miniweb-server: " << tls.error().message << '\n';
    return 1;
  }
  if (auto status = miniweb::server::open_logs(config->logs); !status) {
    std::cerr << "miniweb-server: " << status.error().message << '\n';
    return 1;
  }
  if (check_only) {
    std::cout << "miniweb-server: the configuration in " << config_path << " is valid\n";
    return 0;
  }

  // One thread runs the server (as one nginx worker): the hint lets Asio queue the
  // completions of that thread's own operations without locking (resolver threads may still
  // post to it).
  asio::io_context io(1);
  miniweb::server::Server server(io, std::move(*config), std::move(*tls));
  // As nginx at start: on standard error, and in the error log when that is a file.
  auto fail_to_start = [](const std::string& message) {
    std::cerr << "miniweb-server: " << message << '\n';
    if (!miniweb::server::error_log().to_stderr())
      miniweb::server::log_event(miniweb::server::LogLevel::Crit, message);
    return 1;
  };
  if (auto status = server.listen(); !status) return fail_to_start(status.error().message);
  asio::signal_set signals(io, SIGINT, SIGTERM);
  asio::signal_set hangup(io, SIGHUP);
  miniweb::server::AcmeManager acme(io, server);
  signals.async_wait([&](const std::error_code& ec, int) {
    if (ec) return;
    server.stop();
    acme.stop();
    std::error_code ignored;
    hangup.cancel(ignored);  // so the loop ends once the requests in flight are done
  });
  // SIGHUP: reload the configuration and certificates; connections stay open (as nginx -s reload).
  std::function<void(const std::error_code&, int)> on_hangup = [&](const std::error_code& ec, int) {
    if (ec) return;
    if (auto status = server.reload(config_path); !status) {
      miniweb::server::log_event(miniweb::server::LogLevel::Error, status.error().message);
    } else {
      if (auto logs = miniweb::server::open_logs(server.config().logs); !logs) {
        miniweb::server::log_event(miniweb::server::LogLevel::Error,
                                   "reload: " + logs.error().message + "; the logs in use stay");
      }
      // Sites added with `acme` get their certificates now, as at start-up (Caddy's reload).
      if (auto status = acme.sync(); !status) {
        miniweb::server::log_event(miniweb::server::LogLevel::Error,
                                   "reload: acme: " + status.error().message);
      }
    }
    hangup.async_wait(on_hangup);
  };
  hangup.async_wait(on_hangup);
  std::signal(SIGPIPE, SIG_IGN);
  server.start();
  // Endpoints come in the configuration's listener order.
  const auto endpoints = server.local_endpoints();
  for (std::size_t i = 0; i < endpoints.size(); ++i) {
    const auto kind = server.config().listeners.at(i).kind;
    const char* protocol = kind == miniweb::server::ListenerKind::Https          ? "https"
                           : kind == miniweb::server::ListenerKind::ForwardProxy ? "forward-proxy"
                                                                                 : "http";
    // Not a log line but the word whoever started the server waits for, on standard error
    // whatever the error log is. One line, one write (standard error is unbuffered).
    std::cerr << "ready " + std::string(protocol) + " " + endpoints[i].address().to_string() + ':' +
                     std::to_string(endpoints[i].port()) + "\n";
  }
  // Certificates by ACME come in the background once the listeners serve: the CA's http-01
  // requests reach the plain-HTTP listener, and the other sites are not held up (as Caddy).
  if (auto status = acme.start(); !status) return fail_to_start(status.error().message);
  io.run();
  return 0;
}
