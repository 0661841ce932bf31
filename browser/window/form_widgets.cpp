// Form controls drawn as widgets where the layout placed them (each FieldBox), in the manner of
// the classic toolkits: text fields and textareas as white boxes with a border, their text and,
// when focused, a caret; passwords as bullets; checkboxes as squares and radios as circles with
// their marks; selects as a box with the chosen option and an arrow, and a list when open;
// buttons raised. The question bar and a select's open list are drawn over the page.

#include <cmath>

#include "browser/form_input.hpp"
#include "browser/window/browser_window.hpp"
#include "browser/window/window_style.hpp"

namespace miniweb::browser::window {

using forms::ControlKind;

namespace {

constexpr const char* kBullet = "\xE2\x80\xA2";  // U+2022, a password's character

// `text` with each character a bullet; `cursor` (a byte offset) moved to match.
std::string bullets(std::string_view text, std::size_t& cursor) {
  std::string out;
  std::size_t moved = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) continue;
    if (i < cursor) moved += 3;
    out += kBullet;
  }
  cursor = cursor >= text.size() ? out.size() : moved;
  return out;
}

int text_width(TTF_Font* font, std::string_view text) {
  int width = 0;
  int height = 0;
  if (font != nullptr && !text.empty())
    TTF_SizeUTF8(font, std::string(text).c_str(), &width, &height);
  return width;
}

}  // namespace

void BrowserWindow::draw_fields(int origin_x, int origin_y) {
  if (!page_) return;
  const auto& fields = display_list().fields;
  for (std::size_t i = 0; i < fields.size(); ++i) {
    const layout::FieldBox& box = fields[i];
    if (box.y < 0 || box.kind == ControlKind::Hidden) continue;
    draw_field(static_cast<int>(i),
               SDL_Rect{origin_x + box.x, origin_y + box.y, box.width, box.height});
  }
}

void BrowserWindow::draw_field(int field, const SDL_Rect& box) {
  const forms::FormControl* control = field_control(*page_, field);
  if (control == nullptr) return;
  const bool enabled = !control->disabled;
  TTF_Font* font = fonts_->font(layout::Style{});
  switch (control->kind) {
    case ControlKind::Text:
    case ControlKind::Password:
    case ControlKind::Textarea:
      draw_text_field(field, box, *control);
      break;
    case ControlKind::Checkbox: {
      const int side = std::min(14, std::min(box.w, box.h) - 4);
      const SDL_Rect square{box.x + (box.w - side) / 2, box.y + (box.h - side) / 2, side, side};
      if (control->checked && enabled) {
        fill(square, kFocus);
        // The tick: two strokes, three pixels thick.
        SDL_SetRenderDrawColor(renderer_.get(), 255, 255, 255, 255);
        for (int t = 0; t < 3; ++t) {
          SDL_RenderDrawLine(renderer_.get(), square.x + 3, square.y + side / 2 + t - 1,
                             square.x + side / 2 - 1, square.y + side - 4 + t - 1);
          SDL_RenderDrawLine(renderer_.get(), square.x + side / 2 - 1, square.y + side - 4 + t - 1,
                             square.x + side - 4, square.y + 3 + t - 1);
        }
      } else {
        fill(square, enabled ? kField : kStatusBackground);
        outline(square, control->checked ? kDisabled : kFieldBorder);
      }
      break;
    }
    case ControlKind::Radio: {
      const int radius = std::min(7, std::min(box.w, box.h) / 2 - 2);
      const int cx = box.x + box.w / 2;
      const int cy = box.y + box.h / 2;
      auto disk = [&](int r, SDL_Color colour) {
        SDL_SetRenderDrawColor(renderer_.get(), colour.r, colour.g, colour.b, colour.a);
        for (int dy = -r; dy <= r; ++dy) {
          const int dx = static_cast<int>(std::sqrt(static_cast<double>(r * r - dy * dy)));
          SDL_RenderDrawLine(renderer_.get(), cx - dx, cy + dy, cx + dx, cy + dy);
        }
      };
      const bool on = control->checked && enabled;
      disk(radius, on ? kFocus : kFieldBorder);
      disk(radius - (on ? 2 : 1), kField);
      if (control->checked) disk(radius - 4, enabled ? kFocus : kDisabled);
      break;
    }
    case ControlKind::Select: {
      fill(box, enabled ? kField : kStatusBackground);
      outline(box, kFieldBorder);
      // The layout made the box as wide as "[label]" in the page's font: the label in the
      // interface's smaller one leaves room for the arrow where the brackets were.
      TTF_Font* small = fonts_->ui_font(kUiFontSize);
      const SDL_Rect clip{box.x + 1, box.y + 1, std::max(0, box.w - 12), box.h - 2};
      SDL_Rect page_clip;
      SDL_RenderGetClipRect(renderer_.get(), &page_clip);
      SDL_RenderSetClipRect(renderer_.get(), &clip);
      draw_text(small, control->shown_value(), enabled ? kText : kDisabled, box.x + 3,
                box.y + (box.h - TTF_FontLineSkip(small)) / 2);
      SDL_RenderSetClipRect(renderer_.get(), &page_clip);
      // The arrow: a small triangle pointing down.
      SDL_SetRenderDrawColor(renderer_.get(), kText.r, kText.g, kText.b, 255);
      const int ax = box.x + box.w - 7;
      const int ay = box.y + box.h / 2 - 1;
      for (int row = 0; row < 4; ++row)
        SDL_RenderDrawLine(renderer_.get(), ax - 3 + row, ay + row, ax + 3 - row, ay + row);
      break;
    }
    case ControlKind::Submit:
    case ControlKind::Reset:
    case ControlKind::Button:
      draw_button(box, control->label, enabled);
      break;
    case ControlKind::File: {
      // A button to choose, then the chosen file's name.
      const std::string label = "Choose…";
      const int button_width = std::min(box.w, text_width(font, label) + 12);
      draw_button(SDL_Rect{box.x, box.y, button_width, box.h}, label, enabled);
      draw_text(font,
                control->file.empty() ? std::string("no file") : control->file.filename().string(),
                control->file.empty() ? kDisabled : kText, box.x + button_width + 6,
                box.y + (box.h - TTF_FontLineSkip(font)) / 2);
      break;
    }
    case ControlKind::Hidden:
      break;
  }
  if (field == focused_field_) {
    outline(SDL_Rect{box.x - 2, box.y - 2, box.w + 4, box.h + 4}, kFocus);
    outline(SDL_Rect{box.x - 1, box.y - 1, box.w + 2, box.h + 2}, kFocus);
  }
}

