// The end-to-end test's DNS, on the suite's stack (stack_fixture.hpp; stack_test.cpp takes it
// down last): the recursive resolver to dig, NXDOMAIN, the root's and test.'s referrals in the
// packet view, the hosts file and the browser's on-disk cache before DNS, and ./miniweb flush.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "tests/e2e/stack_fixture.hpp"

namespace {

using miniweb::e2e::StackTest;
using miniweb::test_support::read_file;
using miniweb::test_support::RunResult;

TEST_F(StackTest, ASecondRunAnswersFromTheOnDiskCache) {
  ASSERT_EQ(up_.exit_code, 0) << up_.err;
  std::filesystem::remove(state_ / "browser/dns-cache.json");
  RunResult first = browse("https://www.example.test/", "--dump --trace");
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_NE(first.err.find("recursive resolver"), std::string::npos) << first.err;
  EXPECT_NE(first.err.find("dns-cache.json updated"), std::string::npos) << first.err;
  EXPECT_NE(first.err.find("www.example.test kept for "), std::string::npos) << first.err;
  RunResult second = browse("https://www.example.test/", "--dump --trace");
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_NE(second.err.find("on-disk cache"), std::string::npos) << second.err;
  EXPECT_NE(second.err.find("hit: " + net_ + ".10"), std::string::npos) << second.err;
  EXPECT_EQ(second.err.find("recursive resolver"), std::string::npos) << second.err;
  EXPECT_EQ(second.out, first.out);
}

// The resolver's walk, as the packet view captured it after a flush.
TEST_F(StackTest, TheRootRefersEachTopLevelDomainToItsOwnServer) {
  ASSERT_EQ(up_.exit_code, 0) << up_.err;
  ASSERT_EQ(launcher("flush").exit_code, 0);
  RunResult page = browse("https://www.example/", "--dump --fresh --packets");
  ASSERT_EQ(page.exit_code, 0) << page.err;
  EXPECT_NE(page.out.find("Welcome to www.example"), std::string::npos) << page.out;
  EXPECT_NE(page.err.find("referral to example. (ns1.nic.example.)"), std::string::npos)
      << page.err;
  EXPECT_NE(page.err.find("ns1.nic.example " + net_ + ".4"), std::string::npos) << page.err;
  // Before the first connection (a CRL fetch for ca.test, when there is one, comes later and
  // walks test.).
  const auto rows = page.err.find("     0.000 ms ");
  ASSERT_NE(rows, std::string::npos) << page.err;
  const std::string lookup = page.err.substr(rows, page.err.find(" SYN seq=") - rows);
  EXPECT_EQ(lookup.find("referral to test."), std::string::npos) << page.err;
}

// badssl.test is delegated by test. to its own authoritative server, as the description says.
TEST_F(StackTest, BadsslIsDelegatedToItsOwnAuthoritativeServer) {
  ASSERT_EQ(up_.exit_code, 0) << up_.err;
  ASSERT_EQ(launcher("flush").exit_code, 0);
  RunResult page = browse("https://expired.badssl.test/", "--dump --fresh --packets");
  EXPECT_NE(page.err.find("referral to badssl.test. (ns1.badssl.test.)"), std::string::npos)
      << page.err;
  EXPECT_NE(page.err.find("ns1.badssl.test " + net_ + ".5"), std::string::npos) << page.err;
  RunResult dig = run("dig +norecurse -p " + std::to_string(dns_port_) + " @" + net_ +
                      ".3 expired.badssl.test A");
  EXPECT_NE(dig.out.find("status: REFUSED"), std::string::npos)
      << dig.out;  // example.test.'s server knows nothing of it
}

TEST_F(StackTest, DigGetsTheServerAddressFromTheResolver) {
  ASSERT_EQ(up_.exit_code, 0) << up_.err;
  RunResult dig = run("dig +short +time=2 -p " + std::to_string(dns_port_) + " @" + net_ +
                      ".53 www.example.test A");
  ASSERT_EQ(dig.exit_code, 0) << dig.err;
  EXPECT_EQ(dig.out, net_ + ".10\n");
}

TEST_F(StackTest, UnknownNameIsNxdomain) {
  ASSERT_EQ(up_.exit_code, 0) << up_.err;
  RunResult page = browse("https://no-such-host.example.test/");
  EXPECT_EQ(page.exit_code, 6);
  EXPECT_NE(page.err.find("does not exist (NXDOMAIN"), std::string::npos) << page.err;
}

TEST_F(StackTest, HostsFileAnswersBeforeDns) {
  ASSERT_EQ(up_.exit_code, 0) << up_.err;
  const std::filesystem::path hosts = state_ / "hosts";
  const std::string original = read_file(hosts);
  // The trace must show the hosts file answering, and no question to the resolver.
  std::ofstream(hosts, std::ios::app) << net_ << ".10 www.example.test\n";
  // A hosts file gives no port (DNS's HTTPS record does), so the URL names it.
  RunResult page =
      browse("https://www.example.test:" + std::to_string(https_port_) + "/", "--dump --trace");
  std::ofstream(hosts) << original;
  EXPECT_EQ(page.exit_code, 0) << page.err;
  EXPECT_NE(page.err.find("hit: " + net_ + ".10"), std::string::npos) << page.err;
  EXPECT_EQ(page.err.find("recursive resolver"), std::string::npos) << page.err;
}

// ./miniweb flush, seen in the resolver's count of questions it sent upstream: a repeated
// question is answered from the cache; after a flush of everything it is asked from the root
// down again; after a flush of one name only that name's zone server is asked again.
TEST_F(StackTest, FlushMakesTheResolverAskUpstreamAgain) {
  ASSERT_EQ(up_.exit_code, 0) << up_.err;
  const std::string dig =
      "dig +short +time=2 -p " + std::to_string(dns_port_) + " @" + net_ + ".53 www.example.test A";
  const std::string stats = MINIWEB_BINARY_DIR "/dns/miniweb-dns control --socket " +
                            (state_ / "run/resolver.control").string() + " stats";
  auto upstream_queries = [&stats] {
    const RunResult reply = run(stats);
    const auto at = reply.out.find("upstream_queries=");
    EXPECT_NE(at, std::string::npos) << reply.out << reply.err;
    return at == std::string::npos ? -1L : std::stol(reply.out.substr(at + 17));
  };
  ASSERT_EQ(run(dig).out, net_ + ".10\n");
  const long cached = upstream_queries();
  ASSERT_EQ(run(dig).out, net_ + ".10\n");
  EXPECT_EQ(upstream_queries(), cached) << "a repeated question went upstream";

  const RunResult flush_all = launcher("flush");
  ASSERT_EQ(flush_all.exit_code, 0) << flush_all.err;
  EXPECT_NE(flush_all.out.find("the next question starts from the root"), std::string::npos)
      << flush_all.out;
  ASSERT_EQ(run(dig).out, net_ + ".10\n");
  const long from_the_root = upstream_queries();
  // The root (primed again from the hints), test. and example.test.: the zone cuts were gone.
  EXPECT_GE(from_the_root - cached, 3) << "after a flush of everything";

  const RunResult flush_name = launcher("flush www.example.test");
  ASSERT_EQ(flush_name.exit_code, 0) << flush_name.err;
  EXPECT_NE(flush_name.out.find(" at www.example.test."), std::string::npos) << flush_name.out;
  ASSERT_EQ(run(dig).out, net_ + ".10\n");
  EXPECT_EQ(upstream_queries() - from_the_root, 1) << "only example.test.'s server, once";
  EXPECT_EQ(launcher("flush a.test b.test").exit_code, 1);
}

}  // namespace
