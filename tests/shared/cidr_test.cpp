#include "shared/cidr.hpp"

#include <gtest/gtest.h>

namespace miniweb {
namespace {

asio::ip::address address(const char* text) {
  return asio::ip::make_address(text);
}

TEST(Cidr, MatchesAddressesInsideTheRangeOnly) {
  auto loopback = Cidr::parse("127.0.0.0/8");
  ASSERT_TRUE(loopback);
  EXPECT_TRUE(loopback->contains(address("127.53.0.8")));
  EXPECT_FALSE(loopback->contains(address("128.0.0.1")));
  EXPECT_FALSE(loopback->contains(address("::1")));
  auto odd = Cidr::parse("192.168.4.0/22");
  ASSERT_TRUE(odd);
  EXPECT_TRUE(odd->contains(address("192.168.7.255")));
  EXPECT_FALSE(odd->contains(address("192.168.8.0")));
  auto v6 = Cidr::parse("fd00::/8");
  ASSERT_TRUE(v6);
  EXPECT_TRUE(v6->contains(address("fd12::1")));
  EXPECT_FALSE(v6->contains(address("fe80::1")));
  EXPECT_FALSE(v6->contains(address("10.0.0.1")));
}

TEST(Cidr, PrefixZeroMatchesEveryAddressOfItsFamily) {
  auto all_v4 = Cidr::parse("0.0.0.0/0");
  ASSERT_TRUE(all_v4);
  EXPECT_TRUE(all_v4->contains(address("203.0.113.9")));
  EXPECT_TRUE(all_v4->contains(address("255.255.255.255")));
  EXPECT_FALSE(all_v4->contains(address("2001:db8::1")));
  auto all_v6 = Cidr::parse("::/0");
  ASSERT_TRUE(all_v6);
  EXPECT_TRUE(all_v6->contains(address("2001:db8::1")));
  EXPECT_FALSE(all_v6->contains(address("203.0.113.9")));
}

TEST(Cidr, FullLengthAndBareAddressesAreRangesOfOne) {
  auto host = Cidr::parse("10.1.2.3/32");
  ASSERT_TRUE(host);
  EXPECT_TRUE(host->contains(address("10.1.2.3")));
  EXPECT_FALSE(host->contains(address("10.1.2.4")));
  auto bare_v4 = Cidr::parse("10.1.2.3");
  ASSERT_TRUE(bare_v4);
  EXPECT_EQ(bare_v4->to_string(), "10.1.2.3/32");
  auto bare_v6 = Cidr::parse("::1");
  ASSERT_TRUE(bare_v6);
  EXPECT_EQ(bare_v6->to_string(), "::1/128");
  EXPECT_TRUE(bare_v6->contains(address("::1")));
  EXPECT_FALSE(bare_v6->contains(address("::2")));
  auto host_v6 = Cidr::parse("2001:db8::7/128");
  ASSERT_TRUE(host_v6);
  EXPECT_TRUE(host_v6->contains(address("2001:db8::7")));
  EXPECT_FALSE(host_v6->contains(address("2001:db8::6")));
}

TEST(Cidr, ClearsHostBits) {
  auto v4 = Cidr::parse("127.0.0.1/8");
  ASSERT_TRUE(v4);
  EXPECT_EQ(v4->to_string(), "127.0.0.0/8");
  auto odd = Cidr::parse("192.168.7.200/22");
  ASSERT_TRUE(odd);
  EXPECT_EQ(odd->to_string(), "192.168.4.0/22");
  auto v6 = Cidr::parse("fd12:3456::1/16");
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->to_string(), "fd12::/16");
}

TEST(Cidr, Ipv4MappedAddressesCountAsIpv4) {
  // A v4 client on a dual-stack socket.
  auto loopback = Cidr::parse("127.0.0.0/8");
  ASSERT_TRUE(loopback);
  EXPECT_TRUE(loopback->contains(address("::ffff:127.0.0.1")));
  EXPECT_FALSE(loopback->contains(address("::ffff:10.0.0.1")));
  // A mapped range is the IPv4 range.
  auto mapped = Cidr::parse("::ffff:10.0.0.0/8");
  ASSERT_TRUE(mapped);
  EXPECT_EQ(mapped->to_string(), "10.0.0.0/8");
  EXPECT_TRUE(mapped->contains(address("10.9.8.7")));
  EXPECT_TRUE(mapped->contains(address("::ffff:10.9.8.7")));
}

TEST(Cidr, RejectsBadPrefixesAndGarbageWithAReason) {
  for (const char* text : {"10.0.0.0/33", "::/129", "10.0.0.0/", "10.0.0.0/x", "10.0.0.0/-1",
                           "10.0.0.0/8/8", "10.0.0.0/ 8"}) {
    auto parsed = Cidr::parse(text);
    ASSERT_FALSE(parsed) << text;
    EXPECT_NE(parsed.error().message.find("prefix length must be 0 to"), std::string::npos)
        << parsed.error().message;
  }
  for (const char* text : {"", "nonsense", "/8", "10.0.0/8", "256.0.0.0/8", "example.test"}) {
    auto parsed = Cidr::parse(text);
    ASSERT_FALSE(parsed) << text;
    EXPECT_NE(parsed.error().message.find("not an address range"), std::string::npos)
        << parsed.error().message;
  }
}

}  // namespace
}  // namespace miniweb
