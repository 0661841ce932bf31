#include "browser/layout/layout.hpp"

#include <algorithm>

#include "browser/layout/block_layout.hpp"
#include "browser/layout/inline_layout.hpp"

namespace miniweb::browser::layout {

namespace {

constexpr std::size_t kTextBytesPerRun = 16;

// Each control's box, from the runs that draw it (after tables have placed their cells).
std::vector<FieldBox> field_boxes(const DisplayList& list, const forms::FormSet& forms,
                                  const TextMeasurer& measurer) {
  std::vector<FieldBox> boxes;
  boxes.reserve(forms.control_count());
  for (std::size_t f = 0; f < forms.forms.size(); ++f) {
    const forms::Form& form = forms.forms[f];
    for (std::size_t c = 0; c < form.controls.size(); ++c) {
      const forms::FormControl& control = form.controls[c];
      FieldBox box;
      box.control = {static_cast<int>(f), static_cast<int>(c)};
      box.kind = control.kind;
      box.value = control.shown_value();
      box.checked = control.checked;
      box.disabled = control.disabled;
      boxes.push_back(std::move(box));
    }
  }
  std::vector<int> bottoms(boxes.size(), 0);
  for (const TextRun& run : list.runs) {
    if (run.field < 0 || run.field >= static_cast<int>(boxes.size())) continue;
    FieldBox& box = boxes[static_cast<std::size_t>(run.field)];
    const int right = run.x + measurer.text_width(run.text, run.style);
    const int bottom = run.y + measurer.line_height(run.style);
    if (box.y < 0) {
      box.x = run.x;
      box.y = run.y;
    }
    box.width = std::max(box.width, right - box.x);
    int& lowest = bottoms[static_cast<std::size_t>(run.field)];
    lowest = std::max(lowest, bottom);
    box.height = lowest - box.y;
  }
  return boxes;
}

}  // namespace

DisplayList layout_document(const html::Document& document, const TextMeasurer& measurer,
                            int width) {
  const forms::FormSet forms = forms::extract_forms(document);
  return layout_document(document, forms, measurer, width);
}

DisplayList layout_document(const html::Document& document, const forms::FormSet& forms,
                            const TextMeasurer& measurer, int width) {
  DisplayList list;
  width = std::max(width, 1);
  list.width = width;
  append_sanitized(list.title, document.title);
  list.base_href = document.base_href;
  const int cell = std::max(1, measurer.text_width("n", Style{}));
  // lynx indents body text by three cells; too narrow a screen cannot spare them.
  const int margin = width >= 30 * cell ? 3 * cell : 0;
  BlockLayout body(measurer, list.links, 0, {margin, width, margin}, 0, Style{});
  body.set_forms(&forms);
  // Room for the runs at once: grown by doubling, a large page's runs were copied again and
  // again into fresh memory, each page of it a fault (Node's 8 MB manual: 6% of its dump). A
  // run holds 8 to 26 bytes of text on python's library pages (19 on the manual); at 16, most
  // pages fit and the rest double as before. Reserving for 8 bytes a run cost time: the
  // unused room took heap that main had mapped ahead for the allocations after layout.
  body.reserve_runs(document.text_bytes / kTextBytesPerRun + 16);
  body.layout_node(document.root);
  body.finish();
  list.runs = body.take_runs();
  list.height = body.height();
  list.fields = field_boxes(list, forms, measurer);
  return list;
}

}  // namespace miniweb::browser::layout
