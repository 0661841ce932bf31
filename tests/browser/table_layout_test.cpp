// Table columns beside w3m's: a column is at least as wide as its longest word, so no word
// breaks in a cell; when even those widths do not fit the line, the table runs past the
// line's end with every word whole, as `w3m -dump` draws it. The goldens were checked beside
// w3m -dump of the same markup (w3m leaves one space between columns and no body indent).

#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "browser/html/dom.hpp"
#include "browser/layout/layout.hpp"
#include "browser/render/text_painter.hpp"

namespace miniweb::browser::layout {
namespace {

std::string render(std::string_view html, int width) {
  MonospaceMeasurer measurer;
  return render::paint_text(layout_document(html::parse_html(html), measurer, width));
}

std::vector<std::string> words_of(std::string_view text) {
  std::vector<std::string> words;
  std::istringstream stream{std::string(text)};
  for (std::string word; stream >> word;) words.push_back(word);
  return words;
}

// A table in a cell that wraps its own text, beside a long identifier.
const std::string kNestedTable =
    "<table><tr><td><table><tr><td>inner</td><td>The inner table holds a long sentence that "
    "wraps when it has to, as any paragraph would.</td></tr></table></td>"
    "<td>configuration_directory_path</td></tr></table>";

TEST(BrowserTableLayout, ATableInACellMakesRoomInsteadOfBreakingAWord) {
  // The inner table can wrap down to "inner" and "paragraph" side by side, so the outer
  // table fits in 60 columns with the identifier whole (w3m -dump -cols 60 keeps it whole
  // too). It used to count the inner table's unwrapped width as its narrowest and break
  // "configuration_directory_pat|h".
  EXPECT_EQ(render(kNestedTable, 60),
            "   inner  The inner table       configuration_directory_path\n"
            "          holds a long\n"
            "          sentence that wraps\n"
            "          when it has to, as\n"
            "          any paragraph would.\n");
}

TEST(BrowserTableLayout, WhenTheWordsDoNotFitTheTableRunsPastTheLine) {
  // w3m -dump -cols 80:
  //   aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb
  //   one two three four five six seven eight   and more words here to wrap around
  //   nine ten
  const std::string html = "<table><tr><td>" + std::string(41, 'a') +
                           " one two three four five six seven eight nine ten</td><td>" +
                           std::string(47, 'b') +
                           " and more words here to wrap around</td></tr></table><p>after</p>";
  const std::string expected = "   " + std::string(41, 'a') + "  " + std::string(47, 'b') +
                               "\n"
                               "   one two three four five six seven eight    and more words "
                               "here to wrap around\n"
                               "   nine ten\n"
                               "\n"
                               "   after\n";
  EXPECT_EQ(render(html, 80), expected);
  // Narrower, the same: the columns cannot be narrower than their words.
  EXPECT_EQ(render(html, 40), expected);
}

TEST(BrowserTableLayout, AWordLongerThanTheLineStaysWholeInACell) {
  // w3m -dump -cols 40: "x Supercalifragilisticexpialidocious_is_a_very_long_identifier..."
  const std::string word = "Supercalifragilisticexpialidocious_is_a_very_long_identifier";
  EXPECT_EQ(render("<table><tr><td>x</td><td>" + word + "</td></tr></table>", 40),
            "   x  " + word + "\n");
  // Outside a table a word longer than the line still breaks (as lynx breaks it).
  EXPECT_EQ(words_of(render("<p>" + word + "</p>", 40)).size(), 2u);
}

TEST(BrowserTableLayout, APreformattedLineWidensItsColumn) {
  // w3m -dump -cols 30: "int main() { return 0; } next". The line used to count for
  // nothing in the column's narrowest width, and the next column was drawn over its end.
  EXPECT_EQ(render("<table><tr><td><pre>int main() { return 0; }</pre></td><td>next</td></tr>"
                   "</table>",
                   30),
            "   int main() { return 0; }  next\n");
}

TEST(BrowserTableLayout, NoWordInACellBreaksAtAnyWidth) {
  const std::string html =
      "<table><tr><th>Option</th><th>Meaning</th></tr><tr><td>--enable-experimental-features"
      "</td><td>Turns on the features that are not yet stable; use with care in production."
      "</td></tr><tr><td>-v</td><td>Verbose.</td></tr><tr><td colspan=2>A spanning row with "
      "a_rather_long_word_in_it</td></tr></table>" +
      kNestedTable;
  const std::vector<std::string> words = words_of(
      "Option Meaning --enable-experimental-features Turns on the features that are not yet "
      "stable; use with care in production. -v Verbose. A spanning row with "
      "a_rather_long_word_in_it inner The inner table holds a long sentence that wraps when it "
      "has to, as any paragraph would. configuration_directory_path");
  // Down to 3 cells a column: narrower, cells stand one under the other, as in lynx.
  for (int width = 20; width <= 100; ++width) {
    std::vector<std::string> found = words_of(render(html, width));
    std::vector<std::string> expected = words;
    std::sort(found.begin(), found.end());
    std::sort(expected.begin(), expected.end());
    EXPECT_EQ(found, expected) << "width " << width;
  }
}

}  // namespace
}  // namespace miniweb::browser::layout
