// Distance and loss (issue 15): the stack's links under a network profile, measured with curl's
// TCP connect time (one round trip: SYN out, SYN-ACK back), on the stack's own addresses and
// ports; and that `./miniweb down` leaves no rule, table or emulator behind. The rules need
// CAP_NET_ADMIN on the host: as root only (the namespace mode is tested elsewhere).

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "tests/e2e/stack_fixture.hpp"

namespace {

using miniweb::e2e::StackTest;
using miniweb::test_support::read_file;
using miniweb::test_support::RunResult;

class NetworkTest : public StackTest {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "the link emulator's rules on the host need root";
    ASSERT_EQ(up_.exit_code, 0) << up_.out << up_.err;
  }

  // The median of five TCP connects from the browser's host to www, in milliseconds.
  static double connect_ms() {
    const std::string port = std::to_string(https_port_);
    std::vector<double> times;
    for (int i = 0; i < 5; ++i) {
      RunResult curl =
          run("curl -sS -o /dev/null -k --max-time 5 -w '%{time_connect}' --resolve "
              "www.example.test:" +
              port + ":" + net_ + ".10 https://www.example.test:" + port + "/");
      EXPECT_EQ(curl.exit_code, 0) << curl.err;
      times.push_back(std::stod(curl.out.empty() ? "0" : curl.out) * 1000);
    }
    std::sort(times.begin(), times.end());
    return times[2];
  }

  // The connects as curl timed them (the median), and as an independent tcpdump saw them: from
  // each SYN the browser's host sent to its third segment (the first ACK), the least, in ms.
  struct Connects {
    double curl_ms = 0;
    double tcpdump_ms = -1;
  };
  static Connects connects() {
    Connects measured;
    const std::string port = std::to_string(https_port_);
    const std::string dump =
        tcpdump_during("tcp and host " + net_ + ".10 and port " + port +
                           " and tcp[tcpflags] & (tcp-syn|tcp-ack) != 0 and less 120",
                       [&] { measured.curl_ms = connect_ms(); });
    std::map<std::string, double> syn_at;
    std::vector<double> handshakes;
    std::istringstream lines(dump);
    for (std::string line; std::getline(lines, line);) {
      const auto from = line.find(" IP ");
      const auto to = line.find(" > ", from == std::string::npos ? 0 : from);
      if (from == std::string::npos || to == std::string::npos) continue;
      const std::string source = line.substr(from + 4, to - from - 4);
      if (source.ends_with("." + port)) continue;  // the server's segments
      if (line.find("Flags [S],") != std::string::npos) {
        syn_at.try_emplace(source, std::stod(line));
      } else if (line.find("Flags [.],") != std::string::npos && syn_at.count(source)) {
        handshakes.push_back((std::stod(line) - syn_at[source]) * 1000);
        syn_at.erase(source);
      }
    }
    EXPECT_EQ(handshakes.size(), 5u) << dump;
    if (handshakes.empty()) return measured;
    // The least, as ping's min: a busy machine only adds to a handshake's time (a loaded CI
    // runner once put the median of LAN's five at 3.1 ms), and every one of the five is still
    // held to the lower bound.
    measured.tcpdump_ms = *std::min_element(handshakes.begin(), handshakes.end());
    return measured;
  }

  static std::string rules_table() { return "miniweb_" + dotted_to_underscores(net_); }
  static std::string rules_chain() { return "MINIWEB_" + dotted_to_underscores(net_); }
  static std::string dotted_to_underscores(std::string text) {
    std::replace(text.begin(), text.end(), '.', '_');
    return text;
  }
  static bool rules_present() {
    return run("nft list table inet " + rules_table()).exit_code == 0 ||
           run("iptables -w -t mangle -S " + rules_chain()).exit_code == 0;
  }
};

TEST_F(NetworkTest, UpRefusesAnOptionItDoesNotKnow) {
  RunResult refused = launcher("up --anything");
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_NE(refused.err.find("up does not know '--anything'"), std::string::npos) << refused.err;
  RunResult unknown = launcher("network fast");
  EXPECT_NE(unknown.exit_code, 0);
  EXPECT_NE(unknown.err.find("no network profile 'fast'"), std::string::npos) << unknown.err;
}

TEST_F(NetworkTest, LanConnectTakesAMillisecond) {
  RunResult lan = launcher("network lan");
  ASSERT_EQ(lan.exit_code, 0) << lan.err;
  EXPECT_TRUE(rules_present());
  const Connects measured = connects();
  // The wire's time is tcpdump's (the kernel's timestamps, SYN to ACK); curl's own clock also
  // counts its wake-ups. The lower bounds are the emulated delay at work. The upper ones only
  // tell LAN from the next profile (broadband, 40 ms): the emulator gives its verdicts from user
  // space, and a CPU busy with the test beside this one (under ./miniweb test's -j2, on two
  // CPUs) stretched curl's time to 3.5 ms and, once, tcpdump's to 3.9.
  EXPECT_GE(measured.curl_ms, 1.0) << "ms";
  EXPECT_LE(measured.curl_ms, 10.0) << "ms";
  EXPECT_GE(measured.tcpdump_ms, 0.9) << "ms";
  EXPECT_LE(measured.tcpdump_ms, 10.0) << "ms";
  RunResult status = launcher("status");
  EXPECT_NE(status.out.find("link emulator, network lan"), std::string::npos) << status.out;
}

