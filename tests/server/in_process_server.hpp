#pragma once
// A real Server in the test's own process, from a configuration file, started on `io`: the
// tests run `io` on a thread and stop the server through it.

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>

#include <fstream>

#include "server/log_files.hpp"
#include "server/server.hpp"
#include "tests/server/h2_test_config.hpp"
#include "tests/server/test_certificate.hpp"

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

// The server of www.example.test in `dir`: a home page, a certificate from a CA of the test's own
// (dir/ca/root.pem), h2_test_config's configuration, started on `io` as above.
inline std::unique_ptr<server::Server> start_home_site_server(asio::io_context& io,
                                                              const std::filesystem::path& dir) {
  std::filesystem::create_directories(dir / "site");
  std::ofstream(dir / "site/index.html") << "<h1>home</h1>\n";
  EXPECT_TRUE(issue_test_certificate(dir, {"www.example.test"}));
  std::ofstream(dir / "server.toml") << h2_test_config("");
  return start_in_process_server(io, dir / "server.toml");
}

}  // namespace miniweb::test_support
