// The namespace mode: run by a user without root, `./miniweb up` puts the whole stack in a
// user and network namespace of its own, where it is root (ports 53, 443 and 80), and the
// other commands enter it. As root (CI) the launcher runs as the user nobody, from a copy of
// what it needs in a folder nobody may read (the checkout may sit under /root, mode 0700);
// without root it runs as whoever runs the test.

#include <gtest/gtest.h>
#include <pwd.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/command_output.hpp"

namespace {

using miniweb::test_support::read_file;
using miniweb::test_support::RunResult;

std::string net_namespace_of(int pid) {
  std::error_code ec;
  auto link = std::filesystem::read_symlink("/proc/" + std::to_string(pid) + "/ns/net", ec);
  return ec ? "" : link.string();
}

// Every process in the network namespace named (as /proc/PID/ns/net reads: "net:[N]").
std::vector<int> processes_in(const std::string& net_namespace) {
  std::vector<int> pids;
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    if (net_namespace_of(std::stoi(name)) == net_namespace) pids.push_back(std::stoi(name));
  }
  return pids;
}

// A file of the checkout or the build, where the unprivileged user may read it: a hard link
// when the file system allows one, else a copy.
void place(const std::filesystem::path& from, const std::filesystem::path& to) {
  std::filesystem::create_directories(to.parent_path());
  std::error_code ec;
  std::filesystem::create_hard_link(from, to, ec);
  if (ec) std::filesystem::copy_file(from, to);
}

class NamespaceMode : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = std::filesystem::temp_directory_path() / ("miniweb-ns-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    std::filesystem::permissions(dir_, std::filesystem::perms(0755));
    if (::geteuid() == 0) {
      const passwd* nobody = ::getpwnam("nobody");
      if (!nobody) {
        skip_reason_ = "there is no user nobody to run the launcher as";
        return;
      }
      if (run("command -v setpriv").exit_code != 0) {
        skip_reason_ = "setpriv (util-linux) is missing";
        return;
      }
      as_user_ = "setpriv --reuid=nobody --regid=" + std::to_string(nobody->pw_gid) +
                 " --clear-groups --reset-env ";
      uid_ = nobody->pw_uid;
      gid_ = nobody->pw_gid;
    } else {
      uid_ = ::getuid();
      gid_ = ::getgid();
    }
    // The namespace the launcher would make, tried first: a machine that forbids it to users
    // skips the suite, saying why.
    const RunResult probe = run(as_user_ + "unshare --user --map-root-user --net true");
    if (probe.exit_code != 0) {
      skip_reason_ = "this machine does not let a user make a user and network namespace (" +
                     probe.err.substr(0, probe.err.find('\n')) + ")";
      return;
    }

    // What the launcher needs: itself, demo/ (the topology and the sites), scripts/, and the
    // programs (with the browser's OpenSSL module beside it), in MINIWEB_BIN_DIR's layout.
    const std::filesystem::path source = MINIWEB_SOURCE_DIR;
    repo_ = dir_ / "repo";
    place(source / "miniweb", repo_ / "miniweb");
    for (const char* folder : {"demo", "scripts"})
      for (const auto& entry : std::filesystem::recursive_directory_iterator(source / folder))
        if (entry.is_regular_file())
          place(entry.path(), repo_ / std::filesystem::relative(entry.path(), source));
    for (const char* program : {"dns/miniweb-dns", "ca/miniweb-ca", "server/miniweb-server",
                                "shop/miniweb-shop", "browser/miniweb-browser",
                                "browser/libminiweb-browser-openssl.so", "stack/miniweb-stack"})
      place(std::filesystem::path(MINIWEB_BINARY_DIR) / program, repo_ / "bin" / program);
    for (const auto& entry : std::filesystem::recursive_directory_iterator(repo_))
      if (entry.is_directory()) std::filesystem::permissions(entry, std::filesystem::perms(0755));
    std::filesystem::permissions(repo_, std::filesystem::perms(0755));

    // The state folder belongs to the user; the launcher makes it 0700.
    const std::filesystem::path home = dir_ / "home";
    std::filesystem::create_directories(home);
    if (::chown(home.c_str(), uid_, gid_) != 0) {
      skip_reason_ = "cannot give " + home.string() + " to the user";
      return;
    }
    state_ = home / "state";
    // Addresses of our own, though nothing else shares the namespace's loopback.
    net_ = "127.73." + std::to_string(::getpid() % 250 + 1);
    up_ = launcher("up");
    holder_ = std::atoi(read_file(state_ / "run/namespace.pid").c_str());
    if (holder_ > 0) net_namespace_ = net_namespace_of(holder_);
  }

  static void TearDownTestSuite() {
    if (!skip_reason_.empty()) {
      std::filesystem::remove_all(dir_);
      return;
    }
    launcher("down");
    // Whatever a failed test left in the namespace ends with it.
    if (!net_namespace_.empty())
      for (int pid : processes_in(net_namespace_)) ::kill(pid, SIGKILL);
    std::filesystem::remove_all(dir_);
  }

  void SetUp() override {
    if (!skip_reason_.empty()) GTEST_SKIP() << skip_reason_;
  }

  static RunResult run(const std::string& command) {
    return miniweb::test_support::run_command("cd " + dir_.string() + " && " + command,
                                              dir_.string() + ".stderr");
  }

  // The launcher as the user, with MINIWEB_* and nothing else of our environment. The ports
  // are the real ones: nothing else listens in the namespace.
  static RunResult launcher(const std::string& arguments, const std::string& more = "") {
    return run(as_user_ + "env MINIWEB_STATE=" + state_.string() + " MINIWEB_NET=" + net_ +
               " MINIWEB_BIN_DIR=" + (repo_ / "bin").string() + " " + more + " " +
               (repo_ / "miniweb").string() + " " + arguments);
  }

  static inline std::filesystem::path dir_, repo_, state_;
  static inline std::string as_user_, net_, skip_reason_, net_namespace_;
  static inline uid_t uid_ = 0;
  static inline gid_t gid_ = 0;
  static inline int holder_ = 0;
  static inline RunResult up_;
};

