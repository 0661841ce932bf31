#pragma once
// What a shell command prints on standard output, for tests that drive the real tools
// (curl, dig, openssl, w3m) against the project's servers.

#include <cstdio>
#include <memory>
#include <string>

namespace miniweb::test_support {

inline std::string command_output(const std::string& command) {
  std::string out;
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(::popen(command.c_str(), "r"), ::pclose);
  if (!pipe) return out;
  char buffer[65536];
  while (std::size_t n = std::fread(buffer, 1, sizeof buffer, pipe.get())) out.append(buffer, n);
  return out;
}

}  // namespace miniweb::test_support
