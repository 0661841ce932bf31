#pragma once
// A real Server in the test's own process, from a configuration file, started on `io`: the
// tests run `io` on a thread and stop the server through it.

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>

#include "server/log_files.hpp"
#include "server/server.hpp"

namespace miniweb::test_support {

// Reads the file, loads its certificates, binds every listener and starts accepting, as
// miniweb-server's main does (`with_logs` opens the [server] logs too). Null, with the reason
// as a test failure, when any step is refused.
inline std::unique_ptr<server::Server> start_in_process_server(asio::io_context& io,
                                                               const std::filesystem::path& file,
                                                               bool with_logs = false) {
  auto config = server::load_config(file);
  EXPECT_TRUE(config) << config.error().message;
  if (!config) return nullptr;
  if (with_logs) {
    auto logs = server::open_logs(config->logs);
    EXPECT_TRUE(logs) << logs.error().message;
    if (!logs) return nullptr;
  }
  auto tls = server::SiteTlsContexts::create(config->sites);
  EXPECT_TRUE(tls) << tls.error().message;
  if (!tls) return nullptr;
  auto running = std::make_unique<server::Server>(io, std::move(*config), std::move(*tls));
  auto listening = running->listen();
  EXPECT_TRUE(listening) << listening.error().message;
  if (!listening) return nullptr;
  running->start();
  return running;
}

}  // namespace miniweb::test_support
