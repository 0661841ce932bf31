// miniweb's side of the DNS differential suites (diff_messages.py, diff_zones.py): reads one
// input per line on stdin and prints, per input, one JSON line of what miniweb made of it, or
// {"ok": false, "reason": ...}. One process for a whole batch: under ASan a process per input
// would cost more than the decoding.
//
//   dns_decode_tool messages   stdin: one DNS message per line, in hex
//   dns_decode_tool zones      stdin: "ORIGIN<TAB>PATH" per line (a master file and its origin);
//                              the file is parsed (parse_zone_file) and loaded as a zone
//                              (Zone::load), as the server does
//
// Names and rdata are printed in miniweb's presentation format (Name::to_string,
// rdata_to_string): the scripts read them back with dnspython, so the presentation is compared
// too, not only the decoding.

#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dns/zone.hpp"
#include "dns/zone_parser.hpp"
#include "shared/dns/message.hpp"

namespace {

using nlohmann::json;
using namespace miniweb::dns;

std::string hex(std::span<const uint8_t> data) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (uint8_t b : data) {
    out += kDigits[b >> 4];
    out += kDigits[b & 15];
  }
  return out;
}

std::optional<std::vector<uint8_t>> unhex(std::string_view text) {
  auto digit = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  if (text.size() % 2 != 0) return std::nullopt;
  std::vector<uint8_t> out;
  for (size_t i = 0; i < text.size(); i += 2) {
    int hi = digit(text[i]), lo = digit(text[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(static_cast<uint8_t>(hi * 16 + lo));
  }
  return out;
}

json record_json(const ResourceRecord& record) {
  return {{"name", record.name.to_string()},
          {"type", record.type},
          {"class", record.rclass},
          {"ttl", record.ttl},
          {"rdata", record.rdata_to_string()}};
}

json section_json(const std::vector<ResourceRecord>& records) {
  json out = json::array();
  for (const auto& record : records) out.push_back(record_json(record));
  return out;
}

json message_json(const Message& m) {
  json questions = json::array();
  for (const auto& q : m.questions)
    questions.push_back({{"name", q.name.to_string()}, {"type", q.type}, {"class", q.qclass}});
  json edns = nullptr;
  if (m.edns) {
    json options = json::array();
    for (const auto& option : m.edns->options) options.push_back({option.code, hex(option.data)});
    edns = {{"udp", m.edns->udp_size},
            {"version", m.edns->version},
            {"do", m.edns->dnssec_ok},
            {"options", options}};
  }
  return {{"ok", true},
          {"id", m.id},
          {"qr", m.qr},
          {"opcode", m.opcode},
          {"aa", m.aa},
          {"tc", m.tc},
          {"rd", m.rd},
          {"ra", m.ra},
          {"ad", m.ad},
          {"cd", m.cd},
          {"rcode", m.rcode},
          {"question", questions},
          {"answer", section_json(m.answers)},
          {"authority", section_json(m.authority)},
          {"additional", section_json(m.additional)},
          {"edns", edns}};
}

json reject(std::string reason) {
  return {{"ok", false}, {"reason", std::move(reason)}};
}

json decode_message_line(std::string_view line) {
  auto wire = unhex(line);
  if (!wire) return reject("tool: input line is not hex");
  auto message = Message::decode(*wire);
  if (!message) return reject(message.error().message);
  return message_json(*message);
}

json parse_zone_line(std::string_view line) {
  auto tab = line.find('\t');
  if (tab == std::string_view::npos) return reject("tool: input line is not ORIGIN<TAB>PATH");
  auto origin = Name::parse(line.substr(0, tab));
  if (!origin) return reject("tool: bad origin: " + origin.error().message);
  ZoneParseOptions options;
  options.origin = *origin;
  const std::string path(line.substr(tab + 1));
  // The parser alone first, so that a syntax error is reported as the parser's.
  auto records = parse_zone_file(path, options);
  if (!records) return reject(records.error().message);
  // What NSD checks beyond the syntax (SOA at the apex, names inside the zone, CNAME alone)
  // miniweb checks as it builds the zone; the records printed are the zone's (one TTL per
  // RRset, duplicates dropped), what the server serves.
  auto zone = Zone::load(path, *origin);
  if (!zone) return reject(zone.error().message);
  return {{"ok", true}, {"records", section_json(zone->records())}};
}

}  // namespace

int main(int argc, char** argv) {
  std::string_view mode = argc == 2 ? argv[1] : "";
  if (mode != "messages" && mode != "zones") {
    std::fprintf(stderr, "usage: %s messages|zones < inputs\n", argv[0]);
    return 2;
  }
  std::string line;
  while (std::getline(std::cin, line)) {
    json out = mode == "messages" ? decode_message_line(line) : parse_zone_line(line);
    // Presentation text is ASCII; an error message may quote raw bytes, which must not stop
    // the batch.
    std::cout << out.dump(-1, ' ', true, json::error_handler_t::replace) << '\n';
  }
  return 0;
}
