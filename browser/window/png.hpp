#pragma once
// A small PNG encoder (RFC 2083 / PNG 3rd edition): 8-bit RGB, filter type 0 on every row,
// one zlib-compressed IDAT chunk. Enough for screenshots; CRCs and deflate are zlib's.

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>

#include "shared/result.hpp"

namespace miniweb::browser::window {

// pixels: width * height RGB triples, row after row, top row first.
std::string encode_png(std::span<const std::uint8_t> rgb, int width, int height);
Status write_png(const std::filesystem::path& path, std::span<const std::uint8_t> rgb, int width,
                 int height);

}  // namespace miniweb::browser::window
