#pragma once
// The markers in front of list items, as lynx draws them: a bullet that changes with the
// depth of nesting, or a number in the <ol>'s type (1, a, A, i, I) followed by a period.

#include <string>
#include <string_view>

namespace miniweb::browser::layout {

// The bullet of an unordered list nested depth levels deep (0 for the outermost).
std::string_view bullet_marker(int depth);

// "9.", "c.", "IV.": number in the type of an <ol type=...> ('1' for any type it does not
// know). Roman numerals stop at 3999 and letters at zero, below which plain numbers stand.
std::string ordered_marker(int number, char type);

}  // namespace miniweb::browser::layout
