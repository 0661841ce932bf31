#include "browser/window/browser_window.hpp"

#include <algorithm>

#include "browser/error_page.hpp"
#include "browser/exit_codes.hpp"
#include "browser/page_info.hpp"
#include "browser/window/window_style.hpp"

namespace miniweb::browser::window {

namespace {

std::string first_line(const std::string& text) {
  return text.substr(0, text.find('\n'));
}

bool driver_is_offscreen() {
  const char* driver = SDL_GetCurrentVideoDriver();
  return driver != nullptr && std::string_view(driver) == "offscreen";
}

}  // namespace

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
  // Two sets of the same fonts: FreeType's faces serve one thread each, and the navigator lays
  // pages out on its own.
  auto fonts = FontSet::open(options.font_dir);
  if (!fonts) return fonts.error();
  auto load_fonts = FontSet::open(options.font_dir);
  if (!load_fonts) return load_fonts.error();

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
  return std::unique_ptr<BrowserWindow>(new BrowserWindow(
      options, std::move(session), std::make_shared<const FontSet>(std::move(*fonts)),
      std::make_shared<const FontSet>(std::move(*load_fonts)), std::move(window),
      std::move(renderer), wake_event));
}

BrowserWindow::BrowserWindow(const WindowOptions& options, std::unique_ptr<SdlSession> session,
                             std::shared_ptr<const FontSet> fonts,
                             std::shared_ptr<const FontSet> load_fonts, WindowPtr window,
                             RendererPtr renderer, std::uint32_t wake_event)
    : session_(std::move(session)),
      options_(options),
      window_(std::move(window)),
      renderer_(std::move(renderer)),
      fonts_(std::move(fonts)),
      measurer_(std::make_shared<TtfMeasurer>(fonts_)),
      load_measurer_(std::make_shared<TtfMeasurer>(std::move(load_fonts))),
      arrow_cursor_(SDL_CreateSystemCursor(SDL_SYSTEM_CURSOR_ARROW)),
      hand_cursor_(SDL_CreateSystemCursor(SDL_SYSTEM_CURSOR_HAND)),
      text_cursor_(SDL_CreateSystemCursor(SDL_SYSTEM_CURSOR_IBEAM)),
      wake_event_(wake_event),
      navigator_(options.navigator),
      packets_(options.packets, options.navigator.dns.recursive, options.watch) {
  navigator_.on_news([wake_event] {
    // SDL_PushEvent is safe from any thread; it only wakes the UI's loop.
    SDL_Event event{};
    event.type = wake_event;
    SDL_PushEvent(&event);
  });
  SDL_StartTextInput();
}

BrowserWindow::~BrowserWindow() {
  SDL_StopTextInput();
}

// --- navigation -----------------------------------------------------------------------------

Viewport BrowserWindow::viewport(std::shared_ptr<const layout::TextMeasurer> measurer) const {
  const SDL_Rect content = content_rect();
  return Viewport{.measurer = std::move(measurer),
                  .width = std::max(100, content.w - 2 * kPad - kScrollbarWidth),
                  .unit = "px",
                  .number_links = false};
}

void BrowserWindow::navigate(const std::string& typed) {
  auto url = Navigator::interpret(typed);
  if (!url) {
    navigator_.stop();
    address_.set_text(typed);
    address_focused_ = false;
    const Error error = make_error("'" + typed + "' is not a URL: " + url.error().message,
                                   exit_code::kUrlMalformed);
    show_error(error, own_page_url("invalid"));
    ++loads_finished_;
    return;
  }
  navigator_.history().visit(*url);
  load(NavigationRequest::get(*url));
}

void BrowserWindow::back() {
  if (navigator_.history().back()) go_in_history(Move::Back);
}

void BrowserWindow::forward() {
  if (navigator_.history().forward()) go_in_history(Move::Forward);
}

void BrowserWindow::reload() {
  if (navigator_.history().current()) go_in_history(Move::Reload);
}

void BrowserWindow::load(const NavigationRequest& request) {
  address_.set_text(request.url.to_string());
  address_focused_ = false;
  hovered_link_ = -1;
  question_.reset();
  LoadObserver* watcher = packets_.begin();
  packets_.started(navigator_.start(request, viewport(load_measurer_), watcher));
  status_.clear();
  dirty_ = true;
}

void BrowserWindow::show_html(const std::string& html, const std::string& url) {
  navigator_.stop();
  auto parsed = Navigator::interpret(url);
  Url where = parsed ? *parsed : Url{};
  if (parsed) {
    const Url* current = navigator_.history().current();
    if (!current || current->to_string() != parsed->to_string())
      navigator_.history().visit(*parsed);
  }
  address_.set_text(url);
  showing_error_ = false;
  trace_ = Trace();
  show_page(page_from_html(where, html, viewport(measurer_)));
  status_ = "Done";
  ++loads_finished_;
}

void BrowserWindow::apply(LoadOutcome outcome) {
  trace_ = std::move(outcome.trace);
  packets_.end(outcome.number, trace_);
  packets_first_line_ = 0;
  if (!outcome.page) {
    const Error& error = outcome.page.error();
    show_error(error, outcome.requested);
    status_ = "Failed: " + first_line(error.message);
  } else {
    Page& page = *outcome.page;
    last_error_code_ = 0;
    showing_error_ = false;
    status_ = "Done: " + std::to_string(page.status) + " " + page.reason + ", " +
              std::to_string(page.content.source().size()) + " bytes in " +
              format_duration(trace_.elapsed());
    // After redirects the history and the address bar show where the page really is, and
    // the request as sent last (after a POST answered 303, the GET it led to).
    navigator_.history().replace_current(page.request);
    show_page(std::move(page));
  }
  if (!address_focused_) address_.set_text(page_url());
  ++loads_finished_;
}

