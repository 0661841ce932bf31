// The packet view of a real load over the demo internet: `./miniweb browse --packets` with a
// capture of lo, checked for the structure of TCP, TLS 1.3 and HTTP, against an independent
// tcpdump run beside it, and the saved pcapng decrypted by tshark.

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/e2e/stack_fixture.hpp"
#include "tests/support/tmux_terminal.hpp"

namespace {

using miniweb::e2e::StackTest;
using miniweb::test_support::read_file;
using miniweb::test_support::RunResult;

using PacketsTest = StackTest;

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// A row of the ladder: its time cell is 14 characters, then the lanes; the browser's column is
// the first, so a packet the browser sent starts its arrow there.
bool sent_by_browser(const std::string& row) {
  return row.compare(14, 3, "├") == 0;
}

std::uint64_t number_after(const std::string& line, const std::string& key) {
  auto at = line.find(key);
  if (at == std::string::npos) return 0;
  return std::stoull(line.substr(at + key.size()));
}

// The rows of one connection (by its host, as the state lines under each segment name it): the
// segment's row and its state line.
struct Segment {
  std::string row;
  std::string states;
  std::vector<std::string> details;
};

std::vector<Segment> segments_of(const std::vector<std::string>& lines, const std::string& host) {
  std::vector<Segment> segments;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].find(" ms ") != 10 || lines[i].find(" seq=") == std::string::npos) continue;
    Segment segment{lines[i], "", {}};
    std::size_t j = i + 1;
    for (; j < lines.size() && lines[j].find(" ms ") != 10; ++j) {
      if (lines[j].find("↳ browser") != std::string::npos)
        segment.states = lines[j];
      else
        segment.details.push_back(lines[j]);
    }
    if (segment.states.find("· " + host + " ") != std::string::npos) segments.push_back(segment);
  }
  return segments;
}

std::string flags_of(const std::string& row) {
  auto seq = row.find(" seq=");
  auto start = row.rfind(' ', seq - 1);
  return row.substr(start + 1, seq - start - 1);
}

