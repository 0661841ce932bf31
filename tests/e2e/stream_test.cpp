// The stream experiment (issue 15): `miniweb-stack stream` sends live frames over UDP and over
// TCP through a lossy link in a network namespace of its own. The report must show gaps for UDP
// and none for TCP, which stalls instead; tcpdump, run in the same namespace during the same
// run, must agree with it packet for packet, but for the packets tcpdump says its own ring lost
// on a busy machine; and nothing may be left behind on the host.

#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/command_output.hpp"

namespace {

using miniweb::test_support::read_file;
using miniweb::test_support::RunResult;

const std::string kProgram = MINIWEB_BINARY_DIR "/stack/miniweb-stack";

// The two columns of a report row ("frames sent   90   90"): cells are two spaces apart or more.
std::vector<std::string> cells(const std::string& report, const std::string& label) {
  std::istringstream lines(report);
  for (std::string line; std::getline(lines, line);) {
    if (!line.starts_with(label + "  ")) continue;
    std::vector<std::string> out;
    std::size_t at = label.size();
    while (at < line.size()) {
      const auto start = line.find_first_not_of(' ', at);
      if (start == std::string::npos) break;
      auto end = line.find("  ", start);
      out.push_back(line.substr(start, end == std::string::npos ? end : end - start));
      at = end == std::string::npos ? line.size() : end;
    }
    return out;
  }
  return {};
}

int leading_number(const std::string& text) {
  return text.empty() || !std::isdigit(static_cast<unsigned char>(text[0])) ? -1 : std::stoi(text);
}

// The length of a "stalls" cell's longest stall ("2, longest 126.4 ms (frames 43-46)"), in ms;
// 0 for "none".
double longest_stall_ms(const std::string& cell) {
  const auto at = cell.find("longest ");
  return at == std::string::npos ? 0 : std::atof(cell.c_str() + at + 8);
}

// The run's own directories (link table, drop log) under `under`.
std::set<std::filesystem::path> run_directories(const std::filesystem::path& under) {
  std::set<std::filesystem::path> found;
  for (const auto& entry : std::filesystem::directory_iterator(under))
    if (entry.path().filename().string().starts_with("miniweb-stream-")) found.insert(entry.path());
  return found;
}

class StreamTest : public ::testing::Test {
 protected:
  // One run for the whole suite: 3 s at 30 frames a second, 10% loss each way. UDP loses none
  // of its 90 frames with a chance of 0.9^90 (1 in 13000), TCP none of its segments likewise.
  static void SetUpTestSuite() {
    dir_ = std::filesystem::temp_directory_path() /
           ("miniweb-e2e-stream-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    const auto start = std::chrono::steady_clock::now();
    // TMPDIR: the run's own directory goes under ours, to be found gone after.
    run_ = run("TMPDIR=" + dir_.string() + " timeout 60 " + kProgram +
               " stream --seconds 3 --loss 10 --pcap " + (dir_ / "own.pcap").string() +
               " --tcpdump-pcap " + (dir_ / "tcpdump.pcap").string());
    seconds_ = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    tcpdump_ = run("tcpdump -r " + (dir_ / "tcpdump.pcap").string() + " -nn").out;
  }
  static void TearDownTestSuite() { std::filesystem::remove_all(dir_); }

  void SetUp() override {
    if (run_.err.find("cannot make a user and network namespace") != std::string::npos)
      GTEST_SKIP() << run_.err;
    ASSERT_EQ(run_.exit_code, 0) << run_.out << run_.err;
  }

  static RunResult run(const std::string& command) {
    return miniweb::test_support::run_command(command, dir_.string() + ".stderr");
  }

  static inline std::filesystem::path dir_;
  static inline RunResult run_;
  static inline double seconds_ = 0;
  static inline std::string tcpdump_;
};

TEST_F(StreamTest, UdpHasGapsAndTcpNoneButStalls) {
  const std::string& report = run_.out;
  EXPECT_EQ(cells(report, "frames sent"), (std::vector<std::string>{"90", "90"})) << report;
  const auto delivered = cells(report, "frames delivered");
  ASSERT_EQ(delivered.size(), 2u) << report;
  EXPECT_LT(leading_number(delivered[0]), 90) << report;
  EXPECT_EQ(delivered[1], "90") << report;
  const auto missing = cells(report, "missing");
  ASSERT_EQ(missing.size(), 2u) << report;
  EXPECT_EQ(leading_number(missing[0]), 90 - leading_number(delivered[0])) << report;
  EXPECT_EQ(missing[1], "none") << report;
  // Every UDP frame missing was a datagram the link dropped.
  const auto dropped = cells(report, "dropped by the link");
  ASSERT_EQ(dropped.size(), 2u) << report;
  EXPECT_EQ(dropped[0], std::to_string(leading_number(missing[0])) + " datagrams") << report;
  EXPECT_GE(leading_number(dropped[1]), 1) << report;
  // TCP's stalls: frames past the 50 ms deadline, after a segment was sent again.
  const auto stalls = cells(report, "stalls");
  ASSERT_EQ(stalls.size(), 2u) << report;
  EXPECT_GE(leading_number(stalls[1]), 1) << report;
  // UDP's frames wait for no resend and for no frame before them: one is late only when the
  // machine held the emulator's thread or a process past the 50 ms deadline. A loaded 2-core
  // CI runner did so for 4.4 ms in one run and 44.4 ms in another, so no fixed bound holds; but
  // such a hiccup holds TCP's frames as well, and TCP's longest stall also waits out a resend.
  EXPECT_LT(longest_stall_ms(stalls[0]), longest_stall_ms(stalls[1])) << report;
  EXPECT_GE(leading_number(cells(report, "late (over 50 ms)").at(1)), 1) << report;
  EXPECT_GE(leading_number(cells(report, "the sender's tcp_info").at(1)), 1) << report;
  // With two stalls or more, one was mid-stream: frames sent after the lost one waited for it.
  // The explanation is wrapped to the terminal's width, so a phrase may span a line break.
  if (leading_number(stalls[1]) >= 2) {
    std::string unwrapped;
    for (char c : report) {
      if (c == '\n') c = ' ';
      if (!(c == ' ' && unwrapped.ends_with(' '))) unwrapped += c;
    }
    EXPECT_NE(unwrapped.find("(head-of-line blocking)"), std::string::npos) << report;
  }
  EXPECT_NE(report.find("  sent at UDP"), std::string::npos) << report;
  EXPECT_LT(std::count(report.begin(), report.end(), '\n'), 40) << report;
  EXPECT_LT(seconds_, 12.0) << "the run took too long";
}

TEST_F(StreamTest, TcpdumpSawEveryDatagramAndTheRetransmissions) {
  std::istringstream lines(tcpdump_);
  int datagrams = 0;
  int segments = 0;
  int resent = 0;
  std::map<long, int> starts;
  long highest = 0;
  for (std::string line; std::getline(lines, line);) {
    if (line.find(" > 127.77.0.2.5004: UDP, length 1200") != std::string::npos) ++datagrams;
    const auto to_tcp = line.find(" > 127.77.0.2.5005: Flags [");
    const auto seq = line.find(", seq ");
    if (to_tcp == std::string::npos || seq == std::string::npos) continue;
    // "seq 1201:2401": a segment with data (tcpdump's numbers count from the first it saw).
    const auto colon = line.find(':', seq);
    if (colon == std::string::npos || line.find(',', seq + 6) < colon) continue;
    const long begin = std::stol(line.substr(seq + 6, colon - seq - 6));
    const long end = std::stol(line.substr(colon + 1));
    ++segments;
    ++starts[begin];
    if (begin < highest) ++resent;
    highest = std::max(highest, end);
  }
  // What tcpdump says its ring lost ("..., 4 packets dropped by kernel"): on a busy machine
  // (a CI running two tests at once) it can lose some, and its file is then short by as many.
  const auto dropped_at = run_.out.find(" packets dropped by kernel");
  const auto count_at = run_.out.rfind(", ", dropped_at);
  ASSERT_NE(dropped_at, std::string::npos) << run_.out;
  ASSERT_NE(count_at, std::string::npos) << run_.out;
  const int dropped = std::stoi(run_.out.substr(count_at + 2, dropped_at - count_at - 2));
  EXPECT_LE(datagrams, 90) << tcpdump_;
  EXPECT_GE(datagrams, 90 - dropped) << tcpdump_;
  if (dropped == 0) {
    const bool same_start_twice = std::any_of(starts.begin(), starts.end(),
                                              [](const auto& start) { return start.second > 1; });
    EXPECT_TRUE(same_start_twice) << tcpdump_;
    EXPECT_GE(resent, 1);
  }
  // The experiment's own capture counted the same; where tcpdump lost packets, it saw at most as
  // many more as tcpdump lost.
  const std::vector<std::string> own_cells = cells(run_.out, "captured on lo (libpcap)");
  ASSERT_EQ(own_cells.size(), 2u) << run_.out;
  EXPECT_EQ(own_cells[0], "90 datagrams") << run_.out;
  int own_segments = 0;
  int own_resent = 0;
  ASSERT_EQ(
      std::sscanf(own_cells[1].c_str(), "%d data segments, %d resent", &own_segments, &own_resent),
      2)
      << run_.out;
  EXPECT_GE(own_resent, 1) << run_.out;
  EXPECT_GE(own_segments, segments) << run_.out;
  EXPECT_LE(own_segments, segments + dropped) << run_.out;
  EXPECT_GE(own_resent, resent) << run_.out;
  EXPECT_LE(own_resent, resent + dropped) << run_.out;
  // And tcpdump's own count, in the report, is what it wrote.
  const auto total = std::count(tcpdump_.begin(), tcpdump_.end(), '\n');
  EXPECT_NE(run_.out.find("its own count: " + std::to_string(total) + " packets captured"),
            std::string::npos)
      << run_.out;
  // The two captures start and stop a moment apart, so a closing ACK may fall in one and not
  // the other (and tcpdump's may lack what its ring lost); the stream's own datagrams and
  // segments are compared above.
  const long own =
      std::stol(run("tcpdump -r " + (dir_ / "own.pcap").string() + " -nn | wc -l").out);
  EXPECT_LE(std::labs(own - static_cast<long>(total)), 3 + dropped) << own << " against " << total;
}

TEST_F(StreamTest, LeavesNothingOnTheHost) {
  // The namespace it named is no process's any more.
  const auto named = run_.out.find("net:[");
  ASSERT_NE(named, std::string::npos) << run_.out;
  const std::string ns = run_.out.substr(named, run_.out.find(']', named) + 1 - named);
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    std::error_code error;
    const auto link = std::filesystem::read_symlink(entry.path() / "ns/net", error);
    if (!error) {
      EXPECT_NE(link.string(), ns) << entry.path();
    }
    const std::string command = read_file(entry.path() / "cmdline");
    EXPECT_EQ(command.find(dir_.string()), std::string::npos) << entry.path() << command;
  }
  EXPECT_TRUE(run_directories(dir_).empty());
  if (::geteuid() == 0) {
    const RunResult mangle = run("iptables -w -t mangle -S");
    EXPECT_EQ(mangle.out.find("127.77.0.0"), std::string::npos) << mangle.out;
    EXPECT_EQ(run("nft list ruleset").out.find("127.77.0.0"), std::string::npos);
  }
}

TEST_F(StreamTest, RefusesBadOptions) {
  const RunResult fps = run(kProgram + " stream --fps 0");
  EXPECT_EQ(fps.exit_code, 2);
  EXPECT_NE(fps.err.find("--fps 0: must be from 1 to 120"), std::string::npos) << fps.err;
  const RunResult loss = run(kProgram + " stream --loss lots");
  EXPECT_NE(loss.exit_code, 0);
  EXPECT_NE(loss.err.find("--loss"), std::string::npos) << loss.err;
  const RunResult pcap = run(kProgram + " stream --tcpdump-pcap /no/such/directory/x.pcap");
  EXPECT_EQ(pcap.exit_code, 2);
  EXPECT_NE(pcap.err.find("no directory /no/such/directory"), std::string::npos) << pcap.err;
}

}  // namespace
