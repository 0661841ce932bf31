#pragma once
// What the browser program is built from, as the launcher's staleness checks read it: the
// sources under browser/, dns/ and shared/ (their *.cpp, *.hpp and CMakeLists.txt) and the
// checkout's own CMakeLists.txt. A program older than one of them is built again before it runs
// (browser/stale_check.hpp, browser/source_watch/main.cpp, and the launcher's browser_stale).

#include <time.h>

#include <array>
#include <string_view>

namespace miniweb::browser {

inline constexpr std::array<const char*, 3> kSourceFolders{"browser", "dns", "shared"};
inline constexpr const char* kTopBuildFile = "CMakeLists.txt";

inline bool is_source_name(std::string_view name) {
  return name.ends_with(".cpp") || name.ends_with(".hpp") || name == "CMakeLists.txt";
}

// Whether modification time `a` is strictly later than `b`, as `find -newer` compares them.
inline bool later_than(const timespec& a, const timespec& b) {
  return a.tv_sec != b.tv_sec ? a.tv_sec > b.tv_sec : a.tv_nsec > b.tv_nsec;
}

}  // namespace miniweb::browser
