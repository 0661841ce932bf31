#include "browser/terminal/full_screen.hpp"

#include <iostream>
#include <unordered_map>

#include "browser/error_page.hpp"
#include "browser/exit_codes.hpp"
#include "browser/form_input.hpp"
#include "browser/layout/utf8.hpp"
#include "browser/page_info.hpp"
#include "browser/terminal/field_editor.hpp"
#include "browser/terminal/page_view.hpp"
#include "browser/terminal/screen.hpp"

namespace miniweb::browser {
namespace {

using terminal::Attributes;
using terminal::EditEnd;
using terminal::EditOutcome;
using terminal::Masking;
using terminal::PageView;
using terminal::Screen;
using terminal::TextLines;
namespace key = terminal::key;

// How often the screen looks for a finished load and the journey's progress while idle.
constexpr int kPollMilliseconds = 50;

constexpr const char* kHelpHtml = R"(<title>Keys</title>
<h1>The keys of miniweb's browser</h1>
<table>
<tr><th align=left>Down, Tab</th><td>the next link or form field (the page scrolls when it is further)</td></tr>
<tr><th align=left>Up, Shift-Tab</th><td>the previous link or field</td></tr>
<tr><th align=left>Enter, Right</th><td>follow the highlighted link; on a form field: type into it (Enter or Tab ends, Escape undoes), toggle a checkbox or radio, choose a select's option from its list, name a file to send, or press the button (a submit button sends the form)</td></tr>
<tr><th align=left>Space</th><td>on a checkbox or radio: toggle it</td></tr>
<tr><th align=left>Left, Backspace</th><td>back (or close this page)</td></tr>
<tr><th align=left>f</th><td>forward</td></tr>
<tr><th align=left>Space, Page Down</th><td>the next screen</td></tr>
<tr><th align=left>b, Page Up</th><td>the previous screen</td></tr>
<tr><th align=left>Home, End</th><td>the top, the bottom of the page</td></tr>
<tr><th align=left>&gt;, &lt;</th><td>shift a page wider than the screen right, left</td></tr>
<tr><th align=left>g</th><td>go to a URL, a host name or a local file</td></tr>
<tr><th align=left>/</th><td>search the page; n finds the next match</td></tr>
<tr><th align=left>\</th><td>the page's source</td></tr>
<tr><th align=left>=</th><td>the page's information: URL, status, TLS, certificate chain</td></tr>
<tr><th align=left>t</th><td>the journey of the last load: every step, timed</td></tr>
<tr><th align=left>p</th><td>the packets of the last load: a ladder of every segment, datagram and TLS message, with each end's TCP state (start with --packets)</td></tr>
<tr><th align=left>r</th><td>reload (a page that came from a form asks before sending it again)</td></tr>
<tr><th align=left>Escape</th><td>stop the load in progress</td></tr>
<tr><th align=left>q</th><td>quit</td></tr>
</table>
)";

// The part of `line` from cell `column`, `cells` wide.
std::string_view cells_of(std::string_view line, int column, int cells) {
  std::size_t pos = 0;
  std::size_t start = std::string_view::npos;
  for (int at = 0; pos < line.size();) {
    if (at == column && start == std::string_view::npos) start = pos;
    if (at >= column + cells) break;
    at += layout::code_point_width(layout::decode_utf8(line, pos));
  }
  if (start == std::string_view::npos) return {};
  return line.substr(start, pos - start);
}

class FullScreenBrowser {
 public:
  FullScreenBrowser(Navigator& navigator, Screen& screen, observe::PacketView& packets)
      : navigator_(navigator), screen_(screen), packets_(packets) {}

  int run(const std::optional<Url>& start) {
    if (start) {
      go(*start, Visit::New);
    } else {
      show_own_page(own_page_url("keys"), kHelpHtml);
      message_ = "g opens a URL";
    }
    bool dirty = true;
    while (true) {
      if (auto outcome = navigator_.take_outcome()) {
        take(std::move(*outcome));
        dirty = true;
      }
      if (dirty || navigator_.busy() || was_busy_) draw();
      was_busy_ = navigator_.busy();
      const int pressed = screen_.read_key(kPollMilliseconds);
      dirty = pressed != key::kNone;
      if (pressed == key::kNone) continue;
      if (!handle(pressed)) break;
    }
    return exit_code_;
  }

