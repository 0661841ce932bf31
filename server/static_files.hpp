#pragma once
// Serving a site's files: the mapping from a request path to a file that cannot leave the
// document root, and the response for it.

#include <filesystem>
#include <string>
#include <string_view>

#include "server/config.hpp"
#include "shared/http/message.hpp"
#include "shared/result.hpp"

namespace miniweb::server {

// Decodes the path of a request target (RFC 3986 percent-encoding) and resolves "." and ".."
// segments. Error::code is 400 for a path that is malformed or climbs above the root.
Result<std::string> normalize_request_path(std::string_view target);

// Answers GET or HEAD for a file under `site.root`. Symbolic links that lead outside the
// root are refused (403), as with nginx's disable_symlinks if_not_owner spirit.
http::Response serve_static(const SiteConfig& site, const http::Request& request);

// A small HTML page for an error status.
http::Response error_response(int status, std::string_view detail = {});

}  // namespace miniweb::server
