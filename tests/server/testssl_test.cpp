// testssl.sh against a real miniweb-server process: no finding rated HIGH or CRITICAL.
// The checks that matter for a server's TLS and keep the run short (well under two minutes):
// protocols (-p), cipher categories (-s), server defaults with the certificate (-S) and
// vulnerabilities (-U), with --fast. testssl trusts the test's own root (--add-ca).

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "ca/authority.hpp"
#include "ca/crypto.hpp"
#include "tests/server/server_process.hpp"
#include "tests/server/test_certificate.hpp"
#include "tests/support/command_output.hpp"

namespace miniweb::server {
namespace {

TEST(ServerTestssl, FindsNothingRatedHighOrCritical) {
  // A dependency like any other: scripts/install-deps.sh installs it, so its absence fails.
  ASSERT_FALSE(test_support::command_output("command -v testssl testssl.sh").empty())
      << "testssl.sh is not installed: run scripts/install-deps.sh";
  const auto dir =
      std::filesystem::temp_directory_path() / ("miniweb-testssl-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir / "site");
  std::ofstream(dir / "site/index.html") << "<h1>testssl</h1>\n";
  ASSERT_TRUE(test_support::issue_test_certificate(dir, {"www.example.test"}));
  std::ofstream(dir / "server.toml") << R"([[listener]]
address = "127.0.0.1"
port = 0

[[site]]
names = ["www.example.test"]
root = "site"
certificate = "chain.pem"
key = "key.pem"
)";
  test_support::ServerProcess server(MINIWEB_SERVER_BINARY, dir / "server.toml",
                                     dir / "stderr.txt");
  const unsigned short port = server.port("https");
  ASSERT_NE(port, 0) << server.stderr_text();

  const std::string testssl =
      test_support::command_output("command -v testssl || command -v testssl.sh");
  const auto report = dir / "testssl.json";
  const std::string output = test_support::command_output(
      "timeout 300 " + testssl.substr(0, testssl.find('\n')) +
      " --quiet --color 0 --warnings batch --fast --nodns none --ip 127.0.0.1 -p -s -S -U"
      " --add-ca " +
      (dir / "ca/root.pem").string() + " --severity HIGH --jsonfile " + report.string() +
      " www.example.test:" + std::to_string(port) + " 2>&1");

  std::ifstream in(report);
  ASSERT_TRUE(in) << "testssl wrote no report:\n" << output;
  const nlohmann::json findings = nlohmann::json::parse(in, nullptr, false);
  ASSERT_TRUE(findings.is_array()) << output;
  std::string high;
  for (const auto& finding : findings) {
    const std::string severity = finding.value("severity", "");
    if (severity == "HIGH" || severity == "CRITICAL")
      high += severity + " " + finding.value("id", "") + ": " + finding.value("finding", "") + "\n";
  }
  EXPECT_TRUE(high.empty()) << high << "\nfull output:\n" << output;
  EXPECT_NE(output.find("Testing vulnerabilities"), std::string::npos) << output;
  EXPECT_EQ(server.stop(), 0);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace miniweb::server
