#pragma once
// Record data in presentation format (RFC 1035 5.1), type by type: addresses, names relative to
// an origin, numbers and TTLs, quoted strings with \X and \DDD escapes, SVCB/HTTPS parameters
// (RFC 9460 2.1), and RFC 3597 "\# len hex" for any type. The master-file reader
// (zone_parser.hpp) splits lines into tokens and hands each record's rdata tokens here.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "shared/dns/message.hpp"
#include "shared/result.hpp"

namespace miniweb::dns {

// One presentation-format token of rdata: text as written (escapes kept), and whether it was
// a quoted string.
struct ZoneToken {
  std::string text;
  bool quoted = false;
};

// Parses the rdata of one record in presentation format; relative names use `origin`.
Result<Rdata> parse_rdata(uint16_t type, std::span<const ZoneToken> tokens, const Name& origin);

// A TTL: seconds, or BIND's units ("1h30m", "2d", "1w").
Result<uint32_t> parse_ttl(std::string_view text);

// A domain name as written in a master file, relative to `origin` unless it ends in a dot.
Result<Name> parse_domain_name(const ZoneToken& token, const Name& origin);

}  // namespace miniweb::dns