 private:
  Viewport viewport() const {
    // One column short of the screen: writing into the last one moves some terminals' cursor
    // to the next line.
    // Links are shown underlined and highlighted when selected, not numbered, as in lynx.
    return Viewport{.width = std::max(20, screen_.columns() - 1), .number_links = false};
  }
  // Under the title bar, above the link line and the status bar.
  int page_rows() const { return std::max(1, screen_.rows() - 3); }
  Page& shown() { return overlay_ ? *overlay_ : *page_; }

  // --- loads ---

  // `visit`: a new page in the history, or a move within it (back, forward, reload).
  enum class Visit { New, InHistory };
  void go(const Url& url, Visit visit) { go(NavigationRequest::get(url), visit); }
  void go(const NavigationRequest& request, Visit visit) {
    // The view goes back to the page before the page it shows goes: the view points into it.
    if (overlay_) close_overlay();
    // Coming back to this page (Left, f, r) finds it scrolled and highlighted as it was left.
    if (page_) places_[page_->url.to_string()] = view_.place();
    if (visit == Visit::New) navigator_.history().visit(request);
    LoadObserver* watcher = packets_.begin();
    packets_.started(navigator_.start(request, viewport(), watcher));
    message_.clear();
  }

  void take(LoadOutcome outcome) {
    last_trace_ = std::move(outcome.trace);
    packets_.end(outcome.number, last_trace_);
    last_url_ = outcome.requested.to_string();
    overlay_.reset();
    if (outcome.page) {
      exit_code_ = exit_code::kOk;
      // The request as sent last: after a POST answered 303, the GET it led to.
      navigator_.history().replace_current(outcome.page->request);
      page_ = std::move(*outcome.page);
      // The terminal was resized while the page loaded.
      if (page_->layout.width != viewport().width) Navigator::lay_out(*page_, viewport());
    } else {
      const Error& error = outcome.page.error();
      exit_code_ = error.code ? error.code : exit_code::kFailed;
      page_ = page_from_html(outcome.requested, error_page_html(error, last_url_), viewport());
      message_ = error.message;
    }
    view_ = PageView(page_->layout);
    view_.set_height(page_rows());
    view_.set_width(screen_.columns());
    if (auto place = places_.find(page_->url.to_string()); place != places_.end())
      view_.restore(place->second);
  }

  // A page of the browser's own, shown over the page until Left, Backspace or another page.
  void show_overlay(const std::string& html, const Url& url) {
    if (!page_) return show_own_page(url, html);
    if (!overlay_) page_place_ = view_.place();
    overlay_ = page_from_html(url, html, viewport());
    view_ = PageView(overlay_->layout);
    view_.set_height(page_rows());
  }
  void close_overlay() {
    overlay_.reset();
    view_ = PageView(page_->layout);
    view_.set_height(page_rows());
    view_.restore(page_place_);
  }
  // Before any page: the browser's own page takes the page's place.
  void show_own_page(const Url& url, const std::string& html) {
    page_ = page_from_html(url, html, viewport());
    view_ = PageView(page_->layout);
    view_.set_height(page_rows());
  }

  void relayout() {
    const PageView::Place place = view_.place();
    if (page_) Navigator::lay_out(*page_, viewport());
    if (overlay_) Navigator::lay_out(*overlay_, viewport());
    if (!page_) return;
    view_ = PageView(shown().layout);
    view_.set_height(page_rows());
    view_.restore(place);
  }

  // --- keys ---