TEST_F(NamespaceMode, UpPutsTheStackInANetworkNamespaceOfItsOwn) {
  ASSERT_EQ(up_.exit_code, 0) << up_.out << up_.err;
  EXPECT_NE(up_.err.find("runs in a network namespace of its own"), std::string::npos) << up_.err;
  ASSERT_GT(holder_, 0);
  EXPECT_NE(net_namespace_, "");
  EXPECT_NE(net_namespace_, net_namespace_of(::getpid()));
  // As root of the namespace, the servers have the real ports.
  EXPECT_NE(up_.out.find(net_ + ".53:53 "), std::string::npos) << up_.out;
  EXPECT_NE(up_.out.find(net_ + ".10:443 "), std::string::npos) << up_.out;
  for (const auto& entry : std::filesystem::directory_iterator(state_ / "run")) {
    if (entry.path().extension() != ".pid") continue;
    const int pid = std::atoi(read_file(entry.path()).c_str());
    EXPECT_EQ(net_namespace_of(pid), net_namespace_) << entry.path();
  }
  // The host's loopback has none of it.
  const RunResult host_dig = run("dig +short +time=1 +tries=1 @" + net_ + ".53 www.example.test");
  EXPECT_EQ(host_dig.out.find(net_ + ".10"), std::string::npos) << host_dig.out;
  const RunResult status = launcher("status");
  EXPECT_EQ(status.exit_code, 0) << status.err;
  EXPECT_NE(status.out.find("running   " + net_ + ".53:53"), std::string::npos) << status.out;
}

TEST_F(NamespaceMode, ExecAsksTheResolverInside) {
  ASSERT_EQ(up_.exit_code, 0) << up_.err;
  const RunResult dig = launcher("exec dig +short +time=2 @" + net_ + ".53 www.example.test");
  EXPECT_EQ(dig.exit_code, 0) << dig.err;
  EXPECT_EQ(dig.out, net_ + ".10\n");
}

// Root of the namespace: the capabilities to bind low ports and to capture packets there.
TEST_F(NamespaceMode, ExecRunsAsTheNamespacesRoot) {
  ASSERT_EQ(up_.exit_code, 0) << up_.err;
  const RunResult id = launcher("exec id -u");
  EXPECT_EQ(id.out, "0\n") << id.err;
  const RunResult status = launcher("exec grep CapEff /proc/self/status");
  ASSERT_EQ(status.exit_code, 0) << status.err;
  const unsigned long long effective =
      std::stoull(status.out.substr(status.out.find(':') + 1), nullptr, 16);
  EXPECT_TRUE(effective & (1ull << 10)) << "CAP_NET_BIND_SERVICE: " << status.out;
  EXPECT_TRUE(effective & (1ull << 13)) << "CAP_NET_RAW: " << status.out;
}

TEST_F(NamespaceMode, BrowseGetsThePageFromInside) {
  ASSERT_EQ(up_.exit_code, 0) << up_.err;
  const RunResult page = launcher("browse --dump https://www.example.test/");
  ASSERT_EQ(page.exit_code, 0) << page.err;
  EXPECT_NE(page.out.find("Welcome to www.example.test"), std::string::npos) << page.out;
}

