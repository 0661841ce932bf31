#include "browser/form_input.hpp"

#include "browser/form_submission.hpp"

namespace miniweb::browser {

using forms::ControlKind;

FieldAction field_action(const forms::FormControl& control) {
  if (control.disabled) return FieldAction::None;
  switch (control.kind) {
    case ControlKind::Text:
    case ControlKind::Password:
    case ControlKind::Textarea:
      return control.readonly ? FieldAction::None : FieldAction::EditText;
    case ControlKind::Checkbox:
    case ControlKind::Radio:
      return FieldAction::Toggle;
    case ControlKind::Select:
      return FieldAction::PickOption;
    case ControlKind::File:
      return FieldAction::ChooseFile;
    case ControlKind::Submit:
      return FieldAction::Submit;
    case ControlKind::Reset:
      return FieldAction::Reset;
    case ControlKind::Hidden:
    case ControlKind::Button:
      return FieldAction::None;
  }
  return FieldAction::None;
}

const forms::FormControl* field_control(const Page& page, int field) {
  const auto& fields = page.layout.fields;
  if (field < 0 || field >= static_cast<int>(fields.size())) return nullptr;
  return page.forms.control(fields[static_cast<std::size_t>(field)].control);
}

forms::FormControl* field_control(Page& page, int field) {
  const auto& fields = page.layout.fields;
  if (field < 0 || field >= static_cast<int>(fields.size())) return nullptr;
  return page.forms.control(fields[static_cast<std::size_t>(field)].control);
}

Result<ReadySubmission> submission_for_field(const Page& page, int field) {
  const forms::FormControl* control = field_control(page, field);
  if (control == nullptr) return make_error("no such field");
  const forms::ControlId id = page.layout.fields[static_cast<std::size_t>(field)].control;
  std::optional<int> submitter;
  if (control->kind == ControlKind::Submit) submitter = id.control;
  auto request = submit_form(page, id.form, submitter);
  if (!request) return request.error();
  ReadySubmission ready{std::move(*request), std::nullopt};
  ready.warning = insecure_submission_warning(page.url, ready.request);
  return ready;
}

std::optional<std::string> resubmission_for_current(const History& history) {
  const NavigationRequest* current = history.current_request();
  if (current == nullptr) return std::nullopt;
  return resubmission_question(*current);
}

}  // namespace miniweb::browser
