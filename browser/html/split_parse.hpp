#pragma once
// A large page parsed in two halves at once, one on the CPU beside, and joined into one tree
// that is the tree gumbo builds of the whole page, or not used at all.
//
// gumbo's parse is most of a large page's dump (21 of 30 ms on python's stdtypes.html) and runs
// on one CPU. The page is cut where the HTML tree builder's state is plain: right before a
// start tag, in the body, with only ordinary block elements open (div, section, dl, ul, li...),
// no formatting element left to reconstruct, no form, table, select or template open. There,
// what the builder does with the rest depends on nothing but the open elements and the page's
// quirks mode. The second half is parsed from a prefix that opens those same elements under
// the same doctype, and its content joins the first half's open elements level by level.
//
// Whether the cut was such a place is checked on the two trees gumbo built, not assumed:
// - the cut left the tokenizer between tokens: a sentinel element appended to the first half
//   is parsed as an element (inside a tag, an attribute, a comment, a doctype or a script it
//   would be swallowed), and what was open around it is body and whitelisted elements only
//   (html/split_parse.cpp lists them), the body made before the cut (before it, a <title>
//   still goes to the head);
// - no formatting element (a, b, i, font...), form or marker element anywhere in it lost its
//   end tag, which is how one would stay in the list of active formatting elements, or as the
//   form pointer;
// - the second half's tree holds the prefix's elements as opened, its first element the cut's,
//   and nothing went to its head; both halves have the same quirks mode; no <frameset> tag
//   follows the cut (whether it replaces the body depends on HTML's frameset-ok flag, which the
//   prefix's explicit <body> sets and the first half may not have). Attributes that later
//   <html> and <body> tags add go to the first half's html and body, as they would.
// Anything else, or a page too deeply nested to parse as it is, and the page is parsed whole.

#include <gumbo.h>

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "browser/html/gumbo_arena.hpp"

namespace miniweb {
class PagesAhead;
}

namespace miniweb::browser::html {

// From this size on a page is worth cutting: a thread's start and the second half's prefix
// cost about 0.2 ms.
inline constexpr std::size_t kSplitParseFrom = 256 * 1024;

// The two halves' trees, and which element of the second continues which of the first.
struct SplitParse {
  const GumboOutput* first = nullptr;
  const GumboOutput* second = nullptr;
  // The first half's elements open at the cut, from body down, each with the element of the
  // second half's tree that holds the rest of its children (after its first child, which
  // continues the next element down; all of them, for the last).
  struct Continued {
    const GumboNode* first_half;
    const GumboNode* second_half;
  };
  std::vector<Continued> open_at_cut;
  std::size_t cut = 0;  // the byte of the page where the second half begins
  // The first half's sentinel, the last child of the deepest element open at the cut: not
  // part of the page.
  const GumboNode* sentinel = nullptr;
  // The memory of both trees.
  std::unique_ptr<GumboArena> first_memory;
  std::unique_ptr<GumboArena> second_memory;
  std::string first_source;   // the page up to the cut, then a sentinel (split_parse.cpp)
  std::string second_source;  // the prefix, then the page from the cut on
};

// The page parsed in two, or none: smaller than `split_from`, no place to cut, no second
// thread, or a check above failed (the caller parses the page whole). `pages` maps the first
// half's memory ahead.
std::optional<SplitParse> parse_in_two(std::string_view html, PagesAhead& pages,
                                       std::size_t split_from = kSplitParseFrom);

// The attributes later <html> and <body> tags in the second half add to the first half's html
// or body element `node`: those it lacks, in order (gumbo added them to the second half's own).
std::vector<const GumboAttribute*> attributes_added(const SplitParse& split, const GumboNode* node);

// The second half's children that continue `node` of the first half's tree (see above), or
// an empty span when `node` was not open at the cut.
std::vector<const GumboNode*> continued_children(const SplitParse& split, const GumboNode* node);

}  // namespace miniweb::browser::html
