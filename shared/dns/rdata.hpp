#pragma once
// Record data (RDATA) as plain values, one struct per type family (RFC 1035 3.3, RFC 3596,
// RFC 2782, RFC 8659, RFC 9460), and any other type as opaque bytes (RFC 3597). A record's
// type (dns::type, message.hpp) says how its data is read, written and shown.

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "shared/dns/name.hpp"

namespace miniweb::dns {

class WireReader;
class WireWriter;

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

// Rdata presentation for a given type (RFC 3597 "\# len hex" for opaque data).
std::string rdata_to_string(uint16_t type, const Rdata& rdata);
// Encodes/decodes rdata alone (without the RDLENGTH prefix).
void encode_rdata(WireWriter& writer, uint16_t type, const Rdata& rdata);
Rdata decode_rdata(WireReader& reader, uint16_t type, size_t length);

}  // namespace miniweb::dns
