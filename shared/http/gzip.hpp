#pragma once
// gzip content coding (RFC 9110 section 8.4.1.3) through zlib.

#include <string>
#include <string_view>

#include "shared/result.hpp"

namespace miniweb::http {

std::string gzip_compress(std::string_view data);
// Refuses output larger than `max_output` so a small bomb cannot exhaust memory, with
// Error::code 413 (as ChunkedDecoder refuses a body) to tell it from a corrupt stream.
Result<std::string> gzip_decompress(std::string_view data, std::size_t max_output);

}  // namespace miniweb::http
