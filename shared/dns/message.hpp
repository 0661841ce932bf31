#pragma once
// DNS messages (RFC 1035 4) as plain values: header, questions, three record sections and the
// EDNS0 OPT pseudo-record (RFC 6891). Encoding and decoding go through WireWriter/WireReader.

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "shared/dns/name.hpp"
#include "shared/result.hpp"

namespace miniweb::dns {

class WireReader;
class WireWriter;

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

// --- Record data, one struct per type family ---
struct RdataA {
  std::array<uint8_t, 4> address{};
  friend bool operator==(const RdataA&, const RdataA&) = default;
};
struct RdataAAAA {
  std::array<uint8_t, 16> address{};
  friend bool operator==(const RdataAAAA&, const RdataAAAA&) = default;
};
// NS, CNAME and PTR: one domain name (the record's type says which).
struct RdataName {
  Name name;
  friend bool operator==(const RdataName&, const RdataName&) = default;
};
struct RdataSoa {
  Name mname;
  Name rname;
  uint32_t serial = 0;
  uint32_t refresh = 0;
  uint32_t retry = 0;
  uint32_t expire = 0;
  uint32_t minimum = 0;
  friend bool operator==(const RdataSoa&, const RdataSoa&) = default;
};
struct RdataMx {
  uint16_t preference = 0;
  Name exchange;
  friend bool operator==(const RdataMx&, const RdataMx&) = default;
};
struct RdataTxt {
  std::vector<std::string> strings;
  friend bool operator==(const RdataTxt&, const RdataTxt&) = default;
};
struct RdataSrv {
  uint16_t priority = 0;
  uint16_t weight = 0;
  uint16_t port = 0;
  Name target;
  friend bool operator==(const RdataSrv&, const RdataSrv&) = default;
};
struct RdataCaa {
  uint8_t flags = 0;
  std::string tag;
  std::string value;
  friend bool operator==(const RdataCaa&, const RdataCaa&) = default;
};

// SvcParamKeys (RFC 9460 14.3.2).
namespace svc_key {
inline constexpr uint16_t MANDATORY = 0;
inline constexpr uint16_t ALPN = 1;
inline constexpr uint16_t NO_DEFAULT_ALPN = 2;
inline constexpr uint16_t PORT = 3;
inline constexpr uint16_t IPV4HINT = 4;
inline constexpr uint16_t ECH = 5;
inline constexpr uint16_t IPV6HINT = 6;
}  // namespace svc_key

struct SvcParam {
  uint16_t key = 0;
  std::vector<uint8_t> value;  // wire format of the value
  friend bool operator==(const SvcParam&, const SvcParam&) = default;
};

// SVCB and HTTPS (RFC 9460). Priority 0 is AliasMode; params are kept sorted by key.
struct RdataSvcb {
  uint16_t priority = 0;
  Name target;
  std::vector<SvcParam> params;

  std::optional<uint16_t> port() const;
  std::vector<std::string> alpn() const;
  std::vector<std::array<uint8_t, 4>> ipv4hint() const;
  std::vector<std::array<uint8_t, 16>> ipv6hint() const;
  const SvcParam* find(uint16_t key) const;
  friend bool operator==(const RdataSvcb&, const RdataSvcb&) = default;
};

// Any other type, carried as bytes (RFC 3597).
struct RdataOpaque {
  std::vector<uint8_t> data;
  friend bool operator==(const RdataOpaque&, const RdataOpaque&) = default;
};

using Rdata = std::variant<RdataA, RdataAAAA, RdataName, RdataSoa, RdataMx, RdataTxt, RdataSrv,
                           RdataCaa, RdataSvcb, RdataOpaque>;

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

// Rdata presentation for a given type (RFC 3597 "\# len hex" for opaque data).
std::string rdata_to_string(uint16_t type, const Rdata& rdata);
// Encodes/decodes rdata alone (without the RDLENGTH prefix).
void encode_rdata(WireWriter& writer, uint16_t type, const Rdata& rdata);
Rdata decode_rdata(WireReader& reader, uint16_t type, size_t length);

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
