#pragma once
// --fill NAME=VALUE, for scripts: what a user would type, tick or pick, by the control's name.
//   NAME=text       a text field, password, textarea (the kth --fill of a name fills the kth
//                   field of that name)
//   NAME=on / off   a checkbox (with several of one name, VALUE is the one to tick)
//   NAME=VALUE      a radio button or a select: the value of the one to choose (a select's
//                   option may also be named by its label; a multiple select takes several)
//   NAME=@PATH      a file input: the file to send (for any other control '@' is text)
//   NAME=VALUE      a submit button: the button to submit with (name and value as written)
// A NAME that no control of the form has is an error, as is a value no option has.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "browser/forms/form_model.hpp"
#include "shared/result.hpp"

namespace miniweb::browser::forms {

struct FillArgument {
  std::string name;
  std::string value;  // for NAME=@PATH, the path
  bool file = false;  // written NAME=@PATH
};

// "NAME=VALUE" as typed after --fill; Error::code is exit_code::kUsage.
Result<FillArgument> parse_fill(std::string_view text);

// Applies the fills to form number `form` (0-based) of `forms`, in order. Returns the submit
// button a fill chose, if one did. Errors say which fill and why, with exit_code::kUsage (an
// unknown name, a value no option has, a disabled control).
Result<std::optional<int>> apply_fills(FormSet& forms, int form,
                                       const std::vector<FillArgument>& fills);

}  // namespace miniweb::browser::forms
