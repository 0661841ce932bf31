#include "browser/render/text_painter.hpp"

#include <algorithm>
#include <cstdio>
#include <numeric>
#include <vector>

#include "browser/layout/utf8.hpp"

namespace miniweb::browser::render {

namespace {

using layout::DisplayList;
using layout::TextRun;

struct Line {
  std::string text;
  int column = 0;
};

// Runs in reading order: by line, then by column (a table row's cells arrive cell by cell).
std::vector<const TextRun*> reading_order(const DisplayList& list) {
  std::vector<const TextRun*> runs;
  runs.reserve(list.runs.size());
  for (const TextRun& run : list.runs) runs.push_back(&run);
  std::stable_sort(runs.begin(), runs.end(), [](const TextRun* a, const TextRun* b) {
    return a->y != b->y ? a->y < b->y : a->x < b->x;
  });
  return runs;
}

std::string sgr_for(const TextRun& run) {
  std::string codes;
  const auto add = [&codes](const char* code) {
    if (!codes.empty()) codes += ';';
    codes += code;
  };
  if (run.style.bold || run.style.heading > 0) add("1");
  if (run.style.italic) add("3");
  if (run.style.underline || run.link >= 0) add("4");
  return codes.empty() ? std::string() : "\x1b[" + codes + "m";
}

std::string paint(const DisplayList& list, bool ansi) {
  std::vector<Line> lines;
  for (const TextRun* run : reading_order(list)) {
    if (run->y < 0 || run->text.empty()) continue;
    const auto index = static_cast<std::size_t>(run->y);
    if (lines.size() <= index) lines.resize(index + 1);
    Line& line = lines[index];
    if (run->x > line.column) {
      line.text.append(static_cast<std::size_t>(run->x - line.column), ' ');
      line.column = run->x;
    }
    const std::string sgr = ansi ? sgr_for(*run) : std::string();
    line.text += sgr;
    line.text += run->text;
    if (!sgr.empty()) line.text += "\x1b[0m";
    line.column += layout::display_width(run->text);
  }
  std::string out;
  std::size_t blank_lines = 0;
  for (Line& line : lines) {
    const std::size_t end = line.text.find_last_not_of(' ');
    line.text.erase(end == std::string::npos ? 0 : end + 1);
    if (line.text.empty()) {
      ++blank_lines;  // written only if text follows
      continue;
    }
    if (!out.empty()) out.append(blank_lines, '\n');  // no leading blank lines
    blank_lines = 0;
    out += line.text;
    out += '\n';
  }
  return out;
}

}  // namespace

std::string paint_text(const DisplayList& list) {
  return paint(list, false);
}

std::string paint_ansi(const DisplayList& list) {
  return paint(list, true);
}

std::string dump_page(const DisplayList& list,
                      const std::function<std::string(const std::string& href)>& resolve_href) {
  std::string out;
  if (!list.title.empty()) {
    out += list.title;
    out += "\n\n";
  }
  out += paint_text(list);
  if (list.links.empty()) return out;
  out += "\nReferences\n\n";
  for (std::size_t i = 0; i < list.links.size(); ++i) {
    char number[32];
    std::snprintf(number, sizeof number, "%4zu. ", i + 1);
    out += number;
    // An href is the page's to choose: keep control characters away from the terminal.
    for (char c : resolve_href(list.links[i])) {
      if (static_cast<unsigned char>(c) >= 0x20 && c != 0x7F) out.push_back(c);
    }
    out += '\n';
  }
  return out;
}

}  // namespace miniweb::browser::render
