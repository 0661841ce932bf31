#include "browser/forms/form_model.hpp"

#include <algorithm>
#include <utility>

#include "browser/layout/attribute_values.hpp"
#include "browser/layout/utf8.hpp"

namespace miniweb::browser::forms {
namespace {

using html::Node;
using layout::lower;

std::string_view trim_spaces(std::string_view text) {
  while (!text.empty() && layout::is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && layout::is_space(text.back())) text.remove_suffix(1);
  return text;
}

std::string attribute_text(const Node& node, std::string_view name) {
  const std::string_view* value = node.attribute(name);
  return value == nullptr ? std::string() : std::string(*value);
}

// The text of an element's descendants, as option labels and button labels use it: ASCII
// whitespace stripped and collapsed (HTML §4.10.10, "strip and collapse ASCII whitespace").
std::string collapsed_text(const Node& node) {
  std::string raw;
  std::vector<const Node*> stack{&node};
  while (!stack.empty()) {
    const Node* current = stack.back();
    stack.pop_back();
    if (current->is_text()) {
      raw += current->text();
      continue;
    }
    for (auto child = current->children().rbegin(); child != current->children().rend(); ++child)
      stack.push_back(&*child);
  }
  std::string out;
  bool space = false;
  for (char c : raw) {
    if (layout::is_space(c)) {
      space = !out.empty();
      continue;
    }
    if (space) out.push_back(' ');
    space = false;
    out.push_back(c);
  }
  return out;
}

// A textarea's API value: its text with CRLF and CR as LF (HTML §4.10.11); the encoders
// write every newline as CRLF again.
std::string lf_newlines(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\r') {
      out.push_back('\n');
      if (i + 1 < text.size() && text[i + 1] == '\n') ++i;
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

std::string without_newlines(std::string_view text) {
  std::string out;
  for (char c : text)
    if (c != '\r' && c != '\n') out.push_back(c);
  return out;
}

// The first `limit` code points of text.
std::string cut_to(std::string text, std::size_t limit) {
  std::size_t pos = 0;
  for (std::size_t count = 0; count < limit && pos < text.size(); ++count)
    layout::decode_utf8(text, pos);
  text.resize(pos);
  return text;
}

ControlKind input_kind(const std::string& type) {
  if (type == "password") return ControlKind::Password;
  if (type == "hidden") return ControlKind::Hidden;
  if (type == "checkbox") return ControlKind::Checkbox;
  if (type == "radio") return ControlKind::Radio;
  if (type == "file") return ControlKind::File;
  if (type == "submit" || type == "image") return ControlKind::Submit;
  if (type == "reset") return ControlKind::Reset;
  if (type == "button") return ControlKind::Button;
  return ControlKind::Text;  // text, search, email, number, tel, url, dates, unknown types
}

void collect_options(const Node& node, bool group_disabled, std::vector<SelectOption>& options) {
  for (const Node& child : node.children()) {
    if (!child.is_element()) continue;
    if (child.tag() == "option") {
      SelectOption option;
      const std::string text = collapsed_text(child);
      const std::string_view* value = child.attribute("value");
      option.value = value != nullptr ? std::string(*value) : text;
      const std::string_view* label = child.attribute("label");
      option.label = label != nullptr && !label->empty() ? std::string(*label) : text;
      option.selected = child.attribute("selected") != nullptr;
      option.disabled = group_disabled || child.attribute("disabled") != nullptr;
      options.push_back(std::move(option));
    } else if (child.tag() == "optgroup") {
      collect_options(child, group_disabled || child.attribute("disabled") != nullptr, options);
    }
  }
}

// HTML §4.10.7, the selectedness setting algorithm for a select whose display size is 1:
// of several selected options the last wins; with none, the first enabled one is chosen.
void settle_selection(FormControl& select) {
  if (select.multiple) return;
  auto last = std::find_if(select.options.rbegin(), select.options.rend(),
                           [](const SelectOption& option) { return option.selected; });
  for (SelectOption& option : select.options) option.selected = false;
  if (last != select.options.rend()) {
    last->selected = true;
    return;
  }
  for (SelectOption& option : select.options) {
    if (!option.disabled) {
      option.selected = true;
      return;
    }
  }
}

}  // namespace

FormControl make_control(const Node& node, bool in_disabled_fieldset) {
  FormControl control;
  control.node = &node;
  control.name = attribute_text(node, "name");
  control.disabled = in_disabled_fieldset || node.attribute("disabled") != nullptr;
  control.readonly = node.attribute("readonly") != nullptr;
  if (const std::string_view* max = node.attribute("maxlength")) {
    const int limit = layout::parse_int(max, -1);
    if (limit >= 0) control.maxlength = static_cast<std::size_t>(limit);
  }
  if (node.tag() == "input") {
    const std::string_view* type = node.attribute("type");
    control.type = type == nullptr || type->empty() ? "text" : lower(*type);
    control.kind = input_kind(control.type);
    const std::string_view* value = node.attribute("value");
    switch (control.kind) {
      case ControlKind::Checkbox:
      case ControlKind::Radio:
        control.value = value != nullptr ? std::string(*value) : "on";
        control.checked = node.attribute("checked") != nullptr;
        break;
      case ControlKind::Submit:
      case ControlKind::Reset:
      case ControlKind::Button: {
        control.image = control.type == "image";
        control.value = value != nullptr ? std::string(*value) : std::string();
        const std::string fallback = control.kind == ControlKind::Reset    ? "Reset"
                                     : control.kind == ControlKind::Submit ? "Submit"
                                                                           : "";
        control.label = control.image      ? attribute_text(node, "alt")
                        : value != nullptr ? std::string(*value)
                                           : fallback;
        if (control.image && control.label.empty()) control.label = "Submit";
        break;
      }
      case ControlKind::File:
        break;
      default:
        control.value = without_newlines(value != nullptr ? *value : std::string_view());
        if (control.type == "email") control.value = std::string(trim_spaces(control.value));
        control.size = std::clamp(layout::parse_int(node.attribute("size"), 20), 1, 200);
        break;
    }
  } else if (node.tag() == "button") {
    const std::string_view* type = node.attribute("type");
    control.type = "button";
    const std::string kind = type == nullptr ? "submit" : lower(*type);
    control.kind = kind == "reset"    ? ControlKind::Reset
                   : kind == "button" ? ControlKind::Button
                                      : ControlKind::Submit;
    control.value = attribute_text(node, "value");
    control.label = collapsed_text(node);
  } else if (node.tag() == "select") {
    control.type = "select";
    control.kind = ControlKind::Select;
    control.multiple = node.attribute("multiple") != nullptr;
    collect_options(node, false, control.options);
    settle_selection(control);
  } else {  // textarea
    control.type = "textarea";
    control.kind = ControlKind::Textarea;
    std::string text;
    for (const Node& child : node.children())
      if (child.is_text()) text += child.text();
    control.value = lf_newlines(text);
    control.rows = std::clamp(layout::parse_int(node.attribute("rows"), 2), 1, 100);
    control.cols = std::clamp(layout::parse_int(node.attribute("cols"), 20), 1, 200);
  }
  return control;
}

namespace {

bool is_control(const Node& node) {
  return node.tag() == "input" || node.tag() == "select" || node.tag() == "textarea" ||
         node.tag() == "button";
}

// One walk over the tree, in order: the forms as they come, and each control with the form
// around it. A control's form="ID" may name a form later in the tree, so the controls join
// their owners once the walk has found every form (join_owners()). Two walks, forms then
// controls, had been most of the forms' time on a large page: its tree is read from memory
// once per walk (python's stdtypes.html).
class Extractor {
 public:
  explicit Extractor(FormSet& set) : set_(set) {}

