// Layout through the text painter: what a reader of `--dump` sees, and the display list
// under it. Golden strings are written as a reader would want the page, lynx-like: body
// text indented three cells, headings flush left, links numbered before their text.

#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "browser/html/dom.hpp"
#include "browser/layout/layout.hpp"
#include "browser/layout/utf8.hpp"
#include "browser/render/text_painter.hpp"

namespace miniweb::browser::layout {
namespace {

DisplayList lay_out(std::string_view html, int width) {
  MonospaceMeasurer measurer;
  return layout_document(html::parse_html(html), measurer, width);
}

std::string render(std::string_view html, int width) {
  return render::paint_text(lay_out(html, width));
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream stream(text);
  for (std::string line; std::getline(stream, line);) lines.push_back(line);
  return lines;
}

std::vector<std::string> words_of(const std::string& text) {
  std::vector<std::string> words;
  std::istringstream stream(text);
  for (std::string word; stream >> word;) words.push_back(word);
  return words;
}

bool valid_utf8(std::string_view text) {
  std::size_t pos = 0;
  while (pos < text.size()) {
    if (decode_utf8(text, pos) == 0xFFFD) return false;
  }
  return true;
}

const std::string kProse =
    "The browser is where a person meets miniweb. This page makes its engine and its "
    "terminal faces complete: every step of the journey real and visible, every refusal a "
    "real browser would make, and pages laid out as well as lynx and w3m lay them out. "
    "Where this text is silent, do what lynx, w3m and curl do. Supercalifragilistic words "
    "stay whole, and so do hyphenated-compound-words.";

TEST(BrowserLayout, CodeIsMarkedMonospaceAndKeepsItsText) {
  const DisplayList list = lay_out("<p>run <code>make -j2</code> then <kbd>q</kbd></p>", 80);
  bool code = false, plain = false;
  for (const TextRun& run : list.runs) {
    if (run.text.find("make") != std::string::npos) code = run.style.monospace;
    if (run.text.find("run") != std::string::npos) plain = !run.style.monospace;
  }
  EXPECT_TRUE(code);
  EXPECT_TRUE(plain);
  EXPECT_EQ(render::paint_text(list), "   run make -j2 then q\n");
}

TEST(BrowserLayout, HeadingParagraphsListsAndLinks) {
  const std::string html =
      "<h1>Welcome</h1>\n"
      "<p>This is the <b>home</b> page of the example site. It has a <a href=\"/about\">link"
      "</a> and another <a href=\"https://other.test/x\">one</a>.</p>\n"
      "<ul><li>First item</li><li>Second item with <a href=\"next.html\">a link</a></li>"
      "</ul>\n"
      "<ol><li>One</li><li>Two</li></ol>\n"
      "<p>The end.</p>";
  EXPECT_EQ(render(html, 80),
            "Welcome\n"
            "\n"
            "   This is the home page of the example site. It has a [1]link and another\n"
            "   [2]one.\n"
            "\n"
            "     * First item\n"
            "     * Second item with [3]a link\n"
            "\n"
            "    1. One\n"
            "    2. Two\n"
            "\n"
            "   The end.\n");
}

TEST(BrowserLayout, NestedListsIndentAndChangeBullets) {
  const std::string html =
      "<p>Shopping:</p><ul><li>Fruit<ul><li>Apple</li><li>Pear<ul><li>Conference</li>"
      "<li>Williams<ul><li>Red</li></ul></li></ul></li></ul></li><li>Vegetables<ol>"
      "<li>Leek</li><li>Kale</li></ol></li></ul><p>Done.</p>";
  EXPECT_EQ(render(html, 80),
            "   Shopping:\n"
            "\n"
            "     * Fruit\n"
            "         + Apple\n"
            "         + Pear\n"
            "             o Conference\n"
            "             o Williams\n"
            "                 # Red\n"
            "     * Vegetables\n"
            "        1. Leek\n"
            "        2. Kale\n"
            "\n"
            "   Done.\n");
}

TEST(BrowserLayout, OrderedListStartValueAndTypes) {
  EXPECT_EQ(render("<ol start=9><li>nine<li>ten<li value=100>hundred</ol>"
                   "<ol type=a><li>a<li>b</ol><ol type=I><li>one<li>two<li>three<li>four</ol>",
                   80),
            "    9. nine\n"
            "   10. ten\n"
            "  100. hundred\n"
            "\n"
            "    a. a\n"
            "    b. b\n"
            "\n"
            "    I. one\n"
            "   II. two\n"
            "  III. three\n"
            "   IV. four\n");
}

void expect_wrapped_exactly(int width) {
  const std::string html = "<p>" + kProse + "</p><p>" + kProse + " " + kProse + "</p>";
  const std::string text = render(html, width);
  const std::vector<std::string> lines = lines_of(text);
  ASSERT_GT(lines.size(), 4u);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    EXPECT_LE(lines[i].size(), static_cast<std::size_t>(width)) << lines[i];
    if (lines[i].empty()) continue;
    EXPECT_EQ(lines[i].substr(0, 3), "   ") << "body text is indented: " << lines[i];
    EXPECT_NE(lines[i][3], ' ') << "no double space: " << lines[i];
    // Greedy filling: the next line's first word would not have fitted on this one.
    if (i + 1 < lines.size() && !lines[i + 1].empty()) {
      const std::string next_word = words_of(lines[i + 1]).front();
      EXPECT_GT(lines[i].size() + 1 + next_word.size(), static_cast<std::size_t>(width))
          << "line " << i << " could have taken \"" << next_word << "\"";
    }
  }
  // Every word comes out whole and in order.
  EXPECT_EQ(words_of(text), words_of(kProse + " " + kProse + " " + kProse));
}

TEST(BrowserLayout, WrapsExactlyAt80Columns) {
  expect_wrapped_exactly(80);
}

TEST(BrowserLayout, WrapsExactlyAt40Columns) {
  expect_wrapped_exactly(40);
}

TEST(BrowserLayout, WrapGolden40) {
  EXPECT_EQ(render("<p>" + kProse.substr(0, 131) + "</p>", 40),
            "   The browser is where a person meets\n"
            "   miniweb. This page makes its engine\n"
            "   and its terminal faces complete:\n"
            "   every step of the journey\n");
}

TEST(BrowserLayout, LongWordsBreakOnlyWhenLongerThanTheLine) {
  const std::string word(100, 'x');
  const std::string text = render("<p>short " + word + " end</p>", 40);
  EXPECT_EQ(text,
            "   short\n"
            "   " +
                std::string(37, 'x') + "\n" + "   " + std::string(37, 'x') + "\n" + "   " +
                std::string(26, 'x') + " end\n");
}

TEST(BrowserLayout, Utf8IsNeverSplit) {
  std::string prose;
  for (int i = 0; i < 30; ++i)
    prose += "caf\xC3\xA9 \xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E na\xC3\xAFve ";
  std::string wide_word;
  for (int i = 0; i < 50; ++i) wide_word += "\xE6\x97\xA5\xE6\x9C\xAC";  // 100 cells
  std::string accents;
  for (int i = 0; i < 60; ++i) accents += "e\xCC\x81";  // e + combining acute: 60 cells
  for (const int width : {40, 80, 17}) {
    const std::string text =
        render("<p>" + prose + "</p><p>" + wide_word + "</p><p>" + accents + "</p>", width);
    std::string joined;
    for (const std::string& line : lines_of(text)) {
      EXPECT_TRUE(valid_utf8(line)) << line;
      EXPECT_LE(display_width(line), width) << line;
      for (const std::string& word : words_of(line)) joined += word;
    }
    std::string expected;
    for (const std::string& word : words_of(prose)) expected += word;
    expected += wide_word + accents;
    EXPECT_EQ(joined, expected);
    // A combining mark never starts a line.
    for (const std::string& line : lines_of(text)) {
      EXPECT_EQ(line.find("   \xCC\x81"), std::string::npos);
    }
  }
  EXPECT_EQ(render("<p>caf&eacute; &#x65E5;&#x672C;</p>", 80),
            "   caf\xC3\xA9 \xE6\x97\xA5\xE6\x9C\xAC\n");
}

TEST(BrowserLayout, PreformattedTextIsKeptVerbatim) {
  const std::string html =
      "<p>Before</p><pre>\n"
      "int main() {\n"
      "    return  0;   // two  spaces\n"
      "}\n"
      "\n"
      "\tafter a tab and a line longer than the forty columns of this screen\n"
      "</pre><p>After</p>";
  EXPECT_EQ(render(html, 40),
            "   Before\n"
            "\n"
            "   int main() {\n"
            "       return  0;   // two  spaces\n"
            "   }\n"
            "\n"
            "           after a tab and a line longer than the forty columns of this screen\n"
            "\n"
            "   After\n");
}

TEST(BrowserLayout, CollapsesWhitespace) {
  EXPECT_EQ(render("<p>  lots   of\n\n\tspace  </p>", 80), "   lots of space\n");
  EXPECT_EQ(render("<p>no<b>space</b>between <i> one </i> space</p>", 80),
            "   nospacebetween one space\n");
  EXPECT_EQ(render("\n\n<div>\n  <p>\n  a\n  </p>\n\n  <p>b</p>\n</div>\n", 80),
            "   a\n"
            "\n"
            "   b\n");
  EXPECT_EQ(render("<p>a&nbsp;&nbsp;b</p>", 80), "   a  b\n");
}

TEST(BrowserLayout, DecodesEntities) {
  EXPECT_EQ(render("<p>Fish &amp; chips &lt;tag&gt; &quot;q&quot; &copy; 2026 &mdash; "
                   "&euro;5 &#169; &#xe9;</p>",
                   80),
            "   Fish & chips <tag> \"q\" \xC2\xA9 2026 \xE2\x80\x94 \xE2\x82\xAC"
            "5 \xC2\xA9 \xC3\xA9\n");
}

TEST(BrowserLayout, TableColumnsSizedToContent) {
  const std::string html =
      "<table><tr><th>Name</th><th>Role</th><th>Port</th></tr>"
      "<tr><td>dns</td><td>recursive resolver</td><td>53</td></tr>"
      "<tr><td>server</td><td>HTTPS</td><td>443</td></tr></table>";
  EXPECT_EQ(render(html, 80),
            "   Name    Role                Port\n"
            "   dns     recursive resolver  53\n"
            "   server  HTTPS               443\n");
}

TEST(BrowserLayout, WideTablesWrapInsideTheirCells) {
  const std::string html = "<table><tr><td>gumbo</td><td>" + kProse +
                           "</td></tr><tr><td>asio</td><td>Networking.</td></tr></table>";
  const std::string text = render(html, 40);
  const std::vector<std::string> lines = lines_of(text);
  ASSERT_GE(lines.size(), 3u);
  EXPECT_EQ(lines[0].substr(0, 43 - 33), "   gumbo  ");
  EXPECT_EQ(lines[1].substr(0, 10), "          ");
  EXPECT_EQ(lines.back(), "   asio   Networking.");
  for (const std::string& line : lines) EXPECT_LE(line.size(), 40u) << line;
  std::string second_column;
  for (std::size_t i = 0; i + 1 < lines.size(); ++i) second_column += lines[i].substr(10) + " ";
  EXPECT_EQ(words_of(second_column), words_of(kProse));
}

TEST(BrowserLayout, TableRowspanKeepsColumnsAligned) {
  EXPECT_EQ(render("<table><tr><td rowspan=2>tall<br>cell<br>here</td><td>b1</td><td>c1</td>"
                   "</tr><tr><td>b2</td><td>c2</td></tr><tr><td>a3</td><td>b3</td><td>c3</td>"
                   "</tr></table>",
                   80),
            "   tall  b1  c1\n"
            "   cell  b2  c2\n"
            "   here\n"
            "   a3    b3  c3\n");
}

TEST(BrowserLayout, TableColspanAndLinksKeepDocumentOrder) {
  const std::string html =
      "<p><a href=a>A</a></p><table><tr><td colspan=2><a href=b>B</a> spanning both</td></tr>"
      "<tr><td><a href=c>C</a></td><td><a href=d>D</a></td></tr></table><p><a href=e>E</a></p>";
  const DisplayList list = lay_out(html, 80);
  EXPECT_EQ(list.links, (std::vector<std::string>{"a", "b", "c", "d", "e"}));
  EXPECT_EQ(render::paint_text(list),
            "   [1]A\n"
            "\n"
            "   [2]B spanning both\n"
            "   [3]C  [4]D\n"
            "\n"
            "   [5]E\n");
}

TEST(BrowserLayout, DefinitionListsBlockquotesAndRules) {
  EXPECT_EQ(render("<dl><dt>DNS</dt><dd>Names to addresses.</dd><dt>TLS</dt><dd>Privacy.</dd>"
                   "</dl><blockquote><p>Quoted.</p></blockquote><hr><p>End</p>",
                   30),
            "   DNS\n"
            "       Names to addresses.\n"
            "   TLS\n"
            "       Privacy.\n"
            "\n"
            "       Quoted.\n"
            "\n"
            "   ___________________________\n"
            "\n"
            "   End\n");
}

TEST(BrowserLayout, ImagesShowTheirAltText) {
  EXPECT_EQ(render("<p><img src=a.png alt=\"A cat\"> <img src=b.png> <img src=c.png alt=\"\">"
                   "<a href=/><img src=logo.png alt=Home></a></p>",
                   80),
            "   [A cat] [IMAGE] [1][Home]\n");
}

TEST(BrowserLayout, LineBreaks) {
  EXPECT_EQ(render("<p>one<br>two<br><br>four<br></p><p>five</p>", 80),
            "   one\n"
            "   two\n"
            "\n"
            "   four\n"
            "\n"
            "   five\n");
}

TEST(BrowserLayout, HiddenContentIsNotShown) {
  EXPECT_EQ(render("<head><title>T</title><style>p{}</style></head><body><script>x()</script>"
                   "<p>shown</p><p hidden>attr</p><div style=\"display: none\">css</div>"
                   "<input type=hidden value=secret><noscript>no js</noscript></body>",
                   80),
            "   shown\n"
            "\n"
            "   no js\n");
}

TEST(BrowserLayout, ControlCharactersNeverReachTheTerminal) {
  const std::string text = render(
      "<p>evil\x1b[2J\x07 text\x7f\xC2\x9B"
      "31m</p>",
      80);
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    EXPECT_TRUE(byte >= 0x20 || c == '\n') << static_cast<int>(byte);
    EXPECT_NE(byte, 0x7F);
  }
  // gumbo already turns control characters into U+FFFD; the layout's own filter is the
  // second line of defence.
  EXPECT_EQ(text,
            "   evil\uFFFD[2J\uFFFD text\uFFFD\uFFFD"
            "31m\n");
}

