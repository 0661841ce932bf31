// miniweb-stack capture-search: bytes found in a capture file that libpcap writes, packet by
// packet, with the line around them; and that none is found where none was sent.

#include <gtest/gtest.h>
#include <pcap/pcap.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "stack/capture_search.hpp"
#include "tests/stack/packet_bytes.hpp"

namespace miniweb::stack {
namespace {

using namespace test_packets;

constexpr Address kBrowser = 0x7f000001;  // 127.0.0.1
constexpr Address kShop = 0x7f090a2c;     // 127.9.10.44

std::vector<std::uint8_t> tcp(Address from, Address to, const std::string& payload) {
  auto bytes = ip_header(from, to, 6, 40 + payload.size());
  put16(bytes, 20, 41000);
  put16(bytes, 22, 80);
  put32(bytes, 24, 7);
  bytes[32] = 0x50;
  bytes[33] = 0x18;
  std::copy(payload.begin(), payload.end(), bytes.begin() + 40);
  return bytes;
}

// A pcap file of raw IPv4 packets, written by libpcap itself.
std::filesystem::path write_capture(const std::vector<std::vector<std::uint8_t>>& packets) {
  const auto file = std::filesystem::temp_directory_path() /
                    ("miniweb-capture-search-" + std::to_string(::getpid()) + ".pcap");
  pcap_t* dead = pcap_open_dead(DLT_RAW, 65535);
  pcap_dumper_t* dumper = pcap_dump_open(dead, file.c_str());
  for (const auto& packet : packets) {
    pcap_pkthdr header{};
    header.caplen = header.len = static_cast<bpf_u_int32>(packet.size());
    pcap_dump(reinterpret_cast<u_char*>(dumper), &header, packet.data());
  }
  pcap_dump_close(dumper);
  pcap_close(dead);
  return file;
}

TEST(CaptureSearchTest, FindsThePasswordInThePacketThatCarriedIt) {
  const auto file = write_capture({
      tcp(kBrowser, kShop, "GET /signin HTTP/1.1\r\nHost: shop.example\r\n\r\n"),
      tcp(kBrowser, kShop,
          "POST /signin HTTP/1.1\r\nHost: shop.example\r\n\r\nusername=alice&password=sesame-42&"
          "csrf=abc"),
      tcp(kShop, kBrowser, "HTTP/1.1 403 Forbidden\r\n\r\n"),
  });
  auto found = search_capture(file, "sesame-42");
  ASSERT_TRUE(found) << found.error().message;
  EXPECT_EQ(found->packets, 3u);
  ASSERT_EQ(found->matches.size(), 1u);
  const CaptureMatch& match = found->matches[0];
  EXPECT_EQ(match.packet, 2u);
  EXPECT_EQ(match.summary, "tcp 127.0.0.1:41000 > 127.9.10.44:80 [P.] seq 7 ack 0 len 87");
  EXPECT_EQ(match.line, "username=alice&password=sesame-42&csrf=abc");
  EXPECT_EQ(match.column, 24u);
  const std::string report = capture_search_report(*found, "sesame-42");
  EXPECT_NE(report.find("in 1 place\n  packet 2: tcp"), std::string::npos) << report;
  EXPECT_NE(report.find("\n    " + std::string(24, ' ') + "^^^^^^^^^\n"), std::string::npos)
      << report;
  std::filesystem::remove(file);
}

TEST(CaptureSearchTest, SaysWhenNoPacketHoldsTheBytes) {
  const auto file = write_capture({tcp(kBrowser, kShop,
                                       std::string("\x17\x03\x03\x00\x04"
                                                   "abcd",
                                                   9))});
  auto found = search_capture(file, "sesame-42");
  ASSERT_TRUE(found) << found.error().message;
  EXPECT_TRUE(found->matches.empty());
  EXPECT_EQ(found->payload_bytes, 9u);
  EXPECT_EQ(capture_search_report(*found, "sesame-42"),
            "searched 1 captured packets (9 bytes of UDP and TCP payload) for \"sesame-42\": in "
            "none of them\n");
  EXPECT_FALSE(search_capture(file.string() + ".missing", "x"));
  std::filesystem::remove(file);
}

}  // namespace
}  // namespace miniweb::stack
