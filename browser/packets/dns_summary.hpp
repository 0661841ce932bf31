#pragma once
// A DNS message (RFC 1035 4.1) in one line for the packet view, decoded with the project's own
// decoder (shared/dns/message.hpp): who asked what, and what came back. And the framing of DNS
// over TCP (RFC 7766 8), where each message follows its length in two bytes.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "shared/result.hpp"

namespace miniweb::packets {

struct DnsSummary {
  std::uint16_t id = 0;
  bool response = false;  // QR
  std::uint8_t opcode = 0;
  bool aa = false, tc = false, rd = false, ra = false, ad = false, cd = false;
  std::uint16_t rcode = 0;  // with EDNS's upper bits
  std::string question;     // "www.example.test. A"; "" when there is none
  // A response's gist: "A 127.53.0.10 ttl 300"; a CNAME chain, one record after the other;
  // "referral to test. (ns1.nic.test.) with glue"; "NXDOMAIN (SOA example.test., negative ttl
  // 60)"; "NODATA (...)"; "" for a query.
  std::string answer;
  std::size_t answer_count = 0;
  std::size_t authority_count = 0;
  std::size_t additional_count = 0;  // without the OPT record
  std::optional<std::uint16_t> edns_udp_size;
  std::size_t size = 0;  // bytes of the message

  // "flags rd ra" style: the flags that are set, in the header's order; "" when none.
  std::string flags_text() const;
  // "query id 0x1f2e, QUERY, flags rd: www.example.test. A (57 bytes)"
  // "response id 0x1f2e, QUERY, NOERROR, flags aa: www.example.test. A -> A 127.53.0.10 ttl
  // 300 (61 bytes)"
  std::string to_string() const;
};

// Bytes that are not a whole DNS message give an error saying why.
Result<DnsSummary> summarize_dns(std::span<const std::uint8_t> message);

// "QUERY", "NOTIFY", "UPDATE", ..., "OPCODE7".
std::string dns_opcode_name(std::uint8_t opcode);

// DNS messages out of one direction of a TCP stream (RFC 7766 8), fed as the bytes come.
struct DnsTcpMessage {
  std::uint64_t offset = 0;  // stream offset of the length prefix
  std::vector<std::uint8_t> message;
};

class DnsTcpSplitter {
 public:
  // `offset` is where `bytes` start in the stream; a jump forward (a gap) loses the framing,
  // and the splitter stops (lost() is true).
  std::vector<DnsTcpMessage> feed(std::uint64_t offset, std::span<const std::uint8_t> bytes);
  bool lost() const { return lost_; }

 private:
  bool started_ = false;
  std::uint64_t buffered_from_ = 0;  // stream offset of buffer_[0]
  std::vector<std::uint8_t> buffer_;
  bool lost_ = false;
};

}  // namespace miniweb::packets
