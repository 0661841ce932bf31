#pragma once
// What the interactive faces (the full-screen terminal, the line mode, the window) do with a
// form field a user chooses, written once: which action a field takes (type into it, toggle
// it, pick an option, choose a file, submit or reset its form), and a submission made ready to
// send with the question to ask first when it would go from https to plain http.

#include <optional>
#include <string>

#include "browser/forms/form_model.hpp"
#include "browser/layout/display_list.hpp"
#include "browser/navigator.hpp"
#include "browser/net/navigation_request.hpp"
#include "shared/result.hpp"

namespace miniweb::browser {

enum class FieldAction {
  EditText,    // text, password, email, number, search..., textarea: the user types its value
  Toggle,      // checkbox, radio
  PickOption,  // select
  ChooseFile,  // file input: the user names a path
  Submit,      // submit button (and image button)
  Reset,       // reset button
  None,        // a scriptless button, a hidden or disabled control: nothing to do
};

FieldAction field_action(const forms::FormControl& control);

// Field number `field` of the page's layout (DisplayList::fields), as the model holds it;
// nullptr when there is no such field.
const forms::FormControl* field_control(const Page& page, int field);
forms::FormControl* field_control(Page& page, int field);

// A form about to be sent: the request, and when it sends from an https page to http://, the
// warning to confirm first (insecure_submission_warning).
struct ReadySubmission {
  NavigationRequest request;
  std::optional<std::string> warning;
};

// The form of field `field` submitted: by that button when the field is a submit button,
// else implicitly (Enter in a text field: the form's default button, HTML §4.10.21.2).
Result<ReadySubmission> submission_for_field(const Page& page, int field);

// "Send the form again?" for the history's current entry, when it came from a POST.
std::optional<std::string> resubmission_for_current(const History& history);

}  // namespace miniweb::browser