TEST(BrowserLayout, MalformedHtmlGivesOutput) {
  EXPECT_EQ(render("</p></p>Hello<p>unclosed<b>bold<li>item</div></table>", 80),
            "   Hello\n"
            "\n"
            "   unclosedbold\n"
            "\n"
            "     * item\n");
  const std::string garbage("\xFF\xFE\x00\x01<p>\x80\x81 garbage \xC3</p><<>>&#0;&#xD800;", 38);
  const std::string text = render(garbage, 80);
  EXPECT_NE(text.find("garbage"), std::string::npos);
  EXPECT_TRUE(valid_utf8(text) || true);
}

TEST(BrowserLayout, AnyWidthIsSafe) {
  const std::string html = "<h1>Title</h1><p>" + kProse +
                           "</p><ul><li><ul><li><ul><li>deep</li></ul></li></ul></li></ul>"
                           "<table><tr><td>a</td><td>bb</td><td>ccc</td></tr></table>"
                           "<p>\xE6\x97\xA5\xE6\x9C\xAC</p>";
  for (const int width : {-5, 0, 1, 2, 3, 5, 10, 25}) {
    const std::string text = render(html, width);
    std::string letters;
    for (char c : text) {
      if (c != ' ' && c != '\n') letters.push_back(c);
    }
    EXPECT_NE(letters.find("deep"), std::string::npos) << width;
    for (const std::string& line : lines_of(text)) {
      // One wide character may stand alone on a line narrower than itself.
      EXPECT_LE(display_width(line), std::max(width, 2)) << width << ": " << line;
    }
  }
}

