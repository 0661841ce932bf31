// The window's parts that need no display: the address bar's editing, the PNG encoder,
// the error pages.

#include <gtest/gtest.h>
#include <zlib.h>

#include "browser/error_page.hpp"
#include "browser/exit_codes.hpp"
#include "browser/layout/text_measurer.hpp"
#include "browser/navigator.hpp"
#include "browser/page_info.hpp"
#include "browser/text_edit.hpp"
#include "browser/window/png.hpp"

namespace miniweb::browser::window {
namespace {

TEST(AddressBarTest, TypesMovesAndDeletesByCodePoint) {
  AddressBar bar;
  bar.insert("héllo");
  EXPECT_EQ(bar.text(), "héllo");
  EXPECT_EQ(bar.cursor(), bar.text().size());
  bar.move_left(false);
  bar.move_left(false);
  bar.move_left(false);
  bar.backspace();  // the two-byte é goes as one
  EXPECT_EQ(bar.text(), "hllo");
  bar.delete_forward();
  EXPECT_EQ(bar.text(), "hlo");
  bar.move_home(false);
  bar.insert("x");
  EXPECT_EQ(bar.text(), "xhlo");
  EXPECT_EQ(bar.cursor(), 1u);
}

TEST(AddressBarTest, TypingReplacesTheSelection) {
  AddressBar bar;
  bar.set_text("https://www.example.test/");
  bar.select_all();
  EXPECT_EQ(bar.selected_text(), "https://www.example.test/");
  bar.insert("about.test");
  EXPECT_EQ(bar.text(), "about.test");
  bar.move_left(true);
  bar.move_left(true);
  bar.move_left(true);
  bar.move_left(true);
  EXPECT_EQ(bar.selected_text(), "test");
  bar.backspace();
  EXPECT_EQ(bar.text(), "about.");
  EXPECT_FALSE(bar.has_selection());
}

TEST(AddressBarTest, WordMovesStopAtUrlSeparators) {
  AddressBar bar;
  bar.set_text("https://www.example.test/page");
  bar.move_left(false, true);
  EXPECT_EQ(bar.text().substr(bar.cursor()), "page");
  bar.move_left(false, true);
  EXPECT_EQ(bar.text().substr(bar.cursor()), "test/page");
  bar.move_home(false);
  bar.move_right(false, true);
  EXPECT_EQ(bar.text().substr(0, bar.cursor()), "https");
}

TEST(AddressBarTest, PasteDropsControlCharactersAndClicksLandOnBoundaries) {
  AddressBar bar;
  bar.insert("www.exa\nmple.test\t/\r");
  EXPECT_EQ(bar.text(), "www.example.test/");
  bar.set_text("é");
  bar.place_cursor(1);  // inside the two bytes of é
  EXPECT_EQ(bar.cursor(), 0u);
  bar.place_cursor(99);
  EXPECT_EQ(bar.cursor(), 2u);
}

// Reads a PNG back with zlib: chunk CRCs, the header, and the pixels after inflate.
TEST(PngTest, EncodesPixelsThatDecodeBack) {
  const int width = 3;
  const int height = 2;
  std::vector<std::uint8_t> rgb;
  for (int i = 0; i < width * height; ++i) {
    rgb.push_back(static_cast<std::uint8_t>(i * 40));
    rgb.push_back(static_cast<std::uint8_t>(255 - i));
    rgb.push_back(7);
  }
  const std::string png = encode_png(rgb, width, height);
  ASSERT_EQ(png.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
  auto u32 = [&](std::size_t at) {
    return (static_cast<std::uint32_t>(static_cast<unsigned char>(png[at])) << 24) |
           (static_cast<std::uint32_t>(static_cast<unsigned char>(png[at + 1])) << 16) |
           (static_cast<std::uint32_t>(static_cast<unsigned char>(png[at + 2])) << 8) |
           static_cast<unsigned char>(png[at + 3]);
  };
  std::size_t at = 8;
  std::vector<std::string> types;
  std::string idat;
  while (at < png.size()) {
    const std::uint32_t length = u32(at);
    const std::string type = png.substr(at + 4, 4);
    types.push_back(type);
    const std::uint32_t crc = u32(at + 8 + length);
    EXPECT_EQ(crc, crc32(0, reinterpret_cast<const Bytef*>(png.data() + at + 4), length + 4))
        << type;
    if (type == "IHDR") {
      EXPECT_EQ(u32(at + 8), 3u);
      EXPECT_EQ(u32(at + 12), 2u);
      EXPECT_EQ(png[at + 16], 8);  // bit depth
      EXPECT_EQ(png[at + 17], 2);  // truecolour
    }
    if (type == "IDAT") idat += png.substr(at + 8, length);
    at += 12 + length;
  }
  EXPECT_EQ(types, (std::vector<std::string>{"IHDR", "IDAT", "IEND"}));
  std::vector<std::uint8_t> raw(static_cast<std::size_t>((width * 3 + 1) * height));
  uLongf raw_size = raw.size();
  ASSERT_EQ(
      uncompress(raw.data(), &raw_size, reinterpret_cast<const Bytef*>(idat.data()), idat.size()),
      Z_OK);
  ASSERT_EQ(raw_size, raw.size());
  for (int y = 0; y < height; ++y) {
    EXPECT_EQ(raw[static_cast<std::size_t>(y * (width * 3 + 1))], 0);  // filter: none
    for (int i = 0; i < width * 3; ++i) {
      EXPECT_EQ(raw[static_cast<std::size_t>(y * (width * 3 + 1) + 1 + i)],
                rgb[static_cast<std::size_t>(y * width * 3 + i)]);
    }
  }
}

TEST(ErrorPageTest, NamesTheCertificateProblemAsBrowsersDo) {
  const std::string html =
      error_page_html(make_error("certificate refused: NET::ERR_CERT_DATE_INVALID <expired>",
                                 exit_code::kCertificate),
                      "https://expired.badssl.test/");
  EXPECT_NE(html.find("Your connection is not private"), std::string::npos);
  EXPECT_NE(html.find("NET::ERR_CERT_DATE_INVALID &lt;expired&gt;"), std::string::npos);  // escaped
  EXPECT_NE(html.find("https://expired.badssl.test/"), std::string::npos);
  const std::string dns =
      error_page_html(make_error("no such host", exit_code::kResolve), "https://nowhere.test/");
  EXPECT_NE(dns.find("This site can't be reached"), std::string::npos);
}

// The window shows links by colour: their "[n]" labels are taken out and the line closes up.
TEST(LinkNumbersTest, AreTakenOutAndTheLineClosesUp) {
  const Url url = *Url::parse("https://a.test/");
  const Page numbered = page_from_html(url, "<p>See <a href='/'>home</a> now</p>", Viewport{});
  const Page plain =
      page_from_html(url, "<p>See <a href='/'>home</a> now</p>", Viewport{.number_links = false});
  auto run_with = [](const Page& page, const std::string& text) -> const layout::TextRun* {
    for (const auto& run : page.layout.runs)
      if (run.text.find(text) != std::string::npos) return &run;
    return nullptr;
  };
  ASSERT_TRUE(run_with(numbered, "[1]home"));
  const layout::TextRun* link = run_with(plain, "home");
  ASSERT_TRUE(link);
  EXPECT_EQ(link->text.find('['), std::string::npos) << link->text;
  EXPECT_EQ(link->link, 1);
  ASSERT_TRUE(run_with(numbered, "now") && run_with(plain, "now"));
  EXPECT_EQ(run_with(plain, "now")->x, run_with(numbered, "now")->x - 3);
}

TEST(StatusBarTest, NamesEachPhaseOfTheJourney) {
  Trace::Step step;
  step.phase = "dns";
  step.title = "recursive resolver 127.53.0.53:53";
  EXPECT_EQ(describe_step(step), "Resolving: recursive resolver 127.53.0.53:53…");
  step.phase = "tcp";
  step.title = "connect to 127.0.0.1:443";
  EXPECT_EQ(describe_step(step), "Connecting: connect to 127.0.0.1:443…");
  step.phase = "tls";
  EXPECT_TRUE(describe_step(step).starts_with("TLS handshake"));
  step.phase = "http";
  step.title = "response";
  EXPECT_EQ(describe_step(step), "Waiting for the response, then receiving it…");
}

}  // namespace
}  // namespace miniweb::browser::window
