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

// Runs in reading order: by line, then by column (a table row's cells arrive cell by cell).
// Lines are buckets (a counting sort by y, which keeps document order within a line); only a
// line whose runs are out of column order is sorted, and lines are short.
std::vector<const TextRun*> reading_order(const DisplayList& list,
                                          std::vector<std::size_t>& starts) {
  int last_line = -1;
  for (const TextRun& run : list.runs) last_line = std::max(last_line, run.y);
  starts.assign(static_cast<std::size_t>(last_line + 2), 0);
  for (const TextRun& run : list.runs) {
    if (run.y >= 0) ++starts[static_cast<std::size_t>(run.y) + 1];
  }
  std::partial_sum(starts.begin(), starts.end(), starts.begin());
  std::vector<const TextRun*> runs(starts.back());
  std::vector<std::size_t> next(starts.begin(), starts.end() - 1);
  for (const TextRun& run : list.runs) {
    if (run.y >= 0) runs[next[static_cast<std::size_t>(run.y)]++] = &run;
  }
  const auto by_column = [](const TextRun* a, const TextRun* b) { return a->x < b->x; };
  for (std::size_t line = 0; line + 1 < starts.size(); ++line) {
    const auto begin = runs.begin() + static_cast<std::ptrdiff_t>(starts[line]);
    const auto end = runs.begin() + static_cast<std::ptrdiff_t>(starts[line + 1]);
    if (!std::is_sorted(begin, end, by_column)) std::stable_sort(begin, end, by_column);
  }
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

// Lines are written straight into the output: trailing spaces dropped, blank lines kept
// only between lines of text.
std::string paint(const DisplayList& list, bool ansi) {
  std::vector<std::size_t> starts;
  const std::vector<const TextRun*> runs = reading_order(list, starts);
  std::string out;
  std::size_t blank_lines = 0;
  for (std::size_t line = 0; line + 1 < starts.size(); ++line) {
    // The line is written first; the blank lines before it go in front only if it has text,
    // so that a long run of blank lines costs no more than its length.
    const std::size_t line_start = out.size();
    int column = 0;
    for (std::size_t i = starts[line]; i < starts[line + 1]; ++i) {
      const TextRun& run = *runs[i];
      if (run.text.empty()) continue;
      if (run.x > column) {
        out.append(static_cast<std::size_t>(run.x - column), ' ');
        column = run.x;
      }
      const std::string sgr = ansi ? sgr_for(run) : std::string();
      out += sgr;
      out += run.text;
      if (!sgr.empty()) out += "\x1b[0m";
      column += layout::display_width(run.text);
    }
    std::size_t end = out.size();
    while (end > line_start && out[end - 1] == ' ') --end;
    out.resize(end);
    if (end == line_start) {
      ++blank_lines;  // written only if text follows
      continue;
    }
    if (line_start > 0) out.insert(line_start, blank_lines, '\n');  // no leading blank lines
    out += '\n';
    blank_lines = 0;
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

std::string printable_text(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t pos = 0; pos < text.size();) {
    const auto byte = static_cast<unsigned char>(text[pos]);
    if ((byte >= 0x20 && byte < 0x7F) || byte == '\n' || byte == '\t') {
      out.push_back(static_cast<char>(byte));
      ++pos;
      continue;
    }
    if (byte == '\r') {
      ++pos;
      continue;
    }
    const char32_t code_point = layout::decode_utf8(text, pos);
    if (code_point < 0x20 || (code_point >= 0x7F && code_point < 0xA0))
      out.push_back('?');
    else
      layout::append_utf8(out, code_point);
  }
  return out;
}

}  // namespace miniweb::browser::render
