#pragma once
// The forms of a page as a browser keeps them: each <form>, its controls in tree order, and
// each control's current state (its value, checkedness, selected options, chosen file). The
// state starts from the markup (HTML §4.10) and changes only through the edits below, which
// the faces call for what a user types or picks and --fill calls for a script. Layout reads
// the state to draw each control (display_list.hpp's FieldBox); form_submission turns a form
// into a navigation request.
//
// A control is known by its identity, ControlId: the form's index in the page (0-based, in
// tree order) and the control's index in that form. Identities stay valid for the life of
// the Page, and across re-layouts.

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "browser/html/dom.hpp"
#include "shared/result.hpp"

namespace miniweb::browser::forms {

enum class ControlKind {
  Text,      // input type text, email, number, search, tel, url, date... and unknown types
  Password,  // input type=password: shown masked, masked in the trace
  Hidden,    // input type=hidden: never shown, never edited by a user
  Checkbox,
  Radio,
  Select,    // <select>, single or multiple
  Textarea,  // <textarea>
  File,      // input type=file
  Submit,    // input type=submit or image, <button> of type submit (the default type)
  Reset,     // input type=reset, <button type=reset>: never submitted
  Button,    // input type=button, <button type=button>: does nothing without scripts
};

struct ControlId {
  int form = -1;     // index of the form in FormSet::forms
  int control = -1;  // index of the control in Form::controls
  bool operator==(const ControlId&) const = default;
};

struct SelectOption {
  std::string value;  // the value attribute, or the option's text
  std::string label;  // the text shown (label attribute, or the text), whitespace collapsed
  bool selected = false;
  bool disabled = false;
};

struct FormControl {
  ControlKind kind = ControlKind::Text;
  std::string type;  // as the page wrote it, lower-cased: "email", "select", "textarea", "button"
  std::string name;
  // Text kinds and Hidden: the current text. Checkbox and Radio: the value submitted when
  // checked ("on" without a value attribute). Submit: its value attribute (empty: none).
  std::string value;
  std::string label;  // what a button shows: "Submit", its value, or a <button>'s text
  bool checked = false;
  bool disabled = false;  // disabled itself, or inside a disabled <fieldset>
  bool readonly = false;
  bool multiple = false;              // <select multiple>
  bool image = false;                 // input type=image: submits NAME.x and NAME.y
  std::vector<SelectOption> options;  // <select>
  std::filesystem::path file;         // File: the chosen file, empty when none
  int size = 20;                      // a text field's width in characters
  int rows = 2;                       // a textarea's lines
  int cols = 20;                      // a textarea's width in characters
  std::optional<std::size_t> maxlength;
  const html::Node* node = nullptr;  // the element (layout finds the control by it)

  bool is_text_like() const {
    return kind == ControlKind::Text || kind == ControlKind::Password ||
           kind == ControlKind::Textarea;
  }
  // What the page shows for it now: the text (masked for a password), the checkbox or
  // radio mark, the chosen option's label, the chosen file's name, a button's label.
  std::string shown_value() const;
};

struct Form {
  std::string action;  // as written; empty: the document's own URL (HTML §4.10.21.3 step 10)
  std::string method = "get";  // "get", "post" or "dialog", lower-cased, invalid ones as "get"
  // "application/x-www-form-urlencoded" (the default), "multipart/form-data", "text/plain"
  std::string enctype = "application/x-www-form-urlencoded";
  std::string name;
  std::string id;
  std::vector<FormControl> controls;

  // The submit button implicit submission uses (HTML §4.10.21.2): the first one.
  std::optional<int> default_button() const;
  // The controls named `name`, in tree order.
  std::vector<int> controls_named(std::string_view name) const;
};

class FormSet {
 public:
  std::vector<Form> forms;

  const FormControl* control(ControlId id) const;
  FormControl* control(ControlId id);
  // The identity of the control an element is, if it belongs to a form.
  std::optional<ControlId> control_of(const html::Node* element) const;
  // The identities in order, form by form: what the layout numbers its field boxes by.
  std::size_t control_count() const;

  // --- edits (what a user does; each returns why it could not be done) -------------------
  // A text field, password or textarea: the new text (a maxlength cuts it, as typing stops).
  Status set_text(ControlId id, std::string text);
  // A checkbox: checked or not. A radio: checked=true picks it and clears its group.
  Status set_checked(ControlId id, bool checked);
  // A checkbox flipped, a radio picked (as a click or the space bar does).
  Status toggle(ControlId id);
  // A select: the option at `option` (index in FormControl::options) chosen; in a single
  // select it replaces the choice, in a multiple one `selected` adds or removes it.
  Status select_option(ControlId id, std::size_t option, bool selected = true);
  // A file input: the file to send (checked for existence when the form is submitted).
  Status choose_file(ControlId id, std::filesystem::path file);
  // Every control of the form back to its state from the markup (a reset button).
  void reset(int form);

  // Called by extract_forms.
  void index(ControlId id, const html::Node* element) { by_element_[element] = id; }

 private:
  Status editable(ControlId id, const FormControl*& control) const;
  std::unordered_map<const html::Node*, ControlId> by_element_;
  std::vector<Form> initial_;  // for reset()
  friend FormSet extract_forms(const html::Document& document);
};

// The page's forms and their controls with their initial state (HTML §4.10). A control's form
// owner is its form="ID" attribute's form, else its nearest <form> ancestor; controls with no
// owner are not part of any form (and are drawn as plain text).
FormSet extract_forms(const html::Document& document);

// One control as the markup sets it up, outside any form (layout draws controls that have no
// form owner with it). `in_disabled_fieldset`: inside a <fieldset disabled>.
FormControl make_control(const html::Node& element, bool in_disabled_fieldset = false);

// The flat index of a control, form by form: FormSet's controls numbered as
// DisplayList::fields holds them.
std::size_t field_index(const FormSet& set, ControlId id);

const char* kind_name(ControlKind kind);  // "text", "password", ... for messages and the trace

}  // namespace miniweb::browser::forms
