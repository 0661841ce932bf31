#pragma once
// The window's fonts (DejaVu, from Debian's fonts-dejavu-core) and the TextMeasurer that
// layout measures through, in pixels.

#include <filesystem>
#include <map>
#include <memory>
#include <string_view>
#include <tuple>

#include "browser/layout/text_measurer.hpp"
#include "browser/window/sdl_ptr.hpp"
#include "shared/result.hpp"

namespace miniweb::browser::window {

inline constexpr const char* kDefaultFontDir = "/usr/share/fonts/truetype/dejavu";

// Pixel sizes: body text 16 px, headings as CSS's user-agent sheet sizes them (2em, 1.5em,
// 1.17em, 1em, 0.83em, 0.67em).
int font_pixel_size(const layout::Style& style, int base_size);

// Opens each face and size once, on first use. Needs TTF_Init to have been called. A set's
// fonts serve one thread; two threads measure with two sets.
class FontSet {
 public:
  // Checks that the regular faces can be opened, so that a missing font package is a
  // message at start-up rather than blank text.
  static Result<FontSet> open(std::filesystem::path font_dir = kDefaultFontDir, int base_size = 16);

  TTF_Font* font(const layout::Style& style) const;
  // The interface's own font (toolbar, status bar), regular or bold, at a pixel size.
  TTF_Font* ui_font(int size, bool bold = false) const;
  // The monospaced face, for text whose columns must line up (the packets tab).
  TTF_Font* mono_font(int size) const { return get(true, false, false, size); }
  int base_size() const { return base_size_; }

 private:
  FontSet(std::filesystem::path font_dir, int base_size)
      : dir_(std::move(font_dir)), base_size_(base_size) {}
  TTF_Font* get(bool mono, bool bold, bool italic, int size) const;

  std::filesystem::path dir_;
  int base_size_;
  mutable std::map<std::tuple<bool, bool, bool, int>, FontPtr> fonts_;
};

// Measures with one FontSet, whose fonts only the measurer's thread uses.
class TtfMeasurer : public layout::TextMeasurer {
 public:
  explicit TtfMeasurer(std::shared_ptr<const FontSet> fonts) : fonts_(std::move(fonts)) {}
  int text_width(std::string_view utf8, const layout::Style& style) const override;
  int line_height(const layout::Style& style) const override;

 private:
  std::shared_ptr<const FontSet> fonts_;
};

}  // namespace miniweb::browser::window
