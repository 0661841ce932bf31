#include "browser/local_file.hpp"

#include "browser/exit_codes.hpp"
#include "shared/read_file.hpp"

namespace miniweb::browser {

std::string local_file_path(const Url& url) {
  return percent_decode(url.path);
}

Result<std::string> load_local_file(const std::string& path, Trace& trace) {
  const std::size_t step = trace.begin("file", "read " + path);
  auto bytes = read_file(path);
  if (!bytes) {
    trace.finish(step, "cannot be read: " + bytes.error().message);
    return make_error("cannot open the local file " + path + ": " + bytes.error().message,
                      exit_code::kFileUnreadable);
  }
  trace.finish(step, std::to_string(bytes->size()) + " bytes");
  return bytes;
}

}  // namespace miniweb::browser