  void walk(const Node& node, int owner, bool disabled, bool in_datalist) {
    for (const Node& child : node.children()) {
      if (!child.is_element() || child.element_namespace != Node::Namespace::Html) continue;
      int child_owner = owner;
      if (child.tag() == "form") {
        child_owner = static_cast<int>(set_.forms.size());
        set_.forms.push_back(make_form(child));
      }
      if (is_control(child) && !in_datalist) {
        found_.push_back({&child, owner, disabled});
        if (child.tag() == "select" || child.tag() == "textarea") continue;  // options read later
      }
      const bool fieldset_disabled =
          child.tag() == "fieldset" && child.attribute("disabled") != nullptr;
      walk(child, child_owner, disabled || fieldset_disabled,
           in_datalist || child.tag() == "datalist");
    }
  }

  // Each control the walk found appended to its owner, in tree order.
  void join_owners() {
    for (const Found& found : found_) {
      int form = found.enclosing_form;
      // HTML §4.10.17.3: a form attribute names the owner by ID, or leaves it without one.
      if (const std::string_view* named = found.element->attribute("form"))
        form = form_with_id(*named);
      if (form < 0) continue;
      Form& target = set_.forms[static_cast<std::size_t>(form)];
      const ControlId id{form, static_cast<int>(target.controls.size())};
      target.controls.push_back(make_control(*found.element, found.disabled));
      set_.index(id, found.element);
    }
  }

 private:
  struct Found {
    const Node* element;
    int enclosing_form;  // -1 for none
    bool disabled;       // inside a disabled fieldset
  };