void BrowserWindow::show_error(const Error& error, const Url& url) {
  last_error_code_ = error.code;
  showing_error_ = true;
  status_ = first_line(error.message);
  show_page(page_from_html(url, error_page_html(error, url.to_string()), viewport(measurer_)));
}

void BrowserWindow::show_page(Page page) {
  page_ = std::move(page);
  scroll_y_ = 0;
  hovered_link_ = -1;
  focused_field_ = -1;
  open_select_ = -1;
  // A page laid out for another width (the window was resized while it loaded) is laid out
  // again.
  if (page_->layout.width != viewport(measurer_).width) relayout();
  const std::string& title = page_->layout.title;
  const std::string window_title = title.empty() ? std::string("miniweb") : title + " — miniweb";
  SDL_SetWindowTitle(window_.get(), window_title.c_str());
  scroll_to(0);
  dirty_ = true;
}

void BrowserWindow::relayout() {
  if (page_) Navigator::lay_out(*page_, viewport(measurer_));
  scroll_to(scroll_y_);
  dirty_ = true;
}

const layout::DisplayList& BrowserWindow::display_list() const {
  static const layout::DisplayList kEmpty;
  return page_ ? page_->layout : kEmpty;
}

std::string BrowserWindow::page_url() const {
  return page_ ? page_->url.to_string() : std::string();
}

std::optional<std::string> BrowserWindow::link_url(int link) const {
  if (!page_) return std::nullopt;
  auto target = link_target(*page_, link);
  if (!target) return std::nullopt;
  return target->to_string();
}

void BrowserWindow::follow_link(int link) {
  if (auto url = link_url(link)) navigate(*url);
}

// --- the UI loop ------------------------------------------------------------------------------

bool BrowserWindow::pump() {
  SDL_Event event;
  while (SDL_PollEvent(&event)) handle_event(event);
  if (auto outcome = navigator_.take_outcome()) {
    apply(std::move(*outcome));
    dirty_ = true;
  }
  // A profile write that ended after the load did joins its waterfall (the writer woke us).
  if (navigator_.note_profile_writes(trace_)) dirty_ = true;
  if (navigator_.busy()) {
    std::string progress = navigator_.progress();
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
    if (!navigator_.busy()) {
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
      if (!scroll_panel(event.wheel.y)) scroll_by(-event.wheel.y * kWheelStep);
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
      if (click_question(x, y)) return;
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
      if (click_field(x, y)) return;
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
      if (type_into_field(event.text.text)) return;
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
  if (handle_question_key(key)) return;  // a question waits for its answer first
  // The shortcuts that work wherever the focus is.
  if ((ctrl && code == SDLK_l) || code == SDLK_F6) return focus_address(true);
  if (alt && code == SDLK_LEFT) return back();
  if (alt && code == SDLK_RIGHT) return forward();
  if (code == SDLK_F5 || (ctrl && code == SDLK_r)) return reload();
  if (code == SDLK_F12) return next_panel_tab();
  if (address_focused_ && handle_address_key(key)) return;
  if (handle_field_key(key)) return;
  const int page = std::max(kLineStep, content_rect().h - trace_panel_height() - kLineStep);
  switch (code) {
    case SDLK_ESCAPE:
      if (navigator_.busy()) {
        navigator_.stop();
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
      address_.set_text(page_url());
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
  return std::max(0, display_list().height - view);
}

// --- geometry ------------------------------------------------------------------------------

int BrowserWindow::toolbar_height() const {
  const bool insecure = page_ && !page_->security.insecure_warning.empty();
  return kToolbarHeight + (insecure ? kBannerHeight : 0);
}

SDL_Rect BrowserWindow::content_rect() const {
  int w = 0;
  int h = 0;
  SDL_GetRendererOutputSize(renderer_.get(), &w, &h);
  const int top = toolbar_height();
  return SDL_Rect{0, top, w, std::max(0, h - top - kStatusHeight)};
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
  TTF_Font* font = fonts_->ui_font(kUiFontSize);
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
  for (const layout::TextRun& run : display_list().runs) {
    if (run.link <= 0 || page_y < run.y) continue;
    if (page_y >= run.y + measurer_->line_height(run.style)) continue;
    if (page_x >= run.x && page_x < run.x + measurer_->text_width(run.text, run.style))
      return run.link;
  }
  return -1;
}

std::optional<SDL_Rect> BrowserWindow::link_rect(int link) const {
  const SDL_Rect content = content_rect();
  for (const layout::TextRun& run : display_list().runs) {
    if (run.link != link || run.text.empty()) continue;
    SDL_Rect rect{run.x + kPad, run.y + content.y + kPad - scroll_y_,
                  measurer_->text_width(run.text, run.style), measurer_->line_height(run.style)};
    if (rect.y >= content.y && rect.y + rect.h <= content.y + content.h - trace_panel_height())
      return rect;
  }
  return std::nullopt;
}

}  // namespace miniweb::browser::window
