#pragma once
// A large page parsed in pieces on both CPUs, joined into one tree that is the tree gumbo builds
// of the whole page, or not used at all.
//
// gumbo's parse is most of a large page's dump (21 of 30 ms on python's stdtypes.html) and runs
// on one CPU; its tree takes ten or eleven bytes for each byte of the page (550 MiB for a 50 MB
// one). The page is cut where the HTML tree builder's state is plain: right before a start tag,
// in the body, with only ordinary block elements open (div, section, dl, ul, li...), no
// formatting element left to reconstruct, no form, table, select or template open. There, what
// the builder does with the rest depends on nothing but the open elements and the page's quirks
// mode. Each piece after the first is parsed from a prefix that opens those same elements under
// the same doctype, and its content joins the open elements of the DOM built so far, level by
// level (html/dom_pieces.cpp). A page of two pieces is parsed in two halves at once; a larger
// one in pieces of about kPieceBytes, each taken by whichever CPU is free, a few ahead of the
// DOM's copy and freed once copied: gumbo's trees of a few pieces are in memory at a time, not
// the whole page's.
//
// Whether each cut was such a place is checked on the trees gumbo built, not assumed:
// - the cut left the tokenizer between tokens: a sentinel element appended to the piece before
//   it is parsed as an element (inside a tag, an attribute, a comment, a doctype or a script it
//   would be swallowed), and what was open around it is body and whitelisted elements only
//   (html/split_parse.cpp lists them), the body made before the first cut (before it, a <title>
//   still goes to the head);
// - no formatting element (a, b, i, font...), form or marker element anywhere in that piece lost
//   its end tag, which is how one would stay in the list of active formatting elements, or as
//   the form pointer;
// - the piece after it holds the prefix's elements as opened, its first element the cut's, and
//   nothing went to its head; all pieces have the first's quirks mode; no <frameset> tag
//   follows the first cut (whether it replaces the body depends on HTML's frameset-ok flag,
//   which the prefix's explicit <body> sets and the page may not have). Attributes that later
//   <html> and <body> tags add go to the first piece's html and body, as they would.
// Anything else, or a page too deeply nested to parse as it is, and the page is parsed whole.

#include <gumbo.h>

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "browser/html/gumbo_arena.hpp"

namespace miniweb {
class PagesAhead;
class BesideThread;
}  // namespace miniweb

namespace miniweb::browser::html {

// From this size on a page is worth cutting: a thread's start and a piece's prefix cost about
// 0.2 ms.
inline constexpr std::size_t kSplitParseFrom = 256 * 1024;
// A page of at least twice this size is cut into pieces of about this size: three of them
// parsed at a time take a few tens of MiB of gumbo's trees, where the page's DOM takes three and
// a half bytes for each of its own.
inline constexpr std::size_t kPieceBytes = std::size_t{2} << 20;

// One piece of the page, parsed and checked.
struct Piece {
  std::size_t index = 0;
  std::size_t begin = 0;  // the bytes of the page it holds
  std::size_t end = 0;
  bool parsed_beside = false;  // on the CPU beside, not the caller's
  const GumboOutput* output = nullptr;
  // Its elements that continue those open where it begins: html, body, then the prefix's
  // (html/split_parse.cpp), each the first child of the one before. Empty for the first piece.
  std::vector<const GumboNode*> continuing;
  // Its elements open where it ends: html, body, then each the last child of the one before,
  // the deepest holding the sentinel, which is not the page's. Empty for the last piece.
  std::vector<const GumboNode*> open_at_end;
  const GumboNode* sentinel = nullptr;

  // Where the piece was cut out and what it was to hold open (split_parse.cpp).
  std::vector<std::string> open_at_begin_expected;
  std::vector<std::string> open_at_end_expected;
  std::string source;  // the prefix, the page's bytes, the sentinel
  std::unique_ptr<GumboArena> memory;
  bool usable = false;  // parsed, and its checks passed
  bool parsed = false;
};

// The pieces of one page, parsed on both CPUs as the caller takes them in order.
class PiecewiseParse {
 public:
  // The page cut into pieces and their parse begun, or nullptr: smaller than `split_from`, no
  // place to cut, or no second thread (the caller parses the page whole). `pages` maps the
  // first piece's memory ahead. `piece_bytes`: for tests, which cut small pages into many.
  static std::unique_ptr<PiecewiseParse> start(std::string_view html, PagesAhead& pages,
                                               std::size_t split_from = kSplitParseFrom,
                                               std::size_t piece_bytes = kPieceBytes);
  ~PiecewiseParse();  // ends the parses under way
  PiecewiseParse(const PiecewiseParse&) = delete;
  PiecewiseParse& operator=(const PiecewiseParse&) = delete;

  std::size_t piece_count() const { return pieces_.size(); }
  // The memory the pieces' trees were built in, given back as each was freed.
  const ChunkPool& memory() const { return memory_; }
  // The next piece in page order, parsed and checked (the piece before it is freed), or nullptr
  // when a check refused it or the nesting scan found the page too deep: the page is then to be
  // parsed whole, and nothing more comes.
  const Piece* next();

 private:
  PiecewiseParse(std::string_view html, PagesAhead& pages);
  // The beside thread's work: the scans, then pieces as they may be parsed.
  void work_beside();
  // Whether another piece may be parsed now: at most kTreesAtOnce trees not yet freed.
  bool may_take() const;
  void parse(Piece& piece, PagesAhead& pages);

  std::string_view html_;
  PagesAhead& pages_;
  ChunkPool memory_;  // before the pieces: their arenas give their chunks back to it
  std::vector<std::unique_ptr<Piece>> pieces_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::size_t next_to_parse_ = 0;
  std::size_t next_to_give_ = 0;
  std::size_t freed_ = 0;  // pieces whose trees are freed, from the first on
  bool scanned_ = false;   // the nesting and frameset scans are done
  bool give_up_ = false;   // under mutex_; mirrored in abandon_ for gumbo's allocations
  std::atomic<bool> abandon_{false};
  GumboQuirksModeEnum first_quirks_ = GUMBO_DOCTYPE_NO_QUIRKS;  // every piece's must be this
  std::unique_ptr<BesideThread> beside_;
};

}  // namespace miniweb::browser::html
