#pragma once
// The browser's SDL2 window: toolbar (back, forward, reload, address bar), the page drawn
// from the same display list the terminal prints, with SDL2_ttf and DejaVu fonts, its form
// fields drawn as widgets that are clicked and typed into, a status bar that follows the
// journey, and an F12 panel with the last load's waterfall.
//
// A face over the navigator (browser/navigator.hpp), which loads and lays out pages on its own
// thread, measuring with a second set of the same fonts; everything here runs on the thread
// that created the window (SDL's rule).

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "browser/layout/display_list.hpp"
#include "browser/navigator.hpp"
#include "browser/observe/packet_view.hpp"
#include "browser/text_edit.hpp"
#include "browser/trace.hpp"
#include "browser/window/font_set.hpp"
#include "browser/window/sdl_ptr.hpp"

namespace miniweb::browser::window {

struct WindowOptions {
  std::string url;  // the first page; none opens an empty window with the address bar focused
  NavigatorOptions navigator;
  // When set: once the first page has loaded (or failed), write the window as PNG and close.
  std::filesystem::path screenshot;
  int width = 1024;
  int height = 768;
  std::filesystem::path font_dir = kDefaultFontDir;
  // The software renderer; always used under SDL's offscreen driver (headless tests).
  bool software_renderer = false;
  bool hidden = false;   // no window shown on screen (tests, benchmarks)
  bool packets = false;  // capture each load for the F12 panel's packets tab (--packets)
  observe::WatchSettings watch;
};

// Opens the window and runs it until it is closed. Returns 0, or with a screenshot the
// terminal's exit code for the load (60 for a refused certificate...), or 1 when the
// window or the screenshot could not be made.
int run_window(const WindowOptions& options);

struct Pixels {
  int width = 0;
  int height = 0;
  std::vector<std::uint8_t> rgb;         // row after row, 3 bytes a pixel
  std::uint32_t at(int x, int y) const;  // 0xRRGGBB
};

class BrowserWindow {
 public:
  // Initialises SDL's video and SDL_ttf; one BrowserWindow at a time.
  static Result<std::unique_ptr<BrowserWindow>> create(const WindowOptions& options);
  ~BrowserWindow();
  BrowserWindow(const BrowserWindow&) = delete;
  BrowserWindow& operator=(const BrowserWindow&) = delete;

  // As the address bar takes it: a bare name means https. Adds to history.
  void navigate(const std::string& typed);
  // A page that came from a POST is loaded again only once the user answers the question
  // bar's "Send the form again?" with y.
  void back();
  void forward();
  void reload();
  // Shows HTML without the network, as if loaded from url (tests, the bench).
  void show_html(const std::string& html, const std::string& url);

  // One turn of the UI: queued events, a finished load, a frame when something changed.
  // False once the window has been closed.
  bool pump();
  // Pumps until no load is in progress; false on timeout.
  bool wait_until_loaded(std::chrono::milliseconds timeout);
  void handle_event(const SDL_Event& event);
  // Draws a frame and shows it.
  void draw();
  Result<Pixels> read_pixels();
  Status screenshot(const std::filesystem::path& path);

  // What tests and the bench look at.
  const AddressBar& address_bar() const { return address_; }
  bool address_focused() const { return address_focused_; }
  std::string page_url() const;
  const std::string& status_text() const { return status_; }
  std::string status_bar_text() const;
  const layout::DisplayList& display_list() const;
  bool showing_error() const { return showing_error_; }
  // The terminal's exit code for the last load that failed (60: certificate refused), or 0.
  int last_error_code() const { return last_error_code_; }
  int loads_finished() const { return loads_finished_; }
  bool loading() const { return navigator_.busy(); }
  // Where link number `link` (1-based) shows now, in window coordinates, if it is visible.
  std::optional<SDL_Rect> link_rect(int link) const;
  SDL_Rect address_rect() const;
  enum class Button { Back, Forward, Reload };
  SDL_Rect button_rect(Button button) const;
  SDL_Rect content_rect() const;
  int scroll_y() const { return scroll_y_; }
  int max_scroll() const;
  void scroll_to(int y);
  bool trace_panel_open() const { return trace_open_; }
  bool packets_tab_shown() const { return trace_open_ && packets_tab_; }
  const std::string& packets_text() const { return packets_.text(); }
  // Closing: the connections kept alive are closed while watched; the ladder, with the close.
  const std::string& packets_on_close() {
    packets_.close_connections(navigator_);
    return packets_.text();
  }
  const Trace& trace() const { return trace_; }
  // Forms (field_input.cpp): the focused field (its index in DisplayList::fields) or -1; where
  // field `field` shows now, in window coordinates; the question or prompt the bar at the
  // bottom asks (empty when none); the field whose option list is open, or -1.
  int focused_field() const { return focused_field_; }
  std::optional<SDL_Rect> field_rect(int field) const;
  std::string question_text() const { return question_ ? question_->text : std::string(); }
  int open_select() const { return open_select_; }
  const Page* page() const { return page_ ? &*page_ : nullptr; }
  SDL_Window* sdl_window() const { return window_.get(); }
  std::uint32_t window_id() const { return SDL_GetWindowID(window_.get()); }
  std::size_t cached_textures() const { return text_cache_.size(); }

