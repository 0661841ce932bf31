#include <gtest/gtest.h>

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "browser/html/dom.hpp"

namespace miniweb::browser::html {
namespace {

const Node* find_element(const Node& node, std::string_view tag) {
  std::vector<const Node*> stack{&node};
  while (!stack.empty()) {
    const Node* current = stack.back();
    stack.pop_back();
    if (current->is_element() && current->tag() == tag) return current;
    for (auto it = current->children().rbegin(); it != current->children().rend(); ++it) {
      stack.push_back(&*it);
    }
  }
  return nullptr;
}

std::string all_text(const Node& node) {
  std::string out;
  std::vector<const Node*> stack{&node};
  while (!stack.empty()) {
    const Node* current = stack.back();
    stack.pop_back();
    if (current->is_text()) out += current->text();
    for (auto it = current->children().rbegin(); it != current->children().rend(); ++it) {
      stack.push_back(&*it);
    }
  }
  return out;
}

std::size_t depth_of(const Node& node) {
  std::size_t deepest = 0;
  std::vector<std::pair<const Node*, std::size_t>> stack{{&node, 1}};
  while (!stack.empty()) {
    const auto [current, depth] = stack.back();
    stack.pop_back();
    deepest = std::max(deepest, depth);
    for (const Node& child : current->children()) stack.push_back({&child, depth + 1});
  }
  return deepest;
}

TEST(BrowserDom, BuildsTreeWithTitleTagsAndAttributes) {
  const Document document = parse_html(
      "<!DOCTYPE html><html><head><title>  My\n  Page </title></head>"
      "<body><P CLASS=intro>Hello <A HREF='/x?a=1&amp;b=2'>world</A></P></body></html>");
  EXPECT_EQ(document.title, "My Page");
  EXPECT_EQ(document.root.tag(), "html");
  const Node* paragraph = find_element(document.root, "p");
  ASSERT_NE(paragraph, nullptr);
  ASSERT_NE(paragraph->attribute("class"), nullptr);
  EXPECT_EQ(*paragraph->attribute("class"), "intro");
  EXPECT_EQ(paragraph->attribute("id"), nullptr);
  const Node* link = find_element(document.root, "a");
  ASSERT_NE(link, nullptr);
  ASSERT_NE(link->attribute("href"), nullptr);
  EXPECT_EQ(*link->attribute("href"), "/x?a=1&b=2");
  ASSERT_EQ(paragraph->children().size(), 2u);
  EXPECT_TRUE(paragraph->children()[0].is_text());
  EXPECT_EQ(paragraph->children()[0].text(), "Hello ");
  // A node keeps one string, its name or its text: each reads empty on the other kind.
  EXPECT_EQ(paragraph->children()[0].tag(), "");
  EXPECT_TRUE(paragraph->children()[0].attributes().empty());
  EXPECT_TRUE(paragraph->children()[0].children().empty());
  EXPECT_EQ(paragraph->text(), "");
  EXPECT_EQ(paragraph->attributes().size(), 1u);
}

// HTML's common attribute names are one static copy for the whole tree (layout compares
// against them for every element); any other name is kept as gumbo wrote it, lower-cased.
TEST(BrowserDom, CommonAttributeNamesAreSharedAndOthersKept) {
  const Document document = parse_html(
      "<p CLASS=a Style='color: red' data-Note=n1>x</p><p class=b hidden aria-label=l>y</p>");
  std::vector<const Node*> paragraphs;
  for (const Node& child : find_element(document.root, "body")->children()) {
    if (child.is_element()) paragraphs.push_back(&child);
  }
  ASSERT_EQ(paragraphs.size(), 2u);
  const Node& first = *paragraphs[0];
  const Node& second = *paragraphs[1];
  ASSERT_EQ(first.attributes().size(), 3u);
  ASSERT_EQ(second.attributes().size(), 3u);
  EXPECT_EQ(first.attributes()[0].name, "class");
  EXPECT_EQ(first.attributes()[0].name.data(), second.attributes()[0].name.data());
  EXPECT_EQ(*first.attribute("style"), "color: red");
  EXPECT_EQ(*first.attribute("data-note"), "n1");
  EXPECT_EQ(first.attribute("hidden"), nullptr);
  ASSERT_NE(second.attribute("hidden"), nullptr);
  EXPECT_EQ(*second.attribute("hidden"), "");
  EXPECT_EQ(*second.attribute("aria-label"), "l");
  EXPECT_EQ(*second.attribute("class"), "b");
}

// The tree's names and texts are views into memory the Document keeps, copied out of gumbo's
// tree, which parse_html frees: they must outlive gumbo's tree and the source text and survive
// the Document being moved (ASan reports any that do not, as a use after free).
TEST(BrowserDom, TreeOutlivesItsSourceAndMoves) {
  auto source = std::make_unique<std::string>(
      "<body><my-Widget Data-X='v&lt;1'>text &amp; more</my-Widget>" + std::string(1 << 12, 'y') +
      "<div><div><div>" + std::string(300, 'z'));
  Document parsed = parse_html(*source);
  source.reset();
  const Document document = std::move(parsed);
  const Node* widget = find_element(document.root, "my-widget");  // unknown tags lower-cased
  ASSERT_NE(widget, nullptr);
  ASSERT_NE(widget->attribute("data-x"), nullptr);
  EXPECT_EQ(*widget->attribute("data-x"), "v<1");
  ASSERT_EQ(widget->children().size(), 1u);
  EXPECT_EQ(widget->children()[0].text(), "text & more");
  EXPECT_NE(all_text(document.root).find(std::string(300, 'z')), std::string::npos);
}

TEST(BrowserDom, RemembersTheFirstBaseHref) {
  EXPECT_EQ(parse_html("<p>x</p>").base_href, "");
  EXPECT_EQ(parse_html("<head><base target=_top><base href=\"https://cdn.test/a/\">"
                       "<base href=/other/></head>")
                .base_href,
            "https://cdn.test/a/");
}

TEST(BrowserDom, CountsTheBytesOfItsText) {
  // What layout sizes its runs by: every text node's bytes, decoded, and nothing dropped.
  std::string deep;
  for (int i = 0; i < 400; ++i) deep += "<div>d";
  for (const std::string& html : {std::string("<title>T</title><p>ab <b>c&amp;d</b></p>"
                                              "<script>no</script><!-- no --><pre> x\n</pre>"),
                                  std::string("<p>x</p>"), std::string(), deep}) {
    const Document document = parse_html(html);
    EXPECT_EQ(document.text_bytes, all_text(document.root).size()) << html.substr(0, 60);
  }
  EXPECT_EQ(parse_html("<p>ab <b>c&amp;d</b></p><script>no</script>").text_bytes, 6u);
}

TEST(BrowserDom, DecodesEntities) {
  const Document document =
      parse_html("<p>&amp; &lt;b&gt; caf&eacute; &#x65E5;&#26412; &copy; &nbsp;x &bogus;</p>");
  EXPECT_EQ(all_text(document.root),
            "& <b> caf\xC3\xA9 \xE6\x97\xA5\xE6\x9C\xAC \xC2\xA9 \xC2\xA0x &bogus;");
}

TEST(BrowserDom, DropsScriptStyleTemplateAndComments) {
  const Document document = parse_html(
      "<head><style>p{color:red}</style><script>var x = '<p>no</p>';</script></head>"
      "<body><!-- hidden --><template><p>tpl</p></template><p>shown</p>"
      "<script>alert(1)</script><noscript>no js</noscript></body>");
  EXPECT_EQ(all_text(document.root), "shownno js");
  EXPECT_EQ(find_element(document.root, "script"), nullptr);
  EXPECT_EQ(find_element(document.root, "style"), nullptr);
}

TEST(BrowserDom, MalformedInputStillGivesATree) {
  const std::string inputs[] = {
      "",
      "<",
      "</p></p></div>text<p>unclosed<b>bold<i>both</b>after",
      "<table><td>cell<tr><p>para</table>",
      std::string("\xFF\xFE\x00\x01<p>\x80\x81 garbage \xC3</p>", 22),
      "<a href=\"unterminated>link",
      "<<<>>>&&&;;;<!-- never closed",
  };
  for (const std::string& input : inputs) {
    const Document document = parse_html(input);
    EXPECT_EQ(document.root.tag(), "html") << input;
  }
  const Document document = parse_html("</p></p>text<p>unclosed<b>bold");
  EXPECT_EQ(all_text(document.root), "textunclosedbold");
}

TEST(BrowserDom, DeepNestingIsCappedWithoutLosingText) {
  std::string html;
  constexpr int kDepth = 100000;
  for (int i = 0; i < kDepth; ++i) html += "<div>";
  html += "deep text";
  for (int i = 0; i < kDepth; ++i) html += "</div>";
  html += "<p>after</p>";
  const Document document = parse_html(html);
  EXPECT_LE(depth_of(document.root), kMaxTreeDepth + 1);
  const std::string text = all_text(document.root);
  EXPECT_NE(text.find("deep text"), std::string::npos);
  EXPECT_NE(text.find("after"), std::string::npos);
}

TEST(BrowserDom, DeepNestingOfEveryKindKeepsTheText) {
  for (const std::string open : {"<b>", "<span class='a>b'>", "<span title = \"x>y\" class=a>",
                                 "<ul><li>", "<table><tr><td>", "<blockquote>", "<svg><g>"}) {
    std::string html = "<p>start</p>";
    for (int i = 0; i < 20000; ++i) html += open + std::to_string(i % 10);
    html += "<script>if (a < b) { x = '<div>'; }</script>end";
    const Document document = parse_html(html);
    EXPECT_LE(depth_of(document.root), kMaxTreeDepth + 1) << open;
    const std::string text = all_text(document.root);
    EXPECT_NE(text.find("start"), std::string::npos) << open;
    EXPECT_NE(text.find("end"), std::string::npos) << open;
    EXPECT_EQ(text.find("<div>"), std::string::npos) << open;
    // The tags taken out below the cap go whole, a '>' inside a quoted value included.
    EXPECT_EQ(text.find('>'), std::string::npos) << open;
  }
}

TEST(BrowserDom, ACopySharesTheTreeAndKeepsItAlive) {
  auto original = std::make_unique<Document>(
      parse_html("<ul><li class=first>one<li>two</ul><p title='t'>three</p>"));
  const Document copy = *original;
  const Node* list = find_element(original->root, "ul");
  ASSERT_NE(list, nullptr);
  EXPECT_EQ(find_element(copy.root, "ul"), list);  // the same nodes, not a second tree
  original.reset();
  const Node* paragraph = find_element(copy.root, "p");
  ASSERT_NE(paragraph, nullptr);
  ASSERT_NE(paragraph->attribute("title"), nullptr);
  EXPECT_EQ(*paragraph->attribute("title"), "t");
  EXPECT_EQ(all_text(copy.root), "onetwothree");
}

TEST(BrowserDom, LongFlatDocumentsAreNotFlattened) {
  // Thousands of unclosed <p> and <li> are siblings, not nesting: nothing may be lost, in
  // either case.
  for (const std::string item : {"<li><p>", "<Li><P>"}) {
    std::string html = "<ul>";
    for (int i = 0; i < 5000; ++i) html += item + "item <b>" + std::to_string(i) + "</b>";
    const Document document = parse_html(html);
    const Node* list = find_element(document.root, "ul");
    ASSERT_NE(list, nullptr) << item;
    EXPECT_EQ(list->children().size(), 5000u) << item;
    EXPECT_NE(find_element(list->children().back(), "b"), nullptr) << item;
  }
}

TEST(BrowserDom, TheNestingScanReadsRawTextInAnyCase) {
  // A raw-text element's content is text whatever its name's case, tags and all...
  std::string in_script = "<p>start</p><SCRIPT>";
  for (int i = 0; i < 1000; ++i) in_script += "<div>";
  in_script += "</Script><b><i>end</i></b>";  // read as 1,000 deep, these would be taken out
  const Document script = parse_html(in_script);
  EXPECT_NE(find_element(script.root, "i"), nullptr);
  // ...and after <PLAINTEXT> everything is text: no tag there is taken out.
  std::string plain = "<p>before</p><PlainText>";
  for (int i = 0; i < 1000; ++i) plain += "<div>";
  const std::string text = all_text(parse_html(plain).root);
  EXPECT_EQ(text.size(), std::string("before").size() + 1000 * std::string("<div>").size());
}

}  // namespace
}  // namespace miniweb::browser::html
