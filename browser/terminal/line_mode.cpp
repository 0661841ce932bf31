#include "browser/terminal/line_mode.hpp"

#include <iostream>
#include <sstream>
#include <vector>

#include "browser/exit_codes.hpp"
#include "browser/form_input.hpp"
#include "browser/render/text_painter.hpp"

namespace miniweb::browser {
namespace {

constexpr const char* kHelp =
    "commands: NUMBER follow that link | g URL go | b back | f forward | r reload |\n"
    "          SPACE or ENTER next screen | p previous screen | s view source | t trace on/off |\n"
    "          l list links | i list form fields | i NUMBER use that field (type its value,\n"
    "          toggle it, pick an option, name a file, press the button) | h help | q quit\n";

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream stream(text);
  for (std::string line; std::getline(stream, line);) lines.push_back(line);
  return lines;
}

class LineModeBrowser {
 public:
  LineModeBrowser(Navigator& navigator, const LineModeOptions& options, std::istream& in,
                  std::ostream& out)
      : navigator_(navigator), options_(options), in_(in), out_(out) {
    viewport_.width = options.width;
  }

  // `record`: a new visit, added to the history (back, forward and reload move in it).
  void go(const Url& url, bool record) { go(NavigationRequest::get(url), record); }
  void go(const NavigationRequest& request, bool record) {
    const Url& url = request.url;
    Trace trace;
    auto page = navigator_.load_now(request, viewport_, trace);
    if (options_.show_trace) {
      navigator_.finish_profile_writes(trace);  // the trace shown whole
      out_ << trace.render(url.to_string());
    }
    if (!page) {
      out_ << "!! " << page.error().message << "\n";
      last_error_ = page.error().code ? page.error().code : exit_code::kFailed;
      return;
    }
    last_error_ = exit_code::kOk;
    if (record) navigator_.history().visit(request);
    navigator_.history().replace_current(page->request);
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
    if (!navigator_.history().back()) return say("no page to go back to");
    go_in_history(-1);
  }
  void forward() {
    if (!navigator_.history().forward()) return say("no page to go forward to");
    go_in_history(1);
  }
  void reload() {
    if (!navigator_.history().current()) return say("nothing to reload");
    go_in_history(0);
  }

  // A page that came from a POST is sent again only when the user answers y; otherwise the
  // history moves back by `moved` and the page stays.
  void go_in_history(int moved) {
    History& history = navigator_.history();
    if (auto question = resubmission_for_current(history); question && !confirm(*question)) {
      if (moved < 0) history.forward();
      if (moved > 0) history.back();
      return say("the form was not sent again");
    }
    go(*history.current_request(), false);
  }

  // The page's form fields, numbered as "i NUMBER" takes them.
  void list_fields() {
    if (!current_ || visible_fields().empty()) return say("this page has no form fields");
    const std::vector<int> fields = visible_fields();
    for (std::size_t i = 0; i < fields.size(); ++i) {
      const forms::FormControl& control = *field_control(*current_, fields[i]);
      const layout::FieldBox& box = current_->layout.fields[static_cast<std::size_t>(fields[i])];
      out_ << "  " << (i + 1) << ". " << forms::kind_name(control.kind)
           << (control.name.empty() ? "" : " \"" + control.name + "\"") << ": "
           << render::printable_text(box.value) << (control.disabled ? " (disabled)" : "") << "\n";
    }
  }

  // "i NUMBER": what the field's kind asks for, each answer read as a line.
  void use_field(int number) {
    const std::vector<int> fields = current_ ? visible_fields() : std::vector<int>();
    if (number < 1 || number > static_cast<int>(fields.size()))
      return say("there is no field " + std::to_string(number) + " (i lists them)");
    const int field = fields[static_cast<std::size_t>(number) - 1];
    const forms::FormControl& control = *field_control(*current_, field);
    const forms::ControlId id = current_->layout.fields[static_cast<std::size_t>(field)].control;
    Status done = Ok{};
    switch (field_action(control)) {
      case FieldAction::EditText: {
        auto text =
            ask(control.kind == forms::ControlKind::Textarea ? "new text (\\n for a new line): "
                                                             : "new value: ");
        if (!text) return;
        for (std::size_t at; (at = text->find("\\n")) != std::string::npos;)
          text->replace(at, 2, "\n");
        done = current_->forms.set_text(id, *text);
        break;
      }
      case FieldAction::Toggle:
        done = current_->forms.toggle(id);
        break;
      case FieldAction::PickOption: {
        for (std::size_t i = 0; i < control.options.size(); ++i)
          out_ << "  " << (i + 1) << ". " << render::printable_text(control.options[i].label)
               << (control.options[i].selected ? " (chosen)" : "") << "\n";
        auto answer = ask("option number: ");
        if (!answer) return;
        const std::size_t option = static_cast<std::size_t>(std::atoi(answer->c_str()));
        if (option < 1 || option > control.options.size()) return say("no such option");
        done = current_->forms.select_option(
            id, option - 1, !control.multiple || !control.options[option - 1].selected);
        break;
      }
      case FieldAction::ChooseFile: {
        auto path = ask("file to send: ");
        if (!path) return;
        done = current_->forms.choose_file(id, *path);
        break;
      }
      case FieldAction::Submit:
        return submit(field);
      case FieldAction::Reset:
        current_->forms.reset(id.form);
        break;
      case FieldAction::None:
        return say("this field cannot be used");
    }
    if (!done) return say(done.error().message);
    Navigator::lay_out(*current_, viewport_);
    render();
    const layout::FieldBox& box = current_->layout.fields[static_cast<std::size_t>(field)];
    say(std::string(forms::kind_name(control.kind)) + " " + control.name + " is now " +
        render::printable_text(box.value));
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

  // A submit button: the form's request loaded as a link's would be, after the https-to-http
  // question when there is one.
  void submit(int field) {
    auto ready = submission_for_field(*current_, field);
    if (!ready) return say(ready.error().message);
    if (ready->warning && !confirm("Not secure: " + *ready->warning + ". Send it?"))
      return say("the form was not sent");
    go(ready->request, true);
  }
  int last_error() const { return last_error_; }

 private:
  std::vector<int> visible_fields() const {
    std::vector<int> fields;
    const auto& boxes = current_->layout.fields;
    for (std::size_t i = 0; i < boxes.size(); ++i)
      if (boxes[i].y >= 0 && boxes[i].kind != forms::ControlKind::Hidden)
        fields.push_back(static_cast<int>(i));
    return fields;
  }

  // A line of input after `label`; none at the end of input.
  std::optional<std::string> ask(const std::string& label) {
    out_ << label << std::flush;
    std::string line;
    if (!std::getline(in_, line)) return std::nullopt;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    return line;
  }
  bool confirm(const std::string& question) {
    auto answer = ask(question + " (y/n) ");
    return answer && (*answer == "y" || *answer == "Y" || *answer == "yes");
  }

  void render() {
    std::string text;
    // What the page sent reaches the terminal only through the layout or printable_text: no
    // control character of a page can drive the terminal.
    if (showing_source_) {
      text = render::printable_text(current_->content.source());
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
  std::istream& in_;
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
  LineModeBrowser browser(navigator, options, in, out);
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
    } else if (command == "i") {
      browser.list_fields();
    } else if (command.starts_with("i ")) {
      browser.use_field(std::atoi(command.c_str() + 2));
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
