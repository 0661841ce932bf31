#pragma once
// The client side of the resolver's control channel (control_server.hpp): one command line sent,
// one reply line read, as `unbound-control` does. `miniweb-dns control` and the launcher's
// `./miniweb flush` use it.
//
//   auto reply = control_request("run/resolver.control", "flush www.example.test");
//   // Result<std::string>: "ok, removed 3 entries at www.example.test." or "error: ...";
//   // an error when the resolver cannot be reached, saying why.

#include <chrono>
#include <filesystem>
#include <string>
#include <string_view>

#include "shared/result.hpp"

namespace miniweb::dns {

Result<std::string> control_request(const std::filesystem::path& socket, std::string_view line,
                                    std::chrono::milliseconds timeout = std::chrono::seconds(5));

}  // namespace miniweb::dns
