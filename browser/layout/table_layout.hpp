#pragma once
// Table layout, sized to content as w3m sizes tables: every cell is laid out once with
// nothing wrapping to learn its narrowest and widest widths, the columns share the line by
// those, and every cell is laid out again in its column, each in a block layout of its own.

#include "browser/html/dom.hpp"

namespace miniweb::browser::layout {

class BlockLayout;

// Lays out the <table> element table in parent's box, below what parent holds so far.
void layout_table(BlockLayout& parent, const html::Node& table);

}  // namespace miniweb::browser::layout
