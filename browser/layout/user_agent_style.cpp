#include "browser/layout/user_agent_style.hpp"

#include <string>
#include <string_view>
#include <unordered_map>

#include "browser/layout/attribute_values.hpp"

namespace miniweb::browser::layout {

namespace {

// SVG and MathML read as lynx and w3m read them, which know neither: the text they hold is
// inline text (an SVG's <text> and <desc>, a formula's <mi>, <mo>, <mn> and annotations),
// and nothing is drawn. An SVG's <a> is a link like HTML's; its <title> names the drawing
// and stays hidden, as lynx and w3m hide a <title>. (<style> and <script> the DOM drops.)
Display foreign_display(const html::Node& element) {
  if (element.tag() == "a") return Display::Anchor;
  if (element.element_namespace == html::Node::Namespace::Svg && element.tag() == "title") {
    return Display::Hidden;
  }
  return Display::Inline;
}

// Tag names are short and mostly differ in length, first or last letter: hashing those three
// spreads the table as well as hashing every byte does, at a fraction of the cost of a lookup
// made once for every element of a page.
struct TagNameHash {
  std::size_t operator()(std::string_view name) const {
    if (name.empty()) return 0;
    return name.size() * 961 + static_cast<unsigned char>(name.front()) * 31 +
           static_cast<unsigned char>(name.back());
  }
};

Display html_display(std::string_view tag) {
  static const std::unordered_map<std::string_view, Display, TagNameHash> table = {
      {"head", Display::Hidden},       {"title", Display::Hidden},
      {"script", Display::Hidden},     {"style", Display::Hidden},
      {"template", Display::Hidden},   {"meta", Display::Hidden},
      {"link", Display::Hidden},       {"base", Display::Hidden},
      {"iframe", Display::Hidden},     {"noframes", Display::Hidden},
      {"datalist", Display::Hidden},   {"option", Display::Hidden},
      {"param", Display::Hidden},      {"source", Display::Hidden},
      {"track", Display::Hidden},      {"area", Display::Hidden},
      {"map", Display::Inline},        {"html", Display::Block},
      {"body", Display::Block},        {"div", Display::Block},
      {"section", Display::Block},     {"article", Display::Block},
      {"header", Display::Block},      {"footer", Display::Block},
      {"nav", Display::Block},         {"aside", Display::Block},
      {"main", Display::Block},        {"form", Display::Block},
      {"figcaption", Display::Block},  {"caption", Display::Block},
      {"summary", Display::Block},     {"details", Display::Block},
      {"legend", Display::Block},      {"hgroup", Display::Block},
      {"search", Display::Block},      {"dialog", Display::Block},
      {"center", Display::Center},     {"dt", Display::Block},
      {"tr", Display::Block},          {"td", Display::Block},
      {"th", Display::Block},          {"thead", Display::Block},
      {"tbody", Display::Block},       {"tfoot", Display::Block},
      {"frameset", Display::Block},    {"frame", Display::Block},
      {"optgroup", Display::Hidden},   {"p", Display::Paragraph},
      {"dl", Display::Paragraph},      {"figure", Display::Paragraph},
      {"address", Display::Paragraph}, {"fieldset", Display::Paragraph},
      {"h1", Display::Heading},        {"h2", Display::Heading},
      {"h3", Display::Heading},        {"h4", Display::Heading},
      {"h5", Display::Heading},        {"h6", Display::Heading},
      {"pre", Display::Preformatted},  {"listing", Display::Preformatted},
      {"xmp", Display::Preformatted},  {"plaintext", Display::Preformatted},
      {"textarea", Display::Textarea}, {"ul", Display::List},
      {"ol", Display::List},           {"menu", Display::List},
      {"dir", Display::List},          {"li", Display::ListItem},
      {"dd", Display::Definition},     {"blockquote", Display::Blockquote},
      {"table", Display::Table},       {"br", Display::LineBreak},
      {"hr", Display::Rule},           {"img", Display::Image},
      {"a", Display::Anchor},          {"b", Display::Bold},
      {"strong", Display::Bold},       {"i", Display::Italic},
      {"em", Display::Italic},         {"cite", Display::Italic},
      {"var", Display::Italic},        {"dfn", Display::Italic},
      {"code", Display::Code},         {"kbd", Display::Code},
      {"samp", Display::Code},         {"tt", Display::Code},
      {"u", Display::Underline},       {"ins", Display::Underline},
      {"input", Display::Input},       {"button", Display::Button},
      {"select", Display::Select},     {"q", Display::Quote},
      {"sup", Display::Superscript},   {"wbr", Display::WordBreak},
  };
  const auto found = table.find(tag);
  return found == table.end() ? Display::Inline : found->second;
}

}  // namespace

Display display_of(const html::Node& element) {
  if (element.element_namespace != html::Node::Namespace::Html) return foreign_display(element);
  return html_display(element.tag());
}

bool is_hidden(const html::Node& node) {
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

}  // namespace miniweb::browser::layout
