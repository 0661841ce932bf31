#include "browser/terminal/page_view.hpp"

#include <algorithm>
#include <map>
#include <sstream>

#include "browser/layout/utf8.hpp"
#include "browser/render/text_painter.hpp"
#include "shared/text.hpp"

namespace miniweb::browser::terminal {

PageView::PageView(const layout::DisplayList& list) : list_(&list) {
  // The runs by line, a counting sort that keeps document order within a line.
  line_starts_.assign(static_cast<std::size_t>(std::max(0, list.height)) + 2, 0);
  for (const layout::TextRun& run : list.runs)
    if (run.y >= 0 && run.y <= list.height) ++line_starts_[static_cast<std::size_t>(run.y) + 1];
  for (std::size_t i = 1; i < line_starts_.size(); ++i) line_starts_[i] += line_starts_[i - 1];
  by_line_.resize(line_starts_.back());
  std::vector<std::size_t> next(line_starts_.begin(), line_starts_.end() - 1);
  for (std::size_t i = 0; i < list.runs.size(); ++i) {
    const int y = list.runs[i].y;
    if (y >= 0 && y <= list.height) by_line_[next[static_cast<std::size_t>(y)]++] = i;
  }
  std::map<int, LinkStart> first_runs;
  for (const layout::TextRun& run : list.runs) {
    widest_ = std::max(widest_, run.x + layout::display_width(run.text));
    if (run.link <= 0) continue;
    auto [place, added] = first_runs.try_emplace(run.link, LinkStart{run.link, -1, run.y, run.x});
    if (!added && std::tie(run.y, run.x) < std::tie(place->second.y, place->second.x))
      place->second = LinkStart{run.link, -1, run.y, run.x};
  }
  for (const auto& [number, start] : first_runs) links_.push_back(start);
  // Form fields are selected as links are (lynx), except those a user cannot use.
  for (std::size_t i = 0; i < list.fields.size(); ++i) {
    const layout::FieldBox& box = list.fields[i];
    if (box.y < 0 || box.disabled || box.kind == forms::ControlKind::Hidden) continue;
    links_.push_back(LinkStart{0, static_cast<int>(i), box.y, box.x});
  }
  std::stable_sort(links_.begin(), links_.end(), [](const LinkStart& a, const LinkStart& b) {
    return std::tie(a.y, a.x) < std::tie(b.y, b.x);
  });
  select_first_on_screen();
}

void PageView::set_height(int rows) {
  height_ = std::max(1, rows);
  top_ = std::clamp(top_, 0, last_top());
  if (selected_ == kNone || !on_screen(links_[selected_])) select_first_on_screen();
}

void PageView::set_width(int columns) {
  width_ = std::max(1, columns);
  shift_by(0);
}

void PageView::shift_by(int columns) {
  left_ = std::clamp(left_ + columns, 0, std::max(0, widest_ - width_));
}

void PageView::show_column(int x) {
  if (x < left_ || x >= left_ + width_) left_ = std::max(0, x - width_ / 4);
  shift_by(0);
}

int PageView::last_top() const {
  const int page_height = list_ ? list_->height : 0;
  return std::max(0, page_height - height_);
}

int PageView::selected_link() const {
  return selected_ == kNone ? 0 : links_[selected_].number;
}

int PageView::selected_field() const {
  return selected_ == kNone ? -1 : links_[selected_].field;
}

void PageView::select(std::size_t index) {
  selected_ = index;
  show_line(links_[index].y);
  show_column(links_[index].x);
}

bool PageView::select_link(int number) {
  for (std::size_t i = 0; i < links_.size(); ++i) {
    if (links_[i].field >= 0 || links_[i].number != number) continue;
    select(i);
    return true;
  }
  return false;
}

bool PageView::select_field(int index) {
  for (std::size_t i = 0; i < links_.size(); ++i) {
    if (links_[i].field != index || index < 0) continue;
    select(i);
    return true;
  }
  return false;
}

void PageView::show_line(int y) {
  if (y < top_) top_ = y;
  if (y >= top_ + height_) top_ = y - height_ + 1;
  top_ = std::clamp(top_, 0, last_top());
}

void PageView::select_first_on_screen() {
  selected_ = kNone;
  for (std::size_t i = 0; i < links_.size(); ++i) {
    if (on_screen(links_[i])) {
      selected_ = i;
      return;
    }
  }
}

void PageView::next_link() {
  std::size_t next = 0;
  if (selected_ != kNone && on_screen(links_[selected_])) {
    next = selected_ + 1;
  } else {
    while (next < links_.size() && links_[next].y < top_) ++next;
  }
  if (next < links_.size() && links_[next].y < top_ + 2 * height_) return select(next);
  if (top_ < last_top()) scroll_by(height_);
}

void PageView::previous_link() {
  std::size_t previous = kNone;
  if (selected_ != kNone && on_screen(links_[selected_])) {
    previous = selected_ == 0 ? kNone : selected_ - 1;
  } else {
    for (std::size_t i = links_.size(); i-- > 0;) {
      if (links_[i].y < top_ + height_) {
        previous = i;
        break;
      }
    }
  }
  if (previous != kNone && links_[previous].y >= top_ - height_) return select(previous);
  if (top_ > 0) scroll_by(-height_);
}

void PageView::scroll_by(int rows) {
  top_ = std::clamp(top_ + rows, 0, last_top());
  if (selected_ == kNone || !on_screen(links_[selected_])) select_first_on_screen();
}

void PageView::to_top() {
  top_ = 0;
  select_first_on_screen();
}

void PageView::to_bottom() {
  top_ = last_top();
  selected_ = kNone;
  for (std::size_t i = links_.size(); i-- > 0;) {
    if (on_screen(links_[i])) {
      selected_ = i;
      break;
    }
  }
}

std::vector<std::size_t> PageView::runs_on_line(int y) const {
  if (y < 0 || static_cast<std::size_t>(y) + 1 >= line_starts_.size()) return {};
  return {by_line_.begin() + static_cast<std::ptrdiff_t>(line_starts_[static_cast<std::size_t>(y)]),
          by_line_.begin() +
              static_cast<std::ptrdiff_t>(line_starts_[static_cast<std::size_t>(y) + 1])};
}

void PageView::paint_lines() {
  if (!lines_.empty() || !list_) return;
  std::istringstream painted(render::paint_text(*list_));
  for (std::string line; std::getline(painted, line);) lines_.push_back(std::move(line));
}

std::string_view PageView::line_text(int y) {
  paint_lines();
  if (y < 0 || y >= static_cast<int>(lines_.size())) return {};
  return lines_[static_cast<std::size_t>(y)];
}

bool PageView::find(std::string_view text) {
  if (text.empty() || !list_) return false;
  paint_lines();
  const std::string wanted = to_lower(text);
  const int count = static_cast<int>(lines_.size());
  // From just after the last match, or from the top of the screen; then round from the start.
  int line = match_.line >= 0 ? match_.line : std::min(top_, std::max(0, count - 1));
  std::size_t from = 0;
  if (match_.line >= 0 && line < count) {
    std::size_t pos = 0;
    for (int cells = 0; pos < lines_[line].size() && cells <= match_.column;) {
      cells += layout::code_point_width(layout::decode_utf8(lines_[line], pos));
    }
    from = pos;
  }
  for (int checked = 0; checked <= count; ++checked, ++line, from = 0) {
    if (line >= count) line = 0;
    if (count == 0) break;
    const std::size_t at = to_lower(lines_[line]).find(wanted, from);
    if (at == std::string::npos) continue;
    match_ = Match{line, layout::display_width(std::string_view(lines_[line]).substr(0, at)),
                   layout::display_width(wanted)};
    show_line(line);
    if (selected_ != kNone && !on_screen(links_[selected_])) select_first_on_screen();
    return true;
  }
  match_ = Match{};
  return false;
}

void PageView::restore(const Place& place) {
  top_ = std::clamp(place.top, 0, last_top());
  selected_ = kNone;
  for (std::size_t i = 0; i < links_.size(); ++i)
    if (place.field >= 0 ? links_[i].field == place.field
                         : links_[i].field < 0 && links_[i].number == place.link)
      selected_ = i;
  if (selected_ == kNone || !on_screen(links_[selected_])) select_first_on_screen();
}

}  // namespace miniweb::browser::terminal
