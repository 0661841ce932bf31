// The full-screen terminal's view of a page: links in reading order, scrolling as lynx does,
// searching. Over pages laid out at 40 columns, without a terminal.

#include "browser/terminal/page_view.hpp"

#include <gtest/gtest.h>

#include "browser/html/dom.hpp"
#include "browser/layout/layout.hpp"

namespace miniweb::browser::terminal {
namespace {

layout::DisplayList lay_out(const std::string& html) {
  layout::MonospaceMeasurer measurer;
  return layout::layout_document(html::parse_html(html), measurer, 40);
}

std::string paragraphs(int from, int to) {
  std::string html;
  for (int i = from; i <= to; ++i) html += "<p>paragraph " + std::to_string(i) + "</p>";
  return html;
}

TEST(BrowserPageView, TabMovesThroughLinksInReadingOrder) {
  const auto list = lay_out("<p><a href=a>one</a> <a href=b>two</a></p><p><a href=c>three</a>");
  PageView view(list);
  view.set_height(10);
  EXPECT_EQ(view.selected_link(), 1);  // the first link on screen
  view.next_link();
  EXPECT_EQ(view.selected_link(), 2);
  view.next_link();
  EXPECT_EQ(view.selected_link(), 3);
  view.next_link();  // no further link, nothing further to scroll
  EXPECT_EQ(view.selected_link(), 3);
  view.previous_link();
  EXPECT_EQ(view.selected_link(), 2);
}

TEST(BrowserPageView, ALinkFarBelowIsReachedAScreenAtATime) {
  // 30 paragraphs (each a line and a blank line), then a link.
  const auto list = lay_out(paragraphs(1, 30) + "<p><a href=x>far</a>");
  PageView view(list);
  view.set_height(10);
  EXPECT_EQ(view.selected_link(), 0);
  view.next_link();  // the link is more than a screen below: the page moves a screen
  EXPECT_EQ(view.top(), 10);
  EXPECT_EQ(view.selected_link(), 0);
  for (int i = 0; i < 10 && view.selected_link() == 0; ++i) view.next_link();
  EXPECT_EQ(view.selected_link(), 1);
  EXPECT_GE(list.runs.back().y, view.top());
  EXPECT_LT(list.runs.back().y, view.top() + view.height());
}

TEST(BrowserPageView, ScrollingSelectsTheFirstLinkOnTheNewScreen) {
  const auto list = lay_out("<p><a href=a>top</a>" + paragraphs(1, 10) + "<p><a href=b>lower</a>" +
                            paragraphs(11, 30));
  PageView view(list);
  view.set_height(8);
  EXPECT_EQ(view.selected_link(), 1);
  view.page_down();
  view.page_down();
  EXPECT_EQ(view.top(), 16);
  EXPECT_EQ(view.selected_link(), 2);
  view.to_top();
  EXPECT_EQ(view.top(), 0);
  EXPECT_EQ(view.selected_link(), 1);
  view.to_bottom();
  EXPECT_EQ(view.top(), list.height - 8);
}

TEST(BrowserPageView, FindsTextAgainAndGoesRound) {
  const auto list = lay_out(paragraphs(1, 40) + "<p>The Needle</p>" + paragraphs(41, 50) +
                            "<p>another needle</p>");
  PageView view(list);
  view.set_height(10);
  ASSERT_TRUE(view.find("needle"));
  const int first = view.match().line;
  EXPECT_GE(first, view.top());
  EXPECT_LT(first, view.top() + view.height());
  EXPECT_EQ(view.line_text(first).substr(static_cast<std::size_t>(view.match().column), 6),
            "Needle");
  ASSERT_TRUE(view.find("needle"));
  EXPECT_GT(view.match().line, first);
  ASSERT_TRUE(view.find("needle"));  // round to the start
  EXPECT_EQ(view.match().line, first);
  EXPECT_FALSE(view.find("haystack"));
  EXPECT_EQ(view.match().line, -1);
}

TEST(BrowserPageView, APlaceIsKeptAcrossALayoutAgain) {
  const auto list =
      lay_out(paragraphs(1, 20) + "<p><a href=a>one</a> <a href=b>two</a>" + paragraphs(21, 40));
  PageView view(list);
  view.set_height(10);
  view.scroll_by(35);
  view.next_link();
  const PageView::Place place = view.place();
  PageView again(list);
  again.set_height(10);
  again.restore(place);
  EXPECT_EQ(again.top(), view.top());
  EXPECT_EQ(again.selected_link(), view.selected_link());
}

// A table wider than the screen (its words kept whole) is seen by shifting the view; selecting
// a link off to the right shifts to it.
TEST(BrowserPageView, AWideTableShiftsSidewaysToItsLinks) {
  const auto list = lay_out(
      "<table><tr><td>a_first_cell_with_one_very_long_word_in_it</td>"
      "<td>a_second_cell_with_another_long_word</td><td><a href=x>far</a></td></tr></table>");
  PageView view(list);
  view.set_height(10);
  view.set_width(40);
  EXPECT_EQ(view.selected_link(), 1);  // on the screen's rows, though not in its columns
  view.select_link(1);
  EXPECT_GT(view.left(), 0);
  view.shift_by(-1000);
  EXPECT_EQ(view.left(), 0);
  view.shift_by(1000);
  int widest = 0;
  for (const auto& run : list.runs)
    widest = std::max(widest, run.x + static_cast<int>(run.text.size()));
  EXPECT_EQ(view.left(), widest - 40);
}

}  // namespace
}  // namespace miniweb::browser::terminal
