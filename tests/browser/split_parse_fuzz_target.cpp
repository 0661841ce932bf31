// libFuzzer target, differential: any bytes parsed into the DOM with the split parse tried from
// the first byte on (html/split_parse.hpp; pages cut into one to eight pieces wherever a line
// starts with a tag), against the DOM of the page parsed whole. A difference is a failure: the
// split is used only where it gives the whole page's tree.
//
//   ./miniweb fuzz split_parse --seconds 60     (clang 14, build/fuzz; see cmake/fuzz.cmake)

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <string>

#include "tests/browser/whole_page_tree.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace test = miniweb::browser::html::test;
  const std::string html(reinterpret_cast<const char*>(data), size);
  // Into one to eight pieces, as the first byte says.
  const std::size_t piece_bytes =
      size == 0 ? 1 : std::max<std::size_t>(1, size / (1 + data[0] % 8));
  const std::string difference =
      test::first_difference(test::dom_tree(html, 1, piece_bytes),
                             test::dom_tree(html, std::numeric_limits<std::size_t>::max()));
  if (!difference.empty()) {
    std::fprintf(stderr, "the split parse's DOM differs from the whole page's %s\n",
                 difference.c_str());
    std::abort();
  }
  return 0;
}
