#include "browser/html/split_parse.hpp"

#include <algorithm>
#include <cctype>
#include <string>
#include <vector>

#include "browser/html/nesting_scan.hpp"
#include "shared/beside_thread.hpp"
#include "shared/pages_ahead.hpp"

namespace miniweb::browser::html {
namespace {

// Elements that may be open at the cut: none of them changes the insertion mode, puts a marker
// in the list of active formatting elements, or is special to the scopes a start tag in the
// second half would search but as itself (a new <li> closes an open li, a <dd> an open dd, as
// they would in the whole page).
bool may_be_open_at_cut(GumboTag tag) {
  switch (tag) {
    case GUMBO_TAG_DIV:
    case GUMBO_TAG_SECTION:
    case GUMBO_TAG_ARTICLE:
    case GUMBO_TAG_MAIN:
    case GUMBO_TAG_NAV:
    case GUMBO_TAG_ASIDE:
    case GUMBO_TAG_HEADER:
    case GUMBO_TAG_FOOTER:
    case GUMBO_TAG_BLOCKQUOTE:
    case GUMBO_TAG_DL:
    case GUMBO_TAG_DD:
    case GUMBO_TAG_DT:
    case GUMBO_TAG_UL:
    case GUMBO_TAG_OL:
    case GUMBO_TAG_LI:
      return true;
    default:
      return false;
  }
}

// Elements whose missing end tag could leave state behind them for the rest of the page: a
// formatting element stays in the list of active formatting elements (and is reconstructed
// later), a form stays the form element pointer, a marker element leaves its marker.
bool leaves_state_when_unclosed(GumboTag tag) {
  switch (tag) {
    case GUMBO_TAG_A:
    case GUMBO_TAG_B:
    case GUMBO_TAG_BIG:
    case GUMBO_TAG_CODE:
    case GUMBO_TAG_EM:
    case GUMBO_TAG_FONT:
    case GUMBO_TAG_I:
    case GUMBO_TAG_NOBR:
    case GUMBO_TAG_S:
    case GUMBO_TAG_SMALL:
    case GUMBO_TAG_STRIKE:
    case GUMBO_TAG_STRONG:
    case GUMBO_TAG_TT:
    case GUMBO_TAG_U:
    case GUMBO_TAG_FORM:
    case GUMBO_TAG_APPLET:
    case GUMBO_TAG_MARQUEE:
    case GUMBO_TAG_OBJECT:
      return true;
    default:
      return false;
  }
}

bool is_html_element(const GumboNode* node) {
  return node != nullptr && node->type == GUMBO_NODE_ELEMENT &&
         node->v.element.tag_namespace == GUMBO_NAMESPACE_HTML;
}

const GumboNode* last_child(const GumboNode* node) {
  const GumboVector& children = node->v.element.children;
  return children.length == 0 ? nullptr
                              : static_cast<const GumboNode*>(children.data[children.length - 1]);
}

const GumboNode* child_with_tag(const GumboNode* node, GumboTag tag) {
  const GumboVector& children = node->v.element.children;
  for (unsigned int i = 0; i < children.length; ++i) {
    const auto* child = static_cast<const GumboNode*>(children.data[i]);
    if (is_html_element(child) && child->v.element.tag == tag) return child;
  }
  return nullptr;
}

// Open when the first half ended: its end tag never came, and it was closed by the end of input.
bool open_at_end(const GumboNode* node, std::size_t end) {
  return is_html_element(node) && (node->parse_flags & GUMBO_INSERTION_IMPLICIT_END_TAG) != 0 &&
         node->v.element.end_pos.offset == end;
}

// Whether the children of `parent` after `child` are all comments.
bool only_comments_after(const GumboNode* parent, const GumboNode* child) {
  const GumboVector& children = parent->v.element.children;
  bool after = false;
  for (unsigned int i = 0; i < children.length; ++i) {
    const auto* node = static_cast<const GumboNode*>(children.data[i]);
    if (after && node->type != GUMBO_NODE_COMMENT) return false;
    after = after || node == child;
  }
  return after;
}

// Appended to the first half: an element it parses only where the cut leaves the tokenizer
// between tokens. Inside a tag, an attribute's value, a comment, a doctype or an element's raw
// text, it is swallowed with what surrounds it.
constexpr std::string_view kSentinel = "<x-miniweb-cut>";

bool is_sentinel(const GumboNode* node) {
  if (!is_html_element(node) || node->v.element.tag != GUMBO_TAG_UNKNOWN) return false;
  GumboStringPiece name = node->v.element.original_tag;
  gumbo_tag_from_original_text(&name);
  return std::string_view(name.data, name.length) == kSentinel.substr(1, kSentinel.size() - 2);
}

// Whether any formatting element, form or marker element under `root` lost its end tag.
bool state_left_behind(const GumboNode* root) {
  std::vector<const GumboNode*> stack{root};
  while (!stack.empty()) {
    const GumboNode* node = stack.back();
    stack.pop_back();
    if (node->type != GUMBO_NODE_ELEMENT) continue;
    if ((node->parse_flags & GUMBO_INSERTION_IMPLICIT_END_TAG) != 0 &&
        leaves_state_when_unclosed(node->v.element.tag))
      return true;
    const GumboVector& children = node->v.element.children;
    for (unsigned int i = 0; i < children.length; ++i)
      stack.push_back(static_cast<const GumboNode*>(children.data[i]));
  }
  return false;
}

// The page's doctype as written, for the second half to have the same quirks mode (checked
// after, against the first half's): the first markup of the page when it is one.
std::string_view doctype_of(std::string_view html) {
  std::size_t at = 0;
  while (at < html.size() && is_space(html[at])) ++at;
  if (html.size() - at < 9) return {};
  std::string lower;
  for (char c : html.substr(at, 9)) lower.push_back(static_cast<char>(std::tolower(c)));
  if (lower != "<!doctype") return {};
  const std::size_t end = html.find('>', at);
  return end == std::string_view::npos ? std::string_view() : html.substr(at, end + 1 - at);
}

// The piece's elements open where it ends (html, body, then as the estimate said), each open
// up to its end, the deepest ending with the sentinel; empty when they are not. html and body stay
// open to the end whatever end tags came (a </body> only changes the insertion mode, to one that
// sends the next start tag back to "in body"); after body, the html element holds only comments
// (put there after a </body>), which the DOM leaves out.
std::vector<const GumboNode*> open_at_end_of(const Piece& piece) {
  const GumboNode* root = piece.output->root;
  const GumboNode* body = child_with_tag(root, GUMBO_TAG_BODY);
  // In the first piece, the body began before the cut: made for the sentinel, it was not there
  // (the cut came before the body, where a <title> or a <meta> still goes to the head).
  if (body == nullptr || (piece.index == 0 && body->v.element.start_pos.offset >= piece.end) ||
      !only_comments_after(root, body))
    return {};
  std::vector<const GumboNode*> open{root, body};
  for (const std::string& name : piece.open_at_end_expected) {
    const GumboNode* next = last_child(open.back());
    if (!open_at_end(next, piece.source.size()) || !may_be_open_at_cut(next->v.element.tag) ||
        name != gumbo_normalized_tagname(next->v.element.tag))
      return {};
    open.push_back(next);
  }
  // The deepest ends with the sentinel, the cut between tokens; nothing else is open there.
  if (!is_sentinel(last_child(open.back())) || state_left_behind(root)) return {};
  return open;
}

// The piece's elements that continue those open where it begins: html holding an empty head and
// the body, the prefix's elements each the first child of the one before, and the cut's element
// first in the deepest; empty when they are not. Besides head and body, the html element holds
// only comments (after the body's end tag), which the DOM leaves out. Attributes on html and
// body came from later <html> and <body> tags, which add theirs to the first ones.
std::vector<const GumboNode*> continuing_of(const Piece& piece, std::size_t prefix) {
  const GumboNode* root = piece.output->root;
  const GumboNode* head = child_with_tag(root, GUMBO_TAG_HEAD);
  const GumboNode* body = child_with_tag(root, GUMBO_TAG_BODY);
  if (head == nullptr || body == nullptr || head->v.element.children.length != 0) return {};
  const GumboVector& root_children = root->v.element.children;
  if (root_children.length < 2 || root_children.data[0] != head || root_children.data[1] != body ||
      !only_comments_after(root, body))
    return {};
  std::vector<const GumboNode*> continuing{root, body};
  for (const std::string& name : piece.open_at_begin_expected) {
    const GumboVector& children = continuing.back()->v.element.children;
    const auto* next =
        children.length == 0 ? nullptr : static_cast<const GumboNode*>(children.data[0]);
    if (!is_html_element(next) || name != gumbo_normalized_tagname(next->v.element.tag) ||
        next->v.element.attributes.length != 0)
      return {};
    continuing.push_back(next);
  }
  const GumboVector& deepest = continuing.back()->v.element.children;
  const auto* first_of_rest =
      deepest.length == 0 ? nullptr : static_cast<const GumboNode*>(deepest.data[0]);
  if (!is_html_element(first_of_rest) ||
      first_of_rest->v.element.original_tag.data != piece.source.data() + prefix)
    return {};
  return continuing;
}

// How many pieces a page of `bytes` is cut into.
std::size_t piece_count_for(std::size_t bytes, std::size_t piece_bytes) {
  return std::max<std::size_t>(2, bytes / std::max<std::size_t>(piece_bytes, 1));
}

// How many pieces' trees may be in memory at once, parsed or being parsed and not yet freed:
// with three, each CPU has one to parse while the one before is copied into the DOM.
constexpr std::size_t kTreesAtOnce = 3;

}  // namespace

PiecewiseParse::PiecewiseParse(std::string_view html, PagesAhead& pages)
    : html_(html), pages_(pages) {}

std::unique_ptr<PiecewiseParse> PiecewiseParse::start(std::string_view html, PagesAhead& pages,
                                                      std::size_t split_from,
                                                      std::size_t piece_bytes) {
  if (html.size() < split_from) return nullptr;
  // Each cut is the first line from its place on that starts with a start tag where only
  // elements that may be open at a cut are, as a reading of the tags before it estimates them
  // (generated pages start their blocks on lines of their own); half a piece further on, the
  // pieces would be too unequal, and the place is passed over. The elements gumbo left open
  // must be these, or nothing of the split is used.
  const std::size_t count = piece_count_for(html.size(), piece_bytes);
  std::vector<CutWindow> windows;
  for (std::size_t i = 1; i < count; ++i) {
    const std::size_t at = html.size() / count * i;
    windows.push_back({at, at + html.size() / count / 2});
  }
  std::vector<CutPlace> cuts = find_cuts(html, windows, [](std::string_view name) {
    return may_be_open_at_cut(gumbo_tagn_enum(name.data(), name.size()));
  });
  // The DOM flattens what lies deeper than kMaxTreeDepth, from a walk over one tree.
  std::erase_if(cuts, [](const CutPlace& place) { return place.open.size() >= kMaxTreeDepth / 2; });
  if (cuts.empty()) return nullptr;

  std::unique_ptr<PiecewiseParse> parse(new PiecewiseParse(html, pages));
  for (std::size_t i = 0; i <= cuts.size(); ++i) {
    auto piece = std::make_unique<Piece>();
    piece->index = i;
    piece->begin = i == 0 ? 0 : cuts[i - 1].cut;
    piece->end = i == cuts.size() ? html.size() : cuts[i].cut;
    if (i > 0) piece->open_at_begin_expected = cuts[i - 1].open;
    if (i < cuts.size()) piece->open_at_end_expected = cuts[i].open;
    parse->pieces_.push_back(std::move(piece));
  }
  parse->beside_ = std::make_unique<BesideThread>([p = parse.get()] { p->work_beside(); });
  if (!parse->beside_->started()) return nullptr;  // its destructor gives up, then joins
  return parse;
}

PiecewiseParse::~PiecewiseParse() {
  {
    std::lock_guard lock(mutex_);
    give_up_ = true;
    abandon_ = true;
  }
  changed_.notify_all();
  if (beside_) beside_->join();
}

bool PiecewiseParse::may_take() const {
  return next_to_parse_ < pieces_.size() && next_to_parse_ - freed_ < kTreesAtOnce;
}

void PiecewiseParse::work_beside() {
  {
    std::lock_guard lock(mutex_);
    if (give_up_) return;
  }
  // First the scans that guard every piece: the nesting scan of the whole page (a page nested
  // too deeply is parsed whole, flattened, as always), and a <frameset> tag after the first cut
  // (whether it replaces the body depends on whether anything before it said the page has
  // content, HTML's frameset-ok flag, which the prefix's explicit <body> tag says, where the
  // first piece may not have). Meanwhile the caller parses the first piece.
  const bool refused = scan_nesting(html_, nullptr) > kMaxSourceDepth ||
                       find_case_insensitive(html_, "<frameset", pieces_[1]->begin) < html_.size();
  std::unique_lock lock(mutex_);
  scanned_ = true;
  if (refused) give_up_ = abandon_ = true;
  changed_.notify_all();
  PagesAhead no_pages(false);  // both CPUs are parsing: nothing to map ahead with
  while (true) {
    changed_.wait(lock, [&] { return give_up_ || may_take() || next_to_parse_ == pieces_.size(); });
    if (give_up_ || next_to_parse_ == pieces_.size()) return;
    Piece& piece = *pieces_[next_to_parse_++];
    piece.parsed_beside = true;
    lock.unlock();
    parse(piece, no_pages);
    lock.lock();
    piece.parsed = true;
    changed_.notify_all();
  }
}

void PiecewiseParse::parse(Piece& piece, PagesAhead& pages) {
  const bool first = piece.index == 0;
  const bool last = piece.index + 1 == pieces_.size();
  piece.memory = std::make_unique<GumboArena>(&memory_);
  if (!first) {
    piece.source = std::string(doctype_of(html_)) + "<html><body>";
    for (const std::string& name : piece.open_at_begin_expected) piece.source += "<" + name + ">";
  }
  const std::size_t prefix = piece.source.size();
  piece.source.reserve(prefix + piece.end - piece.begin + (last ? 0 : kSentinel.size()));
  piece.source.append(html_.substr(piece.begin, piece.end - piece.begin));
  if (!last) piece.source.append(kSentinel);
  piece.memory->abandon_when(&abandon_);
  piece.output = parse_with_gumbo(piece.source, *piece.memory, pages);
  piece.memory->abandon_when(nullptr);
  piece.memory->stop_mapping_ahead();  // `pages` may go before the piece
  if (piece.output == nullptr) return;
  if (!first && (piece.continuing = continuing_of(piece, prefix)).empty()) return;
  if (!last) {
    if ((piece.open_at_end = open_at_end_of(piece)).empty()) return;
    piece.sentinel = last_child(piece.open_at_end.back());
  }
  piece.usable = true;
}

const Piece* PiecewiseParse::next() {
  std::unique_lock lock(mutex_);
  if (next_to_give_ > 0) {
    // The piece before, copied into the DOM: its tree's memory is the next piece's to take.
    Piece& done = *pieces_[next_to_give_ - 1];
    done.memory.reset();
    std::string().swap(done.source);
    ++freed_;
    changed_.notify_all();
  }
  if (give_up_ || next_to_give_ == pieces_.size()) return nullptr;
  Piece& piece = *pieces_[next_to_give_];
  // Parsed here while it is not yet parsed beside, and the window lets one more be taken.
  while (!piece.parsed && !give_up_) {
    if (may_take()) {
      Piece& taken = *pieces_[next_to_parse_++];
      lock.unlock();
      // The first piece's memory mapped ahead while the CPU beside scans; later, both parse.
      PagesAhead no_pages(false);
      parse(taken, taken.index == 0 ? pages_ : no_pages);
      lock.lock();
      taken.parsed = true;
      changed_.notify_all();
    } else {
      changed_.wait(lock);
    }
  }
  // The first piece is given only once the scans that guard the whole page are done.
  changed_.wait(lock, [&] { return scanned_ || give_up_; });
  if (piece.usable && piece.index == 0)
    first_quirks_ = piece.output->document->v.document.doc_type_quirks_mode;
  if (give_up_ || !piece.usable ||
      piece.output->document->v.document.doc_type_quirks_mode != first_quirks_) {
    give_up_ = abandon_ = true;
    changed_.notify_all();
    return nullptr;
  }
  ++next_to_give_;
  changed_.notify_all();
  return &piece;
}

}  // namespace miniweb::browser::html
