#pragma once
// The browser's own DOM. gumbo-parser builds its tree; parse_html copies what layout needs
// out of it and frees gumbo's output at once (gumbo's own advice).

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace miniweb::browser::html {

struct Node {
  enum class Kind { Element, Text };

  Kind kind = Kind::Element;
  std::string tag;  // lower-case element name; empty for text
  std::vector<std::pair<std::string, std::string>> attributes;  // names lower-case
  std::string text;                                             // text nodes only, decoded
  std::vector<Node> children;

  bool is_element() const { return kind == Kind::Element; }
  bool is_text() const { return kind == Kind::Text; }
  // The attribute's decoded value, or nullptr when the element does not have it.
  const std::string* attribute(std::string_view name) const;
};

struct Document {
  Node root;              // the <html> element
  std::string title;      // the first <title>, whitespace collapsed
  std::string base_href;  // href of the first <base href>, as written; links resolve against
                          // it (HTML §4.2.3) instead of the page's URL when it is set
};

// Nodes deeper than this are flattened into their ancestor at this depth (their text is
// kept, their structure is not), so that every later stage may recurse over the tree
// without risking the stack. Browsers cap depth too (Blink's parser at 512).
inline constexpr std::size_t kMaxTreeDepth = 256;

// gumbo never fails: any bytes give some tree. Comments, <script>, <style> and <template>
// are dropped; <noscript> is kept since the browser runs no scripts.
Document parse_html(std::string_view html);

}  // namespace miniweb::browser::html