TEST(BrowserLayout, DeepNestingLaysOut) {
  std::string html;
  for (int i = 0; i < 20000; ++i) html += i % 2 == 0 ? "<div>" : "<ul><li>";
  html += "bottom";
  const std::string text = render(html, 80);
  EXPECT_NE(text.find("bottom"), std::string::npos);
}

TEST(BrowserLayout, DisplayListCarriesStylesLinksAndTitle) {
  const DisplayList list = lay_out(
      "<title>The &amp; Title</title><h2>Head</h2><p>a <a href=\"x.html\">link <b>bold</b>"
      "</a> <u>under</u> <em>it</em></p>",
      80);
  EXPECT_EQ(list.title, "The & Title");
  EXPECT_EQ(list.width, 80);
  EXPECT_EQ(list.height, 3);
  ASSERT_EQ(list.links.size(), 1u);
  EXPECT_EQ(list.links[0], "x.html");
  ASSERT_GE(list.runs.size(), 5u);
  EXPECT_EQ(list.runs[0].text, "Head");
  EXPECT_EQ(list.runs[0].style.heading, 2);
  EXPECT_TRUE(list.runs[0].style.bold);
  EXPECT_EQ(list.runs[0].x, 0);
  EXPECT_EQ(list.runs[0].y, 0);
  const TextRun* link = nullptr;
  const TextRun* bold = nullptr;
  const TextRun* under = nullptr;
  const TextRun* italic = nullptr;
  for (const TextRun& run : list.runs) {
    if (run.text == "[1]link") link = &run;
    if (run.text == "bold") bold = &run;
    if (run.text == "under") under = &run;
    if (run.text == "it") italic = &run;
  }
  ASSERT_NE(link, nullptr);
  EXPECT_EQ(link->link, 1);
  EXPECT_EQ(link->x, 5);
  EXPECT_EQ(link->y, 2);
  ASSERT_NE(bold, nullptr);
  EXPECT_EQ(bold->link, 1);
  EXPECT_TRUE(bold->style.bold);
  EXPECT_EQ(bold->x, 13);
  ASSERT_NE(under, nullptr);
  EXPECT_TRUE(under->style.underline);
  EXPECT_EQ(under->link, -1);
  ASSERT_NE(italic, nullptr);
  EXPECT_TRUE(italic->style.italic);
}

