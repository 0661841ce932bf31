// The SYN flood experiment (issue 15), run for real: `miniweb-stack synflood` with tcpdump beside
// it in the same namespace. The report must show the SYN queue at its limit, SYN cookies sent,
// a real client in with a cookie; tcpdump's capture, read apart, must agree with the program's
// counts and show no RST to the spoofed sources; and the host must be as it was: its sysctls,
// its network namespaces, its interfaces.

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/command_output.hpp"

namespace {

using miniweb::test_support::read_file;
using miniweb::test_support::RunResult;

const std::string kProgram = MINIWEB_BINARY_DIR "/stack/miniweb-stack";

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// The host's settings the experiment changes in its own namespace.
std::map<std::string, std::string> host_sysctls() {
  std::map<std::string, std::string> values;
  for (const char* name :
       {"net/ipv4/tcp_max_syn_backlog", "net/ipv4/tcp_syncookies", "net/ipv4/tcp_synack_retries",
        "net/core/somaxconn", "net/ipv4/tcp_child_ehash_entries"})
    values[name] = read_file(std::string("/proc/sys/") + name);
  return values;
}

// Interface names only: their counters move with any traffic of the host.
std::set<std::string> host_interfaces() {
  std::set<std::string> names;
  for (const auto& line : lines_of(miniweb::test_support::command_output("ip -o link show"))) {
    std::smatch match;
    if (std::regex_search(line, match, std::regex(R"(^\d+: ([^:@]+))"))) names.insert(match[1]);
  }
  return names;
}

// The numbers a run's "captured" block gives, by the listener's port.
struct RunCounts {
  unsigned syns = 0;
  unsigned synacks = 0;
  unsigned rsts = 0;
};

std::map<int, RunCounts> report_counts(const std::string& report) {
  std::map<int, RunCounts> counts;
  int port = 0;
  std::smatch match;
  for (const auto& line : lines_of(report)) {
    if (std::regex_search(line, match, std::regex(R"(segments to and from port (\d+))")))
      port = std::stoi(match[1]);
    else if (std::regex_search(line, match, std::regex(R"(SYNs from 198\.18\.0\.0/15 +(\d+))")))
      counts[port].syns = std::stoi(match[1]);
    else if (std::regex_search(line, match, std::regex(R"(SYN-ACKs to 198\.18\.0\.0/15 +(\d+))")))
      counts[port].synacks = std::stoi(match[1]);
    else if (std::regex_search(line, match, std::regex(R"(^ +RSTs +(\d+))")))
      counts[port].rsts = std::stoi(match[1]);
  }
  return counts;
}

// The same, counted in tcpdump's own reading of its file.
std::map<int, RunCounts> tcpdump_counts(const std::vector<std::string>& lines) {
  std::map<int, RunCounts> counts;
  const std::regex syn(R"(IP 198\.1[89]\.\d+\.\d+\.\d+ > 192\.0\.2\.1\.(\d+): Flags \[S\],)");
  const std::regex synack(R"(IP 192\.0\.2\.1\.(\d+) > 198\.1[89]\.[\d.]+: Flags \[S\.\],)");
  const std::regex rst(R"(IP [\d.]+\.(\d+) > [\d.]+: Flags \[R)");
  std::smatch match;
  for (const auto& line : lines) {
    if (std::regex_search(line, match, syn)) ++counts[std::stoi(match[1])].syns;
    if (std::regex_search(line, match, synack)) ++counts[std::stoi(match[1])].synacks;
    if (std::regex_search(line, match, rst)) ++counts[std::stoi(match[1])].rsts;
  }
  return counts;
}

// Whether a process other than this one has `text` in its command line (tcpdump left running).
bool process_naming(const std::string& text) {
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    if (name == std::to_string(::getpid())) continue;
    if (read_file(entry.path() / "cmdline").find(text) != std::string::npos) return true;
  }
  return false;
}

class SynFloodTest : public ::testing::Test {
 protected:
  void SetUp() override {
    directory_ =
        std::filesystem::temp_directory_path() / ("miniweb-synflood-" + std::to_string(::getpid()));
    std::filesystem::create_directories(directory_);
  }
  void TearDown() override { std::filesystem::remove_all(directory_); }

  RunResult run(const std::string& arguments) {
    return miniweb::test_support::run_command("timeout 120 " + kProgram + " " + arguments,
                                              directory_ / "stderr");
  }

  std::filesystem::path directory_;
};

TEST_F(SynFloodTest, RefusesNonsense) {
  RunResult none = run("synflood --spoofed 0");
  EXPECT_NE(none.exit_code, 0);
  EXPECT_NE(none.err.find("--spoofed 0 is outside 1 to 100000"), std::string::npos) << none.err;
  RunResult word = run("synflood --backlog many");
  EXPECT_NE(word.exit_code, 0);
  EXPECT_NE(word.err.find("--backlog"), std::string::npos) << word.err;
  RunResult cookies = run("synflood --syncookies sometimes");
  EXPECT_NE(cookies.exit_code, 0);
  EXPECT_NE(cookies.err.find("--syncookies"), std::string::npos) << cookies.err;
  RunResult unknown = run("synflood --flood-the-host");
  EXPECT_NE(unknown.exit_code, 0);
  EXPECT_NE(unknown.err.find("--flood-the-host"), std::string::npos) << unknown.err;
}

