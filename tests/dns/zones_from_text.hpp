#pragma once
// A zone set from master-file text, for tests that start authoritative servers in-process.

#include <stdexcept>
#include <string>

#include "dns/zone.hpp"
#include "dns/zone_parser.hpp"

namespace miniweb::dns {

inline ZoneSet zones_from(const std::string& text) {
  auto records = parse_zone_text(text, "test-zone");
  if (!records) throw std::runtime_error(records.error().message);
  auto zone = Zone::from_records(std::move(*records), "test-zone");
  if (!zone) throw std::runtime_error(zone.error().message);
  ZoneSet set;
  if (!set.add(std::move(*zone))) throw std::runtime_error("add");
  return set;
}

}  // namespace miniweb::dns
