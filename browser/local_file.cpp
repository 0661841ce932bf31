#include "browser/local_file.hpp"

#include <fstream>
#include <sstream>

namespace miniweb::browser {

Result<std::string> load_local_file(const std::string& path, Trace& trace) {
  const std::size_t step = trace.begin("file", "read " + path);
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    trace.finish(step, "cannot be read");
    return make_error("cannot open the local file " + path, 37);
  }
  std::stringstream content;
  content << in.rdbuf();
  std::string bytes = content.str();
  trace.finish(step, std::to_string(bytes.size()) + " bytes");
  return bytes;
}

}  // namespace miniweb::browser
