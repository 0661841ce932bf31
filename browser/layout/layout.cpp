#include "browser/layout/layout.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "browser/layout/utf8.hpp"

namespace miniweb::browser::layout {

namespace {

using html::Node;

// Tables inside table cells are measured, then laid out, so each level of nesting doubles
// the work; deeper tables are drawn as plain blocks, one cell under the other.
constexpr int kMaxTableNesting = 3;
constexpr int kMaxTableColumns = 256;
// The width a table cell is measured at: wide enough that nothing wraps.
constexpr int kUnbounded = 1 << 24;
// lynx's bullets, one per level of list nesting.
constexpr std::array<std::string_view, 7> kBullets = {"*", "+", "o", "#", "@", "-", "="};

// How the built-in user-agent style treats each element.
enum class Display {
  Inline,
  Hidden,
  Block,
  Paragraph,  // a block with a blank line before and after
  Heading,
  Preformatted,
  List,
  ListItem,
  Definition,
  Blockquote,
  Table,
  LineBreak,
  Rule,
  Image,
  Anchor,
  Bold,
  Italic,
  Underline,
  Code,
  Input,
  Button,
  Select,
  Quote,
  Superscript,
  WordBreak,
  Center,
};

Display display_of(std::string_view tag) {
  static const std::unordered_map<std::string_view, Display> table = {
      {"head", Display::Hidden},
      {"title", Display::Hidden},
      {"script", Display::Hidden},
      {"style", Display::Hidden},
      {"template", Display::Hidden},
      {"meta", Display::Hidden},
      {"link", Display::Hidden},
      {"base", Display::Hidden},
      {"svg", Display::Hidden},
      {"iframe", Display::Hidden},
      {"noframes", Display::Hidden},
      {"datalist", Display::Hidden},
      {"option", Display::Hidden},
      {"param", Display::Hidden},
      {"source", Display::Hidden},
      {"track", Display::Hidden},
      {"area", Display::Hidden},
      {"map", Display::Inline},
      {"html", Display::Block},
      {"body", Display::Block},
      {"div", Display::Block},
      {"section", Display::Block},
      {"article", Display::Block},
      {"header", Display::Block},
      {"footer", Display::Block},
      {"nav", Display::Block},
      {"aside", Display::Block},
      {"main", Display::Block},
      {"form", Display::Block},
      {"figcaption", Display::Block},
      {"caption", Display::Block},
      {"summary", Display::Block},
      {"details", Display::Block},
      {"legend", Display::Block},
      {"hgroup", Display::Block},
      {"search", Display::Block},
      {"dialog", Display::Block},
      {"center", Display::Center},
      {"dt", Display::Block},
      {"tr", Display::Block},
      {"td", Display::Block},
      {"th", Display::Block},
      {"thead", Display::Block},
      {"tbody", Display::Block},
      {"tfoot", Display::Block},
      {"frameset", Display::Block},
      {"frame", Display::Block},
      {"optgroup", Display::Hidden},
      {"p", Display::Paragraph},
      {"dl", Display::Paragraph},
      {"figure", Display::Paragraph},
      {"address", Display::Paragraph},
      {"fieldset", Display::Paragraph},
      {"h1", Display::Heading},
      {"h2", Display::Heading},
      {"h3", Display::Heading},
      {"h4", Display::Heading},
      {"h5", Display::Heading},
      {"h6", Display::Heading},
      {"pre", Display::Preformatted},
      {"listing", Display::Preformatted},
      {"xmp", Display::Preformatted},
      {"plaintext", Display::Preformatted},
      {"textarea", Display::Preformatted},
      {"ul", Display::List},
      {"ol", Display::List},
      {"menu", Display::List},
      {"dir", Display::List},
      {"li", Display::ListItem},
      {"dd", Display::Definition},
      {"blockquote", Display::Blockquote},
      {"table", Display::Table},
      {"br", Display::LineBreak},
      {"hr", Display::Rule},
      {"img", Display::Image},
      {"a", Display::Anchor},
      {"b", Display::Bold},
      {"strong", Display::Bold},
      {"i", Display::Italic},
      {"em", Display::Italic},
      {"cite", Display::Italic},
      {"var", Display::Italic},
      {"dfn", Display::Italic},
      {"code", Display::Code},
      {"kbd", Display::Code},
      {"samp", Display::Code},
      {"tt", Display::Code},
      {"u", Display::Underline},
      {"ins", Display::Underline},
      {"input", Display::Input},
      {"button", Display::Button},
      {"select", Display::Select},
      {"q", Display::Quote},
      {"sup", Display::Superscript},
      {"wbr", Display::WordBreak},
  };
  const auto found = table.find(tag);
  return found == table.end() ? Display::Inline : found->second;
}

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

int parse_int(const std::string_view* text, int fallback) {
  if (text == nullptr) return fallback;
  std::string_view view = *text;
  while (!view.empty() && is_space(view.front())) view.remove_prefix(1);
  if (!view.empty() && view.front() == '+') view.remove_prefix(1);
  int value = 0;
  const auto [end, error] = std::from_chars(view.data(), view.data() + view.size(), value);
  return error == std::errc() ? value : fallback;
}

// Hidden by the attribute or by the one inline style that pages use to hide things.
bool is_hidden(const Node& node) {
  if (node.attribute("hidden") != nullptr) return true;
  if (const std::string_view* style = node.attribute("style")) {
    std::string compact;
    for (char c : lower(*style)) {
      if (!is_space(c)) compact.push_back(c);
    }
    if (compact.find("display:none") != std::string::npos) return true;
  }
  return false;
}

// The URL Standard's first steps on any input (WHATWG URL §4.4): leading and trailing
// spaces and controls go, and so do tabs and newlines inside.
std::string clean_href(std::string_view href) {
  while (!href.empty() && static_cast<unsigned char>(href.front()) <= 0x20) href.remove_prefix(1);
  while (!href.empty() && static_cast<unsigned char>(href.back()) <= 0x20) href.remove_suffix(1);
  std::string out;
  out.reserve(href.size());
  for (char c : href) {
    if (c != '\t' && c != '\n' && c != '\r') out.push_back(c);
  }
  return out;
}

// Whether anything under node would show as text: a non-blank text node or an image.
bool has_visible_content(const Node& node) {
  std::vector<const Node*> stack{&node};
  while (!stack.empty()) {
    const Node* current = stack.back();
    stack.pop_back();
    if (current->is_text()) {
      if (current->text.find_first_not_of(" \t\n\r\f") != std::string_view::npos) return true;
      continue;
    }
    if (current->tag == "img" || current->tag == "input") return true;
    for (const Node& child : current->children) stack.push_back(&child);
  }
  return false;
}

// Text fit for any painter: no control characters (a page must not be able to drive the
// terminal), no soft hyphens, no-break spaces as plain spaces (they never reach the
// word-breaking step, so they still do not break).
void append_sanitized(std::string& out, std::string_view text) {
  std::size_t pos = 0;
  while (pos < text.size()) {
    const auto byte = static_cast<unsigned char>(text[pos]);
    if (byte >= 0x20 && byte < 0x7F) {
      out.push_back(static_cast<char>(byte));
      ++pos;
      continue;
    }
    const char32_t cp = decode_utf8(text, pos);
    if (cp < 0x20 || (cp >= 0x7F && cp < 0xA0) || cp == 0xAD) continue;
    if (cp == 0xA0) {
      out.push_back(' ');
      continue;
    }
    append_utf8(out, cp);
  }
}

std::string to_roman(int value, bool upper) {
  static constexpr std::array<std::pair<int, std::string_view>, 13> kNumerals = {{
      {1000, "m"},
      {900, "cm"},
      {500, "d"},
      {400, "cd"},
      {100, "c"},
      {90, "xc"},
      {50, "l"},
      {40, "xl"},
      {10, "x"},
      {9, "ix"},
      {5, "v"},
      {4, "iv"},
      {1, "i"},
  }};
  if (value <= 0 || value >= 4000) return std::to_string(value);
  std::string out;
  for (const auto& [amount, numeral] : kNumerals) {
    while (value >= amount) {
      out += numeral;
      value -= amount;
    }
  }
  if (upper) {
    for (char& c : out) c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

std::string to_letters(int value, bool upper) {
  if (value <= 0) return std::to_string(value);
  std::string out;
  while (value > 0) {
    --value;
    out.insert(out.begin(), static_cast<char>((upper ? 'A' : 'a') + value % 26));
    value /= 26;
  }
  return out;
}

struct Piece {
  std::string text;
  Style style;
  int link;
};

struct Fragment {
  int x;
  int width;
  std::string text;
  Style style;
  int link;
};

enum class Margin { None, BlankLine };

struct ListState {
  bool ordered = false;
  int next = 1;
  char type = '1';
};

// One block formatting context: a box from left_ to right_ that lines fill top to bottom.
// The document is one; every table cell is another.
class Engine {
 public:
  struct Box {
    int left;
    int right;
    int body_margin;  // headings at this indent are drawn flush left; -1 in table cells
  };

  Engine(const TextMeasurer& measurer, std::vector<std::string>& links, int link_offset, Box box,
         int table_depth, Style style)
      : measurer_(measurer),
        links_(links),
        link_offset_(link_offset),
        left_(box.left),
        right_(box.right),
        body_margin_(box.body_margin),
        table_depth_(table_depth),
        style_(style) {
    cell_ = std::max(1, measurer_.text_width("n", Style{}));
    space_width_ = measurer_.text_width(" ", Style{});
    blank_height_ = std::max(1, measurer_.line_height(Style{}));
    min_available_ = std::min(right_ - left_, 20 * cell_);
    line_x_ = left_;
  }

  void layout_node(const Node& node) {
    if (node.is_text()) {
      add_text(node.text);
      return;
    }
    if (is_hidden(node)) return;
    const Display display = display_of(node.tag);
    // The presentational align="center" (HTML 3.2) that old pages and lynx still honour.
    if (const std::string_view* align = node.attribute("align");
        align != nullptr && display != Display::Inline && display != Display::Image &&
        display != Display::Table) {
      const bool saved = centered_;
      centered_ = lower(*align) == "center";
      layout_block_element(node, display);
      centered_ = saved;
      return;
    }
    layout_block_element(node, display);
  }

  void layout_block_element(const Node& node, Display display) {
    switch (display) {
      case Display::Hidden:
        return;
      case Display::Inline:
        layout_children(node);
        return;
      case Display::Block:
        block(node, Margin::None, 0);
        return;
      case Display::Paragraph:
        block(node, Margin::BlankLine, 0);
        return;
      case Display::Heading:
        heading(node);
        return;
      case Display::Preformatted:
        preformatted(node);
        return;
      case Display::List:
        list(node);
        return;
      case Display::ListItem:
        list_item(node);
        return;
      case Display::Definition:
        block(node, Margin::None, 4 * cell_);
        return;
      case Display::Blockquote:
        block(node, Margin::BlankLine, 4 * cell_);
        return;
      case Display::Table:
        table(node);
        return;
      case Display::LineBreak:
        line_break();
        return;
      case Display::Rule:
        rule();
        return;
      case Display::Image:
        image(node);
        return;
      case Display::Anchor:
        anchor(node);
        return;
      case Display::Bold:
        with_style(node, [](Style& style) { style.bold = true; });
        return;
      case Display::Italic:
        with_style(node, [](Style& style) { style.italic = true; });
        return;
      case Display::Underline:
        with_style(node, [](Style& style) { style.underline = true; });
        return;
      case Display::Code:
        with_style(node, [](Style& style) { style.monospace = true; });
        return;
      case Display::Input:
        input(node);
        return;
      case Display::Button:
        if (!has_visible_content(node)) return;  // an icon button drawn by CSS
        add_text("[");
        layout_children(node);
        add_text("]");
        return;
      case Display::Select:
        select(node);
        return;
      case Display::Center: {
        const bool saved = centered_;
        centered_ = true;
        block(node, Margin::None, 0);
        centered_ = saved;
        return;
      }
      case Display::Superscript:
        // As lynx and w3m write it: 2<sup>n</sup> reads 2^n.
        add_text("^");
        layout_children(node);
        return;
      case Display::WordBreak:
        end_word();  // a place to break, but no space
        return;
      case Display::Quote:
        add_text("\"");
        layout_children(node);
        add_text("\"");
        return;
    }
  }

  void layout_children(const Node& node) {
    for (const Node& child : node.children) layout_node(child);
  }

  // Ends the last line; call once after the last node.
  void finish() {
    end_block(Margin::None);
    if (marker_pending_) emit_line();
  }

  int height() const { return y_; }
  // The narrowest this box can be without breaking a word, and the width it takes when
  // nothing wraps (CSS's min-content and max-content widths), for table columns.
  int min_width() const { return max_word_; }
  int max_width() const { return max_extent_; }
  std::vector<TextRun> take_runs() { return std::move(runs_); }

 private:
  // --- inline content -------------------------------------------------------------------

  void add_text(std::string_view text) {
    if (preformatted_) {
      add_preformatted(text);
      return;
    }
    std::size_t pos = 0;
    while (pos < text.size()) {
      if (is_space(text[pos])) {
        end_word();
        pending_space_ = true;
        ++pos;
        continue;
      }
      std::size_t end = pos;
      while (end < text.size() && !is_space(text[end])) ++end;
      append_to_word(text.substr(pos, end - pos));
      pos = end;
    }
  }

  void append_to_word(std::string_view text) {
    if (!link_label_.empty()) {
      std::string label = std::move(link_label_);
      link_label_.clear();
      append_to_word(label);
    }
    if (word_.empty() || !(word_.back().style == style_) || word_.back().link != link_) {
      word_.push_back({std::string(), style_, link_});
    }
    append_sanitized(word_.back().text, text);
  }

  // Places the word being built on the line, wrapping first if it does not fit.
  void end_word() {
    if (word_.empty()) return;
    std::vector<int> widths;
    widths.reserve(word_.size());
    int width = 0;
    for (const Piece& piece : word_) {
      widths.push_back(measurer_.text_width(piece.text, piece.style));
      width += widths.back();
    }
    bool spaced = pending_space_ && !line_.empty();
    int x = line_.empty() ? left_ : line_x_ + (spaced ? space_width_ : 0);
    if (!line_.empty() && x + width > right_) {
      flush_line();
      spaced = false;
      x = left_;
    }
    max_word_ = std::max(max_word_, left_ + width);
    if (x + width > right_) {
      hard_break_word();
    } else {
      for (std::size_t i = 0; i < word_.size(); ++i) {
        append_fragment(x, widths[i], std::move(word_[i].text), word_[i].style, word_[i].link,
                        spaced && i == 0);
        x += widths[i];
      }
    }
    word_.clear();
    pending_space_ = false;
  }

  // A word longer than the line: as many code points as fit on each line, never splitting
  // one (and a zero-width mark always stays with the character before it).
  void hard_break_word() {
    for (Piece& piece : word_) {
      std::string chunk;
      int chunk_width = 0;
      int x = line_.empty() ? left_ : line_x_;
      std::size_t pos = 0;
      while (pos < piece.text.size()) {
        const std::size_t start = pos;
        decode_utf8(piece.text, pos);
        const std::string_view code_point(piece.text.data() + start, pos - start);
        const int width = measurer_.text_width(code_point, piece.style);
        if (x + chunk_width + width > right_ && x + chunk_width > left_) {
          if (!chunk.empty())
            append_fragment(x, chunk_width, std::move(chunk), piece.style, piece.link, false);
          flush_line();
          chunk.clear();
          chunk_width = 0;
          x = left_;
        }
        chunk += code_point;
        chunk_width += width;
      }
      if (!chunk.empty()) {
        append_fragment(x, chunk_width, std::move(chunk), piece.style, piece.link, false);
      }
    }
  }

  void append_fragment(int x, int width, std::string text, const Style& style, int link,
                       bool after_space) {
    if (!line_.empty() && line_.back().style == style && line_.back().link == link) {
      Fragment& last = line_.back();
      if (after_space) last.text.push_back(' ');
      last.text += text;
      last.width = x + width - last.x;
    } else {
      line_.push_back({x, width, std::move(text), style, link});
    }
    line_x_ = x + width;
  }

  // <pre>: every character kept, lines broken only where the source breaks them.
  void add_preformatted(std::string_view text) {
    std::string chunk;
    const auto commit = [&] {
      if (chunk.empty()) return;
      std::string clean;
      append_sanitized(clean, chunk);
      chunk.clear();
      const int x = line_.empty() ? left_ : line_x_;
      const int width = measurer_.text_width(clean, style_);
      append_fragment(x, width, std::move(clean), style_, link_, false);
    };
    for (char c : text) {
      if (c == '\n') {
        commit();
        emit_line();
      } else if (c == '\t') {
        commit();
        const int column = ((line_.empty() ? left_ : line_x_) - left_) / cell_;
        chunk.assign(static_cast<std::size_t>(8 - column % 8), ' ');
        commit();
      } else if (c != '\r') {
        chunk.push_back(c);
      }
    }
    commit();
  }

  // --- lines and blocks -------------------------------------------------------------------

  void flush_line() {
    if (!line_.empty()) emit_line();
  }

  // Ends the current line, even an empty one (a <br> on its own, a blank line in <pre>).
  void emit_line() {
    if (any_content_) y_ += pending_gap_ * blank_height_;
    pending_gap_ = 0;
    int height = line_.empty() ? blank_height_ : 0;
    for (const Fragment& fragment : line_) {
      height = std::max(height, measurer_.line_height(fragment.style));
    }
    if (marker_pending_) {
      runs_.push_back({marker_x_, y_, std::move(marker_), marker_style_, -1});
      marker_pending_ = false;
    }
    // (Not while measuring a table cell: centring in an unbounded box would make it huge.)
    if (centered_ && !line_.empty() && right_ < kUnbounded / 2) {
      const int used = line_.back().x + line_.back().width - left_;
      const int shift = std::max(0, (right_ - left_ - used) / 2);
      for (Fragment& fragment : line_) fragment.x += shift;
    }
    for (Fragment& fragment : line_) {
      max_extent_ = std::max(max_extent_, fragment.x + fragment.width);
      runs_.push_back({fragment.x, y_, std::move(fragment.text), fragment.style, fragment.link});
    }
    line_.clear();
    y_ += height;
    line_x_ = left_;
    any_content_ = true;
  }

  // Starts or ends a block: the line in progress ends, and a blank line is wanted before
  // whatever comes next (blank lines collapse: two blocks never get two).
  void end_block(Margin margin) {
    end_word();
    flush_line();
    pending_space_ = false;
    if (margin == Margin::BlankLine) pending_gap_ = 1;
    line_x_ = left_;
  }

  // Keeps a minimum line length however deep the indentation goes.
  int indented(int indent) const {
    const int limit = right_ - min_available_;
    return std::max(left_, std::min(left_ + indent, limit));
  }

  void block(const Node& node, Margin margin, int indent) {
    end_block(margin);
    const int saved_left = left_;
    left_ = indented(indent);
    line_x_ = left_;
    layout_children(node);
    end_block(margin);
    left_ = saved_left;
    line_x_ = left_;
  }

  template <class Change>
  void with_style(const Node& node, Change change) {
    const Style saved = style_;
    change(style_);
    layout_children(node);
    style_ = saved;
  }

  void heading(const Node& node) {
    const Style saved = style_;
    style_.bold = true;
    style_.heading = node.tag[1] - '0';
    end_block(Margin::BlankLine);
    const int saved_left = left_;
    // Like lynx: body text is indented, headings stand out flush left.
    if (left_ == body_margin_) left_ = 0;
    line_x_ = left_;
    layout_children(node);
    end_block(Margin::BlankLine);
    left_ = saved_left;
    line_x_ = left_;
    style_ = saved;
  }

  void preformatted(const Node& node) {
    end_block(Margin::BlankLine);
    const bool saved = preformatted_;
    const Style saved_style = style_;
    preformatted_ = true;
    style_.preformatted = true;
    layout_children(node);
    end_block(Margin::BlankLine);
    preformatted_ = saved;
    style_ = saved_style;
  }

  void line_break() {
    end_word();
    emit_line();
    pending_space_ = false;
  }

  void rule() {
    end_block(Margin::None);
    const int underscore = std::max(1, measurer_.text_width("_", style_));
    // Measuring a table cell: a rule takes any width it is given.
    const int available = right_ >= kUnbounded / 2 ? underscore : right_ - left_;
    const int count = std::max(1, available / underscore);
    append_fragment(left_, count * underscore, std::string(static_cast<std::size_t>(count), '_'),
                    style_, -1, false);
    end_block(Margin::None);
  }

  void image(const Node& node) {
    const std::string_view* alt = node.attribute("alt");
    if (alt == nullptr) {
      add_text("[IMAGE]");
      return;
    }
    // alt="" marks a decorative image: nothing to read.
    if (alt->find_first_not_of(" \t\n\r\f") == std::string_view::npos) return;
    add_text("[" + std::string(*alt) + "]");
  }

  void anchor(const Node& node) {
    const std::string_view* href = node.attribute("href");
    if (href == nullptr) {
      layout_children(node);
      return;
    }
    links_.push_back(clean_href(*href));
    const int saved = link_;
    link_ = link_offset_ + static_cast<int>(links_.size());
    // lynx -dump: the number goes just before the link's text, "[1]Home", even when the
    // text inside the element starts with a space.
    const std::string label = "[" + std::to_string(link_) + "]";
    if (preformatted_) {
      add_text(label);
    } else {
      link_label_ = label;
    }
    layout_children(node);
    if (!link_label_.empty()) append_to_word("");  // a link with nothing to show
    link_ = saved;
  }

  void input(const Node& node) {
    const std::string_view* type_attribute = node.attribute("type");
    const std::string type = type_attribute == nullptr ? "text" : lower(*type_attribute);
    const std::string_view* value = node.attribute("value");
    const bool checked = node.attribute("checked") != nullptr;
    if (type == "hidden") return;
    if (type == "checkbox") {
      add_text(checked ? "[X]" : "[ ]");
    } else if (type == "radio") {
      add_text(checked ? "(*)" : "( )");
    } else if (type == "submit" || type == "reset" || type == "button") {
      const std::string fallback = type == "reset" ? "Reset" : type == "submit" ? "Submit" : "";
      add_text("[" + (value != nullptr ? std::string(*value) : fallback) + "]");
    } else if (type == "image") {
      const std::string_view* alt = node.attribute("alt");
      add_text("[" + (alt != nullptr ? std::string(*alt) : std::string("Submit")) + "]");
    } else {
      // A text field, drawn as lynx draws one: its value, then underscores to its size.
      std::string field = value != nullptr ? std::string(*value) : std::string();
      if (type == "password") field.assign(field.size(), '*');
      const int size = std::clamp(parse_int(node.attribute("size"), 20), 1, 40);
      if (static_cast<int>(field.size()) < size) {
        field.append(static_cast<std::size_t>(size) - field.size(), '_');
      }
      add_text(field);
    }
  }

  void select(const Node& node) {
    // The option a form would submit: the one marked selected, else the first.
    const Node* chosen = nullptr;
    std::vector<const Node*> options;
    for (const Node& child : node.children) {
      if (child.is_element() && child.tag == "option") options.push_back(&child);
      if (child.is_element() && child.tag == "optgroup") {
        for (const Node& grandchild : child.children) {
          if (grandchild.is_element() && grandchild.tag == "option") {
            options.push_back(&grandchild);
          }
        }
      }
    }
    for (const Node* option : options) {
      if (option->attribute("selected") != nullptr) {
        chosen = option;
        break;
      }
    }
    if (chosen == nullptr && !options.empty()) chosen = options.front();
    std::string text;
    if (chosen != nullptr) {
      for (const Node& child : chosen->children) {
        if (child.is_text()) text += child.text;
      }
    }
    add_text("[");
    add_text(text);
    add_text("]");
  }

  // --- lists ------------------------------------------------------------------------------

  void list(const Node& node) {
    // Lists nested in lists take no blank lines around them, as in lynx.
    const Margin margin = list_depth_ > 0 ? Margin::None : Margin::BlankLine;
    end_block(margin);
    const ListState saved = list_;
    const int saved_left = left_;
    list_ = ListState{};
    list_.ordered = node.tag == "ol";
    list_.next = parse_int(node.attribute("start"), 1);
    if (const std::string_view* type = node.attribute("type");
        type != nullptr && type->size() == 1) {
      list_.type = (*type)[0];
    }
    left_ = indented(4 * cell_);
    line_x_ = left_;
    ++list_depth_;
    layout_children(node);
    --list_depth_;
    end_block(margin);
    left_ = saved_left;
    line_x_ = left_;
    list_ = saved;
  }

  void list_item(const Node& node) {
    end_block(Margin::None);
    if (marker_pending_) emit_line();  // an empty item before this one keeps its marker
    const int saved_left = left_;
    // An item outside any list is drawn as if in one.
    if (list_depth_ == 0) left_ = indented(4 * cell_);
    std::string marker;
    if (list_.ordered) {
      const int number = parse_int(node.attribute("value"), list_.next);
      list_.next = number + 1;
      switch (list_.type) {
        case 'a':
        case 'A':
          marker = to_letters(number, list_.type == 'A');
          break;
        case 'i':
        case 'I':
          marker = to_roman(number, list_.type == 'I');
          break;
        default:
          marker = std::to_string(number);
      }
      marker += '.';
    } else {
      const int level = std::max(0, list_depth_ - 1);
      marker = kBullets[static_cast<std::size_t>(level) % kBullets.size()];
    }
    const int marker_width = measurer_.text_width(marker, Style{});
    if (left_ - marker_width - space_width_ >= 0) {
      marker_x_ = left_ - marker_width - space_width_;
      marker_ = std::move(marker);
      marker_style_ = Style{};
      marker_pending_ = true;
    } else {
      // No room in the margin (a very narrow screen): the marker leads the text instead.
      add_text(marker + " ");
    }
    layout_children(node);
    end_block(Margin::None);
    if (marker_pending_) emit_line();
    left_ = saved_left;
    line_x_ = left_;
  }

  // --- tables, sized to content as w3m sizes them -----------------------------------------

  struct Cell {
    const Node* node;
    int column;
    int span;
    int row_span = 1;
    int min = 0;
    int max = 0;
  };

  Style cell_style(const Cell& cell) const {
    Style style = style_;
    style.preformatted = false;
    if (cell.node->tag == "th") style.bold = true;
    return style;
  }

  void table(const Node& node) {
    if (table_depth_ >= kMaxTableNesting) {
      block(node, Margin::BlankLine, 0);
      return;
    }
    std::vector<std::vector<Cell>> rows;
    std::vector<const Node*> captions;
    // occupied_until[c]: the first row index no longer covered by a rowspan in column c.
    std::vector<int> occupied_until(kMaxTableColumns, 0);
    const auto add_row = [&rows, &occupied_until](const Node& row_node) {
      std::vector<Cell> row;
      const int index = static_cast<int>(rows.size());
      int column = 0;
      for (const Node& child : row_node.children) {
        if (!child.is_element() || (child.tag != "td" && child.tag != "th")) continue;
        while (column < kMaxTableColumns &&
               occupied_until[static_cast<std::size_t>(column)] > index) {
          ++column;
        }
        if (is_hidden(child) || column >= kMaxTableColumns) continue;
        const int span =
            std::clamp(parse_int(child.attribute("colspan"), 1), 1, kMaxTableColumns - column);
        // rowspan="0" (to the end of the group) is taken as 1.
        const int row_span = std::clamp(parse_int(child.attribute("rowspan"), 1), 1, 65534);
        for (int c = column; c < column + span; ++c) {
          occupied_until[static_cast<std::size_t>(c)] = index + row_span;
        }
        row.push_back({&child, column, span, row_span});
        column += span;
      }
      if (!row.empty()) rows.push_back(std::move(row));
    };
    for (const Node& child : node.children) {
      if (!child.is_element() || is_hidden(child)) continue;
      if (child.tag == "tr") {
        add_row(child);
      } else if (child.tag == "thead" || child.tag == "tbody" || child.tag == "tfoot") {
        for (const Node& row : child.children) {
          if (row.is_element() && row.tag == "tr" && !is_hidden(row)) add_row(row);
        }
      } else if (child.tag == "caption") {
        captions.push_back(&child);
      }
    }

    end_block(Margin::BlankLine);
    for (const Node* caption : captions) block(*caption, Margin::None, 0);
    if (rows.empty()) {
      end_block(Margin::BlankLine);
      return;
    }

    int columns = 0;
    for (const auto& row : rows) columns = std::max(columns, row.back().column + row.back().span);
    // Too narrow for the columns side by side: one cell under the other, as lynx does.
    if (static_cast<std::int64_t>(right_ - left_) <
        static_cast<std::int64_t>(columns) * 3 * cell_ - 2 * cell_) {
      for (const auto& row : rows) {
        for (const Cell& cell : row) block(*cell.node, Margin::None, 0);
      }
      end_block(Margin::BlankLine);
      return;
    }

    // Measure every cell with nothing wrapping. Link numbers come out as in the real pass
    // (same order, same starting number) but are kept apart.
    std::vector<std::string> scratch_links;
    const int scratch_offset = link_offset_ + static_cast<int>(links_.size());
    for (auto& row : rows) {
      for (Cell& cell : row) {
        Engine measure(measurer_, scratch_links, scratch_offset, {0, kUnbounded, -1},
                       table_depth_ + 1, cell_style(cell));
        measure.layout_children(*cell.node);
        measure.finish();
        cell.min = measure.min_width();
        cell.max = std::max(measure.max_width(), cell.min);
      }
    }
    const std::vector<int> widths = column_widths(rows, columns);
    const int gap = 2 * cell_;

    std::vector<int> starts(static_cast<std::size_t>(columns) + 1, 0);
    for (int c = 0; c < columns; ++c) {
      starts[static_cast<std::size_t>(c) + 1] =
          starts[static_cast<std::size_t>(c)] + widths[static_cast<std::size_t>(c)] + gap;
    }
    int total = 0;
    for (int w : widths) total += w;
    max_word_ = std::max(max_word_, left_ + total + gap * (columns - 1));

    // Cells spanning rows hang down into the rows below; each row then starts below every
    // spanning cell that ended above it.
    struct Hanging {
      int last_row;
      int bottom;
    };
    std::vector<Hanging> hanging;
    for (std::size_t r = 0; r < rows.size(); ++r) {
      const auto& row = rows[r];
      if (any_content_) y_ += pending_gap_ * blank_height_;
      pending_gap_ = 0;
      if (marker_pending_) {  // a list item that starts with a table
        runs_.push_back({marker_x_, y_, std::move(marker_), marker_style_, -1});
        marker_pending_ = false;
      }
      int row_height = 0;
      for (const Cell& cell : row) {
        const int x = left_ + starts[static_cast<std::size_t>(cell.column)];
        const int width = starts[static_cast<std::size_t>(cell.column + cell.span)] -
                          starts[static_cast<std::size_t>(cell.column)] - gap;
        Engine layout(measurer_, links_, link_offset_, {0, std::max(width, cell_), -1},
                      table_depth_ + 1, cell_style(cell));
        layout.layout_children(*cell.node);
        layout.finish();
        for (TextRun& run : layout.take_runs()) {
          run.x += x;
          run.y += y_;
          runs_.push_back(std::move(run));
        }
        max_extent_ = std::max(max_extent_, x + layout.max_width());
        if (cell.row_span > 1) {
          hanging.push_back({static_cast<int>(r) + cell.row_span - 1, y_ + layout.height()});
          row_height = std::max(row_height, std::min(layout.height(), blank_height_));
        } else {
          row_height = std::max(row_height, layout.height());
        }
      }
      y_ += row_height;
      const bool last = r + 1 == rows.size();
      for (const Hanging& cell : hanging) {
        if (cell.last_row == static_cast<int>(r) || (last && cell.last_row > static_cast<int>(r))) {
          y_ = std::max(y_, cell.bottom);
        }
      }
      if (y_ > 0 || row_height > 0) any_content_ = true;
    }
    end_block(Margin::BlankLine);
  }

  // Columns as wide as their widest cell when the table fits; otherwise each column gets
  // its narrowest (widest word) plus a share of the rest in proportion to how much it
  // wants; when even the narrowest do not fit, they shrink in proportion and words break.
  std::vector<int> column_widths(const std::vector<std::vector<Cell>>& rows, int columns) const {
    const auto count = static_cast<std::size_t>(columns);
    std::vector<int> min(count, 0);
    std::vector<int> max(count, 0);
    const int gap = 2 * cell_;
    for (const auto& row : rows) {
      for (const Cell& cell : row) {
        if (cell.span != 1) continue;
        const auto c = static_cast<std::size_t>(cell.column);
        min[c] = std::max(min[c], cell.min);
        max[c] = std::max(max[c], cell.max);
      }
    }
    // A spanning cell wider than its columns widens the last of them, which keeps the
    // columns before it as narrow as their own cells.
    for (const auto& row : rows) {
      for (const Cell& cell : row) {
        if (cell.span == 1) continue;
        const auto first = static_cast<std::size_t>(cell.column);
        const auto last = first + static_cast<std::size_t>(cell.span) - 1;
        for (auto* bound : {&min, &max}) {
          const int want = bound == &min ? cell.min : cell.max;
          int have = gap * (cell.span - 1);
          for (std::size_t c = first; c <= last; ++c) have += (*bound)[c];
          if (want > have) (*bound)[last] += want - have;
        }
      }
    }
    std::int64_t sum_min = 0;
    std::int64_t sum_max = 0;
    for (std::size_t c = 0; c < count; ++c) {
      max[c] = std::max(max[c], min[c]);
      sum_min += min[c];
      sum_max += max[c];
    }
    const std::int64_t available =
        std::max<std::int64_t>(static_cast<std::int64_t>(right_ - left_) - gap * (columns - 1),
                               static_cast<std::int64_t>(columns) * cell_);
    if (sum_max <= available) return max;
    std::vector<int> widths(count);
    if (sum_min >= available) {
      // Narrow columns keep their words whole; only the widest give way, down to a common
      // cap (the largest for which everything fits), and their long words break.
      std::int64_t low = cell_;
      std::int64_t high = *std::max_element(min.begin(), min.end());
      const auto capped_sum = [&min](std::int64_t cap) {
        std::int64_t sum = 0;
        for (int m : min) sum += std::min<std::int64_t>(m, cap);
        return sum;
      };
      while (low < high) {
        const std::int64_t mid = (low + high + 1) / 2;
        if (capped_sum(mid) <= available) {
          low = mid;
        } else {
          high = mid - 1;
        }
      }
      for (std::size_t c = 0; c < count; ++c) {
        widths[c] = std::max(cell_, static_cast<int>(std::min<std::int64_t>(min[c], low)));
      }
      return widths;
    }
    const std::int64_t extra = available - sum_min;
    const std::int64_t flexible = sum_max - sum_min;
    for (std::size_t c = 0; c < count; ++c) {
      widths[c] = min[c] + static_cast<int>((max[c] - min[c]) * extra / flexible);
    }
    return widths;
  }

  const TextMeasurer& measurer_;
  std::vector<std::string>& links_;
  int link_offset_;  // link numbers already given out before links_ began
  int left_;
  int right_;
  int body_margin_;
  int table_depth_;
  Style style_;
  int link_ = -1;
  std::string link_label_;  // "[n]" waiting for the link's first word
  bool preformatted_ = false;
  bool centered_ = false;

  int cell_ = 1;
  int space_width_ = 1;
  int blank_height_ = 1;
  int min_available_ = 0;

  std::vector<TextRun> runs_;
  int y_ = 0;
  bool any_content_ = false;
  int pending_gap_ = 0;

  std::vector<Piece> word_;
  bool pending_space_ = false;
  std::vector<Fragment> line_;
  int line_x_ = 0;

  ListState list_;
  int list_depth_ = 0;
  std::string marker_;
  Style marker_style_;
  int marker_x_ = 0;
  bool marker_pending_ = false;

  int max_word_ = 0;
  int max_extent_ = 0;
};

}  // namespace

DisplayList layout_document(const html::Document& document, const TextMeasurer& measurer,
                            int width) {
  DisplayList list;
  width = std::max(width, 1);
  list.width = width;
  append_sanitized(list.title, document.title);
  list.base_href = document.base_href;
  const int cell = std::max(1, measurer.text_width("n", Style{}));
  // lynx indents body text by three cells; too narrow a screen cannot spare them.
  const int margin = width >= 30 * cell ? 3 * cell : 0;
  Engine engine(measurer, list.links, 0, {margin, width, margin}, 0, Style{});
  engine.layout_node(document.root);
  engine.finish();
  list.runs = engine.take_runs();
  list.height = engine.height();
  return list;
}

}  // namespace miniweb::browser::layout
