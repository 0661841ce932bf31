#pragma once
// The browser's own DOM. gumbo-parser builds its tree; parse_html keeps the structure
// layout needs (dropping comments, scripts and styles, and capping depth), copies the names
// and texts out of it, and frees gumbo's tree: the DOM is a quarter of its size. The arrays
// of children and attributes and the strings are cut one after the other from chunks the
// Document keeps (copied into them, not into a string each, which had cost as much as a
// third of gumbo's own parse): a node is trivially destroyed, a copy of a Document shares
// its tree (nothing changes a tree once parsed), and an element costs no allocation of its
// own.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace miniweb::browser::html {

struct Node {
  enum class Kind : unsigned char { Element, Text };
  // gumbo puts <svg> and <math> and all they hold in namespaces of their own, up to an
  // HTML integration point such as <foreignObject> (HTML §13.2.6.5); the names in them mean
  // what SVG and MathML say, not what HTML says.
  enum class Namespace : unsigned char { Html, Svg, MathMl };

  struct Attribute {
    std::string_view name;   // lower-case
    std::string_view value;  // decoded
  };

  Kind kind = Kind::Element;
  Namespace element_namespace = Namespace::Html;  // elements only

  // An element's lower-case name; empty for text.
  std::string_view tag() const { return is_element() ? characters() : std::string_view(); }
  // A text node's text, decoded; empty for an element.
  std::string_view text() const { return is_text() ? characters() : std::string_view(); }
  std::span<const Attribute> attributes() const { return {attributes_, attribute_count_}; }
  std::span<const Node> children() const { return {children_, child_count_}; }

  bool is_element() const { return kind == Kind::Element; }
  bool is_text() const { return kind == Kind::Text; }
  // The attribute's decoded value, or nullptr when the element does not have it.
  const std::string_view* attribute(std::string_view name) const;

  // How parse_html makes the tree; nothing changes a tree once it is parsed.
  static Node text_node(std::string_view text);
  void set_element(std::string_view tag, Namespace name_space,
                   std::span<const Attribute> attributes);
  void set_children(std::span<const Node> children);

 private:
  std::string_view characters() const { return {characters_, character_count_}; }

  // 40 bytes, where four views and spans took 72: a large page has millions of nodes, each
  // written once in fresh memory and read again by layout. Counts are 32 bits, as gumbo's
  // own are (its vectors' lengths and its offsets into the source are unsigned int).
  std::uint32_t character_count_ = 0;  // the tag's or the text's
  std::uint32_t attribute_count_ = 0;
  std::uint32_t child_count_ = 0;
  const char* characters_ = nullptr;
  const Attribute* attributes_ = nullptr;
  const Node* children_ = nullptr;
};

// Where the tree's arrays and strings live.
class DocumentStorage;

struct Document {
  std::shared_ptr<const DocumentStorage> storage;  // first: outlives root when destroyed
  Node root;                                       // the <html> element
  std::string title;                               // the first <title>, whitespace collapsed
  std::string base_href;  // href of the first <base href>, as written; links resolve against
                          // it (HTML §4.2.3) instead of the page's URL when it is set
  // The bytes of all the tree's text nodes: layout sizes its list of runs by it.
  std::size_t text_bytes = 0;
  // A large page parsed in pieces on both CPUs (html/split_parse.hpp): where each piece after
  // the first began, and how many of them the CPU beside parsed; none for a page parsed whole.
  std::vector<std::size_t> pieces_from;
  std::size_t pieces_parsed_beside = 0;
};

// Nodes deeper than this are flattened into their ancestor at this depth (their text is
// kept, their structure is not), so that every later stage may recurse over the tree
// without risking the stack. Browsers cap depth too (Blink's parser at 512).
inline constexpr std::size_t kMaxTreeDepth = 256;

// HTML's ASCII whitespace: tab, line feed, form feed, carriage return and space. Inline: the
// parser's pre-scan and the layout's line breaker ask it of every character.
inline bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

// gumbo never fails: any bytes give some tree. Comments, <script>, <style> and <template>
// are dropped; <noscript> is kept since the browser runs no scripts.
Document parse_html(std::string_view html);
// The same, a page of `split_from` bytes or more parsed in pieces of about `piece_bytes` where it
// can be (html/split_parse.hpp; parse_html's are 256 KiB and 2 MiB): for tests, which check
// small pages so.
Document parse_html(std::string_view html, std::size_t split_from, std::size_t piece_bytes);

}  // namespace miniweb::browser::html