// Without root, the namespace's root may capture: the packet view works for any user.
TEST_F(NamespaceMode, PacketsAreCapturedWithoutRoot) {
  ASSERT_EQ(up_.exit_code, 0) << up_.err;
  ASSERT_EQ(launcher("flush").exit_code, 0);
  const RunResult page = launcher("browse --dump --fresh --packets https://www.example.test/");
  ASSERT_EQ(page.exit_code, 0) << page.err;
  EXPECT_NE(page.out.find("Welcome to www.example.test"), std::string::npos) << page.out;
  EXPECT_EQ(page.err.find("no packets:"), std::string::npos) << page.err;
  EXPECT_NE(page.err.find(" SYN-ACK seq="), std::string::npos) << page.err;
  EXPECT_NE(page.err.find("ClientHello SNI www.example.test"), std::string::npos) << page.err;
  EXPECT_NE(page.err.find("TIME_WAIT (seen"), std::string::npos) << page.err;
  EXPECT_NE(page.err.find("a.root-servers.test"), std::string::npos) << page.err;
}

TEST_F(NamespaceMode, FlushReachesTheResolverInside) {
  ASSERT_EQ(up_.exit_code, 0) << up_.err;
  const RunResult one = launcher("flush www.example.test");
  EXPECT_EQ(one.exit_code, 0) << one.err;
  EXPECT_NE(one.out.find("at www.example.test."), std::string::npos) << one.out;
  const RunResult all = launcher("flush");
  EXPECT_EQ(all.exit_code, 0) << all.err;
  EXPECT_NE(all.out.find("starts from the root"), std::string::npos) << all.out;
}

// The link emulator and its rules inside the stack's namespace, with no privilege beyond it.
TEST_F(NamespaceMode, AnExperimentRunsInside) {
  ASSERT_EQ(up_.exit_code, 0) << up_.err;
  const RunResult lost = launcher("experiment lose-third-ack https://www.example.test/");
  EXPECT_EQ(lost.exit_code, 0) << lost.err;
  EXPECT_NE(lost.err.find("in place of the third ACK, which was lost"), std::string::npos)
      << lost.err;
  EXPECT_NE(lost.out.find("an experiment's fault): tcp"), std::string::npos) << lost.out;
}

// unshare refusing (as a kernel that forbids user namespaces makes it): one line, what to do.
TEST_F(NamespaceMode, ARefusedNamespaceIsOneLineSayingWhatToDo) {
  const std::filesystem::path fake = dir_ / "fake-bin";
  std::filesystem::create_directories(fake);
  std::ofstream(fake / "unshare") << "#!/bin/sh\necho 'unshare: unshare failed: Operation not "
                                     "permitted' >&2\nexit 1\n";
  std::filesystem::permissions(fake, std::filesystem::perms(0755));
  std::filesystem::permissions(fake / "unshare", std::filesystem::perms(0755));
  const std::string other_state = (dir_ / "home/refused").string();
  const RunResult up = run(as_user_ + "env PATH=" + fake.string() + ":/usr/bin:/bin" +
                           " MINIWEB_NAMESPACE=1 MINIWEB_STATE=" + other_state +
                           " MINIWEB_BIN_DIR=" + (repo_ / "bin").string() + " " +
                           (repo_ / "miniweb").string() + " up");
  EXPECT_EQ(up.exit_code, 1);
  EXPECT_EQ(std::count(up.err.begin(), up.err.end(), '\n'), 1) << up.err;
  EXPECT_NE(up.err.find("Operation not permitted"), std::string::npos) << up.err;
  EXPECT_NE(up.err.find("MINIWEB_NAMESPACE=0"), std::string::npos) << up.err;
  EXPECT_FALSE(std::filesystem::exists(other_state + "/run/namespace.pid"));
}

// Declared last: gtest runs a suite's tests in declaration order.
TEST_F(NamespaceMode, DownLeavesNoProcessBehind) {
  ASSERT_EQ(up_.exit_code, 0) << up_.err;
  ASSERT_FALSE(net_namespace_.empty());
  EXPECT_GE(processes_in(net_namespace_).size(), 15u) << "the holder and 14 services";
  const RunResult down = launcher("down");
  EXPECT_EQ(down.exit_code, 0) << down.err;
  EXPECT_EQ(processes_in(net_namespace_), std::vector<int>{});
  EXPECT_FALSE(std::filesystem::exists(state_ / "run/namespace.pid"));
  const RunResult exec = launcher("exec true");
  EXPECT_EQ(exec.exit_code, 1);
  EXPECT_NE(exec.err.find("./miniweb up starts it"), std::string::npos) << exec.err;
  net_namespace_.clear();
}

}  // namespace
