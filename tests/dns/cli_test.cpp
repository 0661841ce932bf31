// The miniweb-dns executable as the launcher runs it: auth processes for ".", "test." and
// "example.test.", a recursive process, `query` and `query --trace`, SIGHUP and SIGTERM.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <asio/io_context.hpp>
#include <asio/ip/udp.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <regex>
#include <string>

#include "tests/support/command_output.hpp"

namespace {

const std::string kBinary = MINIWEB_DNS_BINARY;

// A child process whose stderr is read until it prints "ready".
class Process {
 public:
  explicit Process(std::vector<std::string> args) {
    int fds[2];
    if (pipe(fds) != 0) throw std::runtime_error("pipe");
    pid_ = fork();
    if (pid_ == 0) {
      dup2(fds[1], 2);
      close(fds[0]);
      close(fds[1]);
      std::vector<char*> argv;
      for (auto& arg : args) argv.push_back(arg.data());
      argv.push_back(nullptr);
      execv(argv[0], argv.data());
      _exit(127);
    }
    close(fds[1]);
    stderr_fd_ = fds[0];
  }
  ~Process() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    if (stderr_fd_ >= 0) close(stderr_fd_);
  }

  // Reads stderr until a line contains `text` (or 10 s pass, or the process ends).
  bool wait_for(const std::string& text) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < deadline) {
      if (output_.find(text, scanned_) != std::string::npos) {
        scanned_ = output_.find(text, scanned_) + text.size();
        return true;
      }
      pollfd pfd{stderr_fd_, POLLIN, 0};
      if (poll(&pfd, 1, 100) <= 0) continue;
      char buffer[1024];
      ssize_t n = read(stderr_fd_, buffer, sizeof buffer);
      if (n <= 0) return false;
      output_.append(buffer, static_cast<size_t>(n));
    }
    return false;
  }
  int terminate() {
    kill(pid_, SIGTERM);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }
  void signal(int number) { kill(pid_, number); }
  const std::string& output() const { return output_; }

 private:
  pid_t pid_ = -1;
  int stderr_fd_ = -1;
  std::string output_;
  size_t scanned_ = 0;
};

// Standard error too: the servers' messages are part of what these tests check.
std::string run(const std::string& command) {
  return miniweb::test_support::command_output(command + " 2>&1");
}

class DnsCli : public ::testing::Test {
 protected:
  void SetUp() override {
    net_ = "127.56." + std::to_string(getpid() % 250 + 1) + ".";
    {
      // A port free on the first address (the others are checked by the servers binding it).
      asio::io_context io;
      asio::ip::udp::socket probe(io,
                                  asio::ip::udp::endpoint(asio::ip::make_address(net_ + "1"), 0));
      port_ = std::to_string(probe.local_endpoint().port());
    }
    dir_ = std::filesystem::temp_directory_path() / ("miniweb-dns-cli-" + std::to_string(getpid()));
    std::filesystem::create_directories(dir_);
    write("root.zone",
          ". 86400 SOA a.root-servers.test. host.root-servers.test. 1 1800 900 604800 86400\n"
          ". 86400 NS a.root-servers.test.\n"
          "a.root-servers.test. 86400 A " +
              net_ +
              "1\n"
              "test. 172800 NS ns1.nic.test.\nns1.nic.test. 172800 A " +
              net_ + "2\n");
    write("test.zone",
          "$ORIGIN test.\n$TTL 3600\n@ SOA ns1.nic hostmaster.nic 1 7200 3600 1209600 300\n"
          "@ NS ns1.nic\nns1.nic A " +
              net_ +
              "2\nexample NS ns1.example\n"
              "ns1.example A " +
              net_ + "3\n");
    write("example.test.zone",
          "$ORIGIN example.test.\n$TTL 300\n@ SOA ns1 hostmaster 1 3600 900 604800 60\n"
          "@ NS ns1\nns1 A " +
              net_ + "3\nwww A 127.53.0.10\n");
    write("root.hints",
          ". 3600000 NS a.root-servers.test.\na.root-servers.test. 3600000 A " + net_ + "1\n");
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  void write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name) << text;
  }
  std::string path(const std::string& name) { return (dir_ / name).string(); }
  std::unique_ptr<Process> auth(const std::string& host, const std::string& zone) {
    auto p = std::make_unique<Process>(std::vector<std::string>{
        kBinary, "auth", "--listen", net_ + host + ":" + port_, "--zone", path(zone)});
    EXPECT_TRUE(p->wait_for("ready auth " + net_ + host + ":" + port_)) << p->output();
    return p;
  }

  std::string net_, port_;
  std::filesystem::path dir_;
};

