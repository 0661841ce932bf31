#pragma once
// The oracle of the split parse's tests (split_parse_test.cpp, split_parse_fuzz_target.cpp):
// gumbo's own tree of a whole page, written one node a line with the DOM's rules for what it
// keeps (comments, scripts, styles and templates left out), beside the DOM written the same way.

#include <gumbo.h>

#include <cctype>
#include <cstddef>
#include <string>

#include "browser/html/dom.hpp"
#include "browser/html/split_parse.hpp"

namespace miniweb::browser::html::test {

// The DOM's rules for what of gumbo's tree it keeps (dom.cpp).
inline bool dropped(const GumboNode& node) {
  if (node.type == GUMBO_NODE_COMMENT || node.type == GUMBO_NODE_TEMPLATE) return true;
  if (node.type != GUMBO_NODE_ELEMENT) return false;
  const GumboTag tag = node.v.element.tag;
  return tag == GUMBO_TAG_SCRIPT || tag == GUMBO_TAG_STYLE || tag == GUMBO_TAG_TEMPLATE;
}

inline bool is_text(const GumboNode& node) {
  return node.type == GUMBO_NODE_TEXT || node.type == GUMBO_NODE_WHITESPACE ||
         node.type == GUMBO_NODE_CDATA;
}

inline std::string tag_of(const GumboElement& element) {
  if (element.tag != GUMBO_TAG_UNKNOWN) return gumbo_normalized_tagname(element.tag);
  GumboStringPiece original = element.original_tag;
  gumbo_tag_from_original_text(&original);
  std::string name(original.data, original.length);
  for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return name;
}

// One line per node, indented by depth: tag and attributes, or the text.
inline void write_gumbo(const GumboNode& node, int depth, std::string& out) {
  if (is_text(node)) {
    out += std::string(depth, ' ') + "\"" + node.v.text.text + "\"\n";
    return;
  }
  if (node.type != GUMBO_NODE_ELEMENT || dropped(node)) return;
  const GumboElement& element = node.v.element;
  out += std::string(depth, ' ') + "<" + tag_of(element);
  for (unsigned int i = 0; i < element.attributes.length; ++i) {
    const auto* attribute = static_cast<const GumboAttribute*>(element.attributes.data[i]);
    out += std::string(" ") + attribute->name + "=\"" + attribute->value + "\"";
  }
  out += ">\n";
  for (unsigned int i = 0; i < element.children.length; ++i)
    write_gumbo(*static_cast<const GumboNode*>(element.children.data[i]), depth + 1, out);
}

inline void write_dom(const Node& node, int depth, std::string& out) {
  if (node.is_text()) {
    out += std::string(depth, ' ') + "\"" + std::string(node.text()) + "\"\n";
    return;
  }
  out += std::string(depth, ' ') + "<" + std::string(node.tag());
  for (const Node::Attribute& attribute : node.attributes())
    out += " " + std::string(attribute.name) + "=\"" + std::string(attribute.value) + "\"";
  out += ">\n";
  for (const Node& child : node.children()) write_dom(child, depth + 1, out);
}

inline std::string whole_page_tree(const std::string& html) {
  GumboOutput* output = gumbo_parse(html.c_str());
  std::string out;
  write_gumbo(*output->root, 0, out);
  gumbo_destroy_output(&kGumboDefaultOptions, output);
  return out;
}

inline std::string dom_tree(const std::string& html, std::size_t split_from = kSplitParseFrom,
                            std::size_t piece_bytes = kPieceBytes) {
  const Document document = parse_html(html, split_from, piece_bytes);
  std::string out;
  write_dom(document.root, 0, out);
  return out;
}

// Where two trees first differ, with some lines around it; empty when they are the same (a
// whole page's trees are too long for gtest to show a diff of).
inline std::string first_difference(const std::string& ours, const std::string& gumbos) {
  if (ours == gumbos) return {};
  std::size_t at = 0;
  while (at < ours.size() && at < gumbos.size() && ours[at] == gumbos[at]) ++at;
  const std::size_t from = at > 200 ? at - 200 : 0;
  return "at byte " + std::to_string(at) + ":\nDOM:   ..." + ours.substr(from, 400) +
         "\ngumbo: ..." + gumbos.substr(from, 400);
}

}  // namespace miniweb::browser::html::test
