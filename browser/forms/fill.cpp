#include "browser/forms/fill.hpp"

#include <map>

#include "browser/exit_codes.hpp"

namespace miniweb::browser::forms {
namespace {

Error fill_error(const FillArgument& fill, const std::string& why) {
  return make_error("--fill " + fill.name + "=" + (fill.file ? "@" : "") + fill.value + ": " + why,
                    exit_code::kUsage);
}

std::string names_in(const Form& form) {
  std::string names;
  for (const FormControl& control : form.controls) {
    if (control.name.empty() || control.kind == ControlKind::Reset ||
        control.kind == ControlKind::Button)
      continue;
    const std::string entry = control.name + " (" + kind_name(control.kind) + ")";
    if (names.find(entry) != std::string::npos) continue;
    if (!names.empty()) names += ", ";
    names += entry;
  }
  return names.empty() ? "none" : names;
}

std::string values_of(const Form& form, const std::vector<int>& indexes) {
  std::string values;
  for (int index : indexes) {
    const FormControl& control = form.controls[static_cast<std::size_t>(index)];
    if (control.kind == ControlKind::Select) {
      for (const SelectOption& option : control.options) {
        if (!values.empty()) values += ", ";
        values += "'" + option.value + "'";
      }
    } else {
      if (!values.empty()) values += ", ";
      values += "'" + control.value + "'";
    }
  }
  return values;
}

// The control among `named` of `kind` (any kind when none) whose value is `value`.
std::optional<int> with_value(const Form& form, const std::vector<int>& named,
                              std::optional<ControlKind> kind, const std::string& value) {
  for (int index : named) {
    const FormControl& control = form.controls[static_cast<std::size_t>(index)];
    if ((!kind || control.kind == *kind) && control.value == value) return index;
  }
  return std::nullopt;
}

}  // namespace

Result<FillArgument> parse_fill(std::string_view text) {
  const auto equals = text.find('=');
  if (equals == std::string_view::npos || equals == 0)
    return make_error("--fill " + std::string(text) + ": write NAME=VALUE (NAME=@PATH for a file)",
                      exit_code::kUsage);
  FillArgument fill;
  fill.name = std::string(text.substr(0, equals));
  fill.value = std::string(text.substr(equals + 1));
  if (fill.value.starts_with('@')) {
    fill.file = true;
    fill.value.erase(0, 1);
  }
  return fill;
}

Result<std::optional<int>> apply_fills(FormSet& forms, int form_number,
                                       const std::vector<FillArgument>& fills) {
  if (form_number < 0 || form_number >= static_cast<int>(forms.forms.size()))
    return make_error("the page has no form " + std::to_string(form_number + 1) + " (it has " +
                          std::to_string(forms.forms.size()) + ")",
                      exit_code::kUsage);
  const Form& form = forms.forms[static_cast<std::size_t>(form_number)];
  std::optional<int> submitter;
  std::map<std::string, std::size_t> text_fills;  // how many fills of a name filled text so far
  std::map<std::string, bool> cleared;            // multiple selects cleared by their first fill
  for (const FillArgument& fill : fills) {
    const std::vector<int> named = form.controls_named(fill.name);
    if (named.empty())
      return fill_error(fill, "form " + std::to_string(form_number + 1) +
                                  " has no control named '" + fill.name +
                                  "' (it has: " + names_in(form) + ")");
    const FormControl& first = form.controls[static_cast<std::size_t>(named.front())];
    const auto id_of = [&](int control) { return ControlId{form_number, control}; };
    const std::string text = fill.file ? "@" + fill.value : fill.value;
    Status done = Ok{};
    switch (first.kind) {
      case ControlKind::Text:
      case ControlKind::Password:
      case ControlKind::Textarea:
      case ControlKind::Hidden: {
        std::vector<int> fields;
        for (int index : named)
          if (form.controls[static_cast<std::size_t>(index)].is_text_like() ||
              form.controls[static_cast<std::size_t>(index)].kind == ControlKind::Hidden)
            fields.push_back(index);
        std::size_t& used = text_fills[fill.name];
        if (used >= fields.size())
          return fill_error(fill, "form " + std::to_string(form_number + 1) + " has only " +
                                      std::to_string(fields.size()) + " field(s) named '" +
                                      fill.name + "'");
        done = forms.set_text(id_of(fields[used++]), text);
        break;
      }
      case ControlKind::File:
        if (!fill.file) return fill_error(fill, "a file input takes NAME=@PATH");
        done = forms.choose_file(id_of(named.front()), fill.value);
        break;
      case ControlKind::Checkbox: {
        if (named.size() == 1) {
          const bool on = text == "on" || text == "1" || text == "yes" || text == first.value;
          const bool off = text == "off" || text == "0" || text == "no" || text.empty();
          if (!on && !off)
            return fill_error(fill,
                              "a checkbox takes on or off (or its value '" + first.value + "')");
          done = forms.set_checked(id_of(named.front()), on);
          break;
        }
        const std::optional<int> match = with_value(form, named, std::nullopt, text);
        if (!match)
          return fill_error(fill, "no checkbox named '" + fill.name + "' has that value (" +
                                      values_of(form, named) + ")");
        done = forms.set_checked(id_of(*match), true);
        break;
      }
      case ControlKind::Radio: {
        const std::optional<int> match = with_value(form, named, ControlKind::Radio, text);
        if (!match)
          return fill_error(fill, "no radio button named '" + fill.name + "' has that value (" +
                                      values_of(form, named) + ")");
        done = forms.set_checked(id_of(*match), true);
        break;
      }
      case ControlKind::Select: {
        std::optional<std::size_t> option;
        for (std::size_t i = 0; i < first.options.size() && !option; ++i)
          if (first.options[i].value == text) option = i;
        for (std::size_t i = 0; i < first.options.size() && !option; ++i)
          if (first.options[i].label == text) option = i;
        if (!option)
          return fill_error(fill, "the select '" + fill.name + "' has no such option (values: " +
                                      values_of(form, {named.front()}) + ")");
        if (first.multiple && !cleared[fill.name]) {
          cleared[fill.name] = true;
          for (std::size_t i = 0; i < first.options.size(); ++i)
            if (first.options[i].selected)
              (void)forms.select_option(id_of(named.front()), i, false);
        }
        done = forms.select_option(id_of(named.front()), *option, true);
        break;
      }
      case ControlKind::Submit: {
        const std::optional<int> match = with_value(form, named, ControlKind::Submit, text);
        if (!match)
          return fill_error(fill, "no submit button named '" + fill.name + "' has that value (" +
                                      values_of(form, named) + ")");
        if (form.controls[static_cast<std::size_t>(*match)].disabled)
          return fill_error(fill, "that submit button is disabled");
        submitter = *match;
        break;
      }
      case ControlKind::Reset:
      case ControlKind::Button:
        return fill_error(
            fill, "'" + fill.name + "' is a " + kind_name(first.kind) + ", which sends nothing");
    }
    if (!done) return fill_error(fill, done.error().message);
  }
  return submitter;
}

}  // namespace miniweb::browser::forms
