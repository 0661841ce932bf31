#pragma once
// The access log in the Combined Log Format (shared/http/combined_log, with the request id the
// reverse proxy gave), to a file or standard error.

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "shared/http/combined_log.hpp"
#include "shared/result.hpp"

namespace miniweb::server {

using http::AccessLogEntry;
using http::append_combined_log_line;

// Where access log lines go: standard error until a path is configured; nowhere when `off`.
Status open_access_log(const std::filesystem::path& path, bool off = false);
// Writes the entry's line, in one write (lines from different connections never interleave).
void log_access(const AccessLogEntry& entry);

}  // namespace miniweb::server
