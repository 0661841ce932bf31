#include "browser/terminal_ui.hpp"

#include <iostream>
#include <sstream>
#include <vector>

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

class TerminalBrowser {
 public:
  TerminalBrowser(Session& session, const TerminalOptions& options, std::ostream& out)
      : session_(session), options_(options), out_(out) {}

  void go(const Url& url, bool record) {
    Trace trace;
    auto visit = session_.visit(url, trace);
    if (options_.show_trace) out_ << trace.render(url.to_string());
    if (!visit) {
      out_ << "!! " << visit.error().message << "\n";
      last_error_ = visit.error().code ? visit.error().code : 1;
      return;
    }
    last_error_ = 0;
    if (record) {
      // A new visit drops the pages that were ahead of this one.
      if (!history_.empty()) history_.resize(position_ + 1);
      history_.push_back(url);
      position_ = history_.size() - 1;
    }
    current_ = std::move(*visit);
    showing_source_ = false;
    top_ = 0;
    render();
    show_screen();
  }

  void follow(int number) {
    if (!current_ || current_->content.kind != ContentKind::Page)
      return say("no page with links is open");
    const auto& links = current_->content.layout.links;
    if (number < 1 || number > static_cast<int>(links.size()))
      return say("there is no link " + std::to_string(number) + " (this page has " +
                 std::to_string(links.size()) + ")");
    auto target = current_->url.resolve(links[number - 1]);
    if (!target)
      return say("link " + std::to_string(number) + " (" + links[number - 1] +
                 ") cannot be followed: " + target.error().message);
    go(*target, true);
  }

  void back() {
    if (position_ == 0 || history_.empty()) return say("no page to go back to");
    go(history_[--position_], false);
  }
  void forward() {
    if (position_ + 1 >= history_.size()) return say("no page to go forward to");
    go(history_[++position_], false);
  }
  void reload() {
    if (history_.empty()) return say("nothing to reload");
    go(history_[position_], false);
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
    if (!current_ || current_->content.layout.links.empty()) return say("this page has no links");
    const auto& links = current_->content.layout.links;
    for (std::size_t i = 0; i < links.size(); ++i) {
      auto target = current_->url.resolve(links[i]);
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
    if (showing_source_) {
      text = current_->source;
    } else if (current_->content.kind == ContentKind::Page) {
      text = options_.ansi ? render::paint_ansi(current_->content.layout)
                           : render::paint_text(current_->content.layout);
    } else {
      text = current_->content.text;
    }
    lines_ = split_lines(text);
  }

  void show_screen() {
    const Visit& visit = *current_;
    out_ << "== "
         << (visit.content.layout.title.empty() ? visit.url.to_string()
                                                : visit.content.layout.title)
         << (showing_source_ ? " (source)" : "") << " ==\n";
    if (!visit.insecure_warning.empty()) out_ << "!! " << visit.insecure_warning << "\n";
    const std::size_t end = std::min(lines_.size(), top_ + options_.screen_lines);
    for (std::size_t i = top_; i < end; ++i) out_ << lines_[i] << "\n";
    std::string where = visit.url.to_string();
    if (visit.status) where += "  " + std::to_string(visit.status) + " " + visit.reason;
    out_ << "-- " << where << "  [lines " << (lines_.empty() ? 0 : top_ + 1) << "-" << end << " of "
         << lines_.size() << "]  h for help\n";
  }

  Session& session_;
  TerminalOptions options_;
  std::ostream& out_;
  std::optional<Visit> current_;
  std::vector<Url> history_;
  std::size_t position_ = 0;
  std::vector<std::string> lines_;
  std::size_t top_ = 0;
  bool showing_source_ = false;
  int last_error_ = 0;
};

}  // namespace

int run_terminal(Session& session, const std::optional<Url>& start, const TerminalOptions& options,
                 std::istream& in, std::ostream& out) {
  TerminalBrowser browser(session, options, out);
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
      auto url = Session::interpret(command.substr(2));
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