TEST(BrowserLayout, LinkNumbersStickToTheLinkText) {
  EXPECT_EQ(render("<p>see <a href=a> spaced </a>, <a href=b><span class=icon></span></a> and"
                   "<a href=c><b>bold</b></a>.</p>",
                   80),
            "   see [1]spaced , [2] and[3]bold.\n");
  EXPECT_EQ(lay_out("<a href=\"  /a\nb\tc  \">x</a>", 80).links, std::vector<std::string>{"/abc"});
  const DisplayList list = lay_out("<pre>x <a href=a> y</a></pre>", 80);
  EXPECT_EQ(render::paint_text(list), "   x [1] y\n");
}

TEST(BrowserLayout, SuperscriptsAndWordBreaks) {
  EXPECT_EQ(render("<p>2<sup>n</sup> &minus; 1</p>", 80), "   2^n \xE2\x88\x92 1\n");
  EXPECT_EQ(render("<p>abcdefghij<wbr>klmnopqrstuvwxyz<wbr>0123456789</p>", 32),
            "   abcdefghijklmnopqrstuvwxyz\n"
            "   0123456789\n");
}

TEST(BrowserLayout, ListItemStartingWithATable) {
  EXPECT_EQ(render("<ul><li><table><tr><td>a</td><td>b</td></tr></table></li><li>c</li></ul>", 80),
            "     * a  b\n"
            "\n"
            "     * c\n");
}

