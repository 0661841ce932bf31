#include "stack/kernel_counters.hpp"

#include <charconv>
#include <fstream>
#include <sstream>
#include <vector>

namespace miniweb::stack {
namespace {

std::vector<std::string_view> words(std::string_view line) {
  std::vector<std::string_view> out;
  std::size_t at = 0;
  while (at < line.size()) {
    const std::size_t start = line.find_first_not_of(" \t", at);
    if (start == std::string_view::npos) break;
    std::size_t end = line.find_first_of(" \t", start);
    if (end == std::string_view::npos) end = line.size();
    out.push_back(line.substr(start, end - start));
    at = end;
  }
  return out;
}

}  // namespace

Status parse_kernel_counters(std::string_view text, KernelCounters& counters) {
  std::vector<std::string_view> lines;
  std::size_t at = 0;
  while (at < text.size()) {
    std::size_t end = text.find('\n', at);
    if (end == std::string_view::npos) end = text.size();
    if (end > at) lines.push_back(text.substr(at, end - at));
    at = end + 1;
  }
  if (lines.size() % 2 != 0) return make_error("a group's names without its values");
  for (std::size_t i = 0; i < lines.size(); i += 2) {
    const auto names = words(lines[i]);
    const auto values = words(lines[i + 1]);
    if (names.empty() || !names[0].ends_with(':') || values.empty() || values[0] != names[0])
      return make_error("line " + std::to_string(i + 1) + " does not start a group of counters");
    const std::string group(names[0].substr(0, names[0].size() - 1));
    if (names.size() != values.size())
      return make_error(group + " has " + std::to_string(names.size() - 1) + " names and " +
                        std::to_string(values.size() - 1) + " values");
    for (std::size_t k = 1; k < names.size(); ++k) {
      // Tcp's MaxConn is -1 ("no limit"): read as signed, kept as its bits.
      std::int64_t value = 0;
      const auto [end, error] =
          std::from_chars(values[k].data(), values[k].data() + values[k].size(), value);
      if (error != std::errc{} || end != values[k].data() + values[k].size())
        return make_error(group + "." + std::string(names[k]) + " is not a number: '" +
                          std::string(values[k]) + "'");
      counters[group + "." + std::string(names[k])] = static_cast<std::uint64_t>(value);
    }
  }
  return Ok{};
}

Result<KernelCounters> read_kernel_counters(const std::filesystem::path& net) {
  KernelCounters counters;
  for (const char* file : {"netstat", "snmp"}) {
    std::ifstream in(net / file);
    if (!in) return make_error("cannot read " + (net / file).string());
    std::stringstream text;
    text << in.rdbuf();
    if (auto parsed = parse_kernel_counters(text.str(), counters); !parsed)
      return make_error((net / file).string() + ": " + parsed.error().message);
  }
  return counters;
}

std::int64_t counter_change(const KernelCounters& before, const KernelCounters& after,
                            const std::string& name) {
  auto value = [&](const KernelCounters& counters) {
    auto found = counters.find(name);
    return found == counters.end() ? std::int64_t{0} : static_cast<std::int64_t>(found->second);
  };
  return value(after) - value(before);
}

}  // namespace miniweb::stack
