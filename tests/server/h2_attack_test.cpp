// The known HTTP/2 attacks against a real miniweb-server process, each sent by a Python client
// built on Debian's python3-h2 framing (tests/server/h2_attacks/h2_attack.py): rapid reset,
// CONTINUATION floods, an HPACK bomb, SETTINGS and PING floods (the client reading its answers
// or not), a zero-window stall and stream-id reuse. For each, the offender is stopped (GOAWAY
// with the right error code, or its connection closed) within a second, the server's memory
// stays bounded, and another client (curl --http2, a new connection per request) gets 200
// from before the attack until after it.

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "tests/server/h2_test_config.hpp"
#include "tests/server/server_process.hpp"
#include "tests/server/test_certificate.hpp"
#include "tests/support/command_output.hpp"

namespace miniweb::server {
namespace {

// What h2_attack.py printed: the server's reaction to the offender and the bystander's answers.
struct AttackReport {
  std::string kind;  // goaway, closed, refused (every attacking stream reset), none
  std::string code;  // the GOAWAY's error code by name
  long ms = -1;      // from the attack's start to the reaction
  std::string detail;
  std::vector<std::string> statuses;  // the bystander's, one per request
  std::vector<std::string> versions;
  std::string output;
};

std::vector<std::string> split(const std::string& text, char separator) {
  std::vector<std::string> parts;
  std::stringstream in(text);
  for (std::string part; std::getline(in, part, separator);) parts.push_back(part);
  return parts;
}

AttackReport parse_report(const std::string& output) {
  AttackReport report;
  report.output = output;
  std::smatch match;
  static const std::regex outcome(R"(OUTCOME kind=(\S+) code=(\S+) ms=(-?\d+) detail=(\S*))");
  if (std::regex_search(output, match, outcome)) {
    report.kind = match[1];
    report.code = match[2];
    report.ms = std::stol(match[3]);
    report.detail = match[4];
  }
  static const std::regex bystander(R"(BYSTANDER answers=\d+ statuses=(\S*) versions=(\S*))");
  if (std::regex_search(output, match, bystander)) {
    report.statuses = split(match[1], ',');
    report.versions = split(match[2], ',');
  }
  return report;
}

// A field of /proc/PID/status in KiB (VmRSS: resident now, VmHWM: the peak so far), -1 if
// the process is gone.
long status_kib(pid_t pid, const std::string& field) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(in, line);)
    if (line.rfind(field + ":", 0) == 0) return std::stol(line.substr(field.size() + 1));
  return -1;
}

// The memory an attack may add to the server, peak over resident before. Generous for an
// ASan build (shadow memory, redzones), small beside what the attacks ask for unbounded:
// the HPACK bomb decodes to 64 MB a stream, the stall holds 100 streams of an 8 MiB file.
constexpr long kMemoryBoundKib = 64 * 1024;
// The test configuration's send_timeout: the stall may last that long before the server acts.
constexpr long kSendTimeoutMs = 1000;

