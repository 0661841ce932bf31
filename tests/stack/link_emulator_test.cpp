// The link emulator's drop log: each dropped packet in one line, as tcpdump would say it, so
// the packet view can match it to what it captured.

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "stack/packet_headers.hpp"

namespace miniweb::stack {
namespace {

TEST(PacketSummaryTest, SaysWhatTcpdumpWould) {
  // 127.0.0.1:40000 > 127.9.8.10:443, SYN, seq 1000, 20-byte headers.
  std::vector<std::uint8_t> syn = {
      0x45, 0,    0,    40,   0, 0, 0x40, 0,    64, 6, 0, 0, 127,  0,    0,    1,    127, 9, 8, 10,
      0x9c, 0x40, 0x01, 0xbb, 0, 0, 0x03, 0xe8, 0,  0, 0, 0, 0x50, 0x02, 0xff, 0xff, 0,   0, 0, 0};
  EXPECT_EQ(packet_summary(syn), "tcp 127.0.0.1:40000 > 127.9.8.10:443 [S] seq 1000 ack 0 len 0");
  std::vector<std::uint8_t> udp = {0x45, 0,    0,    38,   0,    0,    0,    0, 64, 17,
                                   0,    0,    127,  9,    8,    53,   127,  9, 8,  1,
                                   0x0f, 0xa0, 0x00, 0x35, 0x00, 0x12, 0x00, 0};
  EXPECT_EQ(packet_summary(udp), "udp 127.9.8.53:4000 > 127.9.8.1:53 len 10");
  EXPECT_FALSE(read_packet_headers(std::vector<std::uint8_t>(10, 0)));
}

}  // namespace
}  // namespace miniweb::stack