// A running emulator sent a table it cannot read (as an older emulator would find a newer
// launcher's table) keeps the one in force and says why in the file the launcher waits for,
// which the launcher reads rather than claiming the new profile. (The next profile a test sets
// writes its own table first.)
TEST_F(NetworkTest, ATableTheEmulatorCannotReadIsRefusedNotClaimed) {
  ASSERT_EQ(launcher("network lan").exit_code, 0);
  const std::string run_dir = state_.string() + "/run/";
  const std::string ready = run_dir + "link-emulator.ready";
  ASSERT_EQ(read_file(ready), "ready\n");
  const std::string links = run_dir + "links.txt";
  run("printf 'not a link table\\n' > " + links + "; rm -f " + ready + "; kill -HUP $(cat " +
      run_dir + "link-emulator.pid)");
  for (int i = 0; i < 100 && !std::filesystem::exists(ready); ++i) run("sleep 0.05");
  EXPECT_EQ(read_file(ready).rfind("refused: ", 0), 0u) << read_file(ready);
  // The table in force is still the LAN's: a connect takes its millisecond.
  const Connects measured = connects();
  EXPECT_GE(measured.tcpdump_ms, 0.9) << "ms";
  EXPECT_LE(measured.tcpdump_ms, 10.0) << "ms";
}

TEST_F(NetworkTest, BroadbandConnectTakesTheWebServersForty) {
  RunResult broadband = launcher("network broadband");
  ASSERT_EQ(broadband.exit_code, 0) << broadband.err;
  const Connects measured = connects();
  EXPECT_GE(measured.curl_ms, 40.0) << "ms";
  EXPECT_LE(measured.curl_ms, 60.0) << "ms";
  EXPECT_GE(measured.tcpdump_ms, 39.0) << "ms";
  EXPECT_LE(measured.tcpdump_ms, 60.0) << "ms";
}

// The trace's figure for the resolver's answer to "www.example.test A", in milliseconds.
double resolver_step_ms(const std::string& trace) {
  const std::string key = ": www.example.test A  [";
  const auto at = trace.find(key);
  if (at == std::string::npos) return -1;
  const std::size_t unit = trace.find(' ', at + key.size()) + 1;
  const double value = std::stod(trace.substr(at + key.size()));
  return trace.compare(unit, 2, "ms") == 0 ? value : value * 1000;
}

TEST_F(NetworkTest, AColdLoadCrossesTheThreeHopsAndAWarmOneNone) {
  ASSERT_EQ(launcher("network broadband").exit_code, 0);
  ASSERT_EQ(launcher("flush").exit_code, 0);
  const std::string url = "https://www.example.test:" + std::to_string(https_port_) + "/";
  RunResult cold;
  // tcpdump beside it: the resolver's questions to the root, the TLD and the authoritative.
  const std::string dump =
      tcpdump_during("udp and src host " + net_ + ".53 and dst port " + std::to_string(dns_port_),
                     [&] { cold = browse(url, "--dump --fresh --trace"); });
  ASSERT_EQ(cold.exit_code, 0) << cold.err;
  for (const std::string server : {".1.", ".2.", ".3."})
    EXPECT_NE(dump.find(" > " + net_ + server + std::to_string(dns_port_) + ": "),
              std::string::npos)
        << server << "\n"
        << dump;
  // Root 30 ms, TLD 50 ms, authoritative 20 ms away from the resolver; the browser 5 ms from it.
  const double cold_ms = resolver_step_ms(cold.err);
  EXPECT_GE(cold_ms, 105) << cold.err;
  // Broadband loses 0.1% of packets: a lost question costs the resolver one 600 ms retry, and
  // a question or answer lost between the browser and the resolver costs the browser its 2 s
  // wait before it asks again (the trace says so).
  const bool browser_asked_again = cold.err.find("): asked again") != std::string::npos;
  EXPECT_LE(cold_ms, browser_asked_again ? 3500 : 1500) << cold.err;
  EXPECT_NE(cold.err.find("total "), std::string::npos) << cold.err;
  // Warm, from the resolver's cache: one round trip to it. --fresh keeps the browser's own
  // cache out of it.
  RunResult warm = browse(url, "--dump --fresh --trace");
  ASSERT_EQ(warm.exit_code, 0) << warm.err;
  const double warm_ms = resolver_step_ms(warm.err);
  EXPECT_GE(warm_ms, 5) << warm.err;
  EXPECT_LE(warm_ms, 60) << warm.err;
}

TEST_F(NetworkTest, LoopbackTakesTheEmulatorAway) {
  ASSERT_EQ(launcher("network broadband").exit_code, 0);
  RunResult loopback = launcher("network loopback");
  ASSERT_EQ(loopback.exit_code, 0) << loopback.err;
  EXPECT_FALSE(rules_present());
  EXPECT_FALSE(std::filesystem::exists(state_ / "run/link-emulator.pid"));
  // Broadband's 40 ms are gone (loopback's own figure is tens of microseconds, more under load).
  EXPECT_LT(connect_ms(), 20.0);
}

// Last: the stack goes down with its emulator running.
TEST_F(NetworkTest, DownLeavesNoRuleTableNorEmulator) {
  ASSERT_EQ(launcher("network lan").exit_code, 0);
  const int emulator = std::stoi(read_file(state_ / "run/link-emulator.pid"));
  ASSERT_TRUE(process_runs_our_program(emulator));
  RunResult down = launcher("down");
  EXPECT_EQ(down.exit_code, 0) << down.err;
  EXPECT_FALSE(rules_present());
  EXPECT_FALSE(process_runs_our_program(emulator));
  EXPECT_FALSE(std::filesystem::exists(state_ / "run/link-emulator.pid"));
}

}  // namespace
