#pragma once
// Reading a local file for the browser (file:// URLs and paths), as one traced step.

#include <string>

#include "browser/trace.hpp"
#include "shared/result.hpp"
#include "shared/url.hpp"

namespace miniweb::browser {

// The file a file:// URL names: its path, percent-decoded.
std::string local_file_path(const Url& url);

// The file's bytes; Error::code exit_code::kFileUnreadable when it cannot be read.
Result<std::string> load_local_file(const std::string& path, Trace& trace);

}  // namespace miniweb::browser