TEST_F(SynFloodTest, QueueFillsCookiesLetTheClientInAndTcpdumpAgrees) {
  const auto sysctls_before = host_sysctls();
  const std::string netns_before = miniweb::test_support::command_output("ip netns list");
  const auto interfaces_before = host_interfaces();
  const auto own_pcap = directory_ / "own.pcap";
  const auto tcpdump_pcap = directory_ / "tcpdump.pcap";

  const auto start = std::chrono::steady_clock::now();
  RunResult flood =
      run("synflood --pcap " + own_pcap.string() + " --tcpdump-pcap " + tcpdump_pcap.string());
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (flood.exit_code != 0 &&
      flood.err.find("cannot make a network namespace") != std::string::npos)
    GTEST_SKIP() << "no network namespace can be made here: " << flood.err;
  ASSERT_EQ(flood.exit_code, 0) << flood.out << flood.err;
  const std::string& report = flood.out;
  EXPECT_LT(seconds, 30) << report;

  // The report's verdict, from its own measurements.
  EXPECT_NE(report.find("tcp_syncookies=1: queue reached its limit: yes"), std::string::npos)
      << report;
  std::smatch match;
  ASSERT_TRUE(std::regex_search(report, match, std::regex(R"(SYN cookies sent: (\d+))"))) << report;
  EXPECT_GT(std::stoi(match[1]), 0) << report;
  EXPECT_TRUE(std::regex_search(
      report, std::regex(R"(tcp_syncookies=1: real client during the flood: connected in [\d.]+ )"
                         R"(ms, with a SYN cookie)")))
      << report;
  EXPECT_NE(report.find("tcp_syncookies=0: real client during the flood: not connected"),
            std::string::npos)
      << report;
  EXPECT_NE(report.find("RSTs to the spoofed sources: 0 captured; Tcp.OutRsts +0"),
            std::string::npos)
      << report;
  // The namespace was the program's own, not the host's.
  ASSERT_TRUE(std::regex_search(report, match, std::regex(R"(own: net:\[(\d+)\])"))) << report;
  const auto own_link = std::filesystem::read_symlink("/proc/self/ns/net").string();
  EXPECT_NE(own_link, "net:[" + match[1].str() + "]") << report;

  // tcpdump's capture, read by tcpdump, against the program's counts.
  const auto program = report_counts(report);
  ASSERT_EQ(program.size(), 2U) << report;
  RunResult read = miniweb::test_support::run_command(
      "tcpdump -r " + tcpdump_pcap.string() + " -nn", directory_ / "stderr");
  ASSERT_EQ(read.exit_code, 0) << read.err;
  const auto seen = tcpdump_counts(lines_of(read.out));
  for (const auto& [port, counts] : program) {
    SCOPED_TRACE("port " + std::to_string(port));
    EXPECT_GT(counts.syns, 0U);
    EXPECT_EQ(seen.contains(port) ? seen.at(port).syns : 0, counts.syns);
    EXPECT_EQ(seen.contains(port) ? seen.at(port).synacks : 0, counts.synacks);
    EXPECT_EQ(counts.rsts, 0U);
  }
  unsigned rsts = 0;
  for (const auto& [port, counts] : seen) rsts += counts.rsts;
  EXPECT_EQ(rsts, 0U);
  // The spoofed SYNs were built by hand: tcpdump checks their checksums (-vv; the segment's
  // line is the second of each packet).
  unsigned checked = 0;
  for (const auto& line : lines_of(miniweb::test_support::command_output(
           "tcpdump -r " + tcpdump_pcap.string() + " -nn -vv 2>/dev/null")))
    if (line.find("198.18.") == 4 && line.find("Flags [S],") != std::string::npos) {
      EXPECT_NE(line.find("(correct)"), std::string::npos) << line;
      ++checked;
    }
  EXPECT_GT(checked, 0U);
  // The program's own pcap holds as many frames as its report says it captured.
  ASSERT_TRUE(std::regex_search(report, match, std::regex(R"(capture: (\d+) frames)"))) << report;
  RunResult own = miniweb::test_support::run_command(
      "tcpdump -r " + own_pcap.string() + " -nn | wc -l", directory_ / "stderr");
  EXPECT_EQ(std::stoi(own.out), std::stoi(match[1])) << own.err;

  // Nothing of the host changed, nothing is left behind.
  EXPECT_EQ(host_sysctls(), sysctls_before);
  EXPECT_EQ(miniweb::test_support::command_output("ip netns list"), netns_before);
  EXPECT_EQ(host_interfaces(), interfaces_before);
  EXPECT_FALSE(process_naming(tcpdump_pcap.string()));
}

}  // namespace
