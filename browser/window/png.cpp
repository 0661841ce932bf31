#include "browser/window/png.hpp"

#include <zlib.h>

#include <cassert>
#include <fstream>
#include <vector>

namespace miniweb::browser::window {

namespace {

void put_u32(std::string& out, std::uint32_t value) {
  out.push_back(static_cast<char>(value >> 24));
  out.push_back(static_cast<char>(value >> 16));
  out.push_back(static_cast<char>(value >> 8));
  out.push_back(static_cast<char>(value));
}

// A chunk: length, type, data, CRC over type and data (PNG section 5.3).
void put_chunk(std::string& out, const char (&type)[5], const std::string& data) {
  put_u32(out, static_cast<std::uint32_t>(data.size()));
  const std::size_t crc_from = out.size();
  out.append(type, 4);
  out += data;
  uLong crc = crc32(0L, Z_NULL, 0);
  crc = crc32(crc, reinterpret_cast<const Bytef*>(out.data() + crc_from),
              static_cast<uInt>(out.size() - crc_from));
  put_u32(out, static_cast<std::uint32_t>(crc));
}

}  // namespace

std::string encode_png(std::span<const std::uint8_t> rgb, int width, int height) {
  assert(width > 0 && height > 0);
  assert(rgb.size() == static_cast<std::size_t>(width) * static_cast<std::size_t>(height) * 3);
  const std::size_t row = static_cast<std::size_t>(width) * 3;
  // Each row is preceded by its filter type byte, 0 (None).
  std::vector<std::uint8_t> raw;
  raw.reserve((row + 1) * static_cast<std::size_t>(height));
  for (int y = 0; y < height; ++y) {
    raw.push_back(0);
    const auto line = rgb.subspan(static_cast<std::size_t>(y) * row, row);
    raw.insert(raw.end(), line.begin(), line.end());
  }
  uLongf compressed_size = compressBound(static_cast<uLong>(raw.size()));
  std::string compressed(compressed_size, '\0');
  const int status = compress2(reinterpret_cast<Bytef*>(compressed.data()), &compressed_size,
                               raw.data(), static_cast<uLong>(raw.size()), Z_BEST_SPEED);
  assert(status == Z_OK);
  (void)status;
  compressed.resize(compressed_size);

  std::string out = "\x89PNG\r\n\x1a\n";
  std::string header;
  put_u32(header, static_cast<std::uint32_t>(width));
  put_u32(header, static_cast<std::uint32_t>(height));
  header += '\x08';  // bit depth
  header += '\x02';  // colour type: truecolour
  header += '\x00';  // compression: deflate
  header += '\x00';  // filter method 0
  header += '\x00';  // no interlace
  put_chunk(out, "IHDR", header);
  put_chunk(out, "IDAT", compressed);
  put_chunk(out, "IEND", "");
  return out;
}

Status write_png(const std::filesystem::path& path, std::span<const std::uint8_t> rgb, int width,
                 int height) {
  const std::string png = encode_png(rgb, width, height);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) return make_error("cannot write " + path.string() + ": cannot open it for writing");
  out.write(png.data(), static_cast<std::streamsize>(png.size()));
  if (!out) return make_error("cannot write " + path.string() + ": write failed");
  return Ok{};
}

}  // namespace miniweb::browser::window
