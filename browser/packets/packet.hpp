#pragma once
// One captured frame, decoded: a plain value with what the link, IP and transport headers say,
// and the transport payload copied out of the capture buffer (libpcap reuses its buffer on the
// next read, so the value owns its bytes). Made by decode_frame (frame_decoder.hpp).

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "browser/packets/address.hpp"

namespace miniweb::packets {

// When the frame was captured: nanoseconds since the Unix epoch (libpcap's microseconds, or
// nanoseconds when opened with PCAP_TSTAMP_PRECISION_NANO).
using CaptureTime = std::chrono::sys_time<std::chrono::nanoseconds>;

// libpcap's link types (pcap/dlt.h) the decoder reads. The file form of DLT_RAW differs:
// LINKTYPE_RAW (101) in files, DLT_RAW (12 on Linux) from pcap_datalink(); both are read.
namespace link_type {
inline constexpr int Null = 0;         // DLT_NULL: 4-byte address family, host byte order
inline constexpr int Ethernet = 1;     // DLT_EN10MB; Linux's lo has all-zero MAC addresses
inline constexpr int Raw = 12;         // DLT_RAW: the IP header first
inline constexpr int RawFile = 101;    // LINKTYPE_RAW
inline constexpr int Loop = 108;       // DLT_LOOP: as DLT_NULL, network byte order
inline constexpr int LinuxSll = 113;   // DLT_LINUX_SLL: the "any" interface, 16-byte header
inline constexpr int LinuxSll2 = 276;  // DLT_LINUX_SLL2: the "any" interface, 20-byte header
}  // namespace link_type

enum class Transport : std::uint8_t { None, Udp, Tcp, Other };

// TCP's control bits (RFC 9293 3.1; ECE and CWR: RFC 3168 6.1; AE: the last reserved bit,
// RFC 3540's NS, which Accurate ECN took over).
namespace tcp_flag {
inline constexpr std::uint16_t Fin = 0x001;
inline constexpr std::uint16_t Syn = 0x002;
inline constexpr std::uint16_t Rst = 0x004;
inline constexpr std::uint16_t Psh = 0x008;
inline constexpr std::uint16_t Ack = 0x010;
inline constexpr std::uint16_t Urg = 0x020;
inline constexpr std::uint16_t Ece = 0x040;
inline constexpr std::uint16_t Cwr = 0x080;
inline constexpr std::uint16_t Ae = 0x100;
}  // namespace tcp_flag

// The flags by name joined with '-', in tcpdump's order (FIN SYN RST PSH ACK URG ECE CWR AE):
// "SYN", "SYN-ACK", "ACK", "PSH-ACK", "FIN-ACK", "FIN-PSH-ACK", "RST", "RST-ACK"; "none".
std::string tcp_flags_text(std::uint16_t flags);

struct TcpSackBlock {
  std::uint32_t left = 0;   // first sequence number of the block
  std::uint32_t right = 0;  // the sequence number just past it
  friend bool operator==(const TcpSackBlock&, const TcpSackBlock&) = default;
};

struct TcpTimestamps {           // RFC 7323 3.2
  std::uint32_t value = 0;       // TSval
  std::uint32_t echo_reply = 0;  // TSecr
  friend bool operator==(const TcpTimestamps&, const TcpTimestamps&) = default;
};

// The options of one segment (RFC 9293 3.2, RFC 7323, RFC 2018).
struct TcpOptions {
  std::optional<std::uint16_t> mss;
  std::optional<std::uint8_t> window_scale;  // the shift count as sent
  bool sack_permitted = false;
  std::vector<TcpSackBlock> sack_blocks;
  std::optional<TcpTimestamps> timestamps;
  std::vector<std::uint8_t> other_kinds;  // kinds of options this decoder does not name
};

struct TcpHeader {
  std::uint32_t seq = 0;
  std::uint32_t ack = 0;
  std::uint16_t window = 0;  // as on the wire: unscaled
  std::uint16_t flags = 0;   // tcp_flag bits
  std::uint16_t urgent_pointer = 0;
  std::uint8_t header_length = 0;  // data offset, in bytes
  TcpOptions options;

  bool has(std::uint16_t flag) const { return (flags & flag) == flag; }
};

// What the IP header said, beyond the addresses.
struct IpInfo {
  std::uint16_t header_length = 0;   // IPv4: IHL in bytes; IPv6: 40 plus skipped extensions
  std::uint8_t protocol = 0;         // the transport's protocol number (after extensions)
  std::uint8_t hop_limit = 0;        // IPv4's TTL, IPv6's Hop Limit
  std::uint8_t traffic_class = 0;    // IPv4's TOS byte, IPv6's Traffic Class
  std::uint32_t identification = 0;  // IPv4's 16 bits; an IPv6 Fragment header's 32
  std::uint32_t flow_label = 0;      // IPv6
  bool dont_fragment = false;        // IPv4 DF
  bool is_fragment = false;          // MF set or a non-zero offset: not reassembled here
  bool more_fragments = false;
  std::uint16_t fragment_offset = 0;  // in bytes
  std::uint8_t options_length = 0;    // IPv4 options, in bytes
};

// What stopped the decoder and where: an offset from the start of the frame.
struct DecodeProblem {
  enum class Kind {
    Malformed,   // the bytes contradict themselves: "IPv4 header says 60 bytes, frame has 34"
    NotDecoded,  // valid, but beyond this decoder: ARP, ESP, a later fragment, a cut capture
  };
  Kind kind = Kind::Malformed;
  std::size_t offset = 0;
  std::string message;

  // "malformed at byte 14: IPv4 header says 60 bytes, frame has 34"
  std::string to_string() const;
};

struct Packet {
  CaptureTime time{};
  std::uint32_t captured_length = 0;  // bytes in the capture
  std::uint32_t wire_length = 0;      // bytes on the wire (more when the snapshot length cut it)
  int link_type = 0;
  std::uint16_t ether_type = 0;  // the network protocol the link layer named (0x0800, 0x86dd)

  IpVersion ip_version = IpVersion::None;
  IpInfo ip;
  Endpoint source;  // ports stay 0 unless the transport is UDP or TCP
  Endpoint destination;

  Transport transport = Transport::None;
  std::optional<TcpHeader> tcp;

  // The transport's payload: its length by the headers, and the bytes captured of it (fewer
  // when the snapshot length cut the frame). A copy: the Packet owns it.
  std::uint32_t payload_length = 0;
  std::vector<std::uint8_t> payload;

  // Set when a layer could not be decoded (or only in part); what was decoded stays filled.
  std::optional<DecodeProblem> problem;

  bool ok() const { return !problem; }
  bool is_tcp() const { return transport == Transport::Tcp && tcp.has_value(); }
};

}  // namespace miniweb::packets
