#include <gtest/gtest.h>

#include <string>

#include "browser/html/dom.hpp"
#include "browser/layout/layout.hpp"
#include "browser/render/text_painter.hpp"

namespace miniweb::browser::render {
namespace {

layout::DisplayList lay_out(std::string_view html, int width) {
  layout::MonospaceMeasurer measurer;
  return layout::layout_document(html::parse_html(html), measurer, width);
}

// What the browser's caller does: resolve against the page's URL.
std::string resolve(const std::string& href) {
  if (href.rfind("https://", 0) == 0 || href.rfind("http://", 0) == 0) return href;
  if (href.rfind("/", 0) == 0) return "https://www.example.test" + href;
  return "https://www.example.test/docs/" + href;
}

TEST(BrowserDump, PageWithTitleTextAndReferences) {
  const std::string html =
      "<!DOCTYPE html><html><head><title>Example Home</title></head><body>"
      "<h1>Welcome</h1><p>Read the <a href=\"/about\">about page</a>, the <a "
      "href=\"guide.html\">guide</a> or <a href=\"https://other.test/\">another site</a>.</p>"
      "</body></html>";
  EXPECT_EQ(dump_page(lay_out(html, 80), resolve),
            "Example Home\n"
            "\n"
            "Welcome\n"
            "\n"
            "   Read the [1]about page, the [2]guide or [3]another site.\n"
            "\n"
            "References\n"
            "\n"
            "   1. https://www.example.test/about\n"
            "   2. https://www.example.test/docs/guide.html\n"
            "   3. https://other.test/\n");
}

// Every kind of block on one page, at 60 columns.
TEST(BrowserDump, RealisticPageGolden) {
  const std::string html =
      "<html><head><title>Example Home</title></head><body>\n"
      "<h1>Welcome to   the example</h1>\n"
      "<p>This is the <b>home</b> page of the example site. It has a <a href=\"/about\">link</a> "
      "and\n"
      "another <a href=\"https://other.test/x\">one</a>, and it goes on for a while so that it "
      "wraps.</p>\n"
      "<ul><li>First item</li><li>Second item with <a href=\"next.html\">a link</a>\n"
      "<ul><li>nested</li><li>again<ul><li>deeper</li></ul></li></ul></li></ul>\n"
      "<ol><li>One</li><li>Two</li><li value=10>Ten</li></ol>\n"
      "<h2>Table</h2>\n"
      "<table border=1><tr><th>Name</th><th>Description</th></tr>\n"
      "<tr><td>gumbo</td><td>An HTML5 parser written in C99, used to build the tree.</td></tr>\n"
      "<tr><td>asio</td><td>Networking.</td></tr></table>\n"
      "<pre>\n"
      "  keep    this\n"
      "\ttab\n"
      "</pre>\n"
      "<dl><dt>Term</dt><dd>Definition of the term.</dd></dl>\n"
      "<blockquote>Quoted text here.</blockquote>\n"
      "<p>Image: <img src=\"a.png\" alt=\"A picture\"> and <img src=\"b.png\"> and <a "
      "href=\"c\"><img src=c.png alt=\"linked\"></a></p>\n"
      "<hr>\n"
      "<p>Line one<br>Line two<br><br>Line four</p>\n"
      "<form><input type=text name=q> <input type=submit value=Go> <input type=checkbox checked> "
      "<select><option>One<option selected>Two</select></form>\n"
      "</body></html>\n";
  EXPECT_EQ(dump_page(lay_out(html, 60), resolve),
            "Example Home\n"
            "\n"
            "Welcome to the example\n"
            "\n"
            "   This is the home page of the example site. It has a\n"
            "   [1]link and another [2]one, and it goes on for a while so\n"
            "   that it wraps.\n"
            "\n"
            "     * First item\n"
            "     * Second item with [3]a link\n"
            "         + nested\n"
            "         + again\n"
            "             o deeper\n"
            "\n"
            "    1. One\n"
            "    2. Two\n"
            "   10. Ten\n"
            "\n"
            "Table\n"
            "\n"
            "   Name   Description\n"
            "   gumbo  An HTML5 parser written in C99, used to build the\n"
            "          tree.\n"
            "   asio   Networking.\n"
            "\n"
            "     keep    this\n"
            "           tab\n"
            "\n"
            "   Term\n"
            "       Definition of the term.\n"
            "\n"
            "       Quoted text here.\n"
            "\n"
            "   Image: [A picture] and [IMAGE] and [4][linked]\n"
            "\n"
            "   _________________________________________________________\n"
            "\n"
            "   Line one\n"
            "   Line two\n"
            "\n"
            "   Line four\n"
            "\n"
            "   [____________________] [Go] [X] [Two]\n"
            "\n"
            "References\n"
            "\n"
            "   1. https://www.example.test/about\n"
            "   2. https://other.test/x\n"
            "   3. https://www.example.test/docs/next.html\n"
            "   4. https://www.example.test/docs/c\n");
}

// Blank lines between two lines of text are kept, however many (a page of 300 000 <br>).
TEST(BrowserDump, ALongRunOfBlankLinesIsKept) {
  layout::DisplayList list;
  list.width = 80;
  list.runs.push_back({0, 0, "top", {}, -1});
  list.runs.push_back({0, 300'000, "bottom", {}, -1});
  list.runs.push_back({4, 300'000, "   ", {}, -1});  // trailing spaces are dropped
  list.height = 300'001;
  const std::string text = render::paint_text(list);
  EXPECT_EQ(text, "top\n" + std::string(299'999, '\n') + "bottom\n");
}

TEST(BrowserDump, TextBelowBlankLinesFollowsTheTitleWithOneBlankLine) {
  // The text is painted into the string that holds the title already: the blank lines above
  // the first line of text are dropped there too, as lynx drops them.
  layout::DisplayList list;
  list.width = 80;
  list.title = "T";
  list.runs.push_back({0, 3, "first", {}, -1});
  list.runs.push_back({0, 5, "second", {}, -1});
  list.links.push_back("/x");
  EXPECT_EQ(dump_page(list, resolve),
            "T\n\nfirst\n\nsecond\n\nReferences\n\n   1. https://www.example.test/x\n");
}

TEST(BrowserDump, NoTitleNoLinks) {
  EXPECT_EQ(dump_page(lay_out("<p>Just text.</p>", 80), resolve), "   Just text.\n");
  EXPECT_EQ(dump_page(lay_out("", 80), resolve), "");
}

TEST(BrowserDump, ReferenceNumbersAlignPastNine) {
  std::string html = "<p>";
  for (int i = 1; i <= 11; ++i)
    html += "<a href=\"p" + std::to_string(i) + "\">" + std::to_string(i) + "</a> ";
  html += "</p>";
  const std::string dump = dump_page(lay_out(html, 80), resolve);
  EXPECT_NE(dump.find("\n   9. https://www.example.test/docs/p9\n"
                      "  10. https://www.example.test/docs/p10\n"
                      "  11. https://www.example.test/docs/p11\n"),
            std::string::npos)
      << dump;
}

TEST(BrowserDump, ResolvedUrlsAreStrippedOfControlCharacters) {
  const std::string dump = dump_page(lay_out("<a href=x>x</a>", 80),
                                     [](const std::string&) { return std::string("a\x1b[2Jb"); });
  EXPECT_NE(dump.find("   1. a[2Jb\n"), std::string::npos);
}

TEST(BrowserPaint, TextTrimsTrailingSpacesAndBlankLines) {
  layout::DisplayList list;
  list.runs.push_back({4, 2, "late", {}, -1});
  list.runs.push_back({0, 2, "ab", {}, -1});
  list.runs.push_back({0, 0, "top  ", {}, -1});
  list.runs.push_back({0, 6, "   ", {}, -1});
  EXPECT_EQ(paint_text(list), "top\n\nab  late\n");
}

TEST(BrowserPaint, AnsiStylesHeadingsBoldAndLinks) {
  const std::string out =
      paint_ansi(lay_out("<h1>Head</h1><p>x <b>bold</b> <a href=/>link</a> <i>it</i></p>", 80));
  EXPECT_EQ(out,
            "\x1b[1mHead\x1b[0m\n"
            "\n"
            "   x \x1b[1mbold\x1b[0m \x1b[4m[1]link\x1b[0m \x1b[3mit\x1b[0m\n");
}

}  // namespace
}  // namespace miniweb::browser::render