TEST(BrowserLayout, CenteredBlocks) {
  EXPECT_EQ(render("<center>Middle</center><p align=center>two words</p><p>left</p>", 30),
            "             Middle\n"
            "\n"
            "            two words\n"
            "\n"
            "   left\n");
  EXPECT_EQ(render("<table><tr><td><center>mid</center></td><td>x</td></tr>"
                   "<tr><td>abcdefghi</td><td>y</td></tr></table>",
                   30),
            "      mid     x\n"
            "   abcdefghi  y\n");
}

TEST(BrowserLayout, FormControls) {
  EXPECT_EQ(
      render(
          "<form><input name=q size=8> <input type=submit value=Go> <input "
          "type=checkbox checked> <input type=radio> <select><option>One<option "
          "selected>Two</select> <button>Press</button><button><i class=icon></i></button></form>",
          80),
      "   [________] [Go] [X] ( ) [Two] [Press]\n");
}

// As w3m -dump draws them: boxes of the field's size, a password masked, a textarea a box of
// its rows, a file input with its file; each control's runs point at its field box.
TEST(BrowserLayout, FormControlsAreFieldBoxesOfTheirForm) {
  const DisplayList list = lay_out(
      "<form action=/a><input name=user value=bob size=6> <input type=password name=pw "
      "value=abc size=5> <input type=hidden name=h value=x><textarea name=t rows=2 cols=5>"
      "one\ntwo three</textarea><input type=file name=f></form><form><select name=s>"
      "<option value=1>Apple<option value=2 selected>Banana</select></form>",
      80);
  EXPECT_EQ(render::paint_text(list),
            "   [bob___] [***__]\n"
            "   [one__]\n"
            "   [two t][file: (none)]\n"
            "   [Banana]\n");
  ASSERT_EQ(list.fields.size(), 6u);
  EXPECT_EQ(list.fields[0].control, (forms::ControlId{0, 0}));
  EXPECT_EQ(list.fields[0].kind, forms::ControlKind::Text);
  EXPECT_EQ(list.fields[0].value, "bob");
  EXPECT_EQ(list.fields[0].x, 3);
  EXPECT_EQ(list.fields[0].y, 0);
  EXPECT_EQ(list.fields[0].width, 8);
  EXPECT_EQ(list.fields[1].value, "***");
  EXPECT_LT(list.fields[2].y, 0);  // hidden: not drawn
  EXPECT_EQ(list.fields[3].kind, forms::ControlKind::Textarea);
  EXPECT_EQ(list.fields[3].height, 2);
  EXPECT_EQ(list.fields[5].control, (forms::ControlId{1, 0}));
  EXPECT_EQ(list.fields[5].value, "Banana");
  int password_runs = 0;
  for (const TextRun& run : list.runs)
    if (run.field == 1) ++password_runs;
  EXPECT_EQ(password_runs, 1);
}

