#include "shared/http/gzip.hpp"

// ZLIB_CONST makes next_in a pointer to const, so input needs no cast.
#define ZLIB_CONST
#include <zlib.h>

#include <stdexcept>

#include <array>

namespace miniweb::http {

std::string gzip_compress(std::string_view data) {
  z_stream stream{};
  // 15 window bits + 16 selects the gzip wrapper.
  if (deflateInit2(&stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) !=
      Z_OK)
    throw std::runtime_error("zlib deflateInit2 failed");
  std::string out;
  out.resize(deflateBound(&stream, data.size()));
  stream.next_in = reinterpret_cast<const Bytef*>(data.data());
  stream.avail_in = static_cast<uInt>(data.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  int rc = deflate(&stream, Z_FINISH);
  deflateEnd(&stream);
  if (rc != Z_STREAM_END) throw std::runtime_error("zlib deflate failed");
  out.resize(stream.total_out);
  return out;
}

Result<std::string> gzip_decompress(std::string_view data, std::size_t max_output) {
  z_stream stream{};
  if (inflateInit2(&stream, 15 + 16) != Z_OK) return make_error("zlib inflateInit2 failed");
  stream.next_in = reinterpret_cast<const Bytef*>(data.data());
  stream.avail_in = static_cast<uInt>(data.size());
  std::string out;
  std::array<char, 16384> buffer;
  int rc = Z_OK;
  while (rc != Z_STREAM_END) {
    stream.next_out = reinterpret_cast<Bytef*>(buffer.data());
    stream.avail_out = buffer.size();
    rc = inflate(&stream, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END) {
      inflateEnd(&stream);
      return make_error("gzip body is corrupt");
    }
    out.append(buffer.data(), buffer.size() - stream.avail_out);
    if (out.size() > max_output) {
      inflateEnd(&stream);
      return make_error("gzip body expands beyond the limit", 413);
    }
    if (rc == Z_OK && stream.avail_in == 0 && stream.avail_out != 0) {
      inflateEnd(&stream);
      return make_error("gzip body is truncated");
    }
  }
  inflateEnd(&stream);
  return out;
}

}  // namespace miniweb::http
