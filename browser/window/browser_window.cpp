#include "browser/window/browser_window.hpp"

#include <algorithm>
#include <cstdlib>
#include <iostream>

#include "browser/layout/layout.hpp"
#include "browser/session.hpp"
#include "browser/window/page_content.hpp"
#include "browser/window/png.hpp"

namespace miniweb::browser::window {

namespace {

// Geometry, in pixels.
constexpr int kToolbarHeight = 44;
constexpr int kBannerHeight = 26;
constexpr int kStatusHeight = 24;
constexpr int kButtonSize = 30;
constexpr int kPad = 8;
constexpr int kScrollbarWidth = 12;
constexpr int kLineStep = 40;       // arrow keys
constexpr int kWheelStep = 3 * 20;  // one wheel notch: three lines of body text
constexpr int kUiFontSize = 14;

// Colours: the classic browser palette (Mosaic's and Netscape's defaults).
constexpr SDL_Color kPageBackground{255, 255, 255, 255};
constexpr SDL_Color kText{24, 24, 24, 255};
constexpr SDL_Color kLink{0, 0, 238, 255};
constexpr SDL_Color kChrome{232, 234, 237, 255};
constexpr SDL_Color kChromeBorder{190, 193, 198, 255};
constexpr SDL_Color kField{255, 255, 255, 255};
constexpr SDL_Color kFocus{26, 115, 232, 255};
constexpr SDL_Color kSelection{179, 215, 255, 255};
constexpr SDL_Color kDisabled{160, 160, 160, 255};
constexpr SDL_Color kStatusBackground{245, 245, 245, 255};
constexpr SDL_Color kPreBackground{246, 246, 246, 255};
constexpr SDL_Color kWarning{197, 34, 31, 255};
constexpr SDL_Color kWhite{255, 255, 255, 255};
constexpr SDL_Color kScrollThumb{193, 193, 193, 255};

SDL_Color phase_colour(const std::string& phase) {
  if (phase == "dns") return {0, 137, 123, 255};
  if (phase == "tcp") return {239, 108, 0, 255};
  if (phase == "tls") return {123, 31, 162, 255};
  if (phase == "http") return {46, 125, 50, 255};
  if (phase == "parse" || phase == "layout") return {21, 101, 192, 255};
  return {117, 117, 117, 255};
}

bool inside(const SDL_Rect& rect, int x, int y) {
  return x >= rect.x && x < rect.x + rect.w && y >= rect.y && y < rect.y + rect.h;
}

std::string first_line(const std::string& text) {
  return text.substr(0, text.find('\n'));
}

// As the terminal takes what was typed: a URL, a local file, or a bare host name (https).
Result<Url> parse_typed(const std::string& typed) {
  std::string text = typed;
  while (!text.empty() && text.front() == ' ') text.erase(0, 1);
  while (!text.empty() && text.back() == ' ') text.pop_back();
  return Session::interpret(text);
}

bool driver_is_offscreen() {
  const char* driver = SDL_GetCurrentVideoDriver();
  return driver != nullptr && std::string_view(driver) == "offscreen";
}

}  // namespace

std::uint32_t Pixels::at(int x, int y) const {
  const std::size_t i = (static_cast<std::size_t>(y) * static_cast<std::size_t>(width) +
                         static_cast<std::size_t>(x)) *
                        3;
  return (static_cast<std::uint32_t>(rgb[i]) << 16) |
         (static_cast<std::uint32_t>(rgb[i + 1]) << 8) | rgb[i + 2];
}

BrowserWindow::SdlSession::~SdlSession() {
  TTF_Quit();
  SDL_Quit();
}

Result<std::unique_ptr<BrowserWindow>> BrowserWindow::create(const WindowOptions& options) {
  if (SDL_Init(SDL_INIT_VIDEO) != 0) {
    return make_error(
        std::string("cannot open a window: ") + SDL_GetError() +
        " (no display? set DISPLAY, or SDL_VIDEODRIVER=offscreen for a headless run)");
  }
  auto session = std::make_unique<SdlSession>();
  if (TTF_Init() != 0) return make_error(std::string("cannot start SDL_ttf: ") + TTF_GetError());
  auto fonts = FontSet::open(options.font_dir);
  if (!fonts) return fonts.error();

  // No SDL_WINDOW_ALLOW_HIGHDPI: mouse events and drawing then share one coordinate space.
  Uint32 flags = SDL_WINDOW_RESIZABLE;
  flags |= options.hidden ? SDL_WINDOW_HIDDEN : SDL_WINDOW_SHOWN;
  WindowPtr window(SDL_CreateWindow("miniweb", SDL_WINDOWPOS_UNDEFINED, SDL_WINDOWPOS_UNDEFINED,
                                    options.width, options.height, flags));
  if (!window) return make_error(std::string("cannot create the window: ") + SDL_GetError());
  const bool software = options.software_renderer || driver_is_offscreen();
  // Without this SDL draws the software renderer's frame through an OpenGL texture, which
  // loads Mesa even for an offscreen window.
  if (software) SDL_SetHint(SDL_HINT_FRAMEBUFFER_ACCELERATION, "0");
  RendererPtr renderer;
  if (!software) {
    renderer.reset(SDL_CreateRenderer(window.get(), -1, SDL_RENDERER_ACCELERATED));
  }
  // No GPU (or a headless run): SDL's own software renderer draws the same frame.
  if (!renderer) renderer.reset(SDL_CreateRenderer(window.get(), -1, SDL_RENDERER_SOFTWARE));
  if (!renderer) return make_error(std::string("cannot create a renderer: ") + SDL_GetError());
  SDL_SetRenderDrawBlendMode(renderer.get(), SDL_BLENDMODE_BLEND);

  const Uint32 wake_event = SDL_RegisterEvents(1);
  if (wake_event == static_cast<Uint32>(-1)) return make_error("SDL has no user events left");
  return std::unique_ptr<BrowserWindow>(new BrowserWindow(options, std::move(session),
                                                          std::move(*fonts), std::move(window),
                                                          std::move(renderer), wake_event));
}

BrowserWindow::BrowserWindow(const WindowOptions& options, std::unique_ptr<SdlSession> session,
                             FontSet fonts, WindowPtr window, RendererPtr renderer,
                             std::uint32_t wake_event)
    : session_(std::move(session)),
      options_(options),
      window_(std::move(window)),
      renderer_(std::move(renderer)),
      fonts_(std::move(fonts)),
      measurer_(fonts_),
      arrow_cursor_(SDL_CreateSystemCursor(SDL_SYSTEM_CURSOR_ARROW)),
      hand_cursor_(SDL_CreateSystemCursor(SDL_SYSTEM_CURSOR_HAND)),
      text_cursor_(SDL_CreateSystemCursor(SDL_SYSTEM_CURSOR_IBEAM)),
      wake_event_(wake_event),
      fetcher_(options.resolver, options.loader, [wake_event] {
        // SDL_PushEvent is safe from any thread; it only wakes the UI's loop.
        SDL_Event event{};
        event.type = wake_event;
        SDL_PushEvent(&event);
      }) {
  SDL_StartTextInput();
  relayout();
}

BrowserWindow::~BrowserWindow() {
  SDL_StopTextInput();
}

// --- navigation -----------------------------------------------------------------------------

void BrowserWindow::navigate(const std::string& typed) {
  if (!history_.empty() && history_index_ + 1 < history_.size()) {
    history_.erase(history_.begin() + static_cast<std::ptrdiff_t>(history_index_) + 1,
                   history_.end());
  }
  history_.push_back(typed);
  history_index_ = history_.size() - 1;
  load_current();
}

void BrowserWindow::back() {
  if (history_index_ == 0 || history_.empty()) return;
  --history_index_;
  load_current();
}

void BrowserWindow::forward() {
  if (history_index_ + 1 >= history_.size()) return;
  ++history_index_;
  load_current();
}

void BrowserWindow::reload() {
  if (!history_.empty()) load_current();
}

void BrowserWindow::load_current() {
  const std::string& typed = history_[history_index_];
  address_.set_text(typed);
  address_focused_ = false;
  hovered_link_ = -1;
  auto url = parse_typed(typed);
  if (!url) {
    fetcher_.stop();
    Error error = make_error("'" + typed + "' is not a URL: " + url.error().message, 3);
    last_error_code_ = error.code;
    page_url_.reset();
    set_page_document(html::parse_html(error_page_html(error, typed)));
    showing_error_ = true;
    status_ = first_line(error.message);
    ++loads_finished_;
    return;
  }
  fetcher_.start(*url);
  status_.clear();
  dirty_ = true;
}

void BrowserWindow::show_html(const std::string& html, const std::string& url) {
  fetcher_.stop();
  auto parsed = parse_typed(url);
  page_url_.reset();
  if (parsed) page_url_ = *parsed;
  if (history_.empty() || history_[history_index_] != url) {
    if (!history_.empty()) history_.resize(history_index_ + 1);
    history_.push_back(url);
    history_index_ = history_.size() - 1;
  }
  address_.set_text(url);
  insecure_warning_.clear();
  showing_error_ = false;
  trace_ = Trace();
  set_page_document(html::parse_html(html));
  status_ = "Done";
  ++loads_finished_;
}

void BrowserWindow::apply(FetchOutcome outcome) {
  trace_ = std::move(outcome.trace);
  insecure_warning_.clear();
  if (!outcome.page) {
    const Error& error = outcome.page.error();
    last_error_code_ = error.code;
    page_url_ = outcome.requested;
    showing_error_ = true;
    set_page_document(html::parse_html(error_page_html(error, outcome.requested.to_string())));
    status_ = "Failed: " + first_line(error.message);
  } else {
    Page& page = *outcome.page;
    last_error_code_ = 0;
    page_url_ = page.url;
    showing_error_ = false;
    insecure_warning_ = page.insecure_warning;
    const std::size_t step = trace_.begin(
        "layout", "layout at " + std::to_string(content_rect().w) + " px with DejaVu fonts");
    set_page_document(outcome.document ? std::move(*outcome.document) : html::Document{});
    trace_.finish(step, std::to_string(list_.runs.size()) + " text runs, " +
                            std::to_string(list_.links.size()) + " links, " +
                            std::to_string(list_.height) + " px");
    status_ = "Done: " + std::to_string(page.response.status) + " " + page.response.reason + ", " +
              std::to_string(page.response.body.size()) + " bytes in " +
              format_duration(trace_.elapsed());
  }
  // After redirects the history and the address bar show where the page really is.
  history_[history_index_] = page_url_->to_string();
  if (!address_focused_) address_.set_text(history_[history_index_]);
  ++loads_finished_;
}

void BrowserWindow::set_page_document(html::Document document) {
  document_ = std::move(document);
  scroll_y_ = 0;
  hovered_link_ = -1;
  relayout();
  const std::string title =
      list_.title.empty() ? std::string("miniweb") : list_.title + " — miniweb";
  SDL_SetWindowTitle(window_.get(), title.c_str());
}

void BrowserWindow::relayout() {
  const SDL_Rect content = content_rect();
  const int width = std::max(100, content.w - 2 * kPad - kScrollbarWidth);
  if (document_) {
    list_ = layout::layout_document(*document_, measurer_, width);
    strip_link_numbers(list_, measurer_);
  } else {
    list_ = layout::DisplayList{};
  }
  scroll_to(scroll_y_);
  dirty_ = true;
}

std::string BrowserWindow::page_url() const {
  return page_url_ ? page_url_->to_string() : std::string();
}

std::optional<std::string> BrowserWindow::link_url(int link) const {
  if (link < 1 || static_cast<std::size_t>(link) > list_.links.size()) return std::nullopt;
  const std::string& href = list_.links[static_cast<std::size_t>(link) - 1];
  if (!page_url_) return href;
  Url base = *page_url_;
  if (!list_.base_href.empty()) {
    if (auto declared = page_url_->resolve(list_.base_href)) base = *declared;
  }
  auto absolute = base.resolve(href);
  return absolute ? absolute->to_string() : href;
}

void BrowserWindow::follow_link(int link) {
  if (auto url = link_url(link)) navigate(*url);
}

// --- the UI loop ------------------------------------------------------------------------------

bool BrowserWindow::pump() {
  SDL_Event event;
  while (SDL_PollEvent(&event)) handle_event(event);
  if (auto outcome = fetcher_.take_outcome()) {
    apply(std::move(*outcome));
    dirty_ = true;
  }
  if (fetcher_.busy()) {
    std::string progress = fetcher_.progress();
    if (progress != shown_progress_) {
      shown_progress_ = std::move(progress);
      dirty_ = true;
    }
  } else if (!shown_progress_.empty()) {
    shown_progress_.clear();
    dirty_ = true;
  }
  if (dirty_ && !closed_) draw();
  return !closed_;
}

bool BrowserWindow::wait_until_loaded(std::chrono::milliseconds timeout) {
  const auto until = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < until) {
    if (!pump()) return false;
    if (!fetcher_.busy()) {
      pump();  // the outcome that ended the load
      return true;
    }
    SDL_WaitEventTimeout(nullptr, 20);
  }
  return false;
}

