// The F12 panel under the page: closed, then the waterfall of the last load, then its packets
// (with --packets), then closed again; the wheel over the packets tab scrolls it.

#include <algorithm>

#include "browser/window/browser_window.hpp"
#include "browser/window/window_style.hpp"

namespace miniweb::browser::window {

namespace {

// One step's row of the waterfall: its label's line and a little space.
int waterfall_row(TTF_Font* font) {
  return TTF_FontLineSkip(font) + 2;
}

}  // namespace

// Tall enough for a row per step of the last load (a warm https load has 18), between two
// fifths and three fifths of the content: the page stays in view above it.
int BrowserWindow::trace_panel_height() const {
  if (!trace_open_) return 0;
  const int content = content_rect().h;
  const int rows = static_cast<int>(trace_.steps().size()) + 1;  // the title's, then the steps'
  return std::clamp(6 + rows * waterfall_row(fonts_->ui_font(12)) + 2 + 6, content * 2 / 5,
                    content * 3 / 5);
}

void BrowserWindow::next_panel_tab() {
  if (!trace_open_) {
    trace_open_ = true;
    packets_tab_ = false;
  } else if (!packets_tab_) {
    packets_tab_ = true;
  } else {
    trace_open_ = packets_tab_ = false;
  }
}

bool BrowserWindow::scroll_panel(int wheel) {
  int x = 0, y = 0;
  SDL_GetMouseState(&x, &y);
  const SDL_Rect content = content_rect();
  if (!packets_tab_shown() || y < content.y + content.h - trace_panel_height()) return false;
  packets_first_line_ = std::max(0, packets_first_line_ - wheel * 3);
  dirty_ = true;
  return true;
}

// The waterfall: one row per step, its bar placed and sized on one time axis, as the
// terminal's --trace draws it and as browsers' network panels do.
void BrowserWindow::draw_trace_panel() {
  if (!trace_open_) return;
  const SDL_Rect content = content_rect();
  const int height = trace_panel_height();
  const SDL_Rect panel{0, content.y + content.h - height, content.w, height};
  fill(panel, SDL_Color{250, 250, 250, 255});
  fill(SDL_Rect{0, panel.y, panel.w, 2}, kChromeBorder);
  if (packets_tab_) return draw_packets_panel(panel);
  TTF_Font* font = fonts_->ui_font(12);
  TTF_Font* bold = fonts_->ui_font(12, true);
  const int row = waterfall_row(font);
  const auto& steps = trace_.steps();
  Trace::Clock::duration total{};
  for (const auto& step : steps) total = std::max(total, step.start + step.duration);
  const double total_ms = std::max(0.001, std::chrono::duration<double, std::milli>(total).count());
  draw_text(bold,
            steps.empty() ? std::string("Waterfall: nothing loaded yet (F12: packets)")
                          : "Waterfall of " + page_url() + ": " + std::to_string(steps.size()) +
                                " steps, " + format_duration(total) + " (F12: packets)",
            kText, kPad, panel.y + 6);
  const int label_width = panel.w * 2 / 5;
  const int bar_x = label_width + kPad;
  const int bar_width = std::max(20, panel.w - bar_x - 80);
  int y = panel.y + 6 + row + 2;
  SDL_RenderSetClipRect(renderer_.get(), &panel);
  for (std::size_t i = 0; i < steps.size(); ++i) {
    if (y + row > panel.y + panel.h) {
      draw_text(font, "… " + std::to_string(steps.size() - i) + " more steps", kDisabled, kPad, y);
      break;
    }
    const auto& step = steps[i];
    const SDL_Rect label{kPad, y, label_width - kPad, row};
    SDL_RenderSetClipRect(renderer_.get(), &label);
    draw_text(font, std::to_string(i + 1) + ". " + step.phase + "  " + step.title, kText, kPad,
              y + 2);
    SDL_RenderSetClipRect(renderer_.get(), &panel);
    const double start_ms = std::chrono::duration<double, std::milli>(step.start).count();
    const double length_ms = std::chrono::duration<double, std::milli>(step.duration).count();
    const int x0 = bar_x + static_cast<int>(start_ms / total_ms * bar_width);
    const int length = std::max(2, static_cast<int>(length_ms / total_ms * bar_width));
    fill(SDL_Rect{x0, y + 2, length, row - 4}, phase_colour(step.phase));
    draw_text(font, format_duration(step.duration), kText, x0 + length + 4, y + 2);
    y += row;
  }
  SDL_RenderSetClipRect(renderer_.get(), nullptr);
}

// The packets tab: the ladder of the last load (browser/observe), as --packets prints it, in
// the monospaced face so that its columns line up; the wheel over the panel scrolls it.
void BrowserWindow::draw_packets_panel(const SDL_Rect& panel) {
  TTF_Font* bold = fonts_->ui_font(12, true);
  TTF_Font* mono = fonts_->mono_font(12);
  const int row = TTF_FontLineSkip(mono);
  std::vector<std::string> lines;
  for (std::size_t start = 0; start < packets_.text().size();) {
    const std::size_t end = packets_.text().find('\n', start);
    lines.push_back(packets_.text().substr(start, end - start));
    if (end == std::string::npos) break;
    start = end + 1;
  }
  draw_text(bold,
            "Packets of the last load: " + std::to_string(lines.size()) +
                " lines (wheel scrolls; F12 closes)",
            kText, kPad, panel.y + 6);
  SDL_RenderSetClipRect(renderer_.get(), &panel);
  int y = panel.y + 6 + TTF_FontLineSkip(bold) + 4;
  const std::size_t first =
      std::min(static_cast<std::size_t>(packets_first_line_), lines.empty() ? 0 : lines.size() - 1);
  for (std::size_t i = first; i < lines.size() && y + row <= panel.y + panel.h; ++i, y += row)
    if (!lines[i].empty()) draw_text(mono, lines[i], kText, kPad, y);
  SDL_RenderSetClipRect(renderer_.get(), nullptr);
}

}  // namespace miniweb::browser::window
