// The link table of each network profile, made from demo/topology.toml's distances, and the
// text file the link emulator reads it from.

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

#include "stack/links.hpp"
#include "stack/topology.hpp"

namespace miniweb::stack {
namespace {

using std::chrono::microseconds;
using std::chrono::milliseconds;

const std::filesystem::path kRepo = MINIWEB_SOURCE_DIR;

class LinksTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto loaded = load_topology(kRepo / "demo/topology.toml");
    ASSERT_TRUE(loaded) << loaded.error().message;
    topology_ = *loaded;
  }

  LinkTable table(NetworkProfile profile) {
    auto made = make_link_table(topology_, "127.9.8", profile);
    EXPECT_TRUE(made) << made.error().message;
    return made ? *made : LinkTable{};
  }

  static Address at(int octet) { return *parse_address("127.9.8." + std::to_string(octet)); }

  Topology topology_;
};

TEST_F(LinksTest, ProfilesAreNamedAsTheLauncherTakesThem) {
  EXPECT_EQ(parse_network_profile("broadband"), NetworkProfile::Broadband);
  EXPECT_EQ(parse_network_profile("loopback"), NetworkProfile::Loopback);
  EXPECT_FALSE(parse_network_profile("fast"));
}

TEST_F(LinksTest, LoopbackAddsNothing) {
  LinkTable loopback = table(NetworkProfile::Loopback);
  EXPECT_TRUE(loopback.links.empty());
  EXPECT_EQ(loopback.find(kBrowserAddress, at(10)), LinkConditions{});
}

TEST_F(LinksTest, LanIsHalfAMillisecondEachWay) {
  LinkTable lan = table(NetworkProfile::Lan);
  EXPECT_EQ(lan.find(kBrowserAddress, at(10)).delay, microseconds(500));
  EXPECT_EQ(lan.find(at(53), at(1)).delay, microseconds(500));
  EXPECT_EQ(lan.find(at(53), at(1)).loss, 0);
}

TEST_F(LinksTest, BroadbandTakesTheDescriptionsRoundTripsHalfEachWay) {
  LinkTable broadband = table(NetworkProfile::Broadband);
  EXPECT_EQ(broadband.find(kBrowserAddress, at(53)).delay, microseconds(2500));
  EXPECT_EQ(broadband.find(at(10), kBrowserAddress).delay, milliseconds(20));  // www
  EXPECT_EQ(broadband.find(kBrowserAddress, at(20)).delay, milliseconds(20));  // badssl
  EXPECT_EQ(broadband.find(kBrowserAddress, at(8)).delay, milliseconds(20));   // the proxy
  EXPECT_EQ(broadband.find(kBrowserAddress, at(30)).delay, milliseconds(30));  // the CA
  EXPECT_EQ(broadband.find(at(53), at(1)).delay, milliseconds(15));            // root
  EXPECT_EQ(broadband.find(at(4), at(53)).delay, milliseconds(25));            // a TLD
  EXPECT_EQ(broadband.find(at(53), at(3)).delay, milliseconds(10));            // example.test
  EXPECT_EQ(broadband.find(at(40), at(42)).delay, microseconds(500));          // shop's backend
  EXPECT_EQ(broadband.find(at(10), at(30)).delay, microseconds(500));          // unnamed: 1 ms
  EXPECT_DOUBLE_EQ(broadband.find(at(53), at(1)).loss, 0.001);
  EXPECT_DOUBLE_EQ(table(NetworkProfile::Lossy).find(at(53), at(1)).loss, 0.05);
}

TEST_F(LinksTest, MobileAddsTheRadioToTheBrowsersLinksOnly) {
  LinkTable mobile = table(NetworkProfile::Mobile);
  const LinkConditions& radio = mobile.find(kBrowserAddress, at(10));
  EXPECT_EQ(radio.delay, milliseconds(50));
  EXPECT_EQ(radio.jitter, milliseconds(20));
  EXPECT_DOUBLE_EQ(radio.loss, 0.01);
  EXPECT_EQ(radio.rate_bits_per_second, 10'000'000u);
  EXPECT_EQ(mobile.find(at(53), at(1)).delay, milliseconds(15));
  EXPECT_EQ(mobile.find(at(53), at(1)).jitter, microseconds(0));
}

TEST_F(LinksTest, TheTableSurvivesItsFile) {
  LinkTable mobile = table(NetworkProfile::Mobile);
  auto read = parse_link_table(link_table_text(mobile));
  ASSERT_TRUE(read) << read.error().message;
  EXPECT_EQ(read->fallback, mobile.fallback);
  EXPECT_EQ(read->links, mobile.links);
  EXPECT_FALSE(parse_link_table("127.0.0.1 127.9.8.1 5 0 2 0\n"));  // loss above 1
  EXPECT_FALSE(parse_link_table("127.0.0.1 nowhere 5 0 0 0\n"));
}

TEST_F(LinksTest, AnUnknownLinkEndIsRefusedWithItsLine) {
  const auto file = std::filesystem::temp_directory_path() /
                    ("miniweb-links-test-" + std::to_string(::getpid()) + ".toml");
  {
    std::ofstream out(file);
    out << "[[nameserver]]\nservice = \"root-dns\"\nhost = \"a.root-servers.test\"\n"
           "address = 1\nzones = [\".\"]\n\n[[link]]\nfrom = \"browser\"\nto = [\"moon\"]\n"
           "round_trip_ms = 5\n";
  }
  auto loaded = load_topology(file);
  std::filesystem::remove(file);
  ASSERT_FALSE(loaded);
  EXPECT_NE(loaded.error().message.find(":7: a link's end 'moon'"), std::string::npos)
      << loaded.error().message;
}

}  // namespace
}  // namespace miniweb::stack
