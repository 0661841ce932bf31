#pragma once
// The end-to-end tests' stack: `./miniweb up` on loopback addresses and ports of its own (the
// process id picks the addresses), once per suite, and `./miniweb down` after its last test.

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "tests/support/command_output.hpp"

namespace miniweb::e2e {

using miniweb::test_support::read_file;
using miniweb::test_support::RunResult;

// An ephemeral port the kernel considers free right now, for TCP and UDP alike.
inline int free_port() {
  for (int attempt = 0; attempt < 50; ++attempt) {
    int tcp = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = 0;
    ::bind(tcp, reinterpret_cast<sockaddr*>(&address), sizeof address);
    socklen_t length = sizeof address;
    ::getsockname(tcp, reinterpret_cast<sockaddr*>(&address), &length);
    int udp = ::socket(AF_INET, SOCK_DGRAM, 0);
    bool udp_free = ::bind(udp, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
    ::close(udp);
    ::close(tcp);
    if (udp_free) return ntohs(address.sin_port);
  }
  return 0;
}

class StackTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    state_ = std::filesystem::temp_directory_path() / ("miniweb-e2e-" + std::to_string(::getpid()));
    std::filesystem::remove_all(state_);
    // Addresses of our own in 127.0.0.0/8, so a stack someone started by hand is never used.
    const int pid = ::getpid();
    net_ = "127." + std::to_string(100 + pid % 150) + "." + std::to_string((pid / 150) % 250 + 1);
    // The ports are free when chosen, not reserved: another test's process running beside this
    // one (ctest -j) may take one before the stack binds it. Then the stack is taken down and
    // brought up again on ports chosen afresh, as a person would; any other failure stands.
    for (int attempt = 0; attempt < 3; ++attempt) {
      dns_port_ = free_port();
      https_port_ = free_port();
      http_port_ = free_port();
      // On the host's loopback, whoever runs the test (the namespace mode has a test of its own).
      environment_ = "MINIWEB_NAMESPACE=0 MINIWEB_STATE=" + state_.string() +
                     " MINIWEB_NET=" + net_ + " MINIWEB_DNS_PORT=" + std::to_string(dns_port_) +
                     " MINIWEB_HTTPS_PORT=" + std::to_string(https_port_) +
                     " MINIWEB_HTTP_PORT=" + std::to_string(http_port_) +
                     " MINIWEB_BIN_DIR=" MINIWEB_BINARY_DIR " ";
      up_ = launcher("up");
      if (up_.exit_code == 0 || up_.err.find("Address already in use") == std::string::npos) break;
      launcher("down");
    }
  }

  static void TearDownTestSuite() {
    launcher("down");
    std::filesystem::remove_all(state_);
  }

  static RunResult run(const std::string& command) {
    return miniweb::test_support::run_command(command, state_.string() + ".stderr");
  }

  static RunResult launcher(const std::string& arguments) {
    return run(environment_ + MINIWEB_SOURCE_DIR "/miniweb " + arguments);
  }

  static RunResult browse(const std::string& url, const std::string& flags = "--dump") {
    return launcher("browse " + flags + " " + url);
  }

  // An independent witness: tcpdump on lo with `filter` (-tt -n -S, DNS decoded on any port,
  // and `options`, e.g. -X for the bytes) while `during` runs; its text lines.
  template <class Action>
  static std::string tcpdump_during(const std::string& filter, Action during,
                                    const std::string& options = "") {
    const std::string out = state_.string() + "/tcpdump.txt";
    run("(tcpdump -i lo -n -S -tt -l --immediate-mode -T domain " + options + " '" + filter +
        "' > " + out + " 2> " + out + ".err & echo $! > " + out + ".pid)");
    for (int i = 0; i < 100 && read_file(out + ".err").find("listening on") == std::string::npos;
         ++i)
      run("sleep 0.05");
    during();
    run("sleep 0.3; kill $(cat " + out + ".pid); sleep 0.2");
    return read_file(out);
  }

  static std::vector<int> service_pids() {
    std::vector<int> pids;
    for (const auto& entry : std::filesystem::directory_iterator(state_ / "run"))
      if (entry.path().extension() == ".pid") pids.push_back(std::stoi(read_file(entry.path())));
    return pids;
  }

  static bool process_runs_our_program(int pid) {
    std::error_code ec;
    auto exe = std::filesystem::read_symlink("/proc/" + std::to_string(pid) + "/exe", ec);
    return !ec &&
           exe.filename().string().starts_with("miniweb-");  // "(deleted)" is in the name too
  }

  static inline std::filesystem::path state_;
  static inline std::string net_;
  static inline int dns_port_ = 0;
  static inline int https_port_ = 0;
  static inline int http_port_ = 0;
  static inline std::string environment_;
  static inline RunResult up_;
};

}  // namespace miniweb::e2e