 private:
  struct SdlSession {
    SdlSession() = default;
    SdlSession(const SdlSession&) = delete;
    SdlSession& operator=(const SdlSession&) = delete;
    ~SdlSession();
  };
  BrowserWindow(const WindowOptions& options, std::unique_ptr<SdlSession> session,
                std::shared_ptr<const FontSet> fonts, std::shared_ptr<const FontSet> load_fonts,
                WindowPtr window, RendererPtr renderer, std::uint32_t wake_event);

  struct CachedText {
    TexturePtr texture;
    int width = 0;
    int height = 0;
  };
  void load(const NavigationRequest& request);
  enum class Move { Back, Forward, Reload };
  void go_in_history(Move move);
  void apply(LoadOutcome outcome);
  void show_page(Page page);
  void show_error(const Error& error, const Url& url);
  Viewport viewport(std::shared_ptr<const layout::TextMeasurer> measurer) const;
  void relayout();
  void follow_link(int link);
  std::optional<std::string> link_url(int link) const;
  int link_at(int x, int y) const;
  std::optional<Button> button_at(int x, int y) const;
  void focus_address(bool select_all);
  void handle_key(const SDL_KeyboardEvent& key);
  bool handle_address_key(const SDL_KeyboardEvent& key);
  void update_hover(int x, int y);
  void scroll_by(int dy);
  std::size_t address_offset_at(int x) const;

  void render_frame();
  void draw_toolbar();
  void draw_page();
  void draw_status_bar();
  void draw_trace_panel();

  // --- forms: input (field_input.cpp) and widgets (form_widgets.cpp) ---
  // A question on a bar over the bottom of the page: y/n, or a line to type (a file's path).
  struct Question {
    std::string text;
    std::function<void()> yes;
    std::function<void()> no;
    bool typed = false;  // a prompt: Enter gives `answered` what was typed
    TextEdit answer;
    std::function<void(const std::string&)> answered;
  };
  void ask(std::string text, std::function<void()> yes, std::function<void()> no = {});
  void answer_question(bool yes);
  bool handle_question_key(const SDL_KeyboardEvent& key);
  bool click_question(int x, int y);
  SDL_Rect question_rect() const;
  std::vector<std::string> question_lines() const;  // its words, wrapped beside its buttons
  SDL_Rect question_button(bool yes) const;
  bool handle_field_key(const SDL_KeyboardEvent& key);
  bool type_into_field(const char* utf8);
  bool click_field(int x, int y);
  int field_at(int x, int y) const;
  void focus_field(int field);
  void focus_next_field(bool backwards);
  void use_field(int field);
  void submit_field(int field);
  void field_changed(const Status& done);
  std::optional<SDL_Rect> option_list_rect() const;
  void draw_fields(int origin_x, int origin_y);
  void draw_field(int field, const SDL_Rect& box);
  void draw_text_field(int field, const SDL_Rect& box, const forms::FormControl& control);
  void draw_button(const SDL_Rect& box, const std::string& label, bool enabled);
  void draw_option_list();
  void draw_question_bar();
  void draw_packets_panel(const SDL_Rect& panel);
  void next_panel_tab();  // F12
  // The wheel over the packets tab scrolls it; false when the pointer is elsewhere.
  bool scroll_panel(int wheel);
  const CachedText* text(TTF_Font* font, const std::string& utf8, SDL_Color color);
  void draw_text(TTF_Font* font, const std::string& utf8, SDL_Color color, int x, int y);
  void fill(const SDL_Rect& rect, SDL_Color color);
  void outline(const SDL_Rect& rect, SDL_Color color);
  int toolbar_height() const;
  int trace_panel_height() const;

  std::unique_ptr<SdlSession> session_;  // first: SDL outlives every SDL object below
  WindowOptions options_;
  WindowPtr window_;
  RendererPtr renderer_;
  std::shared_ptr<const FontSet> fonts_;
  std::shared_ptr<const TtfMeasurer> measurer_;
  // The navigator's own: it lays pages out on its thread with fonts of its own.
  std::shared_ptr<const TtfMeasurer> load_measurer_;
  CursorPtr arrow_cursor_;
  CursorPtr hand_cursor_;
  CursorPtr text_cursor_;
  std::uint32_t wake_event_ = 0;
  Navigator navigator_;

  // The page shown (or the error page of the load that failed), with its history in the
  // navigator.
  std::optional<Page> page_;
  bool showing_error_ = false;
  int last_error_code_ = 0;
  Trace trace_;
  int scroll_y_ = 0;
  int loads_finished_ = 0;

  AddressBar address_;
  bool address_focused_ = false;
  bool selecting_address_ = false;  // the button went down in the address bar and is held
  int hovered_link_ = -1;
  int pressed_link_ = -1;
  std::optional<Button> pressed_button_;
  bool trace_open_ = false;
  bool packets_tab_ = false;    // F12 goes: closed, the waterfall, the packets, closed
  int packets_first_line_ = 0;  // the packets tab's scroll, in lines
  observe::PacketView packets_;
  std::string status_;
  std::string shown_progress_;
  bool dirty_ = true;
  bool closed_ = false;

  std::unordered_map<std::string, CachedText> text_cache_;

  int focused_field_ = -1;
  TextEdit field_edit_{TextEdit::Lines::Many};  // the focused text field's text and cursor
  int open_select_ = -1;                        // the select whose option list is open
  std::optional<Question> question_;
};

}  // namespace miniweb::browser::window
