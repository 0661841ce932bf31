#pragma once
// The journey of one URL, step by step, with timings: what --trace prints.

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

namespace miniweb::browser {

class Trace {
 public:
  using Clock = std::chrono::steady_clock;

  struct Step {
    std::string phase;    // "dns", "tcp", "tls", "http", "close", "parse", "layout"
    std::string title;    // "recursive resolver 127.53.0.53:53"
    std::string summary;  // the outcome, one line
    std::vector<std::string> details;
    Clock::duration start{};  // since the journey began
    Clock::duration duration{};
    bool finished = false;
  };

  Trace();

  std::size_t begin(std::string phase, std::string title);
  // A step whose work began at `since` (this trace's time), before its title was known: the
  // connection's set-up before the address it connects to is tried.
  std::size_t begin(std::string phase, std::string title, Clock::duration since);
  void detail(std::size_t step, std::string line);
  void finish(std::size_t step, std::string summary);
  // A step whose time was measured elsewhere (e.g. one DNS server of the iterative path).
  std::size_t record(std::string phase, std::string title, std::string summary,
                     Clock::duration start, Clock::duration duration);
  // The same for a step timed by its clock readings (as another thread took them).
  std::size_t record(std::string phase, std::string title, std::string summary,
                     Clock::time_point began, Clock::time_point ended);
  Clock::duration elapsed() const { return Clock::now() - origin_; }
  // When the journey began, by the clock: for times read on other threads, or before it.
  Clock::time_point began() const { return origin_; }

  const std::vector<Step>& steps() const { return steps_; }
  // From the journey's start to the end of its last step.
  Clock::duration total() const;
  // How much of total() lies inside at least one step (steps nest and overlap): what is left is
  // time the trace cannot account for.
  Clock::duration covered() const;
  // The numbered steps with details, then a waterfall of bars on one time axis.
  std::string render(const std::string& url) const;

 private:
  Clock::time_point origin_;
  std::vector<Step> steps_;
};

std::string format_duration(Trace::Clock::duration duration);

// Work a load handed to another thread (a profile file written beside it), timed there.
struct WorkBeside {
  Trace::Clock::time_point handed_over;
  Trace::Clock::time_point began;
  Trace::Clock::time_point ended;
};
// Puts `work` in `trace` as the step it was, from its hand-over (the thread's wait to begin is
// part of it), with a detail saying which thread ran it (`thread`: "the head start's thread")
// and when it began there. Nothing when it was handed over before `trace` began (by a load a
// newer one stopped): false.
bool record_beside(Trace& trace, const WorkBeside& work, std::string phase, std::string title,
                   std::string summary, const std::string& thread);

}  // namespace miniweb::browser
