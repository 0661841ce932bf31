#include "browser/layout/layout.hpp"

#include <algorithm>

#include "browser/layout/block_layout.hpp"
#include "browser/layout/inline_layout.hpp"

namespace miniweb::browser::layout {

DisplayList layout_document(const html::Document& document, const TextMeasurer& measurer,
                            int width) {
  DisplayList list;
  width = std::max(width, 1);
  list.width = width;
  append_sanitized(list.title, document.title);
  list.base_href = document.base_href;
  const int cell = std::max(1, measurer.text_width("n", Style{}));
  // lynx indents body text by three cells; too narrow a screen cannot spare them.
  const int margin = width >= 30 * cell ? 3 * cell : 0;
  BlockLayout body(measurer, list.links, 0, {margin, width, margin}, 0, Style{});
  body.layout_node(document.root);
  body.finish();
  list.runs = body.take_runs();
  list.height = body.height();
  return list;
}

}  // namespace miniweb::browser::layout
