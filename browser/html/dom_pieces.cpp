// The DOM of a page parsed in pieces (html/split_parse.hpp), joined as the pieces come.
//
// An element open where a piece ends has children in the pieces after it, so its array of
// children cannot be cut from the storage until it closes: the elements open at the latest cut,
// from html down, keep theirs in a vector each, and each is found as the last of its parent's
// (its place in that vector, which grows). In each piece, the elements that continue the open
// ones (Piece::continuing) take their children on; those that close there have theirs cut from
// the storage, deepest first, as their parents' children are still vectors; those open where the
// piece ends (Piece::open_at_end) stay open for the next. Everything else in a piece is whole in
// its tree and copied as the whole page's would be (TreeCopier). Each piece's tree is freed
// when it has been joined.

#include <cassert>
#include <cstddef>
#include <vector>

#include "browser/html/dom_build.hpp"
#include "browser/html/split_parse.hpp"

namespace miniweb::browser::html {
namespace {

class PieceJoiner {
 public:
  PieceJoiner(Document& document, DocumentStorage& storage)
      : document_(document), storage_(storage), copier_(document, storage) {}

  void join(const Piece& piece) {
    piece_ = &piece;
    visit(*piece.output->root, 0);
  }
  bool all_closed() const { return open_.empty(); }

 private:
  struct OpenElement {
    std::size_t place;           // among its parent's children (html: none)
    std::vector<Node> children;  // so far
  };

  Node& open_node(std::size_t level) {
    return level == 0 ? document_.root : open_[level - 1].children[open_[level].place];
  }

  // `node` of the piece's tree, `level` below html: an element that continues one open, or one
  // opened in this piece that stays open where it ends.
  void visit(const GumboNode& node, std::size_t level) {
    const Piece& piece = *piece_;
    const auto on = [&](const std::vector<const GumboNode*>& path, std::size_t at,
                        const GumboNode* candidate) {
      return at < path.size() && path[at] == candidate;
    };
    if (on(piece.continuing, level, &node)) {
      // html and body: later <html> and <body> tags in the piece added their attributes.
      if (level <= 1) copier_.add_missing_attributes(node, open_node(level));
    } else {
      assert(open_.size() == level);
      if (level == 0) {
        copier_.copy_element_alone(node, document_.root);
        open_.push_back({0, {}});
      } else {
        std::vector<Node>& siblings = open_[level - 1].children;
        siblings.emplace_back();
        copier_.copy_element_alone(node, siblings.back());
        open_.push_back({siblings.size() - 1, {}});
      }
    }
    // A continued html holds the prefix's empty head and comments besides the body: not the
    // page's.
    const bool body_only = level == 0 && on(piece.continuing, level, &node);
    const GumboVector& children = node.v.element.children;
    for (unsigned int i = 0; i < children.length; ++i) {
      const auto* child = static_cast<const GumboNode*>(children.data[i]);
      if (on(piece.continuing, level + 1, child) || on(piece.open_at_end, level + 1, child))
        visit(*child, level + 1);
      else if (child != piece.sentinel && !body_only && is_kept(*child))
        open_[level].children.push_back(copier_.copy_child(*child, level + 1));
    }
    if (!on(piece.open_at_end, level, &node)) close(level);
  }

  // The element at `level` closed: its children cut from the storage; those open below it are
  // closed already.
  void close(std::size_t level) {
    assert(open_.size() == level + 1);
    const std::vector<Node>& children = open_.back().children;
    std::span<Node> lasting = storage_.make_array<Node>(children.size());
    std::copy(children.begin(), children.end(), lasting.begin());
    open_node(level).set_children(lasting);
    open_.pop_back();
  }

  Document& document_;
  DocumentStorage& storage_;
  TreeCopier copier_;
  std::vector<OpenElement> open_;  // html first
  const Piece* piece_ = nullptr;
};

}  // namespace

bool join_pieces(PiecewiseParse& pieces, Document& document, DocumentStorage& storage) {
  PieceJoiner joiner(document, storage);
  for (std::size_t i = 0; i < pieces.piece_count(); ++i) {
    const Piece* piece = pieces.next();
    if (piece == nullptr) return false;
    joiner.join(*piece);
    if (i > 0) document.pieces_from.push_back(piece->begin);
    if (piece->parsed_beside) ++document.pieces_parsed_beside;
  }
  assert(joiner.all_closed());
  return true;
}

}  // namespace miniweb::browser::html
