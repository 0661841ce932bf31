#include "browser/local_file.hpp"

#include "browser/exit_codes.hpp"

#include <array>
#include <filesystem>
#include <fstream>
#include <system_error>

namespace miniweb::browser {

Result<std::string> load_local_file(const std::string& path, Trace& trace) {
  const std::size_t step = trace.begin("file", "read " + path);
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    trace.finish(step, "cannot be read");
    return make_error("cannot open the local file " + path, exit_code::kFileUnreadable);
  }
  // Read straight into the string: a stringstream would copy a large file twice more.
  std::string bytes;
  std::error_code error;
  if (const auto size = std::filesystem::file_size(path, error); !error) bytes.reserve(size);
  std::array<char, 1 << 16> buffer;
  while (in.read(buffer.data(), buffer.size()) || in.gcount() > 0) {
    bytes.append(buffer.data(), static_cast<std::size_t>(in.gcount()));
  }
  trace.finish(step, std::to_string(bytes.size()) + " bytes");
  return bytes;
}

}  // namespace miniweb::browser
