// A large page parsed in two halves at once (browser/html/split_parse.hpp): the DOM built from
// the two is the DOM of gumbo's parse of the whole page, node for node, whether the page was
// cut or, where a check refused the cut, parsed whole. The oracle is gumbo's own tree of the
// whole page, read with the DOM's rules (comments, scripts, styles and templates left out).

#include <gtest/gtest.h>
#include <gumbo.h>

#include <cctype>

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "browser/html/dom.hpp"
#include "browser/html/nesting_scan.hpp"
#include "browser/html/split_parse.hpp"
#include "shared/pages_ahead.hpp"
#include "tests/browser/whole_page_tree.hpp"

namespace miniweb::browser::html {
namespace {

using test::dom_tree;
using test::first_difference;
using test::whole_page_tree;

// How many pieces the page was parsed in (1: whole), asked for `asked` of them.
std::size_t pieces(const std::string& html, std::size_t asked = 2) {
  return parse_html(html, kSplitParseFrom, html.size() / asked).pieces_from.size() + 1;
}
bool splits(const std::string& html) {
  return pieces(html) > 1;
}

// Where the DOM of `page`, parsed in pieces of about `piece_bytes` where it can be, first differs
// from gumbo's tree of the whole page; empty when it does not.
std::string difference_from_whole(const std::string& page, std::size_t piece_bytes = kPieceBytes) {
  return first_difference(dom_tree(page, kSplitParseFrom, piece_bytes), whole_page_tree(page));
}

// A generated manual's page: nested sections of definition lists, each on lines of their own,
// past kSplitParseFrom, with `middle` (one line) placed where the page is cut: at its middle,
// right before the second half's first line (split_parse.cpp cuts at the first line that
// starts with a tag from the page's middle on). `after` comes before the end of the body.
std::string manual_page(std::string_view middle = "", std::string_view doctype = "<!DOCTYPE html>",
                        std::string_view after = "") {
  const std::string section =
      "<section id=\"s\">\n<h2>Heading <code>x</code></h2>\n<p>Some &amp; text, <a "
      "href=\"#a\">a link</a>.</p>\n<dl class=\"py method\">\n<dt>name(<em>arg</em>)</dt>\n"
      "<dd><p>What it does.</p>\n<ul>\n<li>one\n<li>two</li>\n</ul>\n</dd>\n</dl>\n</section>\n";
  std::string second = "\n<section id=\"second\">\n";
  while (second.size() < kSplitParseFrom / 2 + 4096) second += section;
  second += "</section>\n</div>\n</div>\n" + std::string(after) + "</body></html>\n";
  std::string first = std::string(doctype) +
                      "\n<html><head><title>Manual</title></head>\n<body>\n<div "
                      "class=\"document\">\n<div class=\"body\" role=\"main\">\n";
  while (first.size() + section.size() < second.size()) first += section;
  // As long as the second half: the page's middle falls inside `middle`.
  first.append(second.size() - first.size(), ' ');
  return first + std::string(middle) + second;
}

TEST(SplitParse, AGeneratedPageIsCutAndItsDomIsTheWholePagesTree) {
  const std::string page = manual_page();
  EXPECT_TRUE(splits(page));
  EXPECT_EQ(difference_from_whole(page), "");
}

TEST(SplitParse, ASmallPageIsNotCut) {
  EXPECT_FALSE(splits("<!DOCTYPE html><p>small"));
}

TEST(SplitParse, AManualCutIntoManyPiecesIsTheWholePagesTree) {
  const std::string page = manual_page();
  EXPECT_EQ(pieces(page, 10), 10u);
  EXPECT_EQ(difference_from_whole(page, page.size() / 10), "");
}

TEST(SplitParse, PagesJoinedIntoManyPiecesKeepEveryHtmlAndBodyAttribute) {
  // Eight pages one after another, each with its own <html> and <body> attributes: the pieces'
  // later tags add theirs to the first piece's html and body, those it lacks, in order.
  std::string page;
  for (int i = 0; i < 8; ++i) {
    std::string one = manual_page();
    one.replace(one.find("<html>"), 6, "<html data-page" + std::to_string(i) + "=\"x\">");
    one.replace(one.find("<body>"), 6,
                "<body id=\"page" + std::to_string(i) + "\" data-b" + std::to_string(i) + ">");
    page += one;
  }
  EXPECT_GE(pieces(page, 16), 8u);
  const std::string tree = dom_tree(page, kSplitParseFrom, page.size() / 16);
  EXPECT_EQ(first_difference(tree, whole_page_tree(page)), "");
  EXPECT_NE(tree.find("<body id=\"page0\" data-b0=\"\" data-b1=\"\""), std::string::npos)
      << tree.substr(0, 300);
}

TEST(SplitParse, APagesPiecesAreParsedAFewAtATimeInTheSameMemory) {
  // Sixteen pieces, each tree in a chunk of its own: with each freed once joined and its chunk
  // taken by a later piece, three trees at a time take three chunks, whatever the page's size.
  const std::string page = manual_page() + manual_page() + manual_page() + manual_page();
  PagesAhead pages;
  std::unique_ptr<PiecewiseParse> parse =
      PiecewiseParse::start(page, pages, kSplitParseFrom, page.size() / 16);
  ASSERT_NE(parse, nullptr);
  ASSERT_GE(parse->piece_count(), 12u);
  for (std::size_t i = 0; i < parse->piece_count(); ++i) ASSERT_NE(parse->next(), nullptr) << i;
  EXPECT_EQ(parse->next(), nullptr);  // the end: the last piece freed too
  EXPECT_GE(parse->memory().held(), 1u);
  EXPECT_LE(parse->memory().held(), 3u);
}

// Each of these leaves the tree builder in a state the second half's prefix cannot give it; the
// cut is refused, and the page parsed whole is the same tree.
TEST(SplitParse, AFormattingElementLeftOpenBeforeTheCutRefusesIt) {
  // </p> closes the <b> implicitly: it stays in the list of active formatting elements, and the
  // newline before the cut reconstructs it there (in the body, whitespace reconstructs too).
  const std::string page = manual_page("<p><b>bold</p>");
  EXPECT_FALSE(splits(page));
  EXPECT_EQ(difference_from_whole(page), "");
}

TEST(SplitParse, ARefusalInAMiddlePieceParsesThePageWhole) {
  // Cut into ten, the page's middle is the end of the fifth piece: its <b> left open refuses
  // that cut, after four pieces were joined; the page is parsed whole instead.
  const std::string page = manual_page("<p><b>bold</p>");
  EXPECT_EQ(pieces(page, 10), 1u);
  EXPECT_EQ(difference_from_whole(page, page.size() / 10), "");
}

TEST(SplitParse, ATableOpenAtTheCutRefusesIt) {
  const std::string page = manual_page("<table><tr><td>cell");
  EXPECT_FALSE(splits(page));
  EXPECT_EQ(difference_from_whole(page), "");
}

TEST(SplitParse, AnUnclosedFormRefusesIt) {
  const std::string page = manual_page("<div><form action=\"/x\"></div>");
  EXPECT_FALSE(splits(page));
  EXPECT_EQ(difference_from_whole(page), "");
}

TEST(SplitParse, ACutInsideACommentOrAnAttributeIsRefused) {
  // The comment, and the attribute's value, hold the page's whole second half.
  const std::pair<const char*, const char*> spans[] = {
      {"<!-- a comment that runs past the cut", "-->"}, {"<a title='a value", "'>"}};
  for (const auto& [opened, closed] : spans) {
    const std::string page = manual_page(opened, "<!DOCTYPE html>", closed);
    EXPECT_FALSE(splits(page)) << opened;
    EXPECT_EQ(difference_from_whole(page), "") << opened;
  }
}

TEST(SplitParse, AQuirksModePageIsCutUnderTheSameDoctype) {
  // No doctype: quirks mode, in which a <table> does not close an open <p>.
  const std::string page = manual_page("", "");
  EXPECT_TRUE(splits(page));
  EXPECT_EQ(difference_from_whole(page), "");
  const std::string with_table = manual_page("", "") + "<p>para<table><tr><td>x</table>";
  EXPECT_EQ(difference_from_whole(with_table), "");
}

// HTML §13.2.6.4.7: a later <html> or <body> tag adds the attributes the first one lacks (pages
// joined one after another have such tags). Those of the second half go where they would.
TEST(SplitParse, LaterHtmlAndBodyTagsAddTheirAttributesToTheFirstHalfs) {
  std::string page = manual_page("", "<!DOCTYPE html>",
                                 "<html lang=\"fr\" data-theme=\"dark\"><body id=\"other\" "
                                 "class=\"late\"><!-- after the body -->");
  page.replace(page.find("<html>"), 6, "<html lang=\"en\">");
  page.replace(page.find("<body>"), 6, "<body id=\"top\">");
  EXPECT_TRUE(splits(page));
  const std::string tree = dom_tree(page);
  EXPECT_EQ(first_difference(tree, whole_page_tree(page)), "");
  EXPECT_EQ(tree.rfind("<html lang=\"en\" data-theme=\"dark\">", 0), 0u) << tree.substr(0, 80);
  EXPECT_NE(tree.find("<body id=\"top\" class=\"late\">"), std::string::npos);
}

// Pages joined one after another (as bench/browser makes its 10 and 50 MB documents): the end
// tags of body and html only change the insertion mode, and the page is cut all the same.
TEST(SplitParse, EarlierBodyAndHtmlEndTagsDoNotStopTheCut) {
  const std::string page =
      manual_page("</body></html>\n<!-- the next page --><html lang=\"x\"><body>");
  EXPECT_TRUE(splits(page));
  EXPECT_EQ(difference_from_whole(page), "");
}

// Whether a <frameset> replaces the body depends on whether anything before it said the page
// has content (HTML's frameset-ok flag), which the second half's prefix cannot know.
TEST(SplitParse, AFramesetTagInTheSecondHalfRefusesTheCut) {
  const std::string page = manual_page("", "<!DOCTYPE html>", "<frameset><frame src=\"a\">");
  EXPECT_FALSE(splits(page));
  EXPECT_EQ(difference_from_whole(page), "");
}

TEST(SplitParse, TheCutIsALineStartingWithATagWhereOnlyAllowedElementsAreOpen) {
  const auto anything = [](std::string_view) { return true; };
  const std::string html =
      "<html><body><div><ul><li>one<li>two<p>para<div>in</div><dl><dt>t<dd>d<!-- \n<x> -->"
      "<script>\n<b>if (a < b) {}</script><img src=x><br/>\n<p>here";
  const auto place = find_cut(html, 0, html.size(), anything);
  ASSERT_TRUE(place.has_value());
  EXPECT_EQ(place->cut, html.size() - 7);  // not in the comment, not in the script
  EXPECT_EQ(place->open, (std::vector<std::string>{"div", "ul", "li", "dl", "dd"}));
  // Where a disallowed element is open, the next line on.
  const std::string later = "<div><table>\n<tr><td>x</table>\n<p>after";
  const auto past_table =
      find_cut(later, 0, later.size(), [](std::string_view name) { return name == "div"; });
  ASSERT_TRUE(past_table.has_value());
  EXPECT_EQ(later.substr(past_table->cut), "<p>after");
  EXPECT_EQ(past_table->open, (std::vector<std::string>{"div"}));
  // None in the range, or inside a tag's attribute or a comment that runs to the end.
  EXPECT_FALSE(find_cut(later, 0, 6, anything).has_value());
  EXPECT_FALSE(find_cut("<div title=\"a\n<b>\n<i>", 0, 20, anything).has_value());
  EXPECT_FALSE(find_cut("<div><!-- x\n<b>", 0, 15, anything).has_value());
}

TEST(SplitParse, EachWindowHasItsOwnCutFoundInOnePass) {
  const auto anything = [](std::string_view) { return true; };
  const std::string html =
      "<div>\n<p>one\n<p>two</div>\n<section>\n<ul>\n<li>a\n<li>b\n</ul>\n<p>z";
  const std::size_t two = html.find("<p>two");
  const std::size_t section = html.find("<section>");
  const std::size_t second_li = html.find("<li>b");
  // The second window holds no line that starts with a start tag: passed over; the third's
  // first is the second <li>, which would close the li open there, and is passed for the next.
  const std::vector<CutPlace> cuts = find_cuts(
      html, {{1, two + 1}, {two + 1, section - 1}, {second_li - 1, html.size()}}, anything);
  ASSERT_EQ(cuts.size(), 2u);
  EXPECT_EQ(cuts[0].cut, html.find("<p>one"));
  EXPECT_EQ(cuts[0].open, (std::vector<std::string>{"div"}));
  EXPECT_EQ(html.substr(cuts[1].cut), "<p>z");
  EXPECT_EQ(cuts[1].open, (std::vector<std::string>{"section"}));
}

}  // namespace
}  // namespace miniweb::browser::html
