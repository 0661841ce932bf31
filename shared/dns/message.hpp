#pragma once
// DNS messages (RFC 1035 4) as plain values: header, questions, three record sections and the
// EDNS0 OPT pseudo-record (RFC 6891). Encoding and decoding go through WireWriter/WireReader
// (message.cpp); each record's data is in rdata.hpp; the text forms are in presentation.cpp.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "shared/dns/name.hpp"
#include "shared/dns/rdata.hpp"
#include "shared/result.hpp"

namespace miniweb::dns {

// RR types (RFC 1035 3.2.2 and later registrations).
namespace type {
inline constexpr uint16_t A = 1;
inline constexpr uint16_t NS = 2;
inline constexpr uint16_t CNAME = 5;
inline constexpr uint16_t SOA = 6;
inline constexpr uint16_t PTR = 12;
inline constexpr uint16_t MX = 15;
inline constexpr uint16_t TXT = 16;
inline constexpr uint16_t AAAA = 28;
inline constexpr uint16_t SRV = 33;
inline constexpr uint16_t OPT = 41;
inline constexpr uint16_t DS = 43;
inline constexpr uint16_t SVCB = 64;
inline constexpr uint16_t HTTPS = 65;
inline constexpr uint16_t AXFR = 252;
inline constexpr uint16_t ANY = 255;
inline constexpr uint16_t CAA = 257;
}  // namespace type

namespace rclass {
inline constexpr uint16_t IN = 1;
inline constexpr uint16_t CH = 3;
inline constexpr uint16_t ANY = 255;
}  // namespace rclass

namespace rcode {
inline constexpr uint16_t NOERROR = 0;
inline constexpr uint16_t FORMERR = 1;
inline constexpr uint16_t SERVFAIL = 2;
inline constexpr uint16_t NXDOMAIN = 3;
inline constexpr uint16_t NOTIMP = 4;
inline constexpr uint16_t REFUSED = 5;
inline constexpr uint16_t BADVERS = 16;  // needs EDNS (RFC 6891 6.1.3)
}  // namespace rcode

namespace opcode {
inline constexpr uint8_t QUERY = 0;
}

// "A", "HTTPS", "TYPE12345" for unknown types (RFC 3597 5); and back.
std::string type_to_string(uint16_t type);
std::optional<uint16_t> type_from_string(std::string_view text);
// "IN", "CH", "CLASS12345"; and back.
std::string class_to_string(uint16_t rclass);
std::optional<uint16_t> class_from_string(std::string_view text);
// "NOERROR", "NXDOMAIN", ..., "RCODE23".
std::string rcode_to_string(uint16_t rcode);

struct ResourceRecord {
  Name name;
  uint16_t type = type::A;
  uint16_t rclass = rclass::IN;
  uint32_t ttl = 0;
  Rdata rdata;

  // dig's presentation format: "www.example.test.\t300\tIN\tA\t127.0.0.1".
  std::string to_string() const;
  // Just the rdata in presentation format: "127.0.0.1", "10 mail.example.test.".
  std::string rdata_to_string() const;
  friend bool operator==(const ResourceRecord&, const ResourceRecord&) = default;
};

struct Question {
  Name name;
  uint16_t type = type::A;
  uint16_t qclass = rclass::IN;

  std::string to_string() const;  // ";www.example.test.\t\tIN\tA"
  friend bool operator==(const Question&, const Question&) = default;
};

struct EdnsOption {
  uint16_t code = 0;
  std::vector<uint8_t> data;
  friend bool operator==(const EdnsOption&, const EdnsOption&) = default;
};

// The OPT pseudo-record (RFC 6891 6.1.2), kept out of the additional section.
struct Edns {
  uint16_t udp_size = 1232;
  uint8_t version = 0;
  bool dnssec_ok = false;
  std::vector<EdnsOption> options;
  friend bool operator==(const Edns&, const Edns&) = default;
};

inline constexpr size_t kHeaderSize = 12;
inline constexpr size_t kMaxUdpWithoutEdns = 512;  // RFC 1035 4.2.1

struct Message {
  uint16_t id = 0;
  bool qr = false;
  uint8_t opcode = opcode::QUERY;
  bool aa = false;
  bool tc = false;
  bool rd = false;
  bool ra = false;
  bool ad = false;
  bool cd = false;
  // The full 12-bit rcode: the low 4 bits go in the header, the high 8 in the OPT record.
  uint16_t rcode = rcode::NOERROR;
  std::vector<Question> questions;
  std::vector<ResourceRecord> answers;
  std::vector<ResourceRecord> authority;
  std::vector<ResourceRecord> additional;
  std::optional<Edns> edns;

  // Encodes with name compression. When the result would exceed `max_size`, additional records
  // are dropped first (the OPT record is kept); if the answer and authority sections still do
  // not fit, they are dropped too and TC is set (RFC 2181 9).
  std::vector<uint8_t> encode(size_t max_size = 65535) const;
  // Decodes and validates a whole message; any malformed part rejects it with a reason.
  static Result<Message> decode(std::span<const uint8_t> packet);
  // The same over `out`, whose vectors keep their memory (a server decoding query after query
  // into one Message); on an error `out` holds part of the message.
  static Status decode_into(std::span<const uint8_t> packet, Message& out);
  // Just the 12-byte header (id, flags, no sections), for answering what cannot be decoded.
  static std::optional<Message> decode_header(std::span<const uint8_t> packet);

  // A reply skeleton: same id, opcode, RD, CD and question, QR set.
  Message make_reply() const;
  // dig-like multi-line rendering of the header and every section.
  std::string to_string() const;
  friend bool operator==(const Message&, const Message&) = default;
};

// Builds a recursive-desired query for one question, with EDNS0 advertising 1232 bytes.
Message make_query(const Name& name, uint16_t type, bool recursion_desired = true);

}  // namespace miniweb::dns
