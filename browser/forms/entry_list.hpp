#pragma once
// HTML §4.10.21.4, "constructing the entry list": what a form sends, before any encoding.
// Controls in tree order; disabled ones, unchecked checkboxes and radios, buttons other than
// the submitter, and controls without a name are left out; a checkbox or radio without a
// value sends "on"; a select sends each selected option; a file input sends its file, or an
// empty file part when none was chosen.

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "browser/forms/form_model.hpp"

namespace miniweb::browser::forms {

struct Entry {
  std::string name;
  // A string entry's value; a file entry's: the file's name (empty when none was chosen).
  std::string value;
  // A file entry: the chosen file (an empty path when none was chosen).
  std::optional<std::filesystem::path> file;
  ControlKind kind = ControlKind::Text;  // of the control it came from: the trace masks Password

  bool is_file() const { return file.has_value(); }
};

// `submitter` is the index of the submit button used (none: submitted without one). An image
// button as the submitter sends NAME.x=0 and NAME.y=0 (no click position in a text browser).
std::vector<Entry> construct_entry_list(const Form& form, std::optional<int> submitter);

// Every newline as CRLF: a CR not followed by LF and an LF not preceded by CR become CRLF, as
// HTML §4.10.21.8 asks of names and values before they are encoded.
std::string crlf_newlines(std::string_view text);

}  // namespace miniweb::browser::forms