void BrowserWindow::handle_event(const SDL_Event& event) {
  switch (event.type) {
    case SDL_QUIT:
      closed_ = true;
      return;
    case SDL_WINDOWEVENT:
      if (event.window.event == SDL_WINDOWEVENT_CLOSE) closed_ = true;
      if (event.window.event == SDL_WINDOWEVENT_SIZE_CHANGED) relayout();
      dirty_ = true;
      return;
    case SDL_MOUSEWHEEL:
      scroll_by(-event.wheel.y * kWheelStep);
      return;
    case SDL_MOUSEMOTION:
      if (selecting_address_ && (event.motion.state & SDL_BUTTON_LMASK) != 0) {
        address_.place_cursor(address_offset_at(event.motion.x), true);  // dragging selects
        dirty_ = true;
      }
      update_hover(event.motion.x, event.motion.y);
      return;
    case SDL_MOUSEBUTTONDOWN: {
      if (event.button.button != SDL_BUTTON_LEFT) return;
      const int x = event.button.x;
      const int y = event.button.y;
      pressed_link_ = -1;
      pressed_button_ = button_at(x, y);
      if (inside(address_rect(), x, y)) {
        const bool extend = (SDL_GetModState() & KMOD_SHIFT) != 0;
        if (!address_focused_) focus_address(false);
        if (event.button.clicks >= 2) {
          address_.select_all();  // a double click takes the whole URL, as browsers do
        } else {
          address_.place_cursor(address_offset_at(x), extend);
          selecting_address_ = true;
        }
        dirty_ = true;
        return;
      }
      if (address_focused_) {
        address_focused_ = false;
        dirty_ = true;
      }
      pressed_link_ = link_at(x, y);
      return;
    }
    case SDL_MOUSEBUTTONUP: {
      if (event.button.button != SDL_BUTTON_LEFT) return;
      selecting_address_ = false;
      const int x = event.button.x;
      const int y = event.button.y;
      if (pressed_button_ && pressed_button_ == button_at(x, y)) {
        switch (*pressed_button_) {
          case Button::Back:
            back();
            break;
          case Button::Forward:
            forward();
            break;
          case Button::Reload:
            reload();
            break;
        }
      } else if (pressed_link_ > 0 && link_at(x, y) == pressed_link_) {
        follow_link(pressed_link_);
      }
      pressed_button_.reset();
      pressed_link_ = -1;
      return;
    }
    case SDL_TEXTINPUT:
      if (address_focused_) {
        address_.insert(event.text.text);
        dirty_ = true;
      }
      return;
    case SDL_KEYDOWN:
      handle_key(event.key);
      return;
    default:
      if (event.type == wake_event_) dirty_ = true;  // pump() takes the news
      return;
  }
}