void BrowserWindow::draw_text_field(int field, const SDL_Rect& box,
                                    const forms::FormControl& control) {
  const bool enabled = !control.disabled;
  fill(box, enabled ? kField : kStatusBackground);
  outline(box, kFieldBorder);
  TTF_Font* font = fonts_->font(layout::Style{});
  const int line_height = TTF_FontLineSkip(font);
  const bool focused = field == focused_field_;
  std::size_t cursor = focused ? field_edit_.cursor() : std::string::npos;
  std::string text = focused ? field_edit_.text() : control.value;
  if (control.kind == ControlKind::Password) text = bullets(text, cursor);

  SDL_Rect page_clip;
  SDL_RenderGetClipRect(renderer_.get(), &page_clip);
  SDL_Rect clip{box.x + 1, box.y + 1, box.w - 2, box.h - 2};
  SDL_IntersectRect(&clip, &page_clip, &clip);
  SDL_RenderSetClipRect(renderer_.get(), &clip);
  const int inner = box.w - 8;
  const int top =
      control.kind == ControlKind::Textarea ? box.y + 1 : box.y + (box.h - line_height) / 2;
  std::size_t line_start = 0;
  for (int row = 0; line_start <= text.size(); ++row) {
    const std::size_t end = std::min(text.find('\n', line_start), text.size());
    const std::string_view line = std::string_view(text).substr(line_start, end - line_start);
    const bool has_cursor = cursor != std::string::npos && cursor >= line_start && cursor <= end;
    const int caret = has_cursor ? text_width(font, line.substr(0, cursor - line_start)) : 0;
    // The caret's line slides left to keep the caret in the box.
    const int shift = std::max(0, caret - inner);
    const int y = top + row * line_height;
    draw_text(font, std::string(line), enabled ? kText : kDisabled, box.x + 4 - shift, y);
    if (has_cursor) fill(SDL_Rect{box.x + 4 + caret - shift, y + 1, 2, line_height - 2}, kText);
    if (end == text.size()) break;
    line_start = end + 1;
  }
  SDL_RenderSetClipRect(renderer_.get(), &page_clip);
}

