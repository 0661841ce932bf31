#include "browser/window/font_set.hpp"

#include <mutex>

#include <string>

namespace miniweb::browser::window {

int font_pixel_size(const layout::Style& style, int base_size) {
  switch (style.heading) {
    case 1:
      return base_size * 2;
    case 2:
      return base_size * 3 / 2;
    case 3:
      return base_size * 117 / 100;
    case 5:
      return base_size * 83 / 100;
    case 6:
      return base_size * 67 / 100;
    default:
      return base_size;
  }
}

Result<FontSet> FontSet::open(std::filesystem::path font_dir, int base_size) {
  FontSet fonts(std::move(font_dir), base_size);
  for (bool mono : {false, true}) {
    if (fonts.get(mono, false, false, base_size) == nullptr) {
      return make_error("cannot open the DejaVu fonts in " + fonts.dir_.string() + " (" +
                        TTF_GetError() + "); install Debian's fonts-dejavu-core");
    }
  }
  return fonts;
}

TTF_Font* FontSet::font(const layout::Style& style) const {
  const int size = style.preformatted ? base_size_ * 7 / 8 : font_pixel_size(style, base_size_);
  TTF_Font* found = get(style.preformatted, style.bold, style.italic, size);
  // A missing bold or oblique face falls back to the regular one rather than to nothing.
  return found != nullptr ? found : get(style.preformatted, false, false, size);
}

TTF_Font* FontSet::ui_font(int size, bool bold) const {
  TTF_Font* found = get(false, bold, false, size);
  return found != nullptr ? found : get(false, false, false, size);
}

TTF_Font* FontSet::get(bool mono, bool bold, bool italic, int size) const {
  const auto key = std::make_tuple(mono, bold, italic, size);
  if (auto found = fonts_.find(key); found != fonts_.end()) return found->second.get();
  std::string name = mono ? "DejaVuSansMono" : "DejaVuSans";
  if (bold && italic) {
    name += "-BoldOblique";
  } else if (bold) {
    name += "-Bold";
  } else if (italic) {
    name += "-Oblique";
  }
  FontPtr font;
  {
    // FreeType's library object, which SDL_ttf shares among all faces, takes one new face at a
    // time; the faces themselves then serve their own set's thread.
    static std::mutex opening;
    std::lock_guard lock(opening);
    font.reset(TTF_OpenFont((dir_ / (name + ".ttf")).c_str(), size));
  }
  if (!font) return nullptr;
  TTF_Font* raw = font.get();
  fonts_.emplace(key, std::move(font));
  return raw;
}

int TtfMeasurer::text_width(std::string_view utf8, const layout::Style& style) const {
  if (utf8.empty()) return 0;
  TTF_Font* font = fonts_->font(style);
  if (font == nullptr) return static_cast<int>(utf8.size()) * 8;
  // TTF_SizeUTF8 wants a terminated string.
  const std::string text(utf8);
  int width = 0;
  int height = 0;
  if (TTF_SizeUTF8(font, text.c_str(), &width, &height) != 0)
    return static_cast<int>(utf8.size()) * 8;
  return width;
}

int TtfMeasurer::line_height(const layout::Style& style) const {
  TTF_Font* font = fonts_->font(style);
  return font != nullptr ? TTF_FontLineSkip(font) : 18;
}

}  // namespace miniweb::browser::window
