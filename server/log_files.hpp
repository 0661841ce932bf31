#pragma once
// Opens the logs a configuration names, at start and on reload (which also reopens the files,
// so a rotated log is let go of, as nginx -s reopen does).

#include "server/config.hpp"
#include "shared/result.hpp"

namespace miniweb::server {

// On failure the logs in use stay as they were.
Status open_logs(const LogConfig& logs);

}  // namespace miniweb::server