void BrowserWindow::draw_button(const SDL_Rect& box, const std::string& label, bool enabled) {
  fill(box, kButtonFace);
  // Raised: light along the top and the left, shadow along the bottom and the right.
  fill(SDL_Rect{box.x, box.y, box.w, 1}, kWhite);
  fill(SDL_Rect{box.x, box.y, 1, box.h}, kWhite);
  fill(SDL_Rect{box.x, box.y + box.h - 1, box.w, 1}, kButtonShadow);
  fill(SDL_Rect{box.x + box.w - 1, box.y, 1, box.h}, kButtonShadow);
  TTF_Font* font = fonts_->font(layout::Style{});
  const int width = text_width(font, label);
  draw_text(font, label, enabled ? kText : kDisabled, box.x + (box.w - width) / 2,
            box.y + (box.h - TTF_FontLineSkip(font)) / 2);
}

std::optional<SDL_Rect> BrowserWindow::option_list_rect() const {
  if (open_select_ < 0 || !page_) return std::nullopt;
  const forms::FormControl* control = field_control(*page_, open_select_);
  const auto field = field_rect(open_select_);
  if (control == nullptr || !field) return std::nullopt;
  int widest = field->w;
  for (const forms::SelectOption& option : control->options)
    widest = std::max(widest, measurer_->text_width(option.label, layout::Style{}) + 2 * kPad);
  return SDL_Rect{field->x, field->y + field->h, widest,
                  static_cast<int>(control->options.size()) * kOptionHeight};
}

void BrowserWindow::draw_option_list() {
  const auto list = option_list_rect();
  if (!list) return;
  const forms::FormControl* control = field_control(*page_, open_select_);
  fill(*list, kField);
  TTF_Font* font = fonts_->font(layout::Style{});
  for (std::size_t i = 0; i < control->options.size(); ++i) {
    const forms::SelectOption& option = control->options[i];
    const SDL_Rect row{list->x, list->y + static_cast<int>(i) * kOptionHeight, list->w,
                       kOptionHeight};
    if (option.selected) fill(row, kFocus);
    draw_text(font, option.label,
              option.disabled   ? kDisabled
              : option.selected ? kWhite
                                : kText,
              row.x + kPad, row.y + (row.h - TTF_FontLineSkip(font)) / 2);
  }
  outline(*list, kFieldBorder);
}

void BrowserWindow::draw_question_bar() {
  if (!question_) return;
  const SDL_Rect bar = question_rect();
  fill(bar, kQuestionBackground);
  fill(SDL_Rect{bar.x, bar.y, bar.w, 1}, kChromeBorder);
  TTF_Font* bold = fonts_->ui_font(kUiFontSize, true);
  TTF_Font* font = fonts_->ui_font(kUiFontSize);
  const int text_y = bar.y + (bar.h - TTF_FontLineSkip(font)) / 2;
  SDL_RenderSetClipRect(renderer_.get(), &bar);
  const std::vector<std::string> lines = question_lines();
  for (std::size_t i = 0; i < lines.size(); ++i)
    draw_text(bold, lines[i], kText, kPad,
              bar.y + kPad + static_cast<int>(i) * TTF_FontLineSkip(bold));
  if (question_->typed) {
    // A line to type into after the question, with its caret.
    const int x = kPad + text_width(bold, question_->text) + kPad;
    const SDL_Rect field{x, bar.y + (bar.h - kButtonSize) / 2, std::max(50, bar.w - x - kPad),
                         kButtonSize};
    fill(field, kField);
    outline(field, kFocus);
    const std::string& typed = question_->answer.text();
    draw_text(font, typed, kText, field.x + 4, text_y);
    const int caret =
        text_width(font, std::string_view(typed).substr(0, question_->answer.cursor()));
    fill(SDL_Rect{field.x + 4 + caret, text_y, 2, TTF_FontLineSkip(font)}, kText);
  } else {
    draw_button(question_button(true), "Yes (y)", true);
    draw_button(question_button(false), "No (n)", true);
  }
  SDL_RenderSetClipRect(renderer_.get(), nullptr);
}

}  // namespace miniweb::browser::window
