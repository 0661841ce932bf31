#include "browser/layout/replaced_elements.hpp"

#include <algorithm>
#include <string_view>
#include <vector>

#include "browser/layout/attribute_values.hpp"
#include "browser/layout/utf8.hpp"

namespace miniweb::browser::layout {

using html::Node;

std::string image_text(const Node& img) {
  const std::string_view* alt = img.attribute("alt");
  if (alt == nullptr) return "[IMAGE]";
  // alt="" marks a decorative image: nothing to read.
  if (alt->find_first_not_of(" \t\n\r\f") == std::string_view::npos) return {};
  return "[" + std::string(*alt) + "]";
}

namespace {

// `text` cut or padded with underscores to `cells` columns, between brackets.
std::string boxed(std::string_view text, int cells) {
  std::string out = "[";
  int used = 0;
  std::size_t pos = 0;
  while (pos < text.size()) {
    const std::size_t start = pos;
    const char32_t code_point = decode_utf8(text, pos);
    const int width = code_point_width(code_point);
    if (used + width > cells) break;
    out.append(text.substr(start, pos - start));
    used += width;
  }
  if (used < cells) out.append(static_cast<std::size_t>(cells - used), '_');
  out += "]";
  return out;
}

}  // namespace

std::vector<std::string> control_lines(const forms::FormControl& control) {
  using forms::ControlKind;
  switch (control.kind) {
    case ControlKind::Hidden:
      return {};
    case ControlKind::Checkbox:
      return {control.checked ? "[X]" : "[ ]"};
    case ControlKind::Radio:
      return {control.checked ? "(*)" : "( )"};
    case ControlKind::Select:
      return {"[" + control.shown_value() + "]"};
    case ControlKind::Submit:
    case ControlKind::Reset:
    case ControlKind::Button:
      return {"[" + control.label + "]"};
    case ControlKind::File:
      return {"[file: " + (control.file.empty() ? std::string("(none)") : control.shown_value()) +
              "]"};
    case ControlKind::Textarea: {
      std::vector<std::string> lines;
      std::string_view rest = control.value;
      for (int row = 0; row < control.rows; ++row) {
        const auto end = rest.find('\n');
        lines.push_back(boxed(rest.substr(0, end), control.cols));
        rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
      }
      return lines;
    }
    case ControlKind::Text:
    case ControlKind::Password:
      break;
  }
  return {boxed(control.shown_value(), control.size)};
}

bool has_visible_content(const Node& node) {
  std::vector<const Node*> stack{&node};
  while (!stack.empty()) {
    const Node* current = stack.back();
    stack.pop_back();
    if (current->is_text()) {
      if (current->text().find_first_not_of(" \t\n\r\f") != std::string_view::npos) return true;
      continue;
    }
    if (current->tag() == "img" || current->tag() == "input") return true;
    for (const Node& child : current->children()) stack.push_back(&child);
  }
  return false;
}

}  // namespace miniweb::browser::layout
