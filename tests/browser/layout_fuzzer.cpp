// libFuzzer target: any bytes through parse_html, layout at a width taken from the input,
// and both painters. Besides crashes and sanitizer reports, it checks that no control
// character reaches the terminal.
//
//   ./miniweb fuzz layout --seconds 60     (clang 14, build/fuzz; see cmake/fuzz.cmake)

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "browser/html/dom.hpp"
#include "browser/layout/layout.hpp"
#include "browser/render/text_painter.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const int width = 1 + data[0] % 120;
  const std::string_view html(reinterpret_cast<const char*>(data + 1), size - 1);
  namespace browser = miniweb::browser;
  const browser::html::Document document = browser::html::parse_html(html);
  const browser::layout::MonospaceMeasurer measurer;
  const browser::layout::DisplayList list =
      browser::layout::layout_document(document, measurer, width);
  const std::string dump =
      browser::render::dump_page(list, [](const std::string& href) { return href; });
  for (const char c : dump) {
    const auto byte = static_cast<unsigned char>(c);
    if ((byte < 0x20 && c != '\n') || byte == 0x7F) std::abort();
  }
  (void)browser::render::paint_ansi(list);
  return 0;
}
