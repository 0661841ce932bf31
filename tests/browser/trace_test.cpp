#include <gtest/gtest.h>

#include "browser/trace.hpp"

namespace miniweb::browser {
namespace {

using std::chrono::milliseconds;

// Steps nest and overlap (a CRL fetched inside a handshake, DNS servers inside a resolution):
// time inside several counts once, time inside none is what the trace cannot account for.
TEST(BrowserTrace, CoveredCountsTheUnionOfTheStepsOnce) {
  Trace trace;
  trace.record("dns", "a", "", milliseconds(0), milliseconds(2));
  trace.record("dns", "inside a", "", milliseconds(1), milliseconds(1));
  trace.record("tls", "b", "", milliseconds(4), milliseconds(4));
  trace.record("crl", "overlaps b's end", "", milliseconds(7), milliseconds(3));
  EXPECT_EQ(trace.total(), milliseconds(10));
  EXPECT_EQ(trace.covered(), milliseconds(8));  // 2..4 is in no step
  const std::string shown = trace.render("https://www.example.test/");
  EXPECT_NE(shown.find("* waterfall (total 10.0 ms, 80.0% of it in steps)"), std::string::npos)
      << shown;
}

// A step begun at an earlier time (a connection's set-up before its address is tried) covers
// from then, and lasts until it finishes.
TEST(BrowserTrace, AStepBegunEarlierCoversFromWhenItsWorkBegan) {
  Trace trace;
  const Trace::Clock::duration set_up = trace.elapsed();
  while (trace.elapsed() < set_up + milliseconds(2)) {
  }
  const std::size_t step = trace.begin("tcp", "connect", set_up);
  trace.finish(step, "connected");
  const Trace::Step& shown = trace.steps().at(step);
  EXPECT_EQ(shown.start, set_up);
  EXPECT_GE(shown.duration, milliseconds(2));
  EXPECT_EQ(trace.covered(), shown.duration);
}

TEST(BrowserTrace, AnEmptyTraceHasNothingToCover) {
  Trace trace;
  EXPECT_EQ(trace.total(), Trace::Clock::duration{});
  EXPECT_EQ(trace.covered(), Trace::Clock::duration{});
  EXPECT_NE(trace.render("x").find("* waterfall (total 0.000 ms)"), std::string::npos);
}

}  // namespace
}  // namespace miniweb::browser
