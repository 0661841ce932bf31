#include "browser/layout/block_layout.hpp"

#include <algorithm>
#include <optional>
#include <string_view>

#include "browser/layout/attribute_values.hpp"
#include "browser/layout/list_markers.hpp"
#include "browser/layout/replaced_elements.hpp"
#include "browser/layout/table_layout.hpp"

namespace miniweb::browser::layout {

using html::Node;

BlockLayout::BlockLayout(const TextMeasurer& measurer, std::vector<std::string>& links,
                         int link_offset, Box box, int table_depth, Style style)
    : measurer_(measurer),
      links_(links),
      link_offset_(link_offset),
      body_margin_(box.body_margin),
      table_depth_(table_depth),
      inline_(measurer, box.left, box.right, style) {
  min_available_ = std::min(box.right - box.left, 20 * inline_.cell());
}

void BlockLayout::layout_node(const Node& node) {
  if (node.is_text()) {
    inline_.add_text(node.text());
    return;
  }
  if (is_hidden(node)) return;
  const Display display = display_of(node);
  // The presentational align="center" (HTML 3.2) that old pages and lynx still honour.
  if (const std::string_view* align = node.attribute("align");
      align != nullptr && display != Display::Inline && display != Display::Image &&
      display != Display::Table) {
    const bool saved = inline_.centered();
    inline_.set_centered(lower(*align) == "center");
    layout_element(node, display);
    inline_.set_centered(saved);
    return;
  }
  layout_element(node, display);
}

void BlockLayout::layout_children(const Node& node) {
  const std::span<const Node> children = node.children();
  for (std::size_t i = 0; i < children.size(); ++i) {
    // A text's bytes were last touched when the DOM was built, megabytes of tree ago: the
    // next child's first line is fetched while this child is laid out.
    if (i + 1 < children.size() && children[i + 1].is_text())
      __builtin_prefetch(children[i + 1].text().data());
    layout_node(children[i]);
  }
}

void BlockLayout::layout_element(const Node& node, Display display) {
  const int cell = inline_.cell();
  switch (display) {
    case Display::Hidden:
      return;
    case Display::Inline:
      layout_children(node);
      return;
    case Display::Block:
      block(node, Margin::None, 0);
      return;
    case Display::Paragraph:
      block(node, Margin::BlankLine, 0);
      return;
    case Display::Heading:
      heading(node);
      return;
    case Display::Preformatted:
      preformatted(node);
      return;
    case Display::List:
      list(node);
      return;
    case Display::ListItem:
      list_item(node);
      return;
    case Display::Definition:
      block(node, Margin::None, 4 * cell);
      return;
    case Display::Blockquote:
      block(node, Margin::BlankLine, 4 * cell);
      return;
    case Display::Table:
      layout_table(*this, node);
      return;
    case Display::LineBreak:
      inline_.line_break();
      return;
    case Display::Rule:
      inline_.add_rule();
      return;
    case Display::Image:
      inline_.add_text(image_text(node));
      return;
    case Display::Anchor:
      anchor(node);
      return;
    case Display::Bold:
      with_style(node, [](Style& style) { style.bold = true; });
      return;
    case Display::Italic:
      with_style(node, [](Style& style) { style.italic = true; });
      return;
    case Display::Underline:
      with_style(node, [](Style& style) { style.underline = true; });
      return;
    case Display::Code:
      with_style(node, [](Style& style) { style.monospace = true; });
      return;
    case Display::Input:
    case Display::Select:
    case Display::Textarea:
      form_control(node);
      return;
    case Display::Button:
      if (!has_visible_content(node)) return;  // an icon button drawn by CSS
      form_control(node);
      return;
    case Display::Center: {
      const bool saved = inline_.centered();
      inline_.set_centered(true);
      block(node, Margin::None, 0);
      inline_.set_centered(saved);
      return;
    }
    case Display::Superscript:
      // As lynx and w3m write it: 2<sup>n</sup> reads 2^n.
      inline_.add_text("^");
      layout_children(node);
      return;
    case Display::WordBreak:
      inline_.end_word();  // a place to break, but no space
      return;
    case Display::Quote:
      inline_.add_text("\"");
      layout_children(node);
      inline_.add_text("\"");
      return;
  }
}

int BlockLayout::indented(int indent) const {
  const int limit = inline_.right() - min_available_;
  return std::max(inline_.left(), std::min(inline_.left() + indent, limit));
}

void BlockLayout::block(const Node& node, Margin margin, int indent) {
  inline_.end_block(margin);
  const int saved_left = inline_.left();
  inline_.set_left(indented(indent));
  layout_children(node);
  inline_.end_block(margin);
  inline_.set_left(saved_left);
}

template <class Change>
void BlockLayout::with_style(const Node& node, Change change) {
  const Style saved = inline_.style();
  change(inline_.style());
  layout_children(node);
  inline_.style() = saved;
}

void BlockLayout::heading(const Node& node) {
  const Style saved = inline_.style();
  inline_.style().bold = true;
  inline_.style().heading = node.tag()[1] - '0';
  inline_.end_block(Margin::BlankLine);
  const int saved_left = inline_.left();
  // Like lynx: body text is indented, headings stand out flush left.
  if (saved_left == body_margin_) inline_.set_left(0);
  layout_children(node);
  inline_.end_block(Margin::BlankLine);
  inline_.set_left(saved_left);
  inline_.style() = saved;
}

void BlockLayout::preformatted(const Node& node) {
  inline_.end_block(Margin::BlankLine);
  const bool saved = inline_.preformatted();
  const Style saved_style = inline_.style();
  inline_.set_preformatted(true);
  inline_.style().preformatted = true;
  layout_children(node);
  inline_.end_block(Margin::BlankLine);
  inline_.set_preformatted(saved);
  inline_.style() = saved_style;
}

void BlockLayout::anchor(const Node& node) {
  const std::string_view* href = node.attribute("href");
  if (href == nullptr) {
    layout_children(node);
    return;
  }
  links_.push_back(clean_href(*href));
  const int enclosing = inline_.link();
  inline_.begin_link(link_offset_ + static_cast<int>(links_.size()));
  layout_children(node);
  inline_.end_link(enclosing);
}

// --- form controls ------------------------------------------------------------------------

void BlockLayout::form_control(const Node& node) {
  std::optional<forms::ControlId> id;
  if (forms_ != nullptr) id = forms_->control_of(&node);
  const forms::FormControl* control = id ? forms_->control(*id) : nullptr;
  forms::FormControl unowned;
  if (control == nullptr) {
    unowned = forms::make_control(node);
    control = &unowned;
  }
  const int field = id ? static_cast<int>(forms::field_index(*forms_, *id)) : -1;
  // A <button> whose content is only an image reads as its content, as before.
  if (node.tag() == "button" && control->label.empty()) {
    inline_.set_field(field);
    inline_.add_text("[");
    layout_children(node);
    inline_.add_text("]");
    inline_.set_field(-1);
    return;
  }
  const std::vector<std::string> lines = control_lines(*control);
  if (control->kind != forms::ControlKind::Textarea) {
    for (const std::string& line : lines) inline_.add_field_text(line, field);
    return;
  }
  // A textarea is a box of its rows, as w3m draws it, starting on a line of its own; what
  // follows continues after its last row, as after an inline box (a <br> ends that line).
  inline_.end_block(Margin::None);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (i > 0) inline_.line_break();
    inline_.add_field_text(lines[i], field);
  }
}