void BrowserWindow::focus_address(bool select_all) {
  address_focused_ = true;
  if (select_all) address_.select_all();
  dirty_ = true;
}

void BrowserWindow::handle_key(const SDL_KeyboardEvent& key) {
  const SDL_Keycode code = key.keysym.sym;
  const Uint16 mod = key.keysym.mod;
  const bool ctrl = (mod & KMOD_CTRL) != 0;
  const bool alt = (mod & KMOD_ALT) != 0;
  dirty_ = true;
  // The shortcuts that work wherever the focus is.
  if ((ctrl && code == SDLK_l) || code == SDLK_F6) return focus_address(true);
  if (alt && code == SDLK_LEFT) return back();
  if (alt && code == SDLK_RIGHT) return forward();
  if (code == SDLK_F5 || (ctrl && code == SDLK_r)) return reload();
  if (code == SDLK_F12) {
    trace_open_ = !trace_open_;
    return;
  }
  if (address_focused_ && handle_address_key(key)) return;
  const int page = std::max(kLineStep, content_rect().h - trace_panel_height() - kLineStep);
  switch (code) {
    case SDLK_ESCAPE:
      if (fetcher_.busy()) {
        fetcher_.stop();
        status_ = "Stopped";
      }
      break;
    case SDLK_UP:
      scroll_by(-kLineStep);
      break;
    case SDLK_DOWN:
      scroll_by(kLineStep);
      break;
    case SDLK_PAGEUP:
      scroll_by(-page);
      break;
    case SDLK_PAGEDOWN:
    case SDLK_SPACE:
      scroll_by(page);
      break;
    case SDLK_HOME:
      scroll_to(0);
      break;
    case SDLK_END:
      scroll_to(max_scroll());
      break;
    default:
      break;
  }
}

