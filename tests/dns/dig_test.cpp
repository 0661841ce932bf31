// Interop: the real `dig` (bind9-dnsutils) against the authoritative server.

#include <gtest/gtest.h>

#include <asio/io_context.hpp>
#include <cstdio>
#include <memory>
#include <thread>

#include "dns/server.hpp"
#include "dns/zone.hpp"
#include "shared/dns/client.hpp"
#include "tests/support/command_output.hpp"

namespace miniweb::dns {
namespace {

const std::filesystem::path kData = MINIWEB_DNS_TEST_DATA;

const auto run_command = &test_support::command_output;

class DnsDig : public ::testing::Test {
 protected:
  void SetUp() override {
    // scripts/install-deps.sh installs dig (bind9-dnsutils): without it the install is broken.
    ASSERT_FALSE(run_command("command -v dig").empty())
        << "dig is missing: run scripts/install-deps.sh";
    auto zones = ZoneSet::load({kData / "example.test.zone"});
    ASSERT_TRUE(zones.ok()) << zones.error().message;
    zones_ = std::make_shared<ZoneSet>(std::move(*zones));
    server_ = std::make_unique<DnsServer>(
        io_.get_executor(), asio::ip::udp::endpoint(asio::ip::make_address("127.0.0.1"), 0),
        SyncHandler([zones = zones_](const Message& query, const asio::ip::address&) {
          return answer_authoritative(*zones, query);
        }));
    server_->start();
    port_ = server_->local_endpoint().port();
    thread_ = std::thread([this] { io_.run(); });
  }
  void TearDown() override {
    if (!thread_.joinable()) return;
    asio::post(io_, [this] { server_->stop(); });
    thread_.join();
  }
  std::string dig(const std::string& args) {
    return run_command("dig +time=2 +tries=1 @127.0.0.1 -p " + std::to_string(port_) + " " + args +
                       " 2>&1");
  }

  asio::io_context io_{1};
  std::shared_ptr<ZoneSet> zones_;
  std::unique_ptr<DnsServer> server_;
  std::thread thread_;
  uint16_t port_ = 0;
};

TEST_F(DnsDig, AuthoritativeAnswerOverUdpAndTcp) {
  for (const char* transport : {"+notcp", "+tcp"}) {
    std::string out = dig(std::string(transport) + " www.example.test A");
    EXPECT_NE(out.find("status: NOERROR"), std::string::npos) << out;
    EXPECT_NE(out.find("flags: qr aa"), std::string::npos) << out;
    EXPECT_NE(out.find("www.example.test.\t300\tIN\tA\t127.53.0.10"), std::string::npos) << out;
  }
}

TEST_F(DnsDig, NxdomainAndReferral) {
  std::string out = dig("nothing.example.test A");
  EXPECT_NE(out.find("status: NXDOMAIN"), std::string::npos) << out;
  EXPECT_NE(out.find("AUTHORITY: 1"), std::string::npos) << out;
  out = dig("+norec host.sub.example.test A");
  EXPECT_NE(out.find("status: NOERROR"), std::string::npos) << out;
  EXPECT_NE(out.find("sub.example.test.\t300\tIN\tNS\tns.sub.example.test."), std::string::npos)
      << out;
  EXPECT_NE(out.find("ns.sub.example.test.\t300\tIN\tA\t127.0.0.1"), std::string::npos) << out;
  out = dig("www.elsewhere.test A");
  EXPECT_NE(out.find("status: REFUSED"), std::string::npos) << out;
}

TEST_F(DnsDig, HttpsRecordReadsBackInDig) {
  std::string out = dig("example.test HTTPS");
  EXPECT_NE(out.find("alpn=\"h2,http/1.1\" port=8443 ipv4hint=127.53.0.10"), std::string::npos)
      << out;
}

TEST_F(DnsDig, SmallBufferTruncatesAndDigRetriesOverTcp) {
  // Without EDNS the limit is 512 bytes; 40 A records do not fit.
  std::string out = dig("+noedns +ignore many.example.test A");
  EXPECT_NE(out.find("flags: qr aa tc"), std::string::npos) << out;
  out = dig("+noedns many.example.test A");
  EXPECT_NE(out.find("Truncated, retrying in TCP mode"), std::string::npos) << out;
  EXPECT_NE(out.find("ANSWER: 40"), std::string::npos) << out;
}

}  // namespace
}  // namespace miniweb::dns
