// The experiments of issue 15 (./miniweb experiment): each one's packet view checked for what
// it must show, and against an independent tcpdump of the same run on lo. Then that the
// network is given back as it was. The emulator's rules need root on the host.

#include <gtest/gtest.h>
#include <unistd.h>

#include <sstream>
#include <string>
#include <vector>

#include "tests/e2e/stack_fixture.hpp"

namespace {

using miniweb::e2e::StackTest;
using miniweb::test_support::read_file;
using miniweb::test_support::RunResult;

std::vector<std::string> lines_with(const std::string& text, const std::string& what) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (line.find(what) != std::string::npos) lines.push_back(line);
  return lines;
}

// The number after `key` in a line ("seq=" or "seq "); 0 without one.
std::uint64_t number_after(const std::string& line, const std::string& key) {
  auto at = line.find(key);
  return at == std::string::npos ? 0 : std::stoull(line.substr(at + key.size()));
}

// tcpdump's time stamp (-tt) at the start of its line, in seconds.
double tcpdump_time(const std::string& line) {
  return std::stod(line);
}

class ExperimentTest : public StackTest {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "the link emulator's rules on the host need root";
    ASSERT_EQ(up_.exit_code, 0) << up_.out << up_.err;
  }

  static std::string web() { return net_ + ".10"; }
  static std::string url() {
    return "https://www.example.test:" + std::to_string(https_port_) + "/";
  }

  // tcpdump on lo with `filter`, beside the experiment: its text lines (-tt -n -S).
  static std::string tcpdump_during(const std::string& filter, const std::string& experiment,
                                    RunResult& result) {
    return StackTest::tcpdump_during(filter,
                                     [&] { result = launcher("experiment " + experiment); });
  }

  static bool rules_present() {
    std::string chain = "MINIWEB_" + net_;
    for (char& c : chain)
      if (c == '.') c = '_';
    return run("iptables -w -t mangle -S " + chain).exit_code == 0;
  }
};

TEST_F(ExperimentTest, ListsTheExperimentsAndRefusesOthers) {
  RunResult list = launcher("experiment");
  EXPECT_EQ(list.exit_code, 0) << list.err;
  for (const char* name : {"lose-syn", "lose-syn-ack", "lose-third-ack", "lose-data", "lose-dns",
                           "syn-flood", "stream"})
    EXPECT_NE(list.out.find(name), std::string::npos) << name;
  RunResult unknown = launcher("experiment lose-everything");
  EXPECT_NE(unknown.exit_code, 0);
  EXPECT_NE(unknown.err.find("no experiment 'lose-everything'"), std::string::npos) << unknown.err;
  RunResult option = launcher("experiment lose-syn --fast");
  EXPECT_NE(option.exit_code, 0);
  EXPECT_NE(option.err.find("does not know '--fast'"), std::string::npos) << option.err;
}

TEST_F(ExperimentTest, LoseSynSendsTheSynAgainASecondLater) {
  RunResult result;
  const std::string dump = tcpdump_during(
      "tcp[tcpflags] & tcp-syn != 0 and host " + web() + " and port " + std::to_string(https_port_),
      "lose-syn --times 1 " + url(), result);
  ASSERT_EQ(result.exit_code, 0) << result.err;
  // The ladder: the SYN lost, then the same SYN again about a second later, arriving.
  const auto syns = lines_with(result.err, "├");
  std::vector<std::string> syn_rows;
  for (const std::string& row : syns)
    if (row.find(" SYN seq=") != std::string::npos &&
        (syn_rows.empty() || number_after(row, "seq=") == number_after(syn_rows[0], "seq=")))
      syn_rows.push_back(row);  // the web server's connection, not the CRL's after it
  ASSERT_EQ(syn_rows.size(), 2u) << result.err;
  EXPECT_NE(syn_rows[0].find("✗"), std::string::npos) << syn_rows[0];
  EXPECT_EQ(syn_rows[1].find("✗"), std::string::npos) << syn_rows[1];
  EXPECT_EQ(number_after(syn_rows[0], "seq="), number_after(syn_rows[1], "seq="));
  const auto again = lines_with(result.err, "the SYN sent again, ");
  ASSERT_EQ(again.size(), 1u) << result.err;
  const double waited = std::stod(again[0].substr(again[0].find("again, ") + 7));
  EXPECT_GT(waited, 900);
  EXPECT_LT(waited, 1500);
  EXPECT_EQ(lines_with(result.out + result.err, "an experiment's fault): tcp").size(), 1u);
  // tcpdump saw both SYNs leave, with the same number, about a second apart.
  std::vector<std::string> seen = lines_with(dump, "Flags [S],");
  ASSERT_EQ(seen.size(), 2u) << dump;
  EXPECT_EQ(number_after(seen[0], "seq "), number_after(syn_rows[0], "seq="));
  EXPECT_EQ(number_after(seen[1], "seq "), number_after(syn_rows[0], "seq="));
  const double apart = tcpdump_time(seen[1]) - tcpdump_time(seen[0]);
  EXPECT_GT(apart, 0.9);
  EXPECT_LT(apart, 1.5);
}