bool BrowserWindow::handle_address_key(const SDL_KeyboardEvent& key) {
  const SDL_Keycode code = key.keysym.sym;
  const Uint16 mod = key.keysym.mod;
  const bool ctrl = (mod & KMOD_CTRL) != 0;
  const bool shift = (mod & KMOD_SHIFT) != 0;
  switch (code) {
    case SDLK_RETURN:
    case SDLK_KP_ENTER:
      if (!address_.text().empty()) navigate(address_.text());
      address_focused_ = false;
      return true;
    case SDLK_ESCAPE:
      address_.set_text(history_.empty() ? std::string() : history_[history_index_]);
      address_focused_ = false;
      return true;
    case SDLK_LEFT:
      address_.move_left(shift, ctrl);
      return true;
    case SDLK_RIGHT:
      address_.move_right(shift, ctrl);
      return true;
    case SDLK_HOME:
      address_.move_home(shift);
      return true;
    case SDLK_END:
      address_.move_end(shift);
      return true;
    case SDLK_BACKSPACE:
      address_.backspace();
      return true;
    case SDLK_DELETE:
      address_.delete_forward();
      return true;
    default:
      break;
  }
  if (!ctrl)
    return code == SDLK_SPACE || code == SDLK_UP || code == SDLK_DOWN;  // typing, not scrolling
  switch (code) {
    case SDLK_a:
      address_.select_all();
      return true;
    case SDLK_c:
    case SDLK_x:
      if (address_.has_selection()) {
        SDL_SetClipboardText(address_.selected_text().c_str());
        if (code == SDLK_x) address_.backspace();
      }
      return true;
    case SDLK_v:
      if (char* pasted = SDL_GetClipboardText()) {
        address_.insert(pasted);
        SDL_free(pasted);
      }
      return true;
    default:
      return false;
  }
}

