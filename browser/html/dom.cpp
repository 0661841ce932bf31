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

#include "browser/html/gumbo_arena.hpp"
#include "browser/html/nesting_scan.hpp"
#include "browser/html/split_parse.hpp"
#include "shared/beside_thread.hpp"
#include "shared/pages_ahead.hpp"

namespace miniweb::browser::html {

// The tree's arrays and strings, cut one after the other from chunks of their own (a
// GumboArena's, used for lasting blocks only). gumbo's tree takes ten or eleven bytes for each
// byte of HTML and goes as soon as the DOM is built from it; the DOM, with its text copied,
// three and a half. A 50 MB page's dump held 763 MiB at its peak with gumbo's tree kept through the
// layout and the paint (703 MiB now), and a page on screen kept it as long as it was shown.
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

// A child the DOM keeps: text, or an element that is not dropped.
bool is_kept(const GumboNode& node) {
  return !is_dropped(node) && (is_text(node) || node.type == GUMBO_NODE_ELEMENT);
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

Document parse_html(std::string_view html) {
  return parse_html(html, kSplitParseFrom);
}

Document parse_html(std::string_view html, std::size_t split_from) {
  // The memory of gumbo's tree and of the DOM, mapped on the CPU beside as the parse goes
  // (shared/pages_ahead.hpp): the DOM's first chunk while gumbo parses.
  PagesAhead pages;
  auto storage = std::make_shared<DocumentStorage>(html.size(), pages);
  // gumbo's tree, freed when the DOM has been built from it: a large page's in two halves
  // parsed at once (html/split_parse.hpp) when its checks pass, else the whole page's.
  std::optional<SplitParse> split = parse_in_two(html, pages, split_from);
  std::string flattened;
  std::optional<GumboArena> gumbo_memory;
  const GumboOutput* output =
      split ? split->first : parse_flat_enough(html, flattened, gumbo_memory, pages);
  // An element's children: gumbo's, then, for one open where a split page was cut, those of
  // the second half that continue it.
  std::vector<const GumboNode*> children_of;
  const auto gather_children = [&](const GumboNode& source) -> std::span<const GumboNode* const> {
    const GumboVector& children = source.v.element.children;
    const auto* first = reinterpret_cast<const GumboNode* const*>(children.data);
    if (!split) return {first, children.length};
    std::vector<const GumboNode*> continued = continued_children(*split, &source);
    if (continued.empty()) return {first, children.length};
    children_of.assign(first, first + children.length);
    std::erase(children_of, split->sentinel);  // the first half's, not the page's
    children_of.insert(children_of.end(), continued.begin(), continued.end());
    return children_of;
  };

  Document document;
  document.storage = storage;
  if (split) document.parsed_in_two_at = split->cut;
  struct Frame {
    const GumboNode* source;
    Node* target;
    std::size_t depth;
  };
  std::vector<Frame> stack{{output->root, &document.root, 0}};
  bool have_title = false;
  while (!stack.empty()) {
    const Frame frame = stack.back();
    stack.pop_back();
    const GumboElement& element = frame.source->v.element;
    Node& target = *frame.target;
    // A split page's html and body also take what later <html> and <body> tags added.
    const std::vector<const GumboAttribute*> added =
        split ? attributes_added(*split, frame.source) : std::vector<const GumboAttribute*>();
    std::span<Node::Attribute> attributes =
        storage->make_array<Node::Attribute>(element.attributes.length + added.size());
    for (std::size_t i = 0; i < attributes.size(); ++i) {
      const auto* attribute = i < element.attributes.length
                                  ? static_cast<const GumboAttribute*>(element.attributes.data[i])
                                  : added[i - element.attributes.length];
      std::string_view name = shared_attribute_name(attribute->name);
      if (name.data() == attribute->name) name = storage->copy(name);  // not a common name
      attributes[i] = {name, storage->copy(attribute->value)};
    }
    target.set_element(tag_name(element, *storage), namespace_of(element), attributes);
    if (!have_title && element.tag == GUMBO_TAG_TITLE &&
        element.tag_namespace == GUMBO_NAMESPACE_HTML) {
      std::string title;
      append_descendant_text(*frame.source, title);
      document.title = collapse_whitespace(title);
      have_title = true;
    }

    if (document.base_href.empty() && element.tag == GUMBO_TAG_BASE &&
        element.tag_namespace == GUMBO_NAMESPACE_HTML) {
      if (const std::string_view* href = target.attribute("href")) document.base_href = *href;
    }

    const GumboVector& children = element.children;
    if (frame.depth + 1 >= kMaxTreeDepth) {
      std::string text;
      for (unsigned int i = 0; i < children.length; ++i) {
        const auto* child = static_cast<const GumboNode*>(children.data[i]);
        if (!is_dropped(*child)) append_descendant_text(*child, text);
        text.push_back(' ');
      }
      std::span<Node> only_child = storage->make_array<Node>(1);
      only_child[0] = Node::text_node(storage->copy(text));
      document.text_bytes += only_child[0].text().size();
      target.set_children(only_child);
      continue;
    }
    const std::span<const GumboNode* const> sources = gather_children(*frame.source);
    std::size_t kept = 0;
    for (const GumboNode* child : sources) kept += is_kept(*child) ? 1 : 0;
    // In the arena, where they stay put: the frames pushed below point at them.
    std::span<Node> kept_children = storage->make_array<Node>(kept);
    target.set_children(kept_children);
    std::size_t next = 0;
    const std::size_t first_new_frame = stack.size();
    for (const GumboNode* child : sources) {
      if (!is_kept(*child)) continue;
      Node& kept_child = kept_children[next++];
      if (is_text(*child)) {
        kept_child = Node::text_node(storage->copy(child->v.text.text));
        document.text_bytes += kept_child.text().size();
      } else {
        stack.push_back({child, &kept_child, frame.depth + 1});
      }
    }
    // Visit the children in document order (the first <title> wins).
    std::reverse(stack.begin() + static_cast<std::ptrdiff_t>(first_new_frame), stack.end());
  }
  storage->stop_mapping_ahead();  // `pages` goes with this frame
  return document;
}

}  // namespace miniweb::browser::html
