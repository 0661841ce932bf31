// The window's drawing: a frame of the page's display list, the toolbar and the status bar
// (the F12 panel draws itself, trace_panel.cpp), with each distinct text rendered by FreeType
// once.

#include "browser/window/browser_window.hpp"
#include "browser/window/png.hpp"
#include "browser/window/window_style.hpp"

namespace miniweb::browser::window {

// --- drawing ------------------------------------------------------------------------------

void BrowserWindow::draw() {
  render_frame();
  SDL_RenderPresent(renderer_.get());
}

void BrowserWindow::render_frame() {
  dirty_ = false;
  fill(SDL_Rect{0, 0, 1 << 15, 1 << 15}, kPageBackground);
  draw_page();
  draw_option_list();
  draw_trace_panel();
  draw_question_bar();
  draw_toolbar();
  draw_status_bar();
}

void BrowserWindow::fill(const SDL_Rect& rect, SDL_Color color) {
  SDL_SetRenderDrawColor(renderer_.get(), color.r, color.g, color.b, color.a);
  SDL_RenderFillRect(renderer_.get(), &rect);
}

void BrowserWindow::outline(const SDL_Rect& rect, SDL_Color color) {
  SDL_SetRenderDrawColor(renderer_.get(), color.r, color.g, color.b, color.a);
  SDL_RenderDrawRect(renderer_.get(), &rect);
}

// Each distinct (font, colour, text) is rendered by FreeType once and kept as a texture,
// so a scroll frame only copies textures.
const BrowserWindow::CachedText* BrowserWindow::text(TTF_Font* font, const std::string& utf8,
                                                     SDL_Color color) {
  if (font == nullptr || utf8.empty()) return nullptr;
  std::string key;
  key.reserve(utf8.size() + 24);
  key.append(std::to_string(reinterpret_cast<std::uintptr_t>(font)));
  key.push_back(':');
  key.append(std::to_string((color.r << 16) | (color.g << 8) | color.b));
  key.push_back(':');
  key.append(utf8);
  if (auto found = text_cache_.find(key); found != text_cache_.end()) return &found->second;
  // A bound on memory: a long session's cache starts again rather than growing forever.
  if (text_cache_.size() > 20000) text_cache_.clear();
  SurfacePtr surface(TTF_RenderUTF8_Blended(font, utf8.c_str(), color));
  if (!surface) return nullptr;
  CachedText cached;
  cached.width = surface->w;
  cached.height = surface->h;
  cached.texture.reset(SDL_CreateTextureFromSurface(renderer_.get(), surface.get()));
  if (!cached.texture) return nullptr;
  return &text_cache_.emplace(std::move(key), std::move(cached)).first->second;
}

void BrowserWindow::draw_text(TTF_Font* font, const std::string& utf8, SDL_Color color, int x,
                              int y) {
  const CachedText* cached = text(font, utf8, color);
  if (cached == nullptr) return;
  const SDL_Rect target{x, y, cached->width, cached->height};
  SDL_RenderCopy(renderer_.get(), cached->texture.get(), nullptr, &target);
}

void BrowserWindow::draw_page() {
  const SDL_Rect content = content_rect();
  const int view_bottom = content.y + content.h - trace_panel_height();
  const SDL_Rect clip{content.x, content.y, content.w, view_bottom - content.y};
  SDL_RenderSetClipRect(renderer_.get(), &clip);
  const int origin_x = content.x + kPad;
  const int origin_y = content.y + kPad - scroll_y_;
  for (const layout::TextRun& run : display_list().runs) {
    if (run.field >= 0) continue;  // a form control: drawn as a widget (form_widgets.cpp)
    const int y = origin_y + run.y;
    if (y > view_bottom) continue;
    TTF_Font* font = fonts_->font(run.style);
    if (font == nullptr) continue;
    const int height = TTF_FontLineSkip(font);
    if (y + height < content.y) continue;
    const bool is_link = run.link > 0;
    const CachedText* cached = text(font, run.text, is_link ? kLink : kText);
    if (cached == nullptr) continue;
    const int x = origin_x + run.x;
    if (run.style.preformatted) fill(SDL_Rect{x, y, cached->width, height}, kPreBackground);
    const SDL_Rect target{x, y, cached->width, cached->height};
    SDL_RenderCopy(renderer_.get(), cached->texture.get(), nullptr, &target);
    if (is_link || run.style.underline) {
      const SDL_Color colour = is_link ? kLink : kText;
      const int baseline = y + TTF_FontAscent(font) + 2;
      SDL_SetRenderDrawColor(renderer_.get(), colour.r, colour.g, colour.b, 255);
      SDL_RenderDrawLine(renderer_.get(), x, baseline, x + cached->width - 1, baseline);
      if (is_link && run.link == hovered_link_) {
        SDL_RenderDrawLine(renderer_.get(), x, baseline + 1, x + cached->width - 1, baseline + 1);
      }
    }
  }
  draw_fields(origin_x, origin_y);
  // An error page says so at a glance too: a red rule along its top, as browsers' warnings do.
  if (showing_error_) fill(SDL_Rect{content.x, content.y, content.w, 4}, kWarning);
  // The scroll bar: where the view is in the page.
  const int view = view_bottom - content.y;
  const int total = display_list().height + 2 * kPad;
  if (total > view && view > 0) {
    const int track_x = content.x + content.w - kScrollbarWidth;
    fill(SDL_Rect{track_x, content.y, kScrollbarWidth, view}, kStatusBackground);
    const int thumb = std::max(20, view * view / total);
    const int thumb_y = content.y + (view - thumb) * scroll_y_ / std::max(1, max_scroll());
    fill(SDL_Rect{track_x + 2, thumb_y, kScrollbarWidth - 4, thumb}, kScrollThumb);
  }
  SDL_RenderSetClipRect(renderer_.get(), nullptr);
}

void BrowserWindow::draw_toolbar() {
  int w = 0;
  int h = 0;
  SDL_GetRendererOutputSize(renderer_.get(), &w, &h);
  fill(SDL_Rect{0, 0, w, kToolbarHeight}, kChrome);
  fill(SDL_Rect{0, kToolbarHeight - 1, w, 1}, kChromeBorder);
  TTF_Font* symbols = fonts_->ui_font(18, true);
  const History& history = navigator_.history();
  const struct {
    Button button;
    const char* glyph;
    bool enabled;
  } buttons[] = {
      {Button::Back, "\xE2\x86\x90", history.can_go_back()},        // ←
      {Button::Forward, "\xE2\x86\x92", history.can_go_forward()},  // →
      {Button::Reload, "\xE2\x86\xBB", !history.empty()},           // ↻
  };
  for (const auto& button : buttons) {
    const SDL_Rect rect = button_rect(button.button);
    fill(rect, kField);
    outline(rect, kChromeBorder);
    const CachedText* glyph = text(symbols, button.glyph, button.enabled ? kText : kDisabled);
    if (glyph != nullptr) {
      const SDL_Rect target{rect.x + (rect.w - glyph->width) / 2,
                            rect.y + (rect.h - glyph->height) / 2, glyph->width, glyph->height};
      SDL_RenderCopy(renderer_.get(), glyph->texture.get(), nullptr, &target);
    }
  }

  const SDL_Rect field = address_rect();
  fill(field, kField);
  outline(field, address_focused_ ? kFocus : kChromeBorder);
  if (address_focused_)
    outline(SDL_Rect{field.x + 1, field.y + 1, field.w - 2, field.h - 2}, kFocus);
  TTF_Font* font = fonts_->ui_font(kUiFontSize);
  const std::string& typed = address_.text();
  const int text_x = field.x + kPad;
  const int text_y = field.y + (field.h - TTF_FontLineSkip(font)) / 2;
  auto width_of = [&](std::size_t bytes) {
    int width = 0;
    int height = 0;
    if (bytes > 0) TTF_SizeUTF8(font, typed.substr(0, bytes).c_str(), &width, &height);
    return width;
  };
  const SDL_Rect clip{field.x + 2, field.y + 2, field.w - 4, field.h - 4};
  SDL_RenderSetClipRect(renderer_.get(), &clip);
  if (address_focused_ && address_.has_selection()) {
    const int from = width_of(address_.selection_start());
    const int to = width_of(address_.selection_end());
    fill(SDL_Rect{text_x + from, text_y, to - from, TTF_FontLineSkip(font)}, kSelection);
  }
  if (typed.empty() && !address_focused_) {
    draw_text(font, "Type a URL, e.g. https://www.example.test/", kDisabled, text_x, text_y);
  } else {
    draw_text(font, typed, kText, text_x, text_y);
  }
  if (address_focused_) {
    const int cursor_x = text_x + width_of(address_.cursor());
    fill(SDL_Rect{cursor_x, text_y, 2, TTF_FontLineSkip(font)}, kText);
  }
  SDL_RenderSetClipRect(renderer_.get(), nullptr);

  if (const std::string& warning = page_ ? page_->security.insecure_warning : std::string();
      !warning.empty()) {
    fill(SDL_Rect{0, kToolbarHeight, w, kBannerHeight}, kWarning);
    draw_text(fonts_->ui_font(kUiFontSize, true), "Not secure: " + warning, kWhite, kPad,
              kToolbarHeight + (kBannerHeight - TTF_FontLineSkip(font)) / 2);
  }
}

std::string BrowserWindow::status_bar_text() const {
  if (hovered_link_ > 0) {
    if (auto url = link_url(hovered_link_)) return *url;
  }
  if (navigator_.busy()) return shown_progress_.empty() ? std::string("Loading…") : shown_progress_;
  return status_;
}

void BrowserWindow::draw_status_bar() {
  int w = 0;
  int h = 0;
  SDL_GetRendererOutputSize(renderer_.get(), &w, &h);
  const SDL_Rect bar{0, h - kStatusHeight, w, kStatusHeight};
  fill(bar, kStatusBackground);
  fill(SDL_Rect{0, bar.y, w, 1}, kChromeBorder);
  TTF_Font* font = fonts_->ui_font(12);
  std::string line = status_bar_text();
  if (!navigator_.busy() && hovered_link_ <= 0 && !trace_open_ && trace_.steps().size() > 0) {
    line += "   (F12: trace)";
  }
  SDL_RenderSetClipRect(renderer_.get(), &bar);
  draw_text(font, line, showing_error_ && hovered_link_ <= 0 ? kWarning : kText, kPad,
            bar.y + (kStatusHeight - TTF_FontLineSkip(font)) / 2);
  SDL_RenderSetClipRect(renderer_.get(), nullptr);
}

// --- pixels ------------------------------------------------------------------------------

Result<Pixels> BrowserWindow::read_pixels() {
  render_frame();
  Pixels pixels;
  SDL_GetRendererOutputSize(renderer_.get(), &pixels.width, &pixels.height);
  pixels.rgb.resize(static_cast<std::size_t>(pixels.width) *
                    static_cast<std::size_t>(pixels.height) * 3);
  // Read before presenting: after SDL_RenderPresent the back buffer's contents are undefined.
  if (SDL_RenderReadPixels(renderer_.get(), nullptr, SDL_PIXELFORMAT_RGB24, pixels.rgb.data(),
                           pixels.width * 3) != 0) {
    return make_error(std::string("cannot read the window's pixels: ") + SDL_GetError());
  }
  SDL_RenderPresent(renderer_.get());
  return pixels;
}

Status BrowserWindow::screenshot(const std::filesystem::path& path) {
  auto pixels = read_pixels();
  if (!pixels) return pixels.error();
  return write_png(path, pixels->rgb, pixels->width, pixels->height);
}

std::uint32_t Pixels::at(int x, int y) const {
  const std::size_t i = (static_cast<std::size_t>(y) * static_cast<std::size_t>(width) +
                         static_cast<std::size_t>(x)) *
                        3;
  return (static_cast<std::uint32_t>(rgb[i]) << 16) |
         (static_cast<std::uint32_t>(rgb[i + 1]) << 8) | rgb[i + 2];
}

}  // namespace miniweb::browser::window