  static Form make_form(const Node& element) {
    Form form;
    form.action = std::string(trim_spaces(attribute_text(element, "action")));
    const std::string method = lower(attribute_text(element, "method"));
    form.method = method == "post" || method == "dialog" ? method : "get";
    const std::string enctype = lower(attribute_text(element, "enctype"));
    if (enctype == "multipart/form-data" || enctype == "text/plain") form.enctype = enctype;
    form.name = attribute_text(element, "name");
    form.id = attribute_text(element, "id");
    return form;
  }

  int form_with_id(std::string_view id) const {
    for (std::size_t i = 0; i < set_.forms.size(); ++i)
      if (!id.empty() && set_.forms[i].id == id) return static_cast<int>(i);
    return -1;
  }

  FormSet& set_;
  std::vector<Found> found_;
};

// Checking one radio clears the others of its group: same form, same non-empty name.
void clear_radio_group(Form& form, int keep) {
  const FormControl& chosen = form.controls[static_cast<std::size_t>(keep)];
  if (chosen.name.empty()) return;
  for (std::size_t i = 0; i < form.controls.size(); ++i) {
    FormControl& other = form.controls[i];
    if (static_cast<int>(i) != keep && other.kind == ControlKind::Radio &&
        other.name == chosen.name)
      other.checked = false;
  }
}

}  // namespace

std::string FormControl::shown_value() const {
  switch (kind) {
    case ControlKind::Password: {
      std::size_t count = 0;
      for (std::size_t pos = 0; pos < value.size(); ++count) layout::decode_utf8(value, pos);
      return std::string(count, '*');
    }
    case ControlKind::Hidden:
      return {};
    case ControlKind::Checkbox:
      return checked ? "X" : " ";
    case ControlKind::Radio:
      return checked ? "*" : " ";
    case ControlKind::Select: {
      std::string shown;
      for (const SelectOption& option : options) {
        if (!option.selected) continue;
        if (!shown.empty()) shown += ", ";
        shown += option.label;
      }
      return shown;
    }
    case ControlKind::File:
      return file.empty() ? std::string() : file.filename().string();
    case ControlKind::Submit:
    case ControlKind::Reset:
    case ControlKind::Button:
      return label;
    case ControlKind::Text:
    case ControlKind::Textarea:
      break;
  }
  return value;
}

std::optional<int> Form::default_button() const {
  for (std::size_t i = 0; i < controls.size(); ++i)
    if (controls[i].kind == ControlKind::Submit) return static_cast<int>(i);
  return std::nullopt;
}

std::vector<int> Form::controls_named(std::string_view wanted) const {
  std::vector<int> found;
  for (std::size_t i = 0; i < controls.size(); ++i)
    if (controls[i].name == wanted) found.push_back(static_cast<int>(i));
  return found;
}

const FormControl* FormSet::control(ControlId id) const {
  if (id.form < 0 || id.form >= static_cast<int>(forms.size())) return nullptr;
  const Form& form = forms[static_cast<std::size_t>(id.form)];
  if (id.control < 0 || id.control >= static_cast<int>(form.controls.size())) return nullptr;
  return &form.controls[static_cast<std::size_t>(id.control)];
}

FormControl* FormSet::control(ControlId id) {
  return const_cast<FormControl*>(std::as_const(*this).control(id));
}

std::optional<ControlId> FormSet::control_of(const html::Node* element) const {
  auto found = by_element_.find(element);
  if (found == by_element_.end()) return std::nullopt;
  return found->second;
}

std::size_t FormSet::control_count() const {
  std::size_t count = 0;
  for (const Form& form : forms) count += form.controls.size();
  return count;
}

Status FormSet::editable(ControlId id, const FormControl*& found) const {
  found = control(id);
  if (found == nullptr)
    return make_error("there is no control " + std::to_string(id.control + 1) + " in form " +
                      std::to_string(id.form + 1));
  const std::string what =
      std::string(kind_name(found->kind)) + (found->name.empty() ? "" : " '" + found->name + "'");
  if (found->disabled) return make_error("the " + what + " is disabled");
  return Ok{};
}

Status FormSet::set_text(ControlId id, std::string text) {
  const FormControl* found = nullptr;
  if (auto ok = editable(id, found); !ok) return ok;
  FormControl& target = *control(id);
  const std::string what = std::string(kind_name(target.kind)) + " '" + target.name + "'";
  if (target.kind == ControlKind::Hidden)
    return make_error("the " + what + " is not for a user to fill: its value comes from the page");
  if (!target.is_text_like()) return make_error("the " + what + " takes no text");
  if (target.readonly) return make_error("the " + what + " is read-only");
  // HTML §4.10.5.1: a one-line field's value has no newlines; a textarea's newlines are LF.
  text = target.kind == ControlKind::Textarea ? lf_newlines(text) : without_newlines(text);
  if (target.maxlength) text = cut_to(std::move(text), *target.maxlength);
  target.value = std::move(text);
  return Ok{};
}

Status FormSet::set_checked(ControlId id, bool checked) {
  const FormControl* found = nullptr;
  if (auto ok = editable(id, found); !ok) return ok;
  FormControl& target = *control(id);
  if (target.kind == ControlKind::Checkbox) {
    target.checked = checked;
    return Ok{};
  }
  if (target.kind != ControlKind::Radio)
    return make_error("the " + std::string(kind_name(target.kind)) + " '" + target.name +
                      "' is not a checkbox or a radio button");
  if (!checked)
    return make_error("the radio button '" + target.name +
                      "' is cleared only by choosing another of its group");
  target.checked = true;
  clear_radio_group(forms[static_cast<std::size_t>(id.form)], id.control);
  return Ok{};
}

Status FormSet::toggle(ControlId id) {
  const FormControl* found = control(id);
  const bool checked =
      found != nullptr && found->kind == ControlKind::Checkbox ? !found->checked : true;
  return set_checked(id, checked);
}

Status FormSet::select_option(ControlId id, std::size_t option, bool selected) {
  const FormControl* found = nullptr;
  if (auto ok = editable(id, found); !ok) return ok;
  FormControl& target = *control(id);
  if (target.kind != ControlKind::Select)
    return make_error("the " + std::string(kind_name(target.kind)) + " '" + target.name +
                      "' has no options");
  if (option >= target.options.size())
    return make_error("the select '" + target.name + "' has no option " +
                      std::to_string(option + 1) + " (it has " +
                      std::to_string(target.options.size()) + ")");
  if (target.options[option].disabled)
    return make_error("the option '" + target.options[option].label + "' is disabled");
  if (!target.multiple) {
    if (!selected)
      return make_error("the select '" + target.name + "' always has one option chosen");
    for (SelectOption& each : target.options) each.selected = false;
  }
  target.options[option].selected = selected;
  return Ok{};
}

Status FormSet::choose_file(ControlId id, std::filesystem::path file) {
  const FormControl* found = nullptr;
  if (auto ok = editable(id, found); !ok) return ok;
  FormControl& target = *control(id);
  if (target.kind != ControlKind::File)
    return make_error("the " + std::string(kind_name(target.kind)) + " '" + target.name +
                      "' is not a file input");
  target.file = std::move(file);
  return Ok{};
}

void FormSet::reset(int form) {
  if (form < 0 || form >= static_cast<int>(forms.size()) ||
      form >= static_cast<int>(initial_.size()))
    return;
  forms[static_cast<std::size_t>(form)] = initial_[static_cast<std::size_t>(form)];
}

FormSet extract_forms(const html::Document& document) {
  FormSet set;
  Extractor extractor(set);
  // The root is the <html> element; a form cannot be it.
  extractor.walk(document.root, -1, false, false);
  extractor.join_owners();
  // Radio groups start with at most one checked: the last, as the parser's insertions leave it.
  for (Form& form : set.forms) {
    for (int i = static_cast<int>(form.controls.size()) - 1; i >= 0; --i) {
      const FormControl& radio = form.controls[static_cast<std::size_t>(i)];
      if (radio.kind == ControlKind::Radio && radio.checked) clear_radio_group(form, i);
    }
  }
  set.initial_ = set.forms;
  return set;
}

std::size_t field_index(const FormSet& set, ControlId id) {
  std::size_t index = 0;
  for (int form = 0; form < id.form && form < static_cast<int>(set.forms.size()); ++form)
    index += set.forms[static_cast<std::size_t>(form)].controls.size();
  return index + static_cast<std::size_t>(id.control);
}

const char* kind_name(ControlKind kind) {
  switch (kind) {
    case ControlKind::Text:
      return "text field";
    case ControlKind::Password:
      return "password field";
    case ControlKind::Hidden:
      return "hidden field";
    case ControlKind::Checkbox:
      return "checkbox";
    case ControlKind::Radio:
      return "radio button";
    case ControlKind::Select:
      return "select";
    case ControlKind::Textarea:
      return "textarea";
    case ControlKind::File:
      return "file input";
    case ControlKind::Submit:
      return "submit button";
    case ControlKind::Reset:
      return "reset button";
    case ControlKind::Button:
      return "button";
  }
  return "control";
}

}  // namespace miniweb::browser::forms