TEST_F(PacketsTest, ALiveLoadShowsTheHandshakeTlsHttpAndTheClose) {
  ASSERT_EQ(up_.exit_code, 0) << up_.err;
  // An independent witness: tcpdump on lo, the SYNs to the web server, absolute numbers.
  const std::string tcpdump_out = state_.string() + "/tcpdump.txt";
  const std::string web = net_ + "." + "10";
  run("(tcpdump -i lo -n -S -l 'tcp[tcpflags] & tcp-syn != 0 and host " + web + " and port " +
      std::to_string(https_port_) + "' > " + tcpdump_out + " 2> " + tcpdump_out +
      ".err & echo $! > " + tcpdump_out + ".pid)");
  for (int i = 0;
       i < 100 && read_file(tcpdump_out + ".err").find("listening on") == std::string::npos; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  RunResult page = browse("https://www.example.test/", "--dump --fresh --packets");
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  run("kill $(cat " + tcpdump_out + ".pid)");
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  ASSERT_EQ(page.exit_code, 0) << page.err;
  EXPECT_NE(page.out.find("Welcome to www.example.test"), std::string::npos);
  const auto lines = lines_of(page.err);
  const auto segments = segments_of(lines, "www.example.test");
  ASSERT_GE(segments.size(), 8u) << page.err;

  // The three-way handshake, with its numbers.
  ASSERT_EQ(flags_of(segments[0].row), "SYN") << segments[0].row;
  ASSERT_EQ(flags_of(segments[1].row), "SYN-ACK") << segments[1].row;
  ASSERT_EQ(flags_of(segments[2].row), "ACK") << segments[2].row;
  EXPECT_TRUE(sent_by_browser(segments[0].row));
  EXPECT_FALSE(sent_by_browser(segments[1].row));
  const std::uint64_t isn = number_after(segments[0].row, " seq=");
  const std::uint64_t server_isn = number_after(segments[1].row, " seq=");
  EXPECT_EQ(number_after(segments[1].row, " ack="), (isn + 1) % (1ull << 32));
  EXPECT_EQ(number_after(segments[2].row, " seq="), (isn + 1) % (1ull << 32));
  EXPECT_EQ(number_after(segments[2].row, " ack="), (server_isn + 1) % (1ull << 32));
  EXPECT_NE(segments[0].row.find("<mss "), std::string::npos) << segments[0].row;
  EXPECT_NE(segments[0].states.find("browser SYN_SENT"), std::string::npos);

  // tcpdump saw the same ports and initial sequence numbers.
  std::string from;
  for (const std::string& detail : segments[0].details)
    if (auto at = detail.find("from 127."); at != std::string::npos) from = detail.substr(at + 5);
  ASSERT_FALSE(from.empty()) << segments[0].row;
  const std::string browser_port =
      from.substr(from.find(':') + 1, from.find(' ') - from.find(':') - 1);
  const std::string dump = read_file(tcpdump_out);
  EXPECT_NE(dump.find("." + browser_port + " > " + web + "." + std::to_string(https_port_) +
                      ": Flags [S], seq " + std::to_string(isn) + ","),
            std::string::npos)
      << dump << "\nladder: " << segments[0].row;
  EXPECT_NE(dump.find(web + "." + std::to_string(https_port_) + " > 127.0.0.1." + browser_port +
                      ": Flags [S.], seq " + std::to_string(server_isn) + ", ack " +
                      std::to_string(isn + 1)),
            std::string::npos)
      << dump;

  // TLS 1.3's messages, in order, and the HTTP/2 frames inside (ALPN chose h2).
  std::string carried;
  for (const Segment& segment : segments)
    for (const std::string& detail : segment.details) carried += detail + "\n";
  std::size_t at = 0;
  for (const char* message :
       {"ClientHello SNI www.example.test", "ServerHello TLS 1.3", "EncryptedExtensions",
        "Certificate: 2 certificates, CN=www.example.test", "CertificateVerify", "Finished",
        "Finished", "h2 connection preface", "h2 HEADERS stream 1 (END_STREAM END_HEADERS)",
        "h2 HEADERS stream 1 (END_HEADERS)", "h2 DATA stream 1", "h2 GOAWAY",
        "Alert warning close_notify"}) {
    at = carried.find(message, at);
    ASSERT_NE(at, std::string::npos) << message << " missing or out of order in:\n" << carried;
    ++at;
  }

  // A FIN from each side, and TIME_WAIT, with the kernel's timer, on the side that sent first.
  std::optional<bool> browser_first;
  bool browser_fin = false, server_fin = false;
  for (const Segment& segment : segments)
    if (flags_of(segment.row).starts_with("FIN")) {
      (sent_by_browser(segment.row) ? browser_fin : server_fin) = true;
      if (!browser_first) browser_first = sent_by_browser(segment.row);
    }
  EXPECT_TRUE(browser_fin && server_fin) << page.err;
  ASSERT_TRUE(browser_first.has_value());
  const std::string& last_states = segments.back().states;
  const std::string first_closer = *browser_first ? "browser TIME_WAIT (seen; the kernel's timer"
                                                  : "www.example.test TIME_WAIT (seen; the "
                                                    "kernel's timer";
  EXPECT_NE(last_states.find(first_closer), std::string::npos) << last_states;
}

// A load resuming a session the profile kept: its request goes in the ClientHello's segment as
// TLS 1.3 early data, labelled so from where its record falls against the browser's Finished,
// and the browser ends its early data (EndOfEarlyData) before that Finished. (Whether the
// server's answer or the browser's Finished crosses the wire first depends on which is quicker;
// tests/server/early_data_test.cpp holds a Finished back to show the answer comes without it.)
TEST_F(PacketsTest, AResumedLoadsRequestRidesWithTheClientHelloAsEarlyData) {
  ASSERT_EQ(up_.exit_code, 0) << up_.err;
  ASSERT_EQ(browse("https://www.example.test/").exit_code, 0);  // a session for the profile
  RunResult page = browse("https://www.example.test/", "--dump --packets");
  ASSERT_EQ(page.exit_code, 0) << page.err;
  const auto segments = segments_of(lines_of(page.err), "www.example.test");
  auto holds = [](const Segment& segment, const std::string& text) {
    return std::any_of(
        segment.details.begin(), segment.details.end(),
        [&](const std::string& detail) { return detail.find(text) != std::string::npos; });
  };
  std::size_t hello = segments.size(), ended = segments.size();
  for (std::size_t i = 0; i < segments.size(); ++i) {
    if (hello == segments.size() && holds(segments[i], "ClientHello")) hello = i;
    if (ended == segments.size() && holds(segments[i], "EndOfEarlyData")) ended = i;
  }
  ASSERT_LT(hello, segments.size()) << page.err;
  EXPECT_TRUE(holds(segments[hello], "(early data, 0-RTT: before the browser's Finished)"))
      << page.err;
  EXPECT_TRUE(holds(segments[hello], "h2 HEADERS stream 1")) << page.err;
  ASSERT_LT(ended, segments.size()) << page.err;
  EXPECT_TRUE(holds(segments[ended], "Finished")) << page.err;
  EXPECT_NE(page.err.find("(the request went with the ClientHello, as early data)"),
            std::string::npos)
      << page.err;
}

// The same session's ticket offered again (the profile put back as it was: a replay, as the
// server sees it) is refused its early data. The view says so where the server does (its
// EncryptedExtensions, without early_data), and places the request's frames where each copy
// went: in the ClientHello's segment, then again after the browser's Finished, and the
// browser's later frames (its SETTINGS ACK) in the records that carried them.
TEST_F(PacketsTest, EarlyDataTheServerRefusesIsSaidAndItsFramesPlacedTwice) {
  ASSERT_EQ(up_.exit_code, 0) << up_.err;
  const std::filesystem::path sessions = state_ / "browser/tls-sessions.txt";
  const std::filesystem::path kept = state_ / "tls-sessions.refused";
  ASSERT_EQ(browse("https://www.example.test/").exit_code, 0);
  std::filesystem::copy_file(sessions, kept, std::filesystem::copy_options::overwrite_existing);
  ASSERT_EQ(browse("https://www.example.test/").exit_code, 0);  // the ticket's early data, once
  std::filesystem::copy_file(kept, sessions, std::filesystem::copy_options::overwrite_existing);
  RunResult page = browse("https://www.example.test/", "--dump --packets");
  ASSERT_EQ(page.exit_code, 0) << page.err;
  std::filesystem::remove(kept);

  std::string carried;
  for (const Segment& segment : segments_of(lines_of(page.err), "www.example.test"))
    for (const std::string& detail : segment.details) carried += detail + "\n";
  std::size_t at = 0;
  for (const char* text :
       {"(early data, 0-RTT: before the browser's Finished)",
        "h2 HEADERS stream 1 (END_STREAM END_HEADERS)",
        "(no early_data: the server refuses the browser's early data)", "Finished",
        "h2 connection preface PRI * HTTP/2.0 (24 bytes), again (the server refused the early "
        "data)",
        "h2 HEADERS stream 1 (END_STREAM END_HEADERS)",
        ", again (the server refused the early data)", "h2 HEADERS stream 1 (END_HEADERS)",
        "h2 DATA stream 1", "h2 GOAWAY"}) {
    at = carried.find(text, at);
    ASSERT_NE(at, std::string::npos) << text << " missing or out of order in:\n" << carried;
    ++at;
  }
  // Every record of the browser's holds the frames nghttp2 reported in it: none is left
  // without one, as records were when the frames' places still counted the early data once.
  EXPECT_EQ(carried.find("no HTTP/2 frame the browser was told of"), std::string::npos) << carried;
  EXPECT_NE(page.err.find("(the request went with the ClientHello as early data, which the "
                          "server refused)"),
            std::string::npos)
      << page.err;
}

TEST_F(PacketsTest, AfterAFlushTheResolverWalksFromTheRootThenAnswersFromItsCache) {
  ASSERT_EQ(up_.exit_code, 0) << up_.err;
  ASSERT_EQ(launcher("flush").exit_code, 0);
  RunResult first = browse("https://www.example.test/", "--dump --fresh --packets");
  ASSERT_EQ(first.exit_code, 0) << first.err;
  for (const std::string& host : {"a.root-servers.test " + net_ + ".1",
                                  "ns1.nic.test " + net_ + ".2", "ns1.example.test " + net_ + ".3"})
    EXPECT_NE(first.err.find(host), std::string::npos) << host << " not a column of:\n"
                                                       << first.err;
  const auto root = first.err.find("referral to test.");
  const auto tld = first.err.find("referral to example.test.");
  const auto answer = first.err.find("flags aa: www.example.test. A -> A " + net_ + ".10");
  ASSERT_NE(root, std::string::npos) << first.err;
  ASSERT_NE(tld, std::string::npos) << first.err;
  ASSERT_NE(answer, std::string::npos) << first.err;
  EXPECT_LT(root, tld);
  EXPECT_LT(tld, answer);
  // What the resolver sent while the question waited, counted from the capture: queries (QR
  // clear) to the three servers, at least one each (the priming and the HTTPS record's lookup
  // beside it may add more).
  std::smatch sent;
  ASSERT_TRUE(std::regex_search(first.err, sent,
                                std::regex("while it waited, the resolver sent ([0-9]+) questions "
                                           "to 3 name servers before answering")))
      << first.err;
  EXPECT_GE(std::stoi(sent[1]), 3) << first.err;

  RunResult second = browse("https://www.example.test/", "--dump --fresh --packets");
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_EQ(second.err.find("a.root-servers.test"), std::string::npos) << second.err;
  EXPECT_EQ(second.err.find("referral to"), std::string::npos) << second.err;
  EXPECT_NE(second.err.find("from the resolver's cache: it asked no name server"),
            std::string::npos)
      << second.err;
  EXPECT_NE(second.err.find("; TTL left "), std::string::npos) << second.err;
}

// The full-screen terminal: p shows the last load's ladder; q leaves it in the terminal.
TEST_F(PacketsTest, TheFullScreenTerminalShowsThePacketsOnPAndLeavesThemOnExit) {
  ASSERT_EQ(up_.exit_code, 0) << up_.err;
  miniweb::test_support::TmuxTerminal terminal(
      "env TERM=screen LANG=C.UTF-8 " + environment_ + MINIWEB_SOURCE_DIR +
          "/miniweb browse --terminal --fresh --packets https://www.example.test/",
      160, 40);
  ASSERT_TRUE(terminal.wait_for("Welcome to www.example.test")) << terminal.screen();
  terminal.keys("p");
  ASSERT_TRUE(terminal.wait_for("The packets of https://www.example.test/")) << terminal.screen();
  EXPECT_TRUE(terminal.wait_for(" SYN-ACK seq=")) << terminal.screen();
  terminal.keys("q");
  terminal.keys("q");
  ASSERT_TRUE(terminal.wait_for("EXITED 0")) << terminal.screen();
  // The connection kept alive is closed on quitting, watched: its FINs and TIME_WAIT.
  EXPECT_NE(terminal.screen().find("* the close of the connections kept alive, on quitting:"),
            std::string::npos)
      << terminal.screen();
  EXPECT_NE(terminal.screen().find("TIME_WAIT (seen; the kernel's timer"), std::string::npos)
      << terminal.screen();
}

TEST_F(PacketsTest, TheSavedCaptureDecryptsInTshark) {
  ASSERT_EQ(up_.exit_code, 0) << up_.err;
  const std::string file = state_.string() + "/load.pcapng";
  RunResult page = browse("https://www.example.test/", "--dump --fresh --pcap " + file);
  ASSERT_EQ(page.exit_code, 0) << page.err;
  EXPECT_NE(page.err.find("packets saved to " + file + ", with the TLS key log inside"),
            std::string::npos)
      << page.err;
  struct stat info {};
  ASSERT_EQ(::stat(file.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u) << "the file holds the session keys";
  RunResult decoded =
      run("tshark -r " + file +
          " -Y 'http2.type == 1' -T fields -e http2.headers.authority -e http2.headers.path");
  ASSERT_EQ(decoded.exit_code, 0) << decoded.err;
  EXPECT_NE(decoded.out.find("www.example.test\t/"), std::string::npos) << decoded.out;
}

TEST_F(PacketsTest, ACaptureOverItsBoundSaysSoAndThePageStillLoads) {
  ASSERT_EQ(up_.exit_code, 0) << up_.err;
  RunResult page =
      browse("https://www.example.test/", "--dump --fresh --packets --capture-limit 6");
  ASSERT_EQ(page.exit_code, 0) << page.err;
  EXPECT_NE(page.out.find("Welcome to www.example.test"), std::string::npos);
  EXPECT_NE(page.err.find("frames past the capture's bound were not kept"), std::string::npos)
      << page.err;
}

}  // namespace
