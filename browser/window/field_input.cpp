// The window's forms, as a user works them: a click focuses a text field, toggles a checkbox
// or radio, opens a select's option list, presses a button; typing goes into the focused
// field; Tab and Shift-Tab move the focus between fields; Enter in a field submits its form
// (implicit submission, HTML §4.10.21.2). What needs an answer first (sending a form again,
// sending one from https to http, a file's path) is asked on a bar over the bottom of the page.

#include "browser/form_input.hpp"
#include "browser/window/browser_window.hpp"
#include "browser/window/window_style.hpp"

namespace miniweb::browser::window {

using forms::ControlKind;

// --- history --------------------------------------------------------------------------------

void BrowserWindow::go_in_history(Move move) {
  History& history = navigator_.history();
  const NavigationRequest request = *history.current_request();
  auto question = resubmission_for_current(history);
  if (!question) return load(request);
  // The history has moved already; "no" moves it back, and the page stays as it is.
  ask(
      *question, [this, request] { load(request); },
      [this, move] {
        if (move == Move::Back) navigator_.history().forward();
        if (move == Move::Forward) navigator_.history().back();
        status_ = "The form was not sent again";
      });
}

// --- the question bar -----------------------------------------------------------------------

void BrowserWindow::ask(std::string text, std::function<void()> yes, std::function<void()> no) {
  question_ = Question{};
  question_->text = std::move(text);
  question_->yes = std::move(yes);
  question_->no = std::move(no);
  dirty_ = true;
}

void BrowserWindow::answer_question(bool yes) {
  Question asked = std::move(*question_);
  question_.reset();
  dirty_ = true;
  if (asked.typed) {
    if (yes && asked.answered) asked.answered(asked.answer.text());
    return;
  }
  if (yes && asked.yes) asked.yes();
  if (!yes && asked.no) asked.no();
}

bool BrowserWindow::handle_question_key(const SDL_KeyboardEvent& key) {
  if (!question_) return false;
  const SDL_Keycode code = key.keysym.sym;
  if (code == SDLK_ESCAPE) {
    answer_question(false);
  } else if (question_->typed) {
    TextEdit& answer = question_->answer;
    if (code == SDLK_RETURN || code == SDLK_KP_ENTER) answer_question(true);
    if (code == SDLK_BACKSPACE) answer.backspace();
    if (code == SDLK_DELETE) answer.delete_forward();
    if (code == SDLK_LEFT) answer.move_left(false);
    if (code == SDLK_RIGHT) answer.move_right(false);
    if (code == SDLK_HOME) answer.move_home(false);
    if (code == SDLK_END) answer.move_end(false);
  } else if (code == SDLK_y || code == SDLK_RETURN || code == SDLK_KP_ENTER) {
    answer_question(true);
  } else if (code == SDLK_n) {
    answer_question(false);
  }
  return true;  // nothing else happens while a question waits
}

bool BrowserWindow::click_question(int x, int y) {
  if (!question_) return false;
  if (!question_->typed && inside(question_button(true), x, y)) answer_question(true);
  if (!question_->typed && inside(question_button(false), x, y)) answer_question(false);
  return inside(question_rect(), x, y);
}

std::vector<std::string> BrowserWindow::question_lines() const {
  if (!question_) return {};
  if (question_->typed) return {question_->text};  // a short label before the typing
  const SDL_Rect content = content_rect();
  const int room = std::max(100, content.w - 3 * kPad - 2 * (kQuestionButtonWidth + kPad));
  TTF_Font* font = fonts_->ui_font(kUiFontSize, true);
  std::vector<std::string> lines(1);
  std::size_t start = 0;
  while (start < question_->text.size()) {
    std::size_t end = question_->text.find(' ', start);
    if (end == std::string::npos) end = question_->text.size();
    const std::string word = question_->text.substr(start, end - start);
    const std::string longer = lines.back().empty() ? word : lines.back() + " " + word;
    int width = 0;
    int height = 0;
    TTF_SizeUTF8(font, longer.c_str(), &width, &height);
    if (width > room && !lines.back().empty()) {
      lines.push_back(word);
    } else {
      lines.back() = longer;
    }
    start = end + 1;
  }
  return lines;
}

SDL_Rect BrowserWindow::question_rect() const {
  const SDL_Rect content = content_rect();
  const int lines = static_cast<int>(question_lines().size());
  const int height = std::max(
      kQuestionHeight, lines * TTF_FontLineSkip(fonts_->ui_font(kUiFontSize, true)) + 2 * kPad);
  return SDL_Rect{0, content.y + content.h - height, content.w, height};
}

SDL_Rect BrowserWindow::question_button(bool yes) const {
  const SDL_Rect bar = question_rect();
  const int x = bar.w - kPad - (yes ? 2 : 1) * (kQuestionButtonWidth + kPad);
  return SDL_Rect{x, bar.y + (bar.h - kButtonSize) / 2, kQuestionButtonWidth, kButtonSize};
}

// --- fields ---------------------------------------------------------------------------------

std::optional<SDL_Rect> BrowserWindow::field_rect(int field) const {
  const auto& fields = display_list().fields;
  if (field < 0 || field >= static_cast<int>(fields.size())) return std::nullopt;
  const layout::FieldBox& box = fields[static_cast<std::size_t>(field)];
  if (box.y < 0 || box.kind == ControlKind::Hidden) return std::nullopt;
  const SDL_Rect content = content_rect();
  return SDL_Rect{content.x + kPad + box.x, content.y + kPad + box.y - scroll_y_, box.width,
                  box.height};
}

int BrowserWindow::field_at(int x, int y) const {
  const SDL_Rect content = content_rect();
  if (!inside(content, x, y) || y >= content.y + content.h - trace_panel_height()) return -1;
  for (std::size_t i = 0; i < display_list().fields.size(); ++i) {
    const auto rect = field_rect(static_cast<int>(i));
    if (rect && inside(*rect, x, y)) return static_cast<int>(i);
  }
  return -1;
}

void BrowserWindow::focus_field(int field) {
  open_select_ = -1;
  focused_field_ = field;
  dirty_ = true;
  const forms::FormControl* control = page_ ? field_control(*page_, field) : nullptr;
  if (control == nullptr) {
    focused_field_ = -1;
    return;
  }
  address_focused_ = false;
  field_edit_ = TextEdit(control->kind == ControlKind::Textarea ? TextEdit::Lines::Many
                                                                : TextEdit::Lines::One);
  field_edit_.set_text(control->value);
  // The focused field is scrolled into view, as browsers do on Tab.
  if (const auto rect = field_rect(field)) {
    const SDL_Rect content = content_rect();
    const int bottom = content.y + content.h - trace_panel_height();
    if (rect->y < content.y) scroll_by(rect->y - content.y - kPad);
    if (rect->y + rect->h > bottom) scroll_by(rect->y + rect->h - bottom + kPad);
  }
}

// Tab: the next field a user can use, in the page's order, round to the first.
void BrowserWindow::focus_next_field(bool backwards) {
  if (!page_) return;
  const int count = static_cast<int>(display_list().fields.size());
  for (int step = 1; step <= count; ++step) {
    const int start = focused_field_ < 0 ? (backwards ? count : -1) : focused_field_;
    const int field = ((start + (backwards ? -step : step)) % count + count) % count;
    const forms::FormControl* control = field_control(*page_, field);
    if (control && !control->disabled && field_rect(field)) return focus_field(field);
  }
}

bool BrowserWindow::click_field(int x, int y) {
  if (open_select_ >= 0) {
    // A click in the open list picks the option under it; anywhere else closes the list.
    const auto list = option_list_rect();
    const int select = open_select_;
    open_select_ = -1;
    dirty_ = true;
    if (list && inside(*list, x, y) && page_) {
      const forms::FormControl* control = field_control(*page_, select);
      const std::size_t option = static_cast<std::size_t>((y - list->y) / kOptionHeight);
      if (control && option < control->options.size())
        field_changed(page_->forms.select_option(
            display_list().fields[static_cast<std::size_t>(select)].control, option,
            !control->multiple || !control->options[option].selected));
      return true;
    }
  }
  const int field = field_at(x, y);
  if (field < 0) {
    if (focused_field_ >= 0) dirty_ = true;
    focused_field_ = -1;
    return false;
  }
  focus_field(field);
  use_field(field);
  return true;
}

// A click on a field, or Space on a focused one: what its kind does (form_input.hpp). A text
// field needs only the focus it has been given.
void BrowserWindow::use_field(int field) {
  forms::FormControl* control = page_ ? field_control(*page_, field) : nullptr;
  if (control == nullptr) return;
  const forms::ControlId id = display_list().fields[static_cast<std::size_t>(field)].control;
  switch (field_action(*control)) {
    case FieldAction::Toggle:
      return field_changed(page_->forms.toggle(id));
    case FieldAction::PickOption:
      open_select_ = field;
      dirty_ = true;
      return;
    case FieldAction::ChooseFile:
      ask("File to send:", {});
      question_->typed = true;
      question_->answer.set_text(control->file.string());
      question_->answered = [this, id](const std::string& path) {
        if (!path.empty() && page_) field_changed(page_->forms.choose_file(id, path));
      };
      return;
    case FieldAction::Submit:
      return submit_field(field);
    case FieldAction::Reset:
      page_->forms.reset(id.form);
      return field_changed(Ok{});
    case FieldAction::EditText:
      field_edit_.move_end(false);
      return;
    case FieldAction::None:
      return;
  }
}

// After an edit of the model: the page laid out again, so that the widgets show it.
void BrowserWindow::field_changed(const Status& done) {
  if (!done) status_ = done.error().message;
  relayout();
  if (focused_field_ >= 0 && page_)
    if (const forms::FormControl* control = field_control(*page_, focused_field_);
        control && control->is_text_like() && control->value != field_edit_.text())
      field_edit_.set_text(control->value);  // cut by maxlength
}

void BrowserWindow::submit_field(int field) {
  if (!page_) return;
  auto ready = submission_for_field(*page_, field);
  if (!ready) {
    status_ = ready.error().message;
    dirty_ = true;
    return;
  }
  auto send = [this, request = ready->request] {
    navigator_.history().visit(request);
    load(request);
  };
  if (ready->warning) return ask("Not secure: " + *ready->warning + ". Send it?", send);
  send();
}

bool BrowserWindow::type_into_field(const char* utf8) {
  if (question_) {
    if (question_->typed) question_->answer.insert(utf8);
    dirty_ = true;
    return true;
  }
  if (address_focused_ || focused_field_ < 0 || !page_) return false;
  const forms::FormControl* control = field_control(*page_, focused_field_);
  if (control == nullptr || field_action(*control) != FieldAction::EditText) return true;
  field_edit_.insert(utf8);
  field_changed(page_->forms.set_text(
      display_list().fields[static_cast<std::size_t>(focused_field_)].control, field_edit_.text()));
  return true;
}

bool BrowserWindow::handle_field_key(const SDL_KeyboardEvent& key) {
  const SDL_Keycode code = key.keysym.sym;
  const bool shift = (key.keysym.mod & KMOD_SHIFT) != 0;
  if (address_focused_ || !page_) return false;
  if (code == SDLK_TAB) {
    focus_next_field(shift);
    return true;
  }
  const forms::FormControl* control = field_control(*page_, focused_field_);
  if (control == nullptr) return false;
  const forms::ControlId id =
      display_list().fields[static_cast<std::size_t>(focused_field_)].control;
  if (open_select_ >= 0) {
    // The open list: Up and Down choose, Enter or Escape closes it.
    std::size_t chosen = 0;
    for (std::size_t i = 0; i < control->options.size(); ++i)
      if (control->options[i].selected) chosen = i;
    if (code == SDLK_UP && chosen > 0) field_changed(page_->forms.select_option(id, chosen - 1));
    if (code == SDLK_DOWN && chosen + 1 < control->options.size())
      field_changed(page_->forms.select_option(id, chosen + 1));
    if (code == SDLK_RETURN || code == SDLK_KP_ENTER || code == SDLK_ESCAPE) open_select_ = -1;
    return true;
  }
  const FieldAction action = field_action(*control);
  if (code == SDLK_ESCAPE) {
    focused_field_ = -1;
    return true;
  }
  if (code == SDLK_RETURN || code == SDLK_KP_ENTER) {
    if (control->kind == ControlKind::Textarea) {
      field_edit_.insert("\n");
      field_changed(page_->forms.set_text(id, field_edit_.text()));
    } else if (action == FieldAction::Submit || action == FieldAction::Reset ||
               action == FieldAction::PickOption || action == FieldAction::ChooseFile) {
      use_field(focused_field_);
    } else {
      submit_field(focused_field_);  // implicit submission: the form's default button
    }
    return true;
  }
  if (action != FieldAction::EditText) {
    if (code == SDLK_SPACE) use_field(focused_field_);
    return code == SDLK_SPACE || code == SDLK_UP || code == SDLK_DOWN;
  }
  switch (code) {
    case SDLK_BACKSPACE:
      field_edit_.backspace();
      break;
    case SDLK_DELETE:
      field_edit_.delete_forward();
      break;
    case SDLK_LEFT:
      field_edit_.move_left(shift);
      return true;
    case SDLK_RIGHT:
      field_edit_.move_right(shift);
      return true;
    case SDLK_HOME:
      field_edit_.move_home(shift);
      return true;
    case SDLK_END:
      field_edit_.move_end(shift);
      return true;
    case SDLK_SPACE:
    case SDLK_UP:
    case SDLK_DOWN:
      return true;  // typing (the space comes as text), not scrolling
    default:
      return (key.keysym.mod & (KMOD_CTRL | KMOD_ALT)) == 0;
  }
  field_changed(page_->forms.set_text(id, field_edit_.text()));
  return true;
}

}  // namespace miniweb::browser::window
