#pragma once
// How loads are watched: the capture's bounds, and the link emulator's drop log (./miniweb
// passes it when the stack's network has distance and loss), read when a load ends.

#include <filesystem>

#include "browser/observe/capture.hpp"

namespace miniweb::browser::observe {

struct WatchSettings {
  CaptureLimits limits;
  std::filesystem::path link_drop_log;
};

}  // namespace miniweb::browser::observe
