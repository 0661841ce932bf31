#include "browser/html/dom.hpp"

#include <gumbo.h>

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <memory>
#include <optional>
#include <span>
#include <type_traits>
#include <vector>

#include "browser/html/dom_build.hpp"
#include "browser/html/gumbo_arena.hpp"
#include "browser/html/nesting_scan.hpp"
#include "browser/html/split_parse.hpp"
#include "shared/beside_thread.hpp"
#include "shared/pages_ahead.hpp"

namespace miniweb::browser::html {

namespace {

std::string_view tag_name(const GumboElement& element, DocumentStorage& storage) {
  if (element.tag != GUMBO_TAG_UNKNOWN) {
    return gumbo_normalized_tagname(element.tag);  // static storage
  }
  GumboStringPiece original = element.original_tag;
  gumbo_tag_from_original_text(&original);  // strips "<" ">" and attributes
  std::string name(original.data == nullptr ? "" : original.data, original.length);
  for (char& c : name) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return storage.copy(name);
}

bool is_dropped(const GumboNode& node) {
  if (node.type == GUMBO_NODE_COMMENT || node.type == GUMBO_NODE_TEMPLATE ||
      node.type == GUMBO_NODE_DOCUMENT) {
    return true;
  }
  if (node.type != GUMBO_NODE_ELEMENT) return false;
  const GumboTag tag = node.v.element.tag;
  return tag == GUMBO_TAG_SCRIPT || tag == GUMBO_TAG_STYLE || tag == GUMBO_TAG_TEMPLATE;
}

bool is_text(const GumboNode& node) {
  return node.type == GUMBO_NODE_TEXT || node.type == GUMBO_NODE_WHITESPACE ||
         node.type == GUMBO_NODE_CDATA;
}

// All text under node in document order, iteratively.
void append_descendant_text(const GumboNode& node, std::string& out) {
  std::vector<const GumboNode*> stack{&node};
  while (!stack.empty()) {
    const GumboNode* current = stack.back();
    stack.pop_back();
    if (is_text(*current)) {
      out += current->v.text.text;
      continue;
    }
    if (current->type != GUMBO_NODE_ELEMENT || (current != &node && is_dropped(*current))) {
      continue;
    }
    const GumboVector& children = current->v.element.children;
    for (unsigned int i = children.length; i > 0; --i) {
      stack.push_back(static_cast<const GumboNode*>(children.data[i - 1]));
    }
  }
}

std::string collapse_whitespace(std::string_view text) {
  std::string out;
  bool space = false;
  for (char c : text) {
    if (is_space(c)) {
      space = true;
      continue;
    }
    if (space && !out.empty()) out.push_back(' ');
    space = false;
    out.push_back(c);
  }
  return out;
}

// The candidate equal to name (in the candidates' storage), or name itself.
std::string_view one_of(std::string_view name, std::initializer_list<std::string_view> names) {
  const auto found = std::find(names.begin(), names.end(), name);
  return found == names.end() ? name : *found;
}

// An attribute's name, in static storage when it is one of HTML's common names. Layout asks
// every element for "hidden" and "style"; compared against gumbo's own copy of a name,
// written long before among megabytes of tree, each lookup missed the cache (a fifth of
// layout's time on python's stdtypes.html, perf). The static copies stay in cache.
std::string_view shared_attribute_name(std::string_view name) {
  switch (name.size()) {
    case 2:
      return one_of(name, {"id"});
    case 3:
      return one_of(name, {"src", "alt", "rel", "dir", "for"});
    case 4:
      return one_of(name, {"href", "type", "name", "lang", "role", "size", "rows", "cols", "form"});
    case 5:
      return one_of(name, {"class", "style", "title", "value", "width", "align", "start", "label"});
    case 6:
      return one_of(name, {"hidden", "height", "target", "action", "method"});
    case 7:
      return one_of(name, {"colspan", "rowspan", "checked", "content"});
    case 8:
      return one_of(name, {"disabled", "selected", "readonly", "multiple", "tabindex"});
    case 9:
      return one_of(name, {"maxlength"});
    default:
      return name;
  }
}

Node::Namespace namespace_of(const GumboElement& element) {
  switch (element.tag_namespace) {
    case GUMBO_NAMESPACE_SVG:
      return Node::Namespace::Svg;
    case GUMBO_NAMESPACE_MATHML:
      return Node::Namespace::MathMl;
    case GUMBO_NAMESPACE_HTML:
      break;
  }
  return Node::Namespace::Html;
}

// A length or count as the node keeps it. gumbo's own lengths and offsets are unsigned int,
// so nothing it parses reaches the clamp.
std::uint32_t count32(std::size_t count) {
  return static_cast<std::uint32_t>(std::min<std::size_t>(count, UINT32_MAX));
}

}  // namespace

static_assert(sizeof(Node) == 40, "a node's size is what a large page's memory is made of");

Node Node::text_node(std::string_view text) {
  Node node;
  node.kind = Kind::Text;
  node.characters_ = text.data();
  node.character_count_ = count32(text.size());
  return node;
}

void Node::set_element(std::string_view tag, Namespace name_space,
                       std::span<const Attribute> attributes) {
  kind = Kind::Element;
  element_namespace = name_space;
  characters_ = tag.data();
  character_count_ = count32(tag.size());
  attributes_ = attributes.data();
  attribute_count_ = count32(attributes.size());
}

void Node::set_children(std::span<const Node> children) {
  children_ = children.data();
  child_count_ = count32(children.size());
}

const std::string_view* Node::attribute(std::string_view name) const {
  for (const Attribute& attribute : attributes()) {
    if (attribute.name == name) return &attribute.value;
  }
  return nullptr;
}

namespace {

// From this size on, the nesting scan runs on the CPU beside while gumbo parses (below): under
// it, the scan is over before a thread would have started.
constexpr std::size_t kScanBesideFrom = 256 * 1024;

// gumbo's tree of html in `memory`, the tags nested past kMaxSourceDepth taken out first (into
// `flattened`, which html then views) where the nesting scan finds any. A large page is
// scanned on the CPU beside while gumbo parses it as it stands: the scan took 0.7 ms of python's
// stdtypes.html's dump, where gumbo takes 20. A page nested that deep, which gumbo would take
// seconds over, has its parse ended at gumbo's next allocation once the scan says so
// (GumboArena::abandon_when), and is parsed again, flattened.
const GumboOutput* parse_flat_enough(std::string_view& html, std::string& flattened,
                                     std::optional<GumboArena>& memory, PagesAhead& pages) {
  std::atomic<bool> too_deep{false};
  if (html.size() >= kScanBesideFrom) {
    BesideThread scan([&] { too_deep = scan_nesting(html, nullptr) > kMaxSourceDepth; });
    if (scan.started()) {
      memory.emplace();
      memory->abandon_when(&too_deep);
      const GumboOutput* output = parse_with_gumbo(html, *memory, pages);
      scan.join();
      memory->abandon_when(nullptr);
      if (!too_deep) return output;
      memory.reset();
    } else {
      scan.join();  // no thread: the scan runs here, before the parse
    }
  } else {
    too_deep = scan_nesting(html, nullptr) > kMaxSourceDepth;
  }
  if (too_deep) {
    flattened.reserve(html.size());
    scan_nesting(html, &flattened);
    html = flattened;
  }
  memory.emplace();
  return parse_with_gumbo(html, *memory, pages);
}

}  // namespace

bool is_kept(const GumboNode& node) {
  return !is_dropped(node) && (is_text(node) || node.type == GUMBO_NODE_ELEMENT);
}

Node::Attribute TreeCopier::copy_attribute(const GumboAttribute& attribute) {
  std::string_view name = shared_attribute_name(attribute.name);
  if (name.data() == attribute.name) name = storage_.copy(name);  // not a common name
  return {name, storage_.copy(attribute.value)};
}

void TreeCopier::copy_element_alone(const GumboNode& source, Node& target) {
  const GumboElement& element = source.v.element;
  std::span<Node::Attribute> attributes =
      storage_.make_array<Node::Attribute>(element.attributes.length);
  for (std::size_t i = 0; i < attributes.size(); ++i)
    attributes[i] = copy_attribute(*static_cast<const GumboAttribute*>(element.attributes.data[i]));
  target.set_element(tag_name(element, storage_), namespace_of(element), attributes);
  if (!have_title_ && element.tag == GUMBO_TAG_TITLE &&
      element.tag_namespace == GUMBO_NAMESPACE_HTML) {
    std::string title;
    append_descendant_text(source, title);
    document_.title = collapse_whitespace(title);
    have_title_ = true;
  }
  if (document_.base_href.empty() && element.tag == GUMBO_TAG_BASE &&
      element.tag_namespace == GUMBO_NAMESPACE_HTML) {
    if (const std::string_view* href = target.attribute("href")) document_.base_href = *href;
  }
}

void TreeCopier::add_missing_attributes(const GumboNode& source, Node& target) {
  const GumboVector& more = source.v.element.attributes;
  std::vector<const GumboAttribute*> missing;
  for (unsigned int i = 0; i < more.length; ++i) {
    const auto* attribute = static_cast<const GumboAttribute*>(more.data[i]);
    if (target.attribute(attribute->name) == nullptr) missing.push_back(attribute);
  }
  if (missing.empty()) return;
  const std::span<const Node::Attribute> has = target.attributes();
  std::span<Node::Attribute> attributes =
      storage_.make_array<Node::Attribute>(has.size() + missing.size());
  std::copy(has.begin(), has.end(), attributes.begin());
  for (std::size_t i = 0; i < missing.size(); ++i)
    attributes[has.size() + i] = copy_attribute(*missing[i]);
  target.set_element(target.tag(), target.element_namespace, attributes);
}

Node TreeCopier::copy_child(const GumboNode& child, std::size_t depth) {
  Node node;
  if (is_text(child)) {
    node = Node::text_node(storage_.copy(child.v.text.text));
    document_.text_bytes += node.text().size();
  } else {
    copy_element(child, node, depth);
  }
  return node;
}

void TreeCopier::copy_element(const GumboNode& source, Node& target, std::size_t depth) {
  struct Frame {
    const GumboNode* source;
    Node* target;
    std::size_t depth;
  };
  std::vector<Frame> stack{{&source, &target, depth}};
  while (!stack.empty()) {
    const Frame frame = stack.back();
    stack.pop_back();
    copy_element_alone(*frame.source, *frame.target);
    const GumboVector& children = frame.source->v.element.children;
    if (frame.depth + 1 >= kMaxTreeDepth) {
      std::string text;
      for (unsigned int i = 0; i < children.length; ++i) {
        const auto* child = static_cast<const GumboNode*>(children.data[i]);
        if (!is_dropped(*child)) append_descendant_text(*child, text);
        text.push_back(' ');
      }
      std::span<Node> only_child = storage_.make_array<Node>(1);
      only_child[0] = Node::text_node(storage_.copy(text));
      document_.text_bytes += only_child[0].text().size();
      frame.target->set_children(only_child);
      continue;
    }
    std::size_t kept = 0;
    for (unsigned int i = 0; i < children.length; ++i)
      kept += is_kept(*static_cast<const GumboNode*>(children.data[i])) ? 1 : 0;
    // In the arena, where they stay put: the frames pushed below point at them.
    std::span<Node> kept_children = storage_.make_array<Node>(kept);
    frame.target->set_children(kept_children);
    std::size_t next = 0;
    const std::size_t first_new_frame = stack.size();
    for (unsigned int i = 0; i < children.length; ++i) {
      const auto* child = static_cast<const GumboNode*>(children.data[i]);
      if (!is_kept(*child)) continue;
      Node& kept_child = kept_children[next++];
      if (is_text(*child)) {
        kept_child = Node::text_node(storage_.copy(child->v.text.text));
        document_.text_bytes += kept_child.text().size();
      } else {
        stack.push_back({child, &kept_child, frame.depth + 1});
      }
    }
    // Visit the children in document order (the first <title> wins).
    std::reverse(stack.begin() + static_cast<std::ptrdiff_t>(first_new_frame), stack.end());
  }
}

Document parse_html(std::string_view html) {
  return parse_html(html, kSplitParseFrom, kPieceBytes);
}

Document parse_html(std::string_view html, std::size_t split_from, std::size_t piece_bytes) {
  // The memory of gumbo's trees and of the DOM, mapped on the CPU beside as the parse goes
  // (shared/pages_ahead.hpp): the DOM's first chunk while gumbo parses.
  PagesAhead pages;
  auto storage = std::make_shared<DocumentStorage>(html.size(), pages);
  // A large page in pieces on both CPUs (html/split_parse.hpp), joined as they come when their
  // checks pass; else, or when one fails, the whole page's tree, freed once the DOM is built.
  auto pieces = PiecewiseParse::start(html, pages, split_from, piece_bytes);
  if (pieces) {
    Document document;
    document.storage = storage;
    const bool joined = join_pieces(*pieces, document, *storage);
    pieces.reset();  // the last pieces' memory, before the page is laid out
    if (joined) {
      storage->stop_mapping_ahead();  // `pages` goes with this frame
      return document;
    }
    storage = std::make_shared<DocumentStorage>(html.size(), pages);
  }
  std::string flattened;
  std::optional<GumboArena> gumbo_memory;
  const GumboOutput* output = parse_flat_enough(html, flattened, gumbo_memory, pages);
  Document document;
  document.storage = storage;
  TreeCopier(document, *storage).copy_element(*output->root, document.root, 0);
  storage->stop_mapping_ahead();
  return document;
}

}  // namespace miniweb::browser::html
