#include "browser/layout/replaced_elements.hpp"

#include <algorithm>
#include <string_view>
#include <vector>

#include "browser/layout/attribute_values.hpp"

namespace miniweb::browser::layout {

using html::Node;

std::string image_text(const Node& img) {
  const std::string_view* alt = img.attribute("alt");
  if (alt == nullptr) return "[IMAGE]";
  // alt="" marks a decorative image: nothing to read.
  if (alt->find_first_not_of(" \t\n\r\f") == std::string_view::npos) return {};
  return "[" + std::string(*alt) + "]";
}

std::string input_text(const Node& input) {
  const std::string_view* type_attribute = input.attribute("type");
  const std::string type = type_attribute == nullptr ? "text" : lower(*type_attribute);
  const std::string_view* value = input.attribute("value");
  const bool checked = input.attribute("checked") != nullptr;
  if (type == "hidden") return {};
  if (type == "checkbox") return checked ? "[X]" : "[ ]";
  if (type == "radio") return checked ? "(*)" : "( )";
  if (type == "submit" || type == "reset" || type == "button") {
    const std::string fallback = type == "reset" ? "Reset" : type == "submit" ? "Submit" : "";
    return "[" + (value != nullptr ? std::string(*value) : fallback) + "]";
  }
  if (type == "image") {
    const std::string_view* alt = input.attribute("alt");
    return "[" + (alt != nullptr ? std::string(*alt) : std::string("Submit")) + "]";
  }
  // A text field, drawn as lynx draws one: its value, then underscores to its size.
  std::string field = value != nullptr ? std::string(*value) : std::string();
  if (type == "password") field.assign(field.size(), '*');
  const int size = std::clamp(parse_int(input.attribute("size"), 20), 1, 40);
  if (static_cast<int>(field.size()) < size) {
    field.append(static_cast<std::size_t>(size) - field.size(), '_');
  }
  return field;
}

std::string select_text(const Node& select) {
  const Node* chosen = nullptr;
  std::vector<const Node*> options;
  for (const Node& child : select.children) {
    if (child.is_element() && child.tag == "option") options.push_back(&child);
    if (child.is_element() && child.tag == "optgroup") {
      for (const Node& grandchild : child.children) {
        if (grandchild.is_element() && grandchild.tag == "option") {
          options.push_back(&grandchild);
        }
      }
    }
  }
  for (const Node* option : options) {
    if (option->attribute("selected") != nullptr) {
      chosen = option;
      break;
    }
  }
  if (chosen == nullptr && !options.empty()) chosen = options.front();
  std::string text = "[";
  if (chosen != nullptr) {
    for (const Node& child : chosen->children) {
      if (child.is_text()) text += child.text;
    }
  }
  text += "]";
  return text;
}

bool has_visible_content(const Node& node) {
  std::vector<const Node*> stack{&node};
  while (!stack.empty()) {
    const Node* current = stack.back();
    stack.pop_back();
    if (current->is_text()) {
      if (current->text.find_first_not_of(" \t\n\r\f") != std::string_view::npos) return true;
      continue;
    }
    if (current->tag == "img" || current->tag == "input") return true;
    for (const Node& child : current->children) stack.push_back(&child);
  }
  return false;
}

}  // namespace miniweb::browser::layout
