#include "browser/html/split_parse.hpp"

#include <algorithm>
#include <atomic>
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

// Whether `text` holds `lower_case` in any case.
bool contains_ignoring_case(std::string_view text, std::string_view lower_case) {
  return std::search(text.begin(), text.end(), lower_case.begin(), lower_case.end(),
                     [](char a, char b) {
                       return std::tolower(static_cast<unsigned char>(a)) == b;
                     }) != text.end();
}

}  // namespace

std::optional<SplitParse> parse_in_two(std::string_view html, PagesAhead& pages,
                                       std::size_t split_from) {
  if (html.size() < split_from) return std::nullopt;
  // The first line from the page's middle on that starts with a start tag where only
  // elements that may be open at the cut are, as a reading of the tags before it estimates them
  // (generated pages start their blocks on lines of their own); a quarter of the page further
  // on, the halves are too unequal to be worth it. The elements gumbo left open must be these,
  // or nothing of the split is used.
  auto place =
      find_cut(html, html.size() / 2, html.size() / 2 + html.size() / 4, [](std::string_view name) {
        return may_be_open_at_cut(gumbo_tagn_enum(name.data(), name.size()));
      });
  // The DOM flattens what lies deeper than kMaxTreeDepth, from a walk over one tree.
  if (!place || place->open.size() >= kMaxTreeDepth / 2) return std::nullopt;
  const std::size_t cut = place->cut;
  const std::vector<std::string>& expected = place->open;

  SplitParse split;
  split.cut = cut;
  split.first_memory = std::make_unique<GumboArena>();
  split.second_memory = std::make_unique<GumboArena>();
  split.second_source = std::string(doctype_of(html)) + "<html><body>";
  for (const std::string& name : expected) split.second_source += "<" + name + ">";
  const std::size_t prefix = split.second_source.size();
  split.second_source.append(html.substr(cut));

  // The second half on the thread beside, after two scans; the first half here meanwhile, its
  // parse ended early when either scan gives up on the split:
  // - the nesting scan of the whole page, which guards both halves (a page nested too deeply
  //   is parsed whole, flattened, as always);
  // - a <frameset> tag in the second half: whether it replaces the body depends on whether
  //   anything before it said the page has content (HTML's frameset-ok flag), which the
  //   prefix's explicit <body> tag says, where the first half may not have.
  std::atomic<bool> give_up{false};
  PagesAhead second_pages;
  const GumboOutput* second = nullptr;
  split.first_memory->abandon_when(&give_up);
  BesideThread beside([&] {
    give_up = scan_nesting(html, nullptr) > kMaxSourceDepth ||
              contains_ignoring_case(html.substr(cut), "<frameset");
    if (!give_up)
      second = parse_with_gumbo(split.second_source, *split.second_memory, second_pages);
    split.second_memory->stop_mapping_ahead();  // second_pages goes with this frame
  });
  if (!beside.started()) {
    beside.join();
    return std::nullopt;
  }
  split.first_source.reserve(cut + kSentinel.size());
  split.first_source.append(html.substr(0, cut)).append(kSentinel);
  split.first = parse_with_gumbo(split.first_source, *split.first_memory, pages);
  split.first_memory->abandon_when(nullptr);
  beside.join();
  if (split.first == nullptr || second == nullptr || give_up) return std::nullopt;

  // The elements open at the cut, from body down: the estimate's, each open up to the cut.
  // html and body stay open to the end whatever end tags came (a </body> only changes the
  // insertion mode, to one that sends the next start tag back to "in body"); after body, the
  // html element holds only comments (put there after a </body>), which the DOM leaves out.
  const GumboNode* root = split.first->root;
  const GumboNode* first_body = child_with_tag(root, GUMBO_TAG_BODY);
  // The body began before the cut: made for the sentinel, it was not there (the cut came
  // before the body, where a <title> or a <meta> still goes to the head).
  if (first_body == nullptr || first_body->v.element.start_pos.offset >= cut ||
      !only_comments_after(root, first_body))
    return std::nullopt;
  const std::size_t first_end = split.first_source.size();
  std::vector<const GumboNode*> open{first_body};
  for (const std::string& name : expected) {
    const GumboNode* next = last_child(open.back());
    if (!open_at_end(next, first_end) || !may_be_open_at_cut(next->v.element.tag) ||
        name != gumbo_normalized_tagname(next->v.element.tag))
      return std::nullopt;
    open.push_back(next);
  }
  // The deepest ends with the sentinel, the cut between tokens; nothing else is open there.
  split.sentinel = last_child(open.back());
  if (!is_sentinel(split.sentinel) || state_left_behind(root)) return std::nullopt;

  // The second half's tree: html holding an empty head and the body, the prefix's elements
  // each the first child of the one before, and the cut's element first in the deepest.
  const GumboDocument& second_document = second->document->v.document;
  if (second_document.doc_type_quirks_mode !=
      split.first->document->v.document.doc_type_quirks_mode)
    return std::nullopt;
  const GumboNode* second_root = second->root;
  const GumboNode* head = child_with_tag(second_root, GUMBO_TAG_HEAD);
  const GumboNode* body = child_with_tag(second_root, GUMBO_TAG_BODY);
  // Besides head and body, the html element holds only comments (after the body's end tag),
  // which the DOM leaves out. Attributes on html and body came from later <html> and <body>
  // tags, which add theirs to the first ones (attributes_added).
  if (head == nullptr || body == nullptr || head->v.element.children.length != 0)
    return std::nullopt;
  const GumboVector& root_children = second_root->v.element.children;
  if (root_children.length < 2 || root_children.data[0] != head || root_children.data[1] != body ||
      !only_comments_after(second_root, body))
    return std::nullopt;
  const GumboNode* level = body;
  split.open_at_cut.push_back({open[0], body});
  for (std::size_t i = 1; i < open.size(); ++i) {
    const GumboVector& children = level->v.element.children;
    const auto* next =
        children.length == 0 ? nullptr : static_cast<const GumboNode*>(children.data[0]);
    if (!is_html_element(next) || next->v.element.tag != open[i]->v.element.tag ||
        next->v.element.attributes.length != 0)
      return std::nullopt;
    split.open_at_cut.push_back({open[i], next});
    level = next;
  }
  // The cut's own element opens the deepest one's children, where the page has it.
  const GumboVector& deepest = level->v.element.children;
  const auto* first_of_rest =
      deepest.length == 0 ? nullptr : static_cast<const GumboNode*>(deepest.data[0]);
  if (!is_html_element(first_of_rest) ||
      first_of_rest->v.element.original_tag.data != split.second_source.data() + prefix)
    return std::nullopt;
  split.second = second;
  return split;
}

