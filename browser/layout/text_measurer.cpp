#include "browser/layout/text_measurer.hpp"

#include "browser/layout/utf8.hpp"

namespace miniweb::browser::layout {

int MonospaceMeasurer::text_width(std::string_view utf8, const Style& /*style*/) const {
  return display_width(utf8);
}

int MonospaceMeasurer::line_height(const Style& /*style*/) const {
  return 1;
}

}  // namespace miniweb::browser::layout
