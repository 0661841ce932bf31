#pragma once
// The headers of one IPv4 packet as the link emulator gets it from NFQUEUE (the IP header
// first): addresses, and the UDP or TCP header's ports, flags and numbers. Enough to place the
// packet on a link, to match a fault, and to name it in the drop log.

#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "stack/links.hpp"

namespace miniweb::stack {

// TCP's control bits (RFC 9293 3.1).
namespace tcp_bits {
inline constexpr std::uint8_t Fin = 0x01;
inline constexpr std::uint8_t Syn = 0x02;
inline constexpr std::uint8_t Rst = 0x04;
inline constexpr std::uint8_t Psh = 0x08;
inline constexpr std::uint8_t Ack = 0x10;
}  // namespace tcp_bits

struct PacketHeaders {
  Address source = 0;
  Address destination = 0;
  std::uint8_t protocol = 0;       // IPPROTO_TCP, IPPROTO_UDP, ...
  std::uint16_t total_length = 0;  // the IP header's: the whole packet, however much was copied
  bool has_ports = false;          // a UDP or TCP header was there
  std::uint16_t source_port = 0;
  std::uint16_t destination_port = 0;
  std::uint8_t tcp_flags = 0;  // tcp_bits
  std::uint32_t seq = 0;
  std::uint32_t ack = 0;
  std::uint32_t payload_length = 0;       // by the headers' lengths
  std::span<const std::uint8_t> payload;  // as much of it as was copied: a view of the packet

  bool is_tcp() const;
  bool is_udp() const;
  // Every bit of `bits` set, and no other of SYN, ACK, FIN, RST.
  bool tcp_flags_are(std::uint8_t bits) const;
};

// Link-layer headers libpcap gives (pcap_datalink's DLT_ numbers; 101 is raw IP as pcap files
// number it): Ethernet, raw IP, and the "any" device's cooked headers, versions 1 and 2.
inline constexpr int kLinkEthernet = 1;
inline constexpr int kLinkRaw = 12;
inline constexpr int kLinkRawFile = 101;
inline constexpr int kLinkLinuxSll = 113;
inline constexpr int kLinkIpv4 = 228;
inline constexpr int kLinkLinuxSll2 = 276;

// The IPv4 packet inside a captured frame; empty for another link type, another protocol, or a
// frame cut inside its link header.
std::span<const std::uint8_t> ipv4_of_frame(int link_type, std::span<const std::uint8_t> frame);

// Nothing when it is not IPv4 or the IP header is cut; the ports stay unset when the transport
// header is cut or another protocol.
std::optional<PacketHeaders> read_packet_headers(std::span<const std::uint8_t> packet);

// One line of the drop log, as tcpdump would say it: "tcp 127.0.0.1:40000 > 127.53.0.10:443
// [S] seq 1 ack 0 len 0", "udp 127.53.0.53:4000 > 127.53.0.1:53 len 40". The packet view
// (browser/observe/link_drops.cpp) makes the same line from what it captured, to match them.
std::string packet_summary(std::span<const std::uint8_t> packet);

}  // namespace miniweb::stack
