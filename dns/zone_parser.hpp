#pragma once
// RFC 1035 5 master files, the format NSD and BIND load: $ORIGIN, $TTL, $INCLUDE, "@",
// relative and absolute names, omitted owner/TTL/class, parentheses over several lines,
// comments, quoted strings with escapes, and RFC 3597 "\# len hex" rdata for any type. This
// reads the file and its lines; each record's data is read by parse_rdata (rdata_parser.hpp).

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "dns/rdata_parser.hpp"
#include "shared/dns/message.hpp"
#include "shared/result.hpp"

namespace miniweb::dns {

struct ZoneParseOptions {
  // Origin for relative names until a $ORIGIN line changes it.
  Name origin;
  // TTL for records that give none, until a $TTL line; NSD's default.
  uint32_t default_ttl = 3600;
  // Depth limit for nested $INCLUDE.
  int max_include_depth = 8;
};

// Takes each record as it is read; an error it returns stops the parse and is reported at the
// record's line.
using RecordSink = std::function<Status(ResourceRecord&&)>;

// Parses a master file, handing each record to `sink` as it is read (a large zone is built
// without a second copy of every record). Errors read "FILE:LINE: what is wrong".
Status parse_zone_file(const std::filesystem::path& path, const ZoneParseOptions& options,
                       const RecordSink& sink);
// Parses a master file into a list of records. Errors read "FILE:LINE: what is wrong".
Result<std::vector<ResourceRecord>> parse_zone_file(const std::filesystem::path& path,
                                                    const ZoneParseOptions& options = {});
// Parses master-file text; `source` names it in errors, and $INCLUDE paths are relative to
// `base_directory`.
Result<std::vector<ResourceRecord>> parse_zone_text(
    std::string_view text, std::string source, const ZoneParseOptions& options = {},
    const std::filesystem::path& base_directory = ".");

}  // namespace miniweb::dns
