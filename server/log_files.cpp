#include "server/log_files.hpp"

#include "server/access_log.hpp"
#include "server/error_log.hpp"

namespace miniweb::server {

Status open_logs(const LogConfig& logs) {
  if (auto status = error_log().open(logs.error_log, logs.error_level); !status) return status;
  return open_access_log(logs.access_log, logs.access_log_off);
}

}  // namespace miniweb::server