// Both ends wait a second before trying again, and their timers start a fraction of a
// millisecond apart: the browser's kernel usually sends its SYN again first, but the server's
// second SYN-ACK may come before it, and then no second SYN is sent. The trace says which, as
// tcpdump saw it.
TEST_F(ExperimentTest, LoseSynAckShowsEachEndTryingAgainAsTcpdumpSawIt) {
  RunResult result;
  const std::string dump = tcpdump_during(
      "tcp[tcpflags] & tcp-syn != 0 and host " + web() + " and port " + std::to_string(https_port_),
      "lose-syn-ack " + url(), result);
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_GE(lines_with(result.err, "the SYN-ACK sent again").size(), 1u) << result.err;
  // tcpdump: the first SYN-ACK (the lost one) and at least one more; one SYN, or two.
  EXPECT_GE(lines_with(dump, "Flags [S.],").size(), 2u) << dump;
  const std::size_t syns = lines_with(dump, "Flags [S],").size();
  ASSERT_GE(syns, 1u) << dump;
  ASSERT_LE(syns, 2u) << dump;
  EXPECT_EQ(lines_with(result.err, "the SYN sent again").size(), syns - 1) << result.err << dump;
}

TEST_F(ExperimentTest, LoseThirdAckLetsTheDataCompleteTheHandshake) {
  RunResult result;
  const std::string dump =
      tcpdump_during("host " + web() + " and port " + std::to_string(https_port_),
                     "lose-third-ack " + url(), result);
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(lines_with(result.err, "in place of the third ACK, which was lost").size(), 1u)
      << result.err;
  // tcpdump: SYN, SYN-ACK, the (lost) ACK, then the ClientHello acknowledging the same number.
  const auto lines = lines_with(dump, " > " + web() + ".");
  ASSERT_GE(lines.size(), 3u) << dump;
  EXPECT_NE(lines[1].find("Flags [.], ack"), std::string::npos) << dump;
  EXPECT_NE(lines[2].find("Flags [P.]"), std::string::npos) << dump;
  EXPECT_EQ(number_after(lines[1], "ack "), number_after(lines[2], "ack "));
}

TEST_F(ExperimentTest, LoseDataSendsTheSameSequenceNumberAgain) {
  RunResult result;
  const std::string dump = tcpdump_during(
      "src host " + web() + " and src port " + std::to_string(https_port_) + " and greater 100",
      "lose-data " + url(), result);
  ASSERT_EQ(result.exit_code, 0) << result.err;
  // The server's segment the emulator dropped, then the same sequence number sent again. (The
  // browser's request may be sent again too: the lost segment carried its ACK.)
  std::uint64_t seq = 0;
  for (const std::string& row : lines_with(result.err, "✗"))
    if (row.find(" seq=") != std::string::npos) seq = number_after(row, " seq=");
  ASSERT_NE(seq, 0u) << result.err;
  const auto again = lines_with(result.err, "seq=" + std::to_string(seq) + " sent again, ");
  ASSERT_EQ(again.size(), 1u) << result.err;
  EXPECT_TRUE(again[0].find("fast retransmit") != std::string::npos ||
              again[0].find("a timer fired") != std::string::npos)
      << again[0];
  // tcpdump saw that segment leave twice.
  const auto sent = lines_with(dump, "seq " + std::to_string(seq) + ":");
  EXPECT_EQ(sent.size(), 2u) << dump;
}

TEST_F(ExperimentTest, LoseDnsAsksTheSameQuestionAgain) {
  RunResult result;
  const std::string dump = tcpdump_during(
      "udp and src host " + net_ + ".53 and dst host " + net_ + ".1", "lose-dns " + url(), result);
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(lines_with(result.err, "the same question again").size(), 1u) << result.err;
  // tcpdump: the resolver asked the root for the name's address and its HTTPS record (the
  // browser asks for both at once), and the question that was lost a second time.
  const std::size_t address = lines_with(dump, " A? www.example.test.").size();
  const std::size_t https = lines_with(dump, "? www.example.test.").size() - address;
  EXPECT_TRUE((address == 2 && https == 1) || (address == 1 && https == 2)) << dump;
}

// Last: every experiment gave the network back; down leaves nothing.
TEST_F(ExperimentTest, TheNetworkIsGivenBackAfterEach) {
  EXPECT_FALSE(rules_present());
  EXPECT_FALSE(std::filesystem::exists(state_ / "run/link-emulator.pid"));
  ASSERT_EQ(launcher("network lan").exit_code, 0);
  RunResult under_lan = launcher("experiment lose-third-ack " + url());
  EXPECT_EQ(under_lan.exit_code, 0) << under_lan.err;
  EXPECT_NE(under_lan.err.find("(network: lan)"), std::string::npos) << under_lan.err;
  EXPECT_TRUE(rules_present());
  EXPECT_EQ(launcher("status").out.find("link emulator, network lan") != std::string::npos, true);
  EXPECT_EQ(read_file(state_ / "run/links.txt").find("drop "), std::string::npos);
  EXPECT_EQ(launcher("down").exit_code, 0);
  EXPECT_FALSE(rules_present());
}

}  // namespace