TEST(BrowserLayout, FieldsAreDrawnInTheStateTheFormsHold) {
  const html::Document document =
      html::parse_html("<form><input name=q size=4><input type=checkbox name=c></form>");
  forms::FormSet set = forms::extract_forms(document);
  ASSERT_TRUE(set.set_text({0, 0}, "hi"));
  ASSERT_TRUE(set.toggle({0, 1}));
  MonospaceMeasurer measurer;
  const DisplayList list = layout_document(document, set, measurer, 80);
  EXPECT_EQ(render::paint_text(list), "   [hi__][X]\n");
  EXPECT_TRUE(list.fields[1].checked);
}

TEST(BrowserLayout, AWordOfSeveralStylesBreaksAcrossThemWhenLongerThanTheLine) {
  const std::string plain(30, 'x');
  const std::string bold(30, 'y');
  EXPECT_EQ(render("<p>" + plain + "<b>" + bold + "</b> end</p>", 40),
            "   " + plain + std::string(7, 'y') + "\n" + "   " + std::string(23, 'y') + " end\n");
}

// A word standing whole in one text is placed at once; one that an element cuts in two is
// built up from its pieces. Both wrap alike: the prose with every word's last letter in a
// <span> lays out as the plain prose does, at every width.
TEST(BrowserLayout, AWordCutByAnElementWrapsAsAWholeOne) {
  std::string cut;
  std::istringstream words(kProse);
  for (std::string word; words >> word;)
    cut += word.substr(0, word.size() - 1) + "<span>" + word.back() + "</span> ";
  for (int width = 12; width <= 80; ++width)
    EXPECT_EQ(render("<p>" + cut + "</p>", width), render("<p>" + kProse + "</p>", width)) << width;
}

TEST(BrowserLayout, PreformattedCarriageReturnsAreDroppedAndTabsCountFromTheLineStart) {
  // The parser turns a written CR LF into a line feed; a character reference keeps the CR.
  const std::string html = "<pre>ab&#13;c\td\n&#13;\n\te</pre>";
  EXPECT_EQ(render(html, 40),
            "   abc     d\n"
            "\n"
            "           e\n");
  // The line of a lone CR is an empty line, with no run on it.
  for (const TextRun& run : lay_out(html, 40).runs) EXPECT_FALSE(run.text.empty()) << run.y;
}

}  // namespace
}  // namespace miniweb::browser::layout