  bool handle(int pressed) {
    message_.clear();
    switch (pressed) {
      case 'q':
      case 3:  // Ctrl-C
        return false;
      case key::kDown:
      case '\t':
        view_.next_link();
        break;
      case key::kUp:
      case key::kBackTab:
        view_.previous_link();
        break;
      case key::kEnter:
      case key::kRight:
        if (view_.selected_field() >= 0) {
          use_field(view_.selected_field());
        } else {
          follow_selected();
        }
        break;
      case key::kLeft:
      case key::kBackspace:
        if (overlay_) {
          close_overlay();
        } else if (navigator_.history().back()) {
          go_in_history(Move::Back);
        } else {
          message_ = "no page to go back to";
        }
        break;
      case 'f':
        if (navigator_.history().forward()) {
          go_in_history(Move::Forward);
        } else {
          message_ = "no page to go forward to";
        }
        break;
      case 'r':
      case 18:  // Ctrl-R
        if (navigator_.history().current()) go_in_history(Move::Reload);
        break;
      case ' ':
        if (const int field = view_.selected_field();
            field >= 0 && field_control(shown(), field) &&
            field_action(*field_control(shown(), field)) == FieldAction::Toggle) {
          use_field(field);
          break;
        }
        view_.page_down();
        break;
      case key::kPageDown:
        view_.page_down();
        break;
      case 'b':
      case key::kPageUp:
        view_.page_up();
        break;
      case key::kHome:
        view_.to_top();
        break;
      case '>':
        view_.shift_by(screen_.columns() / 2);
        break;
      case '<':
        view_.shift_by(-screen_.columns() / 2);
        break;
      case key::kEnd:
        view_.to_bottom();
        break;
      case 'g':
        prompt_url();
        break;
      case '/':
        prompt_search();
        break;
      case 'n':
        search_again();
        break;
      case '\\':
        if (page_) {
          show_overlay(preformatted_html("Source of " + page_->url.to_string(),
                                         std::string(page_->source())),
                       page_->url);
        }
        break;
      case '=':
        if (page_) show_overlay(page_info_html(*page_), page_->url);
        break;
      case 't':
        // A profile write that ended after the load did is shown with it from now on.
        navigator_.note_profile_writes(last_trace_);
        show_overlay(preformatted_html("The journey of " + last_url_,
                                       last_trace_.steps().empty() ? "Nothing has been loaded yet."
                                                                   : last_trace_.render(last_url_)),
                     own_page_url("journey"));
        break;
      case 'p':
        show_overlay(preformatted_html("The packets of " + last_url_, packets_.text()),
                     own_page_url("packets"));
        break;
      case 'h':
      case '?':
        show_overlay(kHelpHtml, own_page_url("keys"));
        break;
      case key::kEscape:
        if (navigator_.busy()) {
          navigator_.stop();
          message_ = "stopped";
        }
        break;
      case key::kResize:
        relayout();
        break;
      default:
        message_ = "that key does nothing here (h shows the keys)";
        break;
    }
    return true;
  }

  void follow_selected() {
    const int link = view_.selected_link();
    if (!page_ || link == 0) {
      message_ = "no link is highlighted (Tab moves to the next one)";
      return;
    }
    auto target = link_target(shown(), link);
    if (!target) {
      message_ = target.error().message;
      return;
    }
    go(*target, Visit::New);
  }

  // --- history and forms ---

  // The history has moved (or stays, for a reload) to the entry to load. An entry that came
  // from a POST is sent again only when the user says so; otherwise the history goes back to
  // where it was and the page stays.
  enum class Move { Back, Forward, Reload };
  void go_in_history(Move move) {
    History& history = navigator_.history();
    if (auto question = resubmission_for_current(history);
        question && !confirm(screen_, *question)) {
      if (move == Move::Back) history.forward();
      if (move == Move::Forward) history.back();
      message_ = "the form was not sent again";
      return;
    }
    go(*history.current_request(), Visit::InHistory);
  }