TEST_F(DnsCli, WholeHierarchyWithTraceAndRecursion) {
  auto root = auth("1", "root.zone");
  auto tld = auth("2", "test.zone");
  auto example = auth("3", "example.test.zone");
  std::string trace = run(kBinary + " query --trace --root-hints " + path("root.hints") +
                          " --upstream-port " + port_ + " www.example.test");
  auto at_root = trace.find("as server of . for www.example.test.");
  auto at_test = trace.find("as server of test. for www.example.test.");
  auto at_example = trace.find("as server of example.test. for www.example.test.");
  EXPECT_NE(at_root, std::string::npos) << trace;
  EXPECT_NE(at_test, std::string::npos) << trace;
  EXPECT_NE(at_example, std::string::npos) << trace;
  EXPECT_LT(at_root, at_test);
  EXPECT_LT(at_test, at_example);
  EXPECT_NE(trace.find("www.example.test.\t300\tIN\tA\t127.53.0.10"), std::string::npos) << trace;

  auto recursive = std::make_unique<Process>(
      std::vector<std::string>{kBinary, "recursive", "--listen", net_ + "4:" + port_,
                               "--root-hints", path("root.hints"), "--upstream-port", port_});
  ASSERT_TRUE(recursive->wait_for("ready recursive")) << recursive->output();
  std::string answer =
      run(kBinary + " query --server " + net_ + "4:" + port_ + " www.example.test A");
  EXPECT_NE(answer.find("status: NOERROR"), std::string::npos) << answer;
  EXPECT_NE(answer.find(" ra"), std::string::npos) << answer;
  EXPECT_NE(answer.find("www.example.test.\t300\tIN\tA\t127.53.0.10"), std::string::npos) << answer;
  // To the microsecond, as kdig prints it: on loopback an answer takes under a millisecond.
  EXPECT_TRUE(std::regex_search(answer, std::regex(";; Query time: [0-9]+\\.[0-9]{3} msec\n")))
      << answer;
  std::string nx = run(kBinary + " query --server " + net_ + "4:" + port_ + " nope.example.test A");
  EXPECT_NE(nx.find("status: NXDOMAIN"), std::string::npos) << nx;

  EXPECT_EQ(recursive->terminate(), 0);
  EXPECT_EQ(example->terminate(), 0);
  EXPECT_EQ(tld->terminate(), 0);
  EXPECT_EQ(root->terminate(), 0);
}

// `recursive --control` as the launcher runs it: the socket is there while the resolver runs,
// `control` flushes through it, and it goes when the resolver stops.
TEST_F(DnsCli, RecursiveServesItsControlChannelAndRemovesItOnExit) {
  auto root = auth("1", "root.zone");
  auto tld = auth("2", "test.zone");
  auto example = auth("3", "example.test.zone");
  const std::string socket = path("resolver.control");
  auto recursive = std::make_unique<Process>(std::vector<std::string>{
      kBinary, "recursive", "--listen", net_ + "4:" + port_, "--root-hints", path("root.hints"),
      "--upstream-port", port_, "--control", socket});
  ASSERT_TRUE(recursive->wait_for("ready recursive")) << recursive->output();
  EXPECT_NE(recursive->output().find("control channel on " + socket + " (mode 0600"),
            std::string::npos)
      << recursive->output();
  run(kBinary + " query --server " + net_ + "4:" + port_ + " www.example.test A");
  const std::string control = kBinary + " control --socket " + socket + " ";
  EXPECT_EQ(run(control + "flush www.example.test; echo exit=$?"),
            "ok, removed 1 entry at www.example.test.\nexit=0\n");
  EXPECT_EQ(run(control + "stats; echo exit=$?").substr(0, 12), "ok, entries=");
  // The resolver's log says who flushed what.
  EXPECT_TRUE(recursive->wait_for("control: uid " + std::to_string(::geteuid())))
      << recursive->output();
  EXPECT_EQ(recursive->terminate(), 0);
  EXPECT_FALSE(std::filesystem::exists(socket));
  EXPECT_NE(run(control + "stats 2>&1; echo exit=$?").find("no control socket at " + socket),
            std::string::npos);
}

TEST_F(DnsCli, ReloadKeepsOldZonesWhenTheNewOnesAreBroken) {
  auto example = auth("3", "example.test.zone");
  std::string server = net_ + "3:" + port_;
  write("example.test.zone",
        "$ORIGIN example.test.\n$TTL 300\n@ SOA ns1 hostmaster 2 3600 900 604800 60\n"
        "@ NS ns1\nns1 A " +
            net_ + "3\nwww A 127.53.0.11\n");
  example->signal(SIGHUP);
  ASSERT_TRUE(example->wait_for("reloaded")) << example->output();
  EXPECT_NE(run(kBinary + " query --server " + server + " www.example.test").find("127.53.0.11"),
            std::string::npos);

  write("example.test.zone", "$ORIGIN example.test.\nwww A 127.53.0.12\n");  // no SOA
  example->signal(SIGHUP);
  ASSERT_TRUE(example->wait_for("reload failed")) << example->output();
  EXPECT_NE(run(kBinary + " query --server " + server + " www.example.test").find("127.53.0.11"),
            std::string::npos);
  EXPECT_EQ(example->terminate(), 0);
}

TEST_F(DnsCli, BrokenZoneStopsStartup) {
  write("bad.zone",
        "$ORIGIN example.test.\n@ SOA ns1 hostmaster 1 2 3 4 5\n@ NS ns1\nwww A 1.2.3\n");
  std::string out = run(kBinary + " auth --listen " + net_ + "3:" + port_ + " --zone " +
                        path("bad.zone") + " 2>&1" + "; echo exit=$?");
  EXPECT_NE(out.find("bad.zone:4: bad IPv4 address"), std::string::npos) << out;
  EXPECT_NE(out.find("exit=1"), std::string::npos) << out;
}

}  // namespace
