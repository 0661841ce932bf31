#include "browser/forms/entry_list.hpp"

namespace miniweb::browser::forms {

std::vector<Entry> construct_entry_list(const Form& form, std::optional<int> submitter) {
  std::vector<Entry> entries;
  for (std::size_t i = 0; i < form.controls.size(); ++i) {
    const FormControl& control = form.controls[i];
    const bool is_submitter = submitter && *submitter == static_cast<int>(i);
    // Step 5.1: disabled controls, and buttons that are not the submitter.
    if (control.disabled) continue;
    if ((control.kind == ControlKind::Submit || control.kind == ControlKind::Reset ||
         control.kind == ControlKind::Button) &&
        !is_submitter)
      continue;
    if (control.kind == ControlKind::Reset || control.kind == ControlKind::Button) continue;
    // Step 5.2: unchecked checkboxes and radios.
    if ((control.kind == ControlKind::Checkbox || control.kind == ControlKind::Radio) &&
        !control.checked)
      continue;
    // Step 5.3: an image button sends where it was clicked, under its name (or none).
    if (control.image) {
      const std::string prefix = control.name.empty() ? "" : control.name + ".";
      entries.push_back({prefix + "x", "0", std::nullopt, control.kind});
      entries.push_back({prefix + "y", "0", std::nullopt, control.kind});
      continue;
    }
    // Step 5.5: no name, nothing sent.
    if (control.name.empty()) continue;
    switch (control.kind) {
      case ControlKind::Select:
        for (const SelectOption& option : control.options)
          if (option.selected && !option.disabled)
            entries.push_back({control.name, option.value, std::nullopt, control.kind});
        break;
      case ControlKind::File:
        entries.push_back(
            {control.name, control.file.filename().string(), control.file, control.kind});
        break;
      case ControlKind::Hidden:
        // Step 5.8: a hidden field named _charset_ without a value sends the encoding.
        entries.push_back(
            {control.name,
             control.name == "_charset_" && control.value.empty() ? "UTF-8" : control.value,
             std::nullopt, control.kind});
        break;
      default:
        // Checkbox and radio send their value ("on" by default); a submit button its value;
        // text kinds their text (a textarea's newlines become CRLF when encoded).
        entries.push_back({control.name, control.value, std::nullopt, control.kind});
        break;
    }
  }
  return entries;
}

std::string crlf_newlines(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\r') {
      out += "\r\n";
      if (i + 1 < text.size() && text[i + 1] == '\n') ++i;
    } else if (c == '\n') {
      out += "\r\n";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

}  // namespace miniweb::browser::forms
