#pragma once
// Elements that a graphical browser draws as a picture or a control, read as text the way
// lynx and w3m write them: an image as its alt text in brackets; form controls in w3m's
// boxes, a text field as "[value___]" to its size, a password as "[***___]", a checkbox as
// "[X]" or "[ ]", a radio button as "(*)" or "( )", a select as "[chosen option]", a button
// as "[label]", a file input as "[file: name]", a textarea as a box of its rows.

#include <string>
#include <vector>

#include "browser/forms/form_model.hpp"
#include "browser/html/dom.hpp"

namespace miniweb::browser::layout {

// "[alt]", "[IMAGE]" when there is no alt, and nothing for alt="" (a decorative image).
std::string image_text(const html::Node& img);

// The lines a control shows in its current state: one for every control but a textarea (its
// rows), none for a hidden field. Text is cut or padded to the field's size in cells.
std::vector<std::string> control_lines(const forms::FormControl& control);

// Whether anything under node would show as text: a non-blank text node or an image. A
// button without (an icon drawn by CSS) is not shown at all.
bool has_visible_content(const html::Node& node);

}  // namespace miniweb::browser::layout