void BrowserWindow::update_hover(int x, int y) {
  const int link = link_at(x, y);
  SDL_Cursor* cursor = arrow_cursor_.get();
  if (link > 0) {
    cursor = hand_cursor_.get();
  } else if (inside(address_rect(), x, y)) {
    cursor = text_cursor_.get();
  }
  if (cursor != nullptr) SDL_SetCursor(cursor);
  if (link != hovered_link_) {
    hovered_link_ = link;
    dirty_ = true;
  }
}

void BrowserWindow::scroll_by(int dy) {
  scroll_to(scroll_y_ + dy);
}

void BrowserWindow::scroll_to(int y) {
  const int clamped = std::clamp(y, 0, max_scroll());
  if (clamped != scroll_y_) dirty_ = true;
  scroll_y_ = clamped;
}

int BrowserWindow::max_scroll() const {
  const int view = content_rect().h - trace_panel_height() - 2 * kPad;
  return std::max(0, list_.height - view);
}

// --- geometry ------------------------------------------------------------------------------

int BrowserWindow::toolbar_height() const {
  return kToolbarHeight + (insecure_warning_.empty() ? 0 : kBannerHeight);
}

SDL_Rect BrowserWindow::content_rect() const {
  int w = 0;
  int h = 0;
  SDL_GetRendererOutputSize(renderer_.get(), &w, &h);
  const int top = toolbar_height();
  return SDL_Rect{0, top, w, std::max(0, h - top - kStatusHeight)};
}

int BrowserWindow::trace_panel_height() const {
  if (!trace_open_) return 0;
  return content_rect().h * 2 / 5;
}

SDL_Rect BrowserWindow::button_rect(Button button) const {
  const int index = button == Button::Back ? 0 : button == Button::Forward ? 1 : 2;
  return SDL_Rect{kPad + index * (kButtonSize + 4), (kToolbarHeight - kButtonSize) / 2, kButtonSize,
                  kButtonSize};
}

