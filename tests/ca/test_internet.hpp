#pragma once
// What the ACME tests run against, for real: the project's programs as processes (Daemon), and
// a small DNS internet (a root server delegating test., its TLD server and a recursive
// resolver) through which the CA resolves the names it validates.

#include <gtest/gtest.h>
#include <signal.h>

#include <asio.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "tests/ca/ca_test_support.hpp"

namespace miniweb::ca::testing {

// A program started with its output in a log file, stopped with SIGTERM when destroyed.
class Daemon {
 public:
  Daemon(const std::vector<std::string>& argv, std::string log) : log_(std::move(log)) {
    pid_ = start_process(argv, log_);
  }
  Daemon(const Daemon&) = delete;
  Daemon& operator=(const Daemon&) = delete;
  ~Daemon() { stop(); }
  int stop() {
    if (pid_ < 0) return exit_code_;
    ::kill(pid_, SIGTERM);
    exit_code_ = wait_process(pid_);
    pid_ = -1;
    return exit_code_;
  }
  bool running() const { return pid_ > 0 && ::kill(pid_, 0) == 0 && !exited(); }
  void signal(int number) const {
    if (pid_ > 0) ::kill(pid_, number);
  }
  // Waits (at most 60 s) until `text` occurs `count` times in the output.
  bool wait_for(const std::string& text, std::size_t count = 1) {
    for (int i = 0; i < 1200; ++i) {
      if (occurrences(text) >= count) return true;
      if (exited()) return occurrences(text) >= count;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  }
  std::size_t occurrences(const std::string& text) const {
    const std::string out = output();
    std::size_t n = 0;
    for (auto at = out.find(text); at != std::string::npos; at = out.find(text, at + 1)) ++n;
    return n;
  }
  std::string output() const { return slurp(log_); }

 private:
  bool exited() const {
    int status = 0;
    return pid_ > 0 && ::waitpid(pid_, &status, WNOHANG) == pid_ ? (exited_ = true) : exited_;
  }
  pid_t pid_ = -1;
  int exit_code_ = -1;
  mutable bool exited_ = false;
  std::string log_;
};

// On the addresses NET1 (root), NET2 (test.) and NET3 (recursive resolver), one free port for
// all, as real DNS has one port. `test_records` are the test. zone's own records, written as
// in a zone file with $ORIGIN test.
class DnsInternet {
 public:
  DnsInternet(const std::string& dns_binary, const std::filesystem::path& dir,
              const std::string& net, const std::string& test_records)
      : net_(net) {
    {
      asio::io_context io;
      asio::ip::udp::socket probe(io,
                                  asio::ip::udp::endpoint(asio::ip::make_address(net_ + "1"), 0));
      port_ = std::to_string(probe.local_endpoint().port());
    }
    std::ofstream(dir / "root.zone")
        << ". 86400 SOA a.root-servers.test. host.root-servers.test. 1 1800 900 604800 86400\n"
           ". 86400 NS a.root-servers.test.\na.root-servers.test. 86400 A "
        << net_ << "1\ntest. 172800 NS ns1.nic.test.\nns1.nic.test. 172800 A " << net_ << "2\n";
    std::ofstream(dir / "test.zone")
        << "$ORIGIN test.\n$TTL 300\n@ SOA ns1.nic hostmaster.nic 1 7200 3600 1209600 300\n"
           "@ NS ns1.nic\nns1.nic A "
        << net_ << "2\n"
        << test_records;
    std::ofstream(dir / "root.hints")
        << ". 3600000 NS a.root-servers.test.\na.root-servers.test. 3600000 A " << net_ << "1\n";
    root_ = std::make_unique<Daemon>(
        std::vector<std::string>{dns_binary, "auth", "--listen", net_ + "1:" + port_, "--zone",
                                 dir / "root.zone"},
        dir / "root.log");
    tld_ = std::make_unique<Daemon>(
        std::vector<std::string>{dns_binary, "auth", "--listen", net_ + "2:" + port_, "--zone",
                                 dir / "test.zone"},
        dir / "tld.log");
    recursive_ = std::make_unique<Daemon>(
        std::vector<std::string>{dns_binary, "recursive", "--listen", resolver(), "--root-hints",
                                 dir / "root.hints", "--upstream-port", port_},
        dir / "recursive.log");
  }

  // Each server has said it is ready, or the failure carries its output.
  ::testing::AssertionResult wait_ready() {
    for (Daemon* daemon : {root_.get(), tld_.get(), recursive_.get()})
      if (!daemon->wait_for("ready")) return ::testing::AssertionFailure() << daemon->output();
    return ::testing::AssertionSuccess();
  }
  std::string resolver() const { return net_ + "3:" + port_; }
  const std::string& port() const { return port_; }

 private:
  std::string net_, port_;
  std::unique_ptr<Daemon> root_, tld_, recursive_;
};

}  // namespace miniweb::ca::testing
