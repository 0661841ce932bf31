#pragma once
// Elements that a graphical browser draws as a picture or a control, read as text the way
// lynx writes them: an image as its alt text in brackets, a text field as its value and
// underscores, a checkbox as [X], a select as the option it would submit.

#include <string>

#include "browser/html/dom.hpp"

namespace miniweb::browser::layout {

// "[alt]", "[IMAGE]" when there is no alt, and nothing for alt="" (a decorative image).
std::string image_text(const html::Node& img);

// The text of an <input> by its type; nothing for type=hidden.
std::string input_text(const html::Node& input);

// "[option]": the option a form would submit, the one marked selected, else the first.
std::string select_text(const html::Node& select);

// Whether anything under node would show as text: a non-blank text node or an image. A
// button without (an icon drawn by CSS) is not shown at all.
bool has_visible_content(const html::Node& node);

}  // namespace miniweb::browser::layout
