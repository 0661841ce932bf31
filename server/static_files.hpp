#pragma once
// Serving a site's files: the mapping from a request path to a file that cannot leave the
// document root, and the response for it.

#include <cstdint>
#include <ctime>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "server/config.hpp"
#include "server/file_cache.hpp"
#include "shared/http/message.hpp"
#include "shared/result.hpp"

namespace miniweb::server {

// Decodes the path of a request target (RFC 3986 percent-encoding) and resolves "." and ".."
// segments. Error::code is 400 for a path that is malformed or climbs above the root.
Result<std::string> normalize_request_path(std::string_view target);

// Answers GET or HEAD for a file under `site.root`. Symbolic links that lead outside the
// root are refused (403), as with nginx's disable_symlinks if_not_owner spirit.
// With `cache`, resolution, metadata and small files' content are reused while stat shows the
// file unchanged (server/file_cache.hpp); without, every call resolves afresh.
http::Response serve_static(const SiteConfig& site, const http::Request& request, FileCache& cache);
// The same, but when the body is a whole file it is not copied: `whole_file` gets the cached
// content and the response's body stays empty (the server sends it from there).
http::Response serve_static(const SiteConfig& site, const http::Request& request, FileCache& cache,
                            std::shared_ptr<const std::string>& whole_file);
http::Response serve_static(const SiteConfig& site, const http::Request& request);

// Replaces the body of an error response with the site's page for its status, if it has one.
void use_error_page(const SiteConfig& site, http::Response& response);

// Smaller bodies are not worth compressing (nginx's gzip_min_length is 20).
inline constexpr std::uint64_t kGzipMinLength = 64;

// An HTTP date in any of the three forms RFC 9110 section 5.6.7 accepts.
std::optional<std::time_t> parse_http_date(std::string_view text);

struct ByteRange {
  std::uint64_t first = 0;
  std::uint64_t last = 0;  // inclusive
  bool operator==(const ByteRange&) const = default;
};
// A Range header for a representation of `size` bytes: nullopt when it is not a valid bytes
// range set (the header is then ignored), an empty list when none is satisfiable (416).
std::optional<std::vector<ByteRange>> parse_byte_ranges(std::string_view header,
                                                        std::uint64_t size);

// A small HTML page for an error status.
http::Response error_response(int status, std::string_view detail = {});

// The answer to a request refused while it was being read (400, 408, 413, 414, 431...): only
// a 400 says what was wrong, since the others' status says it already.
http::Response refusal(int status, std::string_view why);

}  // namespace miniweb::server