class H2AttackTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = std::filesystem::temp_directory_path() /
           ("miniweb-h2-attack-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_ / "site");
    std::ofstream(dir_ / "site/index.html") << "<h1>still here</h1>\n";
    {
      std::ofstream large(dir_ / "site/large.bin", std::ios::binary);
      const std::string block(1 << 20, 'x');
      for (int i = 0; i < 8; ++i) large << block;
    }
    ASSERT_TRUE(test_support::issue_test_certificate(dir_, {"www.example.test"}));
    std::ofstream(dir_ / "server.toml") << test_support::h2_test_config(R"([server]
http2 = true

[limits]
http2_max_concurrent_streams = 128
http2_max_header_list_size = 32768
http2_max_frame_size = 16384
http2_initial_window_size = 65536
header_timeout = 5
keepalive_timeout = 10
send_timeout = 1
)");
    // ASan keeps freed memory in quarantine (256 MiB by default) and counts it in the
    // resident set; a small quarantine keeps the memory bound about the server, not ASan.
    const char* asan = std::getenv("ASAN_OPTIONS");
    const std::string options =
        (asan && *asan ? std::string(asan) + ":" : std::string()) + "quarantine_size_mb=16";
    ::setenv("ASAN_OPTIONS", options.c_str(), 1);
  }

  static void TearDownTestSuite() { std::filesystem::remove_all(dir_); }

  void SetUp() override {
    server_ = std::make_unique<test_support::ServerProcess>(
        MINIWEB_SERVER_BINARY, dir_ / "server.toml", dir_ / "stderr.txt");
    port_ = server_->port("https");
    ASSERT_NE(port_, 0) << server_->stderr_text();
  }

  // Runs one attack, and checks what every attack must leave behind: the server alive, its
  // memory bounded, and the bystander answered 200 over HTTP/2 from start to end.
  AttackReport attack(const std::string& name) {
    const long rss_before = status_kib(server_->pid(), "VmRSS");
    const std::string output = test_support::command_output(
        "timeout 60 /usr/bin/python3 -B " MINIWEB_H2_ATTACKS_DIR "/h2_attack.py " + name +
        " --port " + std::to_string(port_) + " 2>&1");
    AttackReport report = parse_report(output);
    const long peak_after = status_kib(server_->pid(), "VmHWM");

    EXPECT_FALSE(report.kind.empty()) << "the attack client failed:\n" << output;
    EXPECT_FALSE(server_->exited()) << "the server died:\n" << server_->stderr_text();
    EXPECT_GT(rss_before, 0);
    EXPECT_LT(peak_after - rss_before, kMemoryBoundKib)
        << name << ": resident " << rss_before << " KiB before, peak " << peak_after
        << " KiB after\n"
        << output;
    EXPECT_GE(report.statuses.size(), 2u) << output;
    for (std::size_t i = 0; i < report.statuses.size(); ++i) {
      EXPECT_EQ(report.statuses[i], "200") << name << ": bystander request " << i << "\n" << output;
      EXPECT_EQ(i < report.versions.size() ? report.versions[i] : "", "2")
          << name << ": bystander request " << i << " was not HTTP/2\n"
          << output;
    }
    return report;
  }

  // The offender got a GOAWAY whose code is one of `codes`, or its connection closed (or,
  // when `refusal_counts`, every stream of the attack reset with the connection kept), at
  // most `limit_ms` after the attack began.
  static void expect_stopped(const AttackReport& report, const std::set<std::string>& codes,
                             long limit_ms, bool refusal_counts = false) {
    const bool goaway = report.kind == "goaway" && codes.count(report.code) > 0;
    const bool refused = refusal_counts && report.kind == "refused";
    EXPECT_TRUE(goaway || report.kind == "closed" || refused)
        << "the offender was not stopped as it should be: kind=" << report.kind
        << " code=" << report.code << "\n"
        << report.output;
    EXPECT_GE(report.ms, 0) << report.output;
    EXPECT_LT(report.ms, limit_ms) << report.output;
  }

  static inline std::filesystem::path dir_;
  std::unique_ptr<test_support::ServerProcess> server_;
  unsigned short port_ = 0;
};

// CVE-2023-44487: HEADERS then RST_STREAM, 10000 times. nghttp2's own rate limit answers with
// INTERNAL_ERROR; ENHANCE_YOUR_CALM is the code for the purpose.
TEST_F(H2AttackTest, RapidResetIsStopped) {
  expect_stopped(attack("rapid-reset"), {"ENHANCE_YOUR_CALM", "INTERNAL_ERROR"}, 1000);
}

// A header block that never ends, each CONTINUATION adding a 100-byte header: the list passes
// any limit on its size.
TEST_F(H2AttackTest, ContinuationFloodIsStopped) {
  expect_stopped(attack("continuation-flood"),
                 {"ENHANCE_YOUR_CALM", "PROTOCOL_ERROR", "COMPRESSION_ERROR"}, 1000);
}