  // Enter on a form field: what its kind asks for (form_input.hpp), then the page laid out
  // again to show the field's new state.
  void use_field(int field) {
    Page& page = shown();
    forms::FormControl* control = field_control(page, field);
    if (!control) return;
    const layout::FieldBox& box = page.layout.fields[static_cast<std::size_t>(field)];
    const forms::ControlId id = box.control;
    const FieldAction action = field_action(*control);
    if (action == FieldAction::Submit) return submit(field);
    Status done = Ok{};
    EditEnd end = EditEnd::Cancelled;
    switch (action) {
      case FieldAction::EditText: {
        const terminal::FieldPlace place{1 + box.y - view_.top(), box.x - view_.left(), box.width,
                                         box.height};
        const EditOutcome edited = edit_in_place(
            screen_, place, control->value,
            control->kind == forms::ControlKind::Password ? Masking::Stars : Masking::None,
            control->kind == forms::ControlKind::Textarea ? TextLines::Many : TextLines::One);
        end = edited.end;
        if (end != EditEnd::Cancelled) done = page.forms.set_text(id, edited.text);
        break;
      }
      case FieldAction::Toggle:
        done = page.forms.toggle(id);
        break;
      case FieldAction::PickOption: {
        const terminal::FieldPlace place{1 + box.y - view_.top(), box.x - view_.left(), box.width,
                                         box.height};
        if (auto option = pick_option(screen_, place, control->options))
          done = page.forms.select_option(
              id, *option, !control->multiple || !control->options[*option].selected);
        break;
      }
      case FieldAction::ChooseFile: {
        auto path = screen_.prompt(screen_.rows() - 1, "File to send: ", control->file.string());
        if (path && !path->empty()) done = page.forms.choose_file(id, *path);
        break;
      }
      case FieldAction::Reset:
        page.forms.reset(id.form);
        message_ = "the form is back as the page wrote it";
        break;
      default:
        message_ = control->disabled || control->readonly
                       ? "this field cannot be changed"
                       : "this button does nothing in miniweb (it needs scripts)";
        return;
    }
    if (!done) message_ = done.error().message;
    relayout();
    if (end == EditEnd::Next) view_.next_link();
    if (end == EditEnd::Previous) view_.previous_link();
  }

  // A submit button pressed: the form's request goes where a link's would (go), after the
  // https-to-http question when there is one.
  void submit(int field) {
    auto ready = submission_for_field(shown(), field);
    if (!ready) {
      message_ = ready.error().message;
      return;
    }
    if (ready->warning && !confirm(screen_, "Not secure: " + *ready->warning + ". Send it?")) {
      message_ = "the form was not sent";
      return;
    }
    go(ready->request, Visit::New);
  }

  void prompt_url() {
    auto typed = screen_.prompt(screen_.rows() - 1, "URL to open: ", "");
    if (!typed || typed->empty()) return;
    auto url = Navigator::interpret(*typed);
    if (!url) {
      message_ = "'" + *typed + "' is not a URL: " + url.error().message;
      return;
    }
    go(*url, Visit::New);
  }

  void prompt_search() {
    auto typed = screen_.prompt(screen_.rows() - 1, "Search for: ", search_);
    if (!typed || typed->empty()) return;
    search_ = *typed;
    if (!view_.find(search_)) message_ = "'" + search_ + "' is not on this page";
  }
  void search_again() {
    if (search_.empty()) {
      message_ = "nothing to search for yet (/ searches)";
    } else if (!view_.find(search_)) {
      message_ = "'" + search_ + "' is not on this page";
    }
  }

  // --- drawing ---

  void draw() {
    screen_.clear();
    const int rows = page_rows();
    view_.set_height(rows);
    view_.set_width(screen_.columns());
    draw_title_bar();
    if (page_) draw_page(rows);
    draw_status_bar();
    screen_.show();
  }

  void draw_title_bar() {
    const Attributes bar{.bold = true, .reverse = true};
    if (!page_) return screen_.bar(0, " miniweb", "", bar);
    const Page& page = shown();
    const std::string title = page.layout.title.empty() ? page.url.to_string() : page.layout.title;
    const std::string& warning = page_->security.insecure_warning;
    screen_.bar(0, " " + title, warning.empty() ? "miniweb " : "NOT SECURE ", bar);
  }

  // `text` from page column `x`, on screen `row`, the view shifted `left` columns.
  void put_shifted(int row, int x, std::string_view text, const Attributes& attributes) {
    const int left = view_.left();
    if (x < left) {
      const int hidden = left - x;
      if (layout::display_width(text) <= hidden) return;
      text = cells_of(text, hidden, layout::display_width(text) - hidden);
      x = left;
    }
    screen_.put(row, x - left, text, attributes, screen_.columns() - (x - left));
  }

  void draw_page(int rows) {
    const Page& page = shown();
    const int selected = view_.selected_link();
    const int selected_field = view_.selected_field();
    for (int row = 0; row < rows; ++row) {
      for (std::size_t index : view_.runs_on_line(view_.top() + row)) {
        const layout::TextRun& run = page.layout.runs[index];
        const Attributes attributes{
            .bold = run.style.bold || run.style.heading > 0,
            .underline = run.style.underline || run.link > 0 || run.field >= 0,
            .reverse = (run.link > 0 && run.link == selected) ||
                       (run.field >= 0 && run.field == selected_field),
        };
        put_shifted(1 + row, run.x, run.text, attributes);
      }
    }
    const PageView::Match& match = view_.match();
    if (match.line >= view_.top() && match.line < view_.top() + rows) {
      const std::string_view found =
          cells_of(view_.line_text(match.line), match.column, match.cells);
      put_shifted(1 + match.line - view_.top(), match.column, found, Attributes{.standout = true});
    }
  }

