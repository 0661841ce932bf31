#pragma once
// The full-screen face's form widgets, as lynx has them: a text field or textarea edited in
// place on the page, a select's options in a small list over the page, and a yes/no question
// on the bottom lines (sending a form again, sending one from https to http). Each runs its own
// loop of keys on the Screen and returns what the user chose; the face applies it to the form.

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "browser/forms/form_model.hpp"
#include "browser/terminal/screen.hpp"

namespace miniweb::browser::terminal {

// Where a field is on the screen: its first row and column (of the opening "["), and its
// size in cells and rows as the layout drew it ("[value____]", a textarea's rows).
struct FieldPlace {
  int row = 0;
  int column = 0;
  int cells = 0;
  int rows = 1;
};

// How an edit ended: Enter or Tab (go on to the next field or link), Shift-Tab or Up (back to
// the previous one), Escape or Ctrl-G (the field keeps the text it had).
enum class EditEnd { Next, Previous, Cancelled };

struct EditOutcome {
  std::string text;
  EditEnd end = EditEnd::Next;
};

enum class Masking { None, Stars };  // a password shows a star per character while typed
enum class TextLines { One, Many };  // a textarea: Enter starts a new line, Tab ends the edit

// Typing into a field in place: characters, Backspace, Left/Right, Home/End, Ctrl-U (clear);
// in a textarea also Enter (a new line) and Up/Down (between its lines).
EditOutcome edit_in_place(Screen& screen, const FieldPlace& place, const std::string& text,
                          Masking masking, TextLines lines);

// A select's options in a box under the field (over it when there is no room): Up/Down move,
// Enter picks, Escape leaves the choice as it was. Returns the option's index.
std::optional<std::size_t> pick_option(Screen& screen, const FieldPlace& place,
                                       const std::vector<forms::SelectOption>& options);

// A question answered with y or n, on the two bottom rows; Escape is n.
bool confirm(Screen& screen, const std::string& question);

}  // namespace miniweb::browser::terminal