// The same with empty CONTINUATION frames (CVE-2024-28182): the header list never grows, so
// only a bound on the frames themselves stops it.
TEST_F(H2AttackTest, EmptyContinuationFloodIsStopped) {
  expect_stopped(attack("continuation-empty"),
                 {"ENHANCE_YOUR_CALM", "PROTOCOL_ERROR", "COMPRESSION_ERROR"}, 1000);
}

// 16000 references to a 4000-byte dynamic-table entry, on ten streams: 64 MB decoded per
// stream. Refusing each stream (RST_STREAM, or 431) is a right answer too (RFC 9113 10.5.1);
// the memory bound is what shows the list was never built.
TEST_F(H2AttackTest, HpackBombIsStopped) {
  expect_stopped(attack("hpack-bomb"), {"ENHANCE_YOUR_CALM", "COMPRESSION_ERROR", "PROTOCOL_ERROR"},
                 1000, true);
}

TEST_F(H2AttackTest, SettingsFloodIsStopped) {
  expect_stopped(attack("settings-flood"), {"ENHANCE_YOUR_CALM"}, 1000);
}

// Not reading (with a 4 KiB receive buffer), the client leaves the server's ACKs queued; the
// server may take its send_timeout to notice the client that does not read.
TEST_F(H2AttackTest, SettingsFloodFromAClientThatDoesNotReadIsStopped) {
  expect_stopped(attack("settings-flood-unread"), {"ENHANCE_YOUR_CALM"}, kSendTimeoutMs + 1000);
}

TEST_F(H2AttackTest, PingFloodIsStopped) {
  expect_stopped(attack("ping-flood"), {"ENHANCE_YOUR_CALM"}, 1000);
}

TEST_F(H2AttackTest, PingFloodFromAClientThatDoesNotReadIsStopped) {
  expect_stopped(attack("ping-flood-unread"), {"ENHANCE_YOUR_CALM"}, kSendTimeoutMs + 1000);
}

// SETTINGS_INITIAL_WINDOW_SIZE = 0 and 100 streams asking for an 8 MiB file, never a
// WINDOW_UPDATE: no progress is possible, so send_timeout (1 s here) ends it, closing the
// connection or resetting every stream; timed from the last response
// head (when the server has nothing left it may send).
TEST_F(H2AttackTest, ZeroWindowStallEndsAtTheSendTimeout) {
  const AttackReport report = attack("zero-window");
  expect_stopped(
      report,
      {"ENHANCE_YOUR_CALM", "PROTOCOL_ERROR", "FLOW_CONTROL_ERROR", "INTERNAL_ERROR", "CANCEL"},
      kSendTimeoutMs + 1000, true);
  EXPECT_NE(report.detail.find("data_bytes=0"), std::string::npos)
      << "the server sent DATA past a zero window:\n"
      << report.output;
}

// HEADERS again on stream 1 after its response ended (RFC 9113 5.1: a closed stream).
TEST_F(H2AttackTest, HeadersOnAClosedStreamIsAConnectionError) {
  expect_stopped(attack("stream-reuse"), {"PROTOCOL_ERROR", "STREAM_CLOSED"}, 1000);
}

// Stream 5, then stream 3 (RFC 9113 5.1.1: ids only increase).
TEST_F(H2AttackTest, ADecreasingStreamIdIsAProtocolError) {
  expect_stopped(attack("stream-decreasing"), {"PROTOCOL_ERROR"}, 1000);
}

// Stream 2: even ids belong to the server (RFC 9113 5.1.1).
TEST_F(H2AttackTest, AnEvenStreamIdFromTheClientIsAProtocolError) {
  expect_stopped(attack("stream-even"), {"PROTOCOL_ERROR"}, 1000);
}

}  // namespace
}  // namespace miniweb::server
