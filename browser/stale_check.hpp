#pragma once
// The launcher's check that the browser it runs is not older than its sources, done here
// because it costs least here, where no source watcher answers it (browser/source_watch/: `up`
// starts one where it builds the programs, and the fast path then reads the watcher's file and
// asks nothing of the browser). `./miniweb browse`'s fast path (the top of the launcher, in sh)
// execs this program at once and leaves the check to it: the same stat of each source that a
// `find -newer` made there costs about 0.35 ms of CPU in this process, against three for
// starting find. When a source is newer, this program hands the command back to the launcher's
// full path, which builds again and runs the new browser.
//
// The check runs beside a dump's load, at nice 10, on the TLS head start's thread once its
// context is made (net/tls_context.hpp), or, with no head start (a file, a plain-http page),
// on a thread of its own. The load settles it before it does anything a second run would do
// again (send a request, read a file), and before anything is printed, with one exception: a
// resumed load's first request, sent as TLS 1.3 early data with the ClientHello, goes before
// the check has run (it begins as the context is handed over). Only a GET or a HEAD goes early
// (safe methods: RFC 8470 expects early data may be replayed anyway), so a stale program
// costs the server that one request twice: `./miniweb browse` after an edit logs the GET, then
// the rebuilt program's. Waiting for the check there would put it on every warm load's path.
// Every other face settles it at once. On a thread of its own beside an https load it made a warm
// load 0.48 ms longer than no check at all; on the head start's thread, 0.17 ms (interleaved runs,
// 300 each): a thread fewer to start, and no turns taken with the context's work.

#include <atomic>
#include <future>
#include <string>
#include <thread>

namespace miniweb::browser {

// The check, when the launcher asked for one: it sets MINIWEB_BROWSE_ROOT, the checkout, and
// MINIWEB_BROWSE_ARGC, how many of the last arguments are the user's. The program is stale
// when a source under browser/, dns/ and shared/ (their *.cpp, *.hpp and CMakeLists.txt) or
// the checkout's CMakeLists.txt is newer than it.
class StaleCheck {
 public:
  // Opens the checkout, and takes the two variables out of the environment, so that nothing
  // this program runs sees them. Starts nothing.
  StaleCheck(int argc, char** argv);
  ~StaleCheck();
  StaleCheck(const StaleCheck&) = delete;
  StaleCheck& operator=(const StaleCheck&) = delete;

  // The check, on the calling thread, at nice 10: for a helper's thread (the TLS head start's),
  // never the program's main one. Nothing when it has begun elsewhere.
  void run_here();
  // The check on a thread of its own, unless it has begun elsewhere: for a program that has no
  // helper thread to give it to.
  void start();

  // Waits for the check, or does it here if nothing has begun it. A stale program execs
  // `/bin/bash ROOT/miniweb browse USER-ARGUMENTS` in its place; if that fails, it says so and
  // returns. Called from one thread at a time; after the first call it returns at once.
  void settle();

 private:
  bool claim();  // whether the caller is the one to do the check

  int argc_;
  char** argv_;
  std::string root_;
  int user_arguments_ = -1;
  int root_fd_ = -1;
  std::atomic<bool> claimed_{true};  // false only while a check is asked for and not begun
  std::promise<void> done_;          // set once the check has run beside
  std::future<void> done_when_ = done_.get_future();
  bool stale_ = false;
  bool settled_ = false;
  std::thread own_thread_;
};

}  // namespace miniweb::browser
