#pragma once
// Reading a local file for the browser (file:// URLs and paths), as one traced step.

#include <string>

#include "browser/trace.hpp"
#include "shared/result.hpp"

namespace miniweb::browser {

// The file's bytes; Error::code exit_code::kFileUnreadable when it cannot be read.
Result<std::string> load_local_file(const std::string& path, Trace& trace);

}  // namespace miniweb::browser