std::vector<const GumboAttribute*> attributes_added(const SplitParse& split,
                                                    const GumboNode* node) {
  std::vector<const GumboAttribute*> added;
  const GumboNode* second = nullptr;
  if (node == split.first->root)
    second = split.second->root;
  else if (!split.open_at_cut.empty() && node == split.open_at_cut.front().first_half)
    second = split.open_at_cut.front().second_half;  // the body
  if (second == nullptr) return added;
  // HTML §13.2.6.4.7: a later <html> or <body> tag adds each attribute the element lacks.
  const GumboVector& has = node->v.element.attributes;
  const GumboVector& more = second->v.element.attributes;
  for (unsigned int i = 0; i < more.length; ++i) {
    const auto* attribute = static_cast<const GumboAttribute*>(more.data[i]);
    bool present = false;
    for (unsigned int j = 0; j < has.length && !present; ++j)
      present = std::string_view(static_cast<const GumboAttribute*>(has.data[j])->name) ==
                attribute->name;
    if (!present) added.push_back(attribute);
  }
  return added;
}

std::vector<const GumboNode*> continued_children(const SplitParse& split, const GumboNode* node) {
  std::vector<const GumboNode*> out;
  for (std::size_t i = 0; i < split.open_at_cut.size(); ++i) {
    if (split.open_at_cut[i].first_half != node) continue;
    const GumboVector& children = split.open_at_cut[i].second_half->v.element.children;
    // Its first child continues the next element down, which has its own entry.
    const unsigned int from = i + 1 < split.open_at_cut.size() ? 1 : 0;
    for (unsigned int c = from; c < children.length; ++c)
      out.push_back(static_cast<const GumboNode*>(children.data[c]));
    break;
  }
  return out;
}

}  // namespace miniweb::browser::html
