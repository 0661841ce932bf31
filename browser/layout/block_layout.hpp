#pragma once
// Block layout: one block formatting context, a box that its children fill top to bottom.
// The document is one; every table cell is another. It walks the DOM, gives each element
// the display the user-agent style says, and hands text to the inline layout of its box;
// tables go to table_layout, list markers come from list_markers.

#include <string>
#include <vector>

#include "browser/html/dom.hpp"
#include "browser/layout/display_list.hpp"
#include "browser/layout/inline_layout.hpp"
#include "browser/layout/text_measurer.hpp"
#include "browser/layout/user_agent_style.hpp"

namespace miniweb::browser::layout {

class BlockLayout {
 public:
  struct Box {
    int left;
    int right;
    int body_margin;  // headings at this indent are drawn flush left; -1 in table cells
  };

  // Links found are appended to links and numbered from link_offset + 1 on; table_depth is
  // how many tables enclose the box.
  BlockLayout(const TextMeasurer& measurer, std::vector<std::string>& links, int link_offset,
              Box box, int table_depth, Style style);

  void layout_node(const html::Node& node);
  void layout_children(const html::Node& node);
  // Ends the last line; call once after the last node.
  void finish() { inline_.finish(); }

  int height() const { return inline_.height(); }
  int min_width() const { return inline_.min_width(); }
  int max_width() const { return inline_.max_width(); }
  std::vector<TextRun> take_runs() { return inline_.take_runs(); }
  void reserve_runs(std::size_t count) { inline_.reserve_runs(count); }

  // --- for table layout, which lays out cells in boxes of their own ------------------------
  // The node's children as a block, indented by indent, with margin before and after.
  void block(const html::Node& node, Margin margin, int indent);
  InlineLayout& inline_layout() { return inline_; }
  const TextMeasurer& measurer() const { return measurer_; }
  std::vector<std::string>& links() { return links_; }
  // The number the next link gets is link_offset() + links().size() + 1.
  int link_offset() const { return link_offset_; }
  int table_depth() const { return table_depth_; }
  // The page's forms, whose state the controls are drawn in; none: each control as its markup
  // sets it up.
  void set_forms(const forms::FormSet* forms) { forms_ = forms; }
  const forms::FormSet* forms() const { return forms_; }

 private:
  struct ListState {
    bool ordered = false;
    int next = 1;
    char type = '1';
  };

  void layout_element(const html::Node& node, Display display);
  // Keeps a minimum line length however deep the indentation goes.
  int indented(int indent) const;
  template <class Change>
  void with_style(const html::Node& node, Change change);
  void heading(const html::Node& node);
  void preformatted(const html::Node& node);
  void anchor(const html::Node& node);
  void list(const html::Node& node);
  void list_item(const html::Node& node);
  void form_control(const html::Node& node);

  const TextMeasurer& measurer_;
  std::vector<std::string>& links_;
  int link_offset_;  // link numbers already given out before links_ began
  int body_margin_;
  int table_depth_;
  const forms::FormSet* forms_ = nullptr;
  InlineLayout inline_;
  int min_available_ = 0;

  ListState list_;
  int list_depth_ = 0;
};

}  // namespace miniweb::browser::layout