// --- lists --------------------------------------------------------------------------------

void BlockLayout::list(const Node& node) {
  // Lists nested in lists take no blank lines around them, as in lynx.
  const Margin margin = list_depth_ > 0 ? Margin::None : Margin::BlankLine;
  inline_.end_block(margin);
  const ListState saved = list_;
  const int saved_left = inline_.left();
  list_ = ListState{};
  list_.ordered = node.tag() == "ol";
  list_.next = parse_int(node.attribute("start"), 1);
  if (const std::string_view* type = node.attribute("type"); type != nullptr && type->size() == 1) {
    list_.type = (*type)[0];
  }
  inline_.set_left(indented(4 * inline_.cell()));
  ++list_depth_;
  layout_children(node);
  --list_depth_;
  inline_.end_block(margin);
  inline_.set_left(saved_left);
  list_ = saved;
}

void BlockLayout::list_item(const Node& node) {
  inline_.end_block(Margin::None);
  // An empty item before this one keeps its marker.
  if (inline_.marker_pending()) inline_.emit_line();
  const int saved_left = inline_.left();
  // An item outside any list is drawn as if in one.
  if (list_depth_ == 0) inline_.set_left(indented(4 * inline_.cell()));
  std::string marker;
  if (list_.ordered) {
    const int number = parse_int(node.attribute("value"), list_.next);
    list_.next = number + 1;
    marker = ordered_marker(number, list_.type);
  } else {
    marker = bullet_marker(std::max(0, list_depth_ - 1));
  }
  const int marker_width = measurer_.text_width(marker, Style{});
  const int marker_x = inline_.left() - marker_width - inline_.space_width();
  if (marker_x >= 0) {
    inline_.set_marker(marker_x, std::move(marker));
  } else {
    // No room in the margin (a very narrow screen): the marker leads the text instead.
    inline_.add_text(marker + " ");
  }
  layout_children(node);
  inline_.end_block(Margin::None);
  if (inline_.marker_pending()) inline_.emit_line();
  inline_.set_left(saved_left);
}

}  // namespace miniweb::browser::layout
