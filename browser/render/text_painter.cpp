#include "browser/render/text_painter.hpp"

#include <algorithm>
#include <cstdio>
#include <numeric>
#include <vector>

#include "browser/layout/utf8.hpp"
#include "shared/prefault.hpp"

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
  // A large page's lines and runs take megabytes here: huge pages for them (shared/prefault.hpp).
  reserve_in_huge_pages(starts, static_cast<std::size_t>(last_line + 2));
  starts.assign(static_cast<std::size_t>(last_line + 2), 0);
  for (const TextRun& run : list.runs) {
    if (run.y >= 0) ++starts[static_cast<std::size_t>(run.y) + 1];
  }
  std::partial_sum(starts.begin(), starts.end(), starts.begin());
  std::vector<const TextRun*> runs;
  reserve_in_huge_pages(runs, starts.back());
  runs.resize(starts.back());
  std::vector<std::size_t> next;
  reserve_in_huge_pages(next, starts.size() - 1);
  next.assign(starts.begin(), starts.end() - 1);
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

// What painting the lines adds to the output, at most or near it, to reserve at once: each
// run's text, each line's indent and its end, and the cells before a line's last run (gaps
// and earlier runs, counted again), with room for the styling's codes. A string grown by
// doubling had touched twice its size in fresh memory and copied itself each time (on Node's
// 8 MB manual, most of the dump's 80 ms).
std::size_t painted_size(const std::vector<const TextRun*>& runs,
                         const std::vector<std::size_t>& starts, bool ansi) {
  std::size_t bytes = 0;
  for (const TextRun* run : runs) bytes += run->text.size() + (ansi ? 12 : 0);
  for (std::size_t line = 0; line + 1 < starts.size(); ++line) {
    if (starts[line] < starts[line + 1])
      bytes += static_cast<std::size_t>(std::max(0, runs[starts[line + 1] - 1]->x)) + 1;
  }
  return bytes;
}

// Lines are written straight into the output: trailing spaces dropped, blank lines kept
// only between lines of text. out may already hold text (the dump's title): blank lines are
// never put at the start of what is painted. Room is reserved for the lines and for
// `then_more` bytes the caller adds after them.
void paint_into(std::string& out, const DisplayList& list, bool ansi, std::size_t then_more) {
  std::vector<std::size_t> starts;
  const std::vector<const TextRun*> runs = reading_order(list, starts);
  reserve_in_huge_pages(out, out.size() + painted_size(runs, starts, ansi) + then_more);
  const std::size_t painted_start = out.size();
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
    // No leading blank lines.
    if (line_start > painted_start) out.insert(line_start, blank_lines, '\n');
    out += '\n';
    blank_lines = 0;
  }
}

}  // namespace

std::string paint_text(const DisplayList& list) {
  std::string out;
  paint_into(out, list, false, 0);
  return out;
}

std::string paint_ansi(const DisplayList& list) {
  std::string out;
  paint_into(out, list, true, 0);
  return out;
}

std::string dump_page(const DisplayList& list,
                      const std::function<std::string(const std::string& href)>& resolve_href) {
  // Room for the references with the text, reserved once: a resolved href is longer than the
  // href written (a file URL's directory, a site's origin), by 55 bytes or so on python's
  // manual.
  std::size_t references = list.links.empty() ? 0 : 16;
  for (const std::string& href : list.links) references += 7 + href.size() + 64;
  std::string out;
  if (!list.title.empty()) {
    out += list.title;
    out += "\n\n";
  }
  paint_into(out, list, false, references);  // in place: the page's text is not copied again
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
