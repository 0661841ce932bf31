#pragma once
// The launcher's check that the browser it runs is not older than its sources, done here
// because it costs least here. `./miniweb browse`'s fast path (the top of the launcher, in sh)
// execs this program at once and leaves the check to it: the same stat of each source that a
// `find -newer` made there costs about half a millisecond in this process, against three for
// starting find. When a source is newer, this program hands the command back to the launcher's
// full path, which builds again and runs the new browser.

namespace miniweb::browser {

// Returns when no check was asked for (the launcher sets MINIWEB_BROWSE_ROOT, the checkout,
// and MINIWEB_BROWSE_ARGC, how many of the last arguments are the user's), or when this
// program is as new as every source under browser/, dns/ and shared/ (their *.cpp, *.hpp and
// CMakeLists.txt) and the checkout's CMakeLists.txt. Otherwise it execs
// `/bin/bash ROOT/miniweb browse USER-ARGUMENTS`; if that fails, it says so and returns.
void hand_over_if_older_than_sources(int argc, char** argv);

}  // namespace miniweb::browser
