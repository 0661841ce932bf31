// SVG and MathML inside HTML: gumbo parses them into namespaces of their own, and the text
// they hold reads as lynx and w3m show it (both know neither language): inline text, no
// graphics. The goldens below were checked beside `w3m -dump` and `lynx -dump` of the same
// markup; only the three-cell body indent and the blank line after a paragraph are lynx's
// and w3m's own differences.

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "browser/html/dom.hpp"
#include "browser/layout/layout.hpp"
#include "browser/render/text_painter.hpp"

namespace miniweb::browser::layout {
namespace {

using html::Node;

DisplayList lay_out(std::string_view html, int width) {
  MonospaceMeasurer measurer;
  return layout_document(html::parse_html(html), measurer, width);
}

std::string render(std::string_view html, int width) {
  return render::paint_text(lay_out(html, width));
}

const Node* find_element(const Node& node, std::string_view tag) {
  if (node.is_element() && node.tag() == tag) return &node;
  for (const Node& child : node.children()) {
    if (const Node* found = find_element(child, tag)) return found;
  }
  return nullptr;
}

const std::string kSvgPage =
    "<p>Before svg.</p>\n"
    "<svg width=\"100\" height=\"50\"><title>Chart title</title><desc>A description</desc>\n"
    "<style>.x{fill:red}</style>\n"
    "<rect width=\"10\" height=\"10\"/><text x=\"0\" y=\"15\">Hello <tspan>SVG</tspan> text"
    "</text>\n"
    "<a href=\"/svglink\"><text>linked</text></a>\n"
    "<foreignObject><p>Foreign paragraph</p></foreignObject>\n"
    "</svg>\n"
    "<p>After svg.</p>";

TEST(BrowserForeignContent, DomKeepsTheNamespaces) {
  const html::Document document =
      html::parse_html(kSvgPage + "<math><mi>x</mi></math><p>plain</p>");
  const Node* svg = find_element(document.root, "svg");
  const Node* text = find_element(document.root, "text");
  const Node* title = find_element(document.root, "title");
  const Node* foreign_object = find_element(document.root, "foreignobject");
  const Node* math = find_element(document.root, "math");
  const Node* identifier = find_element(document.root, "mi");
  const Node* paragraph = find_element(document.root, "p");
  for (const Node* node : {svg, text, title, foreign_object, math, identifier, paragraph}) {
    ASSERT_NE(node, nullptr);
  }
  EXPECT_EQ(svg->element_namespace, Node::Namespace::Svg);
  EXPECT_EQ(text->element_namespace, Node::Namespace::Svg);
  EXPECT_EQ(title->element_namespace, Node::Namespace::Svg);
  EXPECT_EQ(foreign_object->element_namespace, Node::Namespace::Svg);
  EXPECT_EQ(math->element_namespace, Node::Namespace::MathMl);
  EXPECT_EQ(identifier->element_namespace, Node::Namespace::MathMl);
  EXPECT_EQ(paragraph->element_namespace, Node::Namespace::Html);
  // <foreignObject> is an HTML integration point: what it holds is HTML again.
  ASSERT_FALSE(foreign_object->children().empty());
  EXPECT_EQ(foreign_object->children()[0].element_namespace, Node::Namespace::Html);
  // An SVG <title> is not the page's title.
  EXPECT_EQ(document.title, "");
}

TEST(BrowserForeignContent, SvgTextReadsAsLynxAndW3mShowIt) {
  // w3m -dump:  "A description Hello SVG text linked" between the two paragraphs, then
  // "Foreign paragraph" as a paragraph of its own; lynx -dump the same with "[1]linked".
  // Neither shows the <title> or the <style>.
  const DisplayList list = lay_out(kSvgPage, 80);
  EXPECT_EQ(render::paint_text(list),
            "   Before svg.\n"
            "\n"
            "   A description Hello SVG text [1]linked\n"
            "\n"
            "   Foreign paragraph\n"
            "\n"
            "   After svg.\n");
  EXPECT_EQ(list.links, std::vector<std::string>{"/svglink"});
}

TEST(BrowserForeignContent, SvgInsideTextStaysInline) {
  EXPECT_EQ(render("<p>Press <svg viewBox=\"0 0 9 9\"><title>icon</title><text>OK</text></svg> "
                   "to go on, or <svg><path d=\"M0 0\"/></svg>skip.</p>",
                   80),
            "   Press OK to go on, or skip.\n");
  // SVG 1.1 writes its links' targets as xlink:href, which gumbo gives as href. (lynx and
  // w3m, which know no xlink, show the text without the link; graphical browsers follow it.)
  const DisplayList list = lay_out(
      "<svg xmlns:xlink=\"http://www.w3.org/1999/xlink\"><a xlink:href=\"old.html\"><text>Old"
      "</text></a></svg>",
      80);
  EXPECT_EQ(render::paint_text(list), "   [1]Old\n");
  EXPECT_EQ(list.links, std::vector<std::string>{"old.html"});
}

TEST(BrowserForeignContent, SvgTextIsInTheDisplayListTheWindowDraws) {
  const DisplayList list = lay_out("<svg><text>Axis label</text></svg>", 80);
  ASSERT_EQ(list.runs.size(), 1u);
  EXPECT_EQ(list.runs[0].text, "Axis label");
}

TEST(BrowserForeignContent, MathMlReadsAsW3mShowsIt) {
  // w3m -dump: "The formula x=12 is inline.", "Block: a2+b2a^2+b^2 end." (the TeX
  // annotation too) and "Semantics: yyy done." (lynx prints the markup itself.)
  EXPECT_EQ(render("<p>The formula <math><mi>x</mi><mo>=</mo><mfrac><mn>1</mn><mn>2</mn>"
                   "</mfrac></math> is inline.</p>"
                   "<p>Block: <math display=\"block\"><mrow><msup><mi>a</mi><mn>2</mn></msup>"
                   "<mo>+</mo><msup><mi>b</mi><mn>2</mn></msup></mrow><annotation "
                   "encoding=\"TeX\">a^2+b^2</annotation></math> end.</p>"
                   "<p>Semantics: <math><semantics><mrow><mi>y</mi></mrow><annotation-xml "
                   "encoding=\"text/html\"><b>yy</b></annotation-xml></semantics></math> "
                   "done.</p>",
                   80),
            "   The formula x=12 is inline.\n"
            "\n"
            "   Block: a2+b2a^2+b^2 end.\n"
            "\n"
            "   Semantics: yyy done.\n");
}

TEST(BrowserForeignContent, HtmlNamesInsideSvgKeepTheirSvgMeaning) {
  // In SVG, <textArea> (SVG Tiny) is text, not a form's text area, and <image> is not <img>.
  // (Here lynx and w3m, which know no SVG, draw an empty text field.)
  EXPECT_EQ(
      render("<p>a <svg><textArea>wrapped words</textArea><image href=x.png/></svg> b</p>", 80),
      "   a wrapped words b\n");
}

}  // namespace
}  // namespace miniweb::browser::layout
