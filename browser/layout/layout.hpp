#pragma once
// Layout: a DOM in, a display list out. Block and inline formatting with a built-in
// user-agent style modelled on lynx and w3m: headings, paragraphs, lists, tables, links
// numbered in document order. Pure: the same document, measurer and width always give the
// same list.

#include "browser/forms/form_model.hpp"
#include "browser/html/dom.hpp"
#include "browser/layout/display_list.hpp"
#include "browser/layout/text_measurer.hpp"

namespace miniweb::browser::layout {

// width is the line length in the measurer's units; no line of wrapped text is longer
// (a <pre> line is kept as written, however long).
DisplayList layout_document(const html::Document& document, const TextMeasurer& measurer,
                            int width);
// The same, with the form controls drawn in the state `forms` holds (the page's FormSet,
// which extract_forms made from this document); DisplayList::fields has one box per control.
DisplayList layout_document(const html::Document& document, const forms::FormSet& forms,
                            const TextMeasurer& measurer, int width);

}  // namespace miniweb::browser::layout