  // Two lines at the bottom: where the highlighted link leads (or a message), then the status
  // bar, which always shows the page's URL and, while a page loads, the journey's progress.
  void draw_status_bar() {
    const int row = screen_.rows() - 1;
    if (!message_.empty()) {
      screen_.put(row - 1, 1, message_, Attributes{.bold = true}, screen_.columns() - 1);
    } else if (const int field = view_.selected_field(); field >= 0 && page_) {
      screen_.put(row - 1, 1, field_hint(field), Attributes{}, screen_.columns() - 1);
    } else if (const int link = view_.selected_link(); link > 0 && page_) {
      auto target = link_target(shown(), link);
      screen_.put(row - 1, 1, "-> " + (target ? target->to_string() : target.error().message),
                  Attributes{}, screen_.columns() - 1);
    }
    const Attributes bar{.reverse = true};
    if (navigator_.busy()) {
      const Url* loading = navigator_.history().current();
      return screen_.bar(
          row,
          " " + (loading ? loading->to_string() : std::string()) + "  " + navigator_.progress(),
          "Esc stops ", bar);
    }
    if (overlay_) return screen_.bar(row, " " + shown().layout.title, "Left returns ", bar);
    std::string where = page_ ? page_->url.to_string() : std::string();
    if (page_ && page_->status) where += "  " + std::to_string(page_->status) + " " + page_->reason;
    screen_.bar(row, " " + where, "h keys  q quits ", bar);
  }

  // What the status line says of the highlighted field: what it is and what Enter does.
  std::string field_hint(int field) {
    const forms::FormControl* control = field_control(shown(), field);
    if (!control) return {};
    const std::string what = std::string("(") + forms::kind_name(control->kind) +
                             (control->name.empty() ? "" : " \"" + control->name + "\"") + ") ";
    switch (field_action(*control)) {
      case FieldAction::EditText:
        return what + "Enter types into it";
      case FieldAction::Toggle:
        return what + "Enter or Space toggles it";
      case FieldAction::PickOption:
        return what + "Enter lists its options";
      case FieldAction::ChooseFile:
        return what + "Enter names the file to send";
      case FieldAction::Submit:
        return what + "Enter sends the form";
      case FieldAction::Reset:
        return what + "Enter resets the form";
      case FieldAction::None:
        break;
    }
    return what + "cannot be used";
  }

  Navigator& navigator_;
  Screen& screen_;
  observe::PacketView& packets_;
  std::optional<Page> page_;     // the page, or the error page of the load that failed
  std::optional<Page> overlay_;  // a page of the browser's own shown over it
  PageView view_;
  PageView::Place page_place_;  // where the page's view was when an overlay opened
  std::unordered_map<std::string, PageView::Place> places_;  // where each page was left
  Trace last_trace_;
  std::string last_url_;
  std::string search_;
  std::string message_;
  int exit_code_ = exit_code::kOk;
  bool was_busy_ = false;
};

}  // namespace

int run_full_screen(Navigator& navigator, const std::optional<Url>& start,
                    observe::PacketView& packets) {
  auto screen = Screen::open();
  if (!screen) {
    std::cerr << "miniweb-browser: " << screen.error().message << '\n';
    return exit_code::kFailed;
  }
  int code = exit_code::kFailed;
  std::string failure;
  try {
    code = FullScreenBrowser(navigator, **screen, packets).run(start);
  } catch (const std::exception& error) {
    failure = error.what();
  }
  screen->reset();  // the terminal as it was, before anything more is written to it
  // --packets: the last load's ladder stays in the terminal's scrollback, on standard error
  // as the dump writes it.
  if (packets.enabled()) {
    packets.close_connections(navigator);
    std::cerr << packets.text() << std::flush;
  }
  if (!failure.empty()) std::cerr << "miniweb-browser: " << failure << '\n';
  return code;
}

}  // namespace miniweb::browser
