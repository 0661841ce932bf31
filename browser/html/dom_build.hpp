#pragma once
// How the DOM is built from gumbo's trees, shared by the copy of a page parsed whole
// (html/dom.cpp) and the join of a page parsed in pieces (html/dom_pieces.cpp). Not for use
// outside html/.

#include <gumbo.h>

#include <cstddef>
#include <cstring>
#include <memory>
#include <span>
#include <string_view>
#include <type_traits>

#include "browser/html/dom.hpp"
#include "browser/html/gumbo_arena.hpp"

namespace miniweb::browser::html {

// The tree's arrays and strings, cut one after the other from chunks of their own (a
// GumboArena's, used for lasting blocks only). gumbo's tree takes ten or eleven bytes for each
// byte of HTML and goes as soon as the DOM is built from it; the DOM, with its text copied,
// three and a half. A 50 MB page's dump had held 763 MiB at its peak with gumbo's tree kept
// through the layout and the paint, and a page on screen kept it as long as it was shown.
class DocumentStorage {
 public:
  // Its chunks mapped by `pages` as they are opened (GumboArena::map_ahead) until
  // stop_mapping_ahead().
  DocumentStorage(std::size_t html_bytes, PagesAhead& pages) {
    // The arrays and the text take 3.35 to 3.6 bytes for each byte of HTML on python's and
    // Node.js's manuals (105 KiB to 8 MB): a large page starts in a huge page
    // (GumboArena::expect).
    memory_.expect(html_bytes * 7 / 2);
    memory_.map_ahead(pages);
  }
  void stop_mapping_ahead() { memory_.stop_mapping_ahead(); }

  std::string_view copy(std::string_view text) {
    if (text.empty()) return {};
    auto* bytes = static_cast<char*>(memory_.allocate_lasting(text.size()));
    std::memcpy(bytes, text.data(), text.size());
    return {bytes, text.size()};
  }

  // `count` default nodes or attributes, alive as long as the storage; nothing runs when it
  // goes, so they must need no destructor.
  template <class T>
  std::span<T> make_array(std::size_t count) {
    static_assert(std::is_trivially_destructible_v<T> && alignof(T) <= GumboArena::kGranule);
    if (count == 0) return {};
    T* first = static_cast<T*>(memory_.allocate_lasting(count * sizeof(T)));
    std::uninitialized_value_construct_n(first, count);
    return {first, count};
  }

 private:
  GumboArena memory_;
};

// A child the DOM keeps: text, or an element that is not dropped (comments, scripts, styles
// and templates are).
bool is_kept(const GumboNode& node);

// Copies gumbo's elements into a Document's tree, noting its title, base and text as it goes;
// elements are to be given in document order (the first <title> wins).
class TreeCopier {
 public:
  TreeCopier(Document& document, DocumentStorage& storage)
      : document_(document), storage_(storage) {}

  // The element `source`, with all it holds, into `target`, `depth` levels below html: what
  // lies at kMaxTreeDepth and deeper is flattened into its text.
  void copy_element(const GumboNode& source, Node& target, std::size_t depth);
  // A child the DOM keeps (is_kept), whole, `depth` levels below html.
  Node copy_child(const GumboNode& child, std::size_t depth);
  // Only the element's own name and attributes into `target`; its children are the caller's.
  void copy_element_alone(const GumboNode& source, Node& target);
  // The attributes of `source` that `target` lacks, added after its own (HTML §13.2.6.4.7: a
  // later <html> or <body> tag adds each attribute the element lacks).
  void add_missing_attributes(const GumboNode& source, Node& target);

 private:
  Node::Attribute copy_attribute(const GumboAttribute& attribute);

  Document& document_;
  DocumentStorage& storage_;
  bool have_title_ = false;
};

class PiecewiseParse;

// The DOM of a page parsed in pieces (html/split_parse.hpp), built into `document` as the pieces
// come; false when one was refused (what was built is then to be dropped, and the page parsed
// whole).
bool join_pieces(PiecewiseParse& pieces, Document& document, DocumentStorage& storage);

}  // namespace miniweb::browser::html
