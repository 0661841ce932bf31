// draw_ladder (journey.hpp): the ladder as text, one column per host, four characters apart.

#include <cstdio>

#include "browser/observe/connection_ladder.hpp"
#include "browser/observe/journey.hpp"

namespace miniweb::browser::observe {
namespace {

constexpr std::size_t kColumnWidth = 4;
constexpr std::size_t kTimeWidth = 14;  // "    12.345 ms "

// The lanes of a row: a bar under each host; an arrow from `from` to `to` when there is one.
// A lost packet's arrow is dashed and ends in a cross short of its host.
std::string lanes(std::size_t count, std::optional<std::pair<std::size_t, std::size_t>> arrow,
                  bool lost = false) {
  std::vector<std::string> cells(count * kColumnWidth, " ");
  for (std::size_t column = 0; column < count; ++column) cells[column * kColumnWidth] = "│";
  if (arrow && arrow->first != arrow->second) {
    const auto [from, to] = *arrow;
    const std::size_t left = std::min(from, to) * kColumnWidth;
    const std::size_t right = std::max(from, to) * kColumnWidth;
    for (std::size_t at = left + 1; at < right; ++at) cells[at] = lost ? "╌" : "─";
    if (from < to) {
      cells[left] = "├";
      cells[right - 1] = lost ? "✗" : "▶";
    } else {
      cells[right] = "┤";
      cells[left + 1] = lost ? "✗" : "◀";
    }
  }
  std::string out;
  for (const std::string& cell : cells) out += cell;
  return out;
}

std::string time_cell(std::int64_t micros) {
  char text[32];
  std::snprintf(text, sizeof text, "%10.3f ms ", static_cast<double>(micros) / 1000.0);
  return text;
}

}  // namespace

std::vector<std::string> draw_ladder(const Journey& journey) {
  std::vector<std::string> lines;
  const std::size_t count = journey.hosts.size();
  const std::string blank(kTimeWidth, ' ');
  // Nothing captured: the one line that says why, and nothing drawn as having happened.
  if (!journey.capture_error.empty()) return {"* packets: no packets: " + journey.capture_error};
  lines.push_back("* packets: " + std::to_string(journey.frames.size()) + " of the " +
                  std::to_string(journey.captured) +
                  " frames captured on lo are this load's (libpcap); states from the kernel "
                  "(sock_diag), TLS contents from OpenSSL");
  for (std::size_t column = 0; column < count; ++column) {
    std::string line = blank + lanes(column, std::nullopt);
    line += journey.hosts[column].name + " " + journey.hosts[column].address;
    lines.push_back(std::move(line));
  }
  if (count) lines.push_back(blank + lanes(count, std::nullopt));
  for (const LadderRow& row : journey.rows) {
    lines.push_back(time_cell(row.time_us) +
                    lanes(count, std::make_pair(row.from, row.to), row.lost) + row.text);
    const std::string under = blank + lanes(count, std::nullopt);
    for (const std::string& detail : row.details) lines.push_back(under + detail);
    if (!row.states.empty()) lines.push_back(under + "↳ " + row.states);
  }
  if (!journey.steps.empty()) {
    lines.push_back("* steps, as the packets timed them:");
    for (const JourneyStep& step : journey.steps) {
      char name[24];
      std::snprintf(name, sizeof name, "%-11s", step.name.c_str());
      lines.push_back(std::string("  ") + name + " " + format_ms(step.duration_us) + "  (" +
                      step.how + ")");
    }
  }
  for (const std::string& note : journey.notes) lines.push_back("* packets: " + note);
  return lines;
}

}  // namespace miniweb::browser::observe
