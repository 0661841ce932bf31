#include "browser/terminal/line_mode.hpp"

#include <iostream>
#include <sstream>
#include <vector>

#include "browser/exit_codes.hpp"
#include "browser/render/text_painter.hpp"

namespace miniweb::browser {
namespace {

constexpr const char* kHelp =
    "commands: NUMBER follow that link | g URL go | b back | f forward | r reload |\n"
    "          SPACE or ENTER next screen | p previous screen | s view source | t trace on/off |\n"
    "          l list links | h help | q quit\n";

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream stream(text);
  for (std::string line; std::getline(stream, line);) lines.push_back(line);
  return lines;
}

class LineModeBrowser {
 public:
  LineModeBrowser(Navigator& navigator, const LineModeOptions& options, std::ostream& out)
      : navigator_(navigator), options_(options), out_(out) {
    viewport_.width = options.width;
  }

  // `record`: a new visit, added to the history (back, forward and reload move in it).
  void go(const Url& url, bool record) {
    Trace trace;
    auto page = navigator_.load_now(url, viewport_, trace);
    if (options_.show_trace) out_ << trace.render(url.to_string());
    if (!page) {
      out_ << "!! " << page.error().message << "\n";
      last_error_ = page.error().code ? page.error().code : exit_code::kFailed;
      return;
    }
    last_error_ = exit_code::kOk;
    if (record) navigator_.history().visit(url);
    navigator_.history().replace_current(page->url);
    current_ = std::move(*page);
    showing_source_ = false;
    top_ = 0;
    render();
    show_screen();
  }

  void follow(int number) {
    if (!current_ || current_->content.kind != ContentKind::Page)
      return say("no page with links is open");
    auto target = link_target(*current_, number);
    if (!target) return say(target.error().message);
    go(*target, true);
  }

  void back() {
    const Url* previous = navigator_.history().back();
    if (!previous) return say("no page to go back to");
    go(*previous, false);
  }
  void forward() {
    const Url* next = navigator_.history().forward();
    if (!next) return say("no page to go forward to");
    go(*next, false);
  }
  void reload() {
    const Url* current = navigator_.history().current();
    if (!current) return say("nothing to reload");
    go(*current, false);
  }
  void toggle_source() {
    if (!current_) return say("no page is open");
    showing_source_ = !showing_source_;
    top_ = 0;
    render();
    show_screen();
  }
  void toggle_trace() {
    options_.show_trace = !options_.show_trace;
    say(std::string("trace ") + (options_.show_trace ? "on" : "off"));
  }
  void list_links() {
    if (!current_ || current_->layout.links.empty()) return say("this page has no links");
    const auto& links = current_->layout.links;
    for (std::size_t i = 0; i < links.size(); ++i) {
      auto target = link_target(*current_, static_cast<int>(i) + 1);
      out_ << "  " << (i + 1) << ". " << (target ? target->to_string() : links[i]) << "\n";
    }
  }
  void next_screen() {
    if (top_ + options_.screen_lines >= lines_.size()) return say("(end of page)");
    top_ += options_.screen_lines;
    show_screen();
  }
  void previous_screen() {
    if (top_ == 0) return say("(top of page)");
    top_ =
        top_ > static_cast<std::size_t>(options_.screen_lines) ? top_ - options_.screen_lines : 0;
    show_screen();
  }
  void say(const std::string& text) { out_ << "-- " << text << "\n"; }
  int last_error() const { return last_error_; }

 private:
  void render() {
    std::string text;
    // What the page sent reaches the terminal only through the layout or printable_text: no
    // control character of a page can drive the terminal.
    if (showing_source_) {
      text = render::printable_text(current_->source);
    } else if (current_->content.kind == ContentKind::Page) {
      text = options_.ansi ? render::paint_ansi(current_->layout)
                           : render::paint_text(current_->layout);
    } else {
      text = render::printable_text(current_->content.text);
    }
    lines_ = split_lines(text);
  }

  void show_screen() {
    const Page& page = *current_;
    out_ << "== " << (page.layout.title.empty() ? page.url.to_string() : page.layout.title)
         << (showing_source_ ? " (source)" : "") << " ==\n";
    if (!page.security.insecure_warning.empty())
      out_ << "!! " << page.security.insecure_warning << "\n";
    const std::size_t end = std::min(lines_.size(), top_ + options_.screen_lines);
    for (std::size_t i = top_; i < end; ++i) out_ << lines_[i] << "\n";
    std::string where = page.url.to_string();
    if (page.status) where += "  " + std::to_string(page.status) + " " + page.reason;
    out_ << "-- " << where << "  [lines " << (lines_.empty() ? 0 : top_ + 1) << "-" << end << " of "
         << lines_.size() << "]  h for help\n";
  }

  Navigator& navigator_;
  LineModeOptions options_;
  Viewport viewport_;
  std::ostream& out_;
  std::optional<Page> current_;
  std::vector<std::string> lines_;
  std::size_t top_ = 0;
  bool showing_source_ = false;
  int last_error_ = 0;
};

}  // namespace

int run_line_mode(Navigator& navigator, const std::optional<Url>& start,
                  const LineModeOptions& options, std::istream& in, std::ostream& out) {
  LineModeBrowser browser(navigator, options, out);
  if (start) browser.go(*start, true);
  out << "> " << std::flush;
  for (std::string line; std::getline(in, line); out << "> " << std::flush) {
    std::string command = line;
    while (!command.empty() && (command.back() == ' ' || command.back() == '\r'))
      command.pop_back();
    while (!command.empty() && command.front() == ' ') command.erase(0, 1);
    if (command.empty()) {
      browser.next_screen();
    } else if (std::isdigit(static_cast<unsigned char>(command[0]))) {
      browser.follow(std::atoi(command.c_str()));
    } else if (command == "q") {
      break;
    } else if (command == "b") {
      browser.back();
    } else if (command == "f") {
      browser.forward();
    } else if (command == "r") {
      browser.reload();
    } else if (command == "s") {
      browser.toggle_source();
    } else if (command == "t") {
      browser.toggle_trace();
    } else if (command == "p") {
      browser.previous_screen();
    } else if (command == "l") {
      browser.list_links();
    } else if (command == "h" || command == "?") {
      out << kHelp;
    } else if (command.starts_with("g ") || command.starts_with("o ")) {
      auto url = Navigator::interpret(command.substr(2));
      if (!url) {
        browser.say("not a URL: " + url.error().message);
      } else {
        browser.go(*url, true);
      }
    } else {
      browser.say("unknown command '" + command + "' (h for help)");
    }
  }
  out << "\n";
  return browser.last_error();
}

}  // namespace miniweb::browser