SDL_Rect BrowserWindow::address_rect() const {
  int w = 0;
  int h = 0;
  SDL_GetRendererOutputSize(renderer_.get(), &w, &h);
  const SDL_Rect reload = button_rect(Button::Reload);
  const int x = reload.x + reload.w + kPad;
  return SDL_Rect{x, (kToolbarHeight - kButtonSize) / 2, std::max(50, w - x - kPad), kButtonSize};
}

std::optional<BrowserWindow::Button> BrowserWindow::button_at(int x, int y) const {
  for (Button button : {Button::Back, Button::Forward, Button::Reload}) {
    if (inside(button_rect(button), x, y)) return button;
  }
  return std::nullopt;
}

std::size_t BrowserWindow::address_offset_at(int x) const {
  const SDL_Rect field = address_rect();
  const int target = x - (field.x + kPad);
  TTF_Font* font = fonts_.ui_font(kUiFontSize);
  const std::string& text = address_.text();
  // The boundary nearest the click: measure each prefix (an address is short).
  std::size_t best = 0;
  int best_distance = std::abs(target);
  for (std::size_t i = 1; i <= text.size(); ++i) {
    if (i < text.size() && (static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) continue;
    int width = 0;
    int height = 0;
    TTF_SizeUTF8(font, text.substr(0, i).c_str(), &width, &height);
    if (std::abs(target - width) < best_distance) {
      best_distance = std::abs(target - width);
      best = i;
    }
  }
  return best;
}

int BrowserWindow::link_at(int x, int y) const {
  const SDL_Rect content = content_rect();
  if (!inside(content, x, y) || y >= content.y + content.h - trace_panel_height()) return -1;
  const int page_x = x - kPad;
  const int page_y = y - content.y - kPad + scroll_y_;
  for (const layout::TextRun& run : list_.runs) {
    if (run.link <= 0 || page_y < run.y) continue;
    if (page_y >= run.y + measurer_.line_height(run.style)) continue;
    if (page_x >= run.x && page_x < run.x + measurer_.text_width(run.text, run.style))
      return run.link;
  }
  return -1;
}

std::optional<SDL_Rect> BrowserWindow::link_rect(int link) const {
  const SDL_Rect content = content_rect();
  for (const layout::TextRun& run : list_.runs) {
    if (run.link != link || run.text.empty()) continue;
    SDL_Rect rect{run.x + kPad, run.y + content.y + kPad - scroll_y_,
                  measurer_.text_width(run.text, run.style), measurer_.line_height(run.style)};
    if (rect.y >= content.y && rect.y + rect.h <= content.y + content.h - trace_panel_height())
      return rect;
  }
  return std::nullopt;
}

// --- drawing ------------------------------------------------------------------------------

void BrowserWindow::draw() {
  render_frame();
  SDL_RenderPresent(renderer_.get());
}

void BrowserWindow::render_frame() {
  dirty_ = false;
  fill(SDL_Rect{0, 0, 1 << 15, 1 << 15}, kPageBackground);
  draw_page();
  draw_trace_panel();
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
  for (const layout::TextRun& run : list_.runs) {
    const int y = origin_y + run.y;
    if (y > view_bottom) continue;
    TTF_Font* font = fonts_.font(run.style);
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
  // An error page says so at a glance too: a red rule along its top, as browsers' warnings do.
  if (showing_error_) fill(SDL_Rect{content.x, content.y, content.w, 4}, kWarning);
  // The scroll bar: where the view is in the page.
  const int view = view_bottom - content.y;
  const int total = list_.height + 2 * kPad;
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
  TTF_Font* symbols = fonts_.ui_font(18, true);
  const struct {
    Button button;
    const char* glyph;
    bool enabled;
  } buttons[] = {
      {Button::Back, "\xE2\x86\x90", history_index_ > 0},                       // ←
      {Button::Forward, "\xE2\x86\x92", history_index_ + 1 < history_.size()},  // →
      {Button::Reload, "\xE2\x86\xBB", !history_.empty()},                      // ↻
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
  TTF_Font* font = fonts_.ui_font(kUiFontSize);
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

  if (!insecure_warning_.empty()) {
    fill(SDL_Rect{0, kToolbarHeight, w, kBannerHeight}, kWarning);
    draw_text(fonts_.ui_font(kUiFontSize, true), "Not secure: " + insecure_warning_, kWhite, kPad,
              kToolbarHeight + (kBannerHeight - TTF_FontLineSkip(font)) / 2);
  }
}

std::string BrowserWindow::status_bar_text() const {
  if (hovered_link_ > 0) {
    if (auto url = link_url(hovered_link_)) return *url;
  }
  if (fetcher_.busy()) return shown_progress_.empty() ? std::string("Loading…") : shown_progress_;
  return status_;
}

void BrowserWindow::draw_status_bar() {
  int w = 0;
  int h = 0;
  SDL_GetRendererOutputSize(renderer_.get(), &w, &h);
  const SDL_Rect bar{0, h - kStatusHeight, w, kStatusHeight};
  fill(bar, kStatusBackground);
  fill(SDL_Rect{0, bar.y, w, 1}, kChromeBorder);
  TTF_Font* font = fonts_.ui_font(12);
  std::string line = status_bar_text();
  if (!fetcher_.busy() && hovered_link_ <= 0 && !trace_open_ && trace_.steps().size() > 0) {
    line += "   (F12: trace)";
  }
  SDL_RenderSetClipRect(renderer_.get(), &bar);
  draw_text(font, line, showing_error_ && hovered_link_ <= 0 ? kWarning : kText, kPad,
            bar.y + (kStatusHeight - TTF_FontLineSkip(font)) / 2);
  SDL_RenderSetClipRect(renderer_.get(), nullptr);
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
  TTF_Font* font = fonts_.ui_font(12);
  TTF_Font* bold = fonts_.ui_font(12, true);
  const int row = TTF_FontLineSkip(font) + 4;
  const auto& steps = trace_.steps();
  Trace::Clock::duration total{};
  for (const auto& step : steps) total = std::max(total, step.start + step.duration);
  const double total_ms = std::max(0.001, std::chrono::duration<double, std::milli>(total).count());
  draw_text(bold,
            steps.empty() ? std::string("Trace: nothing loaded yet (F12 closes)")
                          : "Trace of " + page_url() + ": " + std::to_string(steps.size()) +
                                " steps, " + format_duration(total) + " (F12 closes)",
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
    fill(SDL_Rect{x0, y + 3, length, row - 6}, phase_colour(step.phase));
    draw_text(font, format_duration(step.duration), kText, x0 + length + 4, y + 2);
    y += row;
  }
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

// --- the program's entry ---------------------------------------------------------------

int run_window(const WindowOptions& options) {
  // A screenshot needs no screen: without a display, draw offscreen.
  if (!options.screenshot.empty() && std::getenv("DISPLAY") == nullptr &&
      std::getenv("WAYLAND_DISPLAY") == nullptr && std::getenv("SDL_VIDEODRIVER") == nullptr) {
    SDL_SetHint(SDL_HINT_VIDEODRIVER, "offscreen");
  }
  auto created = BrowserWindow::create(options);
  if (!created) {
    std::cerr << "miniweb-browser: " << created.error().message << '\n';
    return 1;
  }
  BrowserWindow& window = **created;
  if (options.url.empty()) {
    SDL_Event focus{};
    focus.type = SDL_KEYDOWN;
    focus.key.keysym.sym = SDLK_l;
    focus.key.keysym.mod = KMOD_LCTRL;
    window.handle_event(focus);
  } else {
    window.navigate(options.url);
  }
  if (!options.screenshot.empty()) {
    // Headless use: load, draw, write, close. A load has its own timeouts, so this ends.
    while (!options.url.empty() && (window.loading() || window.loads_finished() == 0)) {
      if (!window.pump()) return 1;
      SDL_WaitEventTimeout(nullptr, 50);
    }
    window.pump();
    if (Status written = window.screenshot(options.screenshot); !written) {
      std::cerr << "miniweb-browser: " << written.error().message << '\n';
      return 1;
    }
    if (window.showing_error()) {
      std::cerr << "miniweb-browser: " << window.status_text() << '\n';
      return window.last_error_code() != 0 ? window.last_error_code() : 1;
    }
    return 0;
  }
  while (window.pump()) SDL_WaitEventTimeout(nullptr, 100);
  return 0;
}

}  // namespace miniweb::browser::window
