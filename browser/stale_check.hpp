#pragma once
// The launcher's check that the browser it runs is not older than its sources, done here
// because it costs least here. `./miniweb browse`'s fast path (the top of the launcher, in sh)
// execs this program at once and leaves the check to it: the same stat of each source that a
// `find -newer` made there costs 0.5 to 1.3 ms in this process, against three for starting
// find. When a source is newer, this program hands the command back to the launcher's full
// path, which builds again and runs the new browser.
//
// The check runs on a thread of its own, at nice 10, while a dump's page loads (the load
// waits milliseconds for its TLS context anyway); the load settles it before it does anything a
// second run would do again (send a request, read a file), and before anything is printed.

#include <string>
#include <thread>

namespace miniweb::browser {

// The check, when the launcher asked for one: it sets MINIWEB_BROWSE_ROOT, the checkout, and
// MINIWEB_BROWSE_ARGC, how many of the last arguments are the user's. The program is stale
// when a source under browser/, dns/ and shared/ (their *.cpp, *.hpp and CMakeLists.txt) or
// the checkout's CMakeLists.txt is newer than it.
class StaleCheck {
 public:
  // Starts the check on a thread of its own (none when no check was asked for), and takes the
  // two variables out of the environment, so that nothing this program runs sees them.
  StaleCheck(int argc, char** argv);
  ~StaleCheck();
  StaleCheck(const StaleCheck&) = delete;
  StaleCheck& operator=(const StaleCheck&) = delete;

  // Waits for the check. A stale program execs `/bin/bash ROOT/miniweb browse USER-ARGUMENTS`
  // in its place; if that fails, it says so and returns. Called from one thread at a time;
  // after the first call it returns at once.
  void settle();

 private:
  int argc_;
  char** argv_;
  std::string root_;
  int user_arguments_ = -1;
  bool stale_ = false;
  bool settled_ = false;
  std::thread check_;
};

}  // namespace miniweb::browser
