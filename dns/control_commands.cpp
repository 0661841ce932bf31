#include "dns/control_commands.hpp"

#include <vector>

namespace miniweb::dns {
namespace {

constexpr std::string_view kHelp =
    "ok, commands: flush NAME, flush_zone NAME, flush_all, stats, dump NAME, help";

struct VerbSpelling {
  std::string_view word;
  ControlVerb verb;
  bool takes_name;
};
constexpr VerbSpelling kVerbs[] = {
    {"flush", ControlVerb::kFlush, true},         {"flush_zone", ControlVerb::kFlushZone, true},
    {"flush_all", ControlVerb::kFlushAll, false}, {"stats", ControlVerb::kStats, false},
    {"dump", ControlVerb::kDump, true},           {"help", ControlVerb::kHelp, false},
};

std::vector<std::string_view> words_of(std::string_view line) {
  std::vector<std::string_view> words;
  size_t at = 0;
  while (at < line.size()) {
    while (at < line.size() && (line[at] == ' ' || line[at] == '\t')) ++at;
    size_t end = at;
    while (end < line.size() && line[end] != ' ' && line[end] != '\t') ++end;
    if (end > at) words.push_back(line.substr(at, end - at));
    at = end;
  }
  return words;
}

// Only printable ASCII and tabs: a peer's bytes are quoted back in errors and written to the
// resolver's log, where terminal escapes must not travel.
bool printable(std::string_view line) {
  for (char c : line)
    if (c != '\t' && (c < 0x20 || c > 0x7e)) return false;
  return true;
}

std::string entries(size_t count) {
  return std::to_string(count) + (count == 1 ? " entry" : " entries");
}

std::string describe(const CachedEntry& entry) {
  std::string out = entry.type == 0 ? std::string("any type") : type_to_string(entry.type);
  if (entry.negative) {
    out += entry.rcode == rcode::NXDOMAIN ? " NXDOMAIN" : " NODATA";
    out += " ttl=" + std::to_string(entry.ttl_left);
    return out;
  }
  out += " " + entry.rank + " ttl=" + std::to_string(entry.ttl_left) + ":";
  for (const auto& record : entry.records) out += " " + record.rdata_to_string() + ",";
  out.pop_back();
  return out;
}

}  // namespace

Result<ControlCommand> parse_control_command(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (!printable(line)) return make_error("the line holds bytes that are not printable text");
  const std::vector<std::string_view> words = words_of(line);
  if (words.empty()) return make_error("an empty line; try help");
  for (const VerbSpelling& spelling : kVerbs) {
    if (words.front() != spelling.word) continue;
    const size_t wanted = spelling.takes_name ? 2 : 1;
    if (words.size() != wanted)
      return make_error(std::string(spelling.word) +
                        (spelling.takes_name ? " takes one name, e.g. " +
                                                   std::string(spelling.word) + " www.example.test"
                                             : " takes nothing after it"));
    ControlCommand command{spelling.verb, {}};
    if (spelling.takes_name) {
      auto name = Name::parse(words[1]);
      if (!name)
        return make_error("bad name '" + std::string(words[1]) + "': " + name.error().message);
      command.name = std::move(*name);
    }
    return command;
  }
  return make_error("unknown command '" + std::string(words.front().substr(0, 40)) + "'; try help");
}

std::string run_control_command(Resolver& resolver, const ControlCommand& command) {
  const std::string name = command.name.to_string();
  switch (command.verb) {
    case ControlVerb::kFlush:
      return "ok, removed " + entries(resolver.flush_name(command.name)) + " at " + name;
    case ControlVerb::kFlushZone:
      return "ok, removed " + entries(resolver.flush_zone(command.name)) + " at and below " + name;
    case ControlVerb::kFlushAll:
      return "ok, removed " + entries(resolver.flush_all()) +
             "; the next question starts from the root";
    case ControlVerb::kStats: {
      const ResolverStats stats = resolver.stats();
      return "ok, entries=" + std::to_string(stats.entries) +
             " hits=" + std::to_string(stats.hits) + " misses=" + std::to_string(stats.misses) +
             " upstream_queries=" + std::to_string(stats.upstream_queries);
    }
    case ControlVerb::kDump: {
      const std::vector<CachedEntry> cached = resolver.cached_at(command.name);
      std::string out = "ok, " + entries(cached.size()) + " at " + name;
      for (size_t i = 0; i < cached.size(); ++i)
        out += (i == 0 ? ": " : "; ") + describe(cached[i]);
      return out;
    }
    case ControlVerb::kHelp:
      return std::string(kHelp);
  }
  return std::string(kHelp);
}

std::string answer_control_line(Resolver& resolver, std::string_view line) {
  auto command = parse_control_command(line);
  if (!command) return "error: " + command.error().message;
  return run_control_command(resolver, *command);
}

}  // namespace miniweb::dns
