#include "browser/trace.hpp"

#include <algorithm>
#include <cstdio>

namespace miniweb::browser {

std::string format_duration(Trace::Clock::duration duration) {
  double ms = std::chrono::duration<double, std::milli>(duration).count();
  char text[32];
  std::snprintf(text, sizeof text, ms < 10 ? "%.3f ms" : "%.1f ms", ms);
  return text;
}

Trace::Trace() : origin_(Clock::now()) {}

std::size_t Trace::begin(std::string phase, std::string title) {
  return begin(std::move(phase), std::move(title), elapsed());
}

std::size_t Trace::begin(std::string phase, std::string title, Clock::duration since) {
  steps_.push_back(Step{std::move(phase), std::move(title), "", {}, since, {}, false});
  return steps_.size() - 1;
}

void Trace::detail(std::size_t step, std::string line) {
  steps_.at(step).details.push_back(std::move(line));
}

void Trace::finish(std::size_t step, std::string summary) {
  Step& s = steps_.at(step);
  s.duration = elapsed() - s.start;
  s.summary = std::move(summary);
  s.finished = true;
}

std::size_t Trace::record(std::string phase, std::string title, std::string summary,
                          Clock::duration start, Clock::duration duration) {
  steps_.push_back(
      Step{std::move(phase), std::move(title), std::move(summary), {}, start, duration, true});
  return steps_.size() - 1;
}

std::size_t Trace::record(std::string phase, std::string title, std::string summary,
                          Clock::time_point began, Clock::time_point ended) {
  return record(std::move(phase), std::move(title), std::move(summary), began - origin_,
                ended - began);
}

Trace::Clock::duration Trace::total() const {
  Clock::duration total{};
  for (const Step& step : steps_) total = std::max(total, step.start + step.duration);
  return total;
}

Trace::Clock::duration Trace::covered() const {
  std::vector<std::pair<Clock::duration, Clock::duration>> spans;
  spans.reserve(steps_.size());
  for (const Step& step : steps_) spans.emplace_back(step.start, step.start + step.duration);
  std::sort(spans.begin(), spans.end());
  Clock::duration covered{};
  Clock::duration reached{};  // the end of the union so far
  for (const auto& [from, to] : spans) {
    if (to <= reached) continue;
    covered += to - std::max(from, reached);
    reached = to;
  }
  return covered;
}

std::string Trace::render(const std::string& url) const {
  std::string out = "* journey of " + url + "\n";
  std::size_t number = 0;
  for (const Step& step : steps_) {
    char head[64];
    std::snprintf(head, sizeof head, "%2zu  %-7s", ++number, step.phase.c_str());
    out += std::string(head) + step.title + "  [" + format_duration(step.duration) + "]";
    if (!step.finished) out += "  (did not finish)";
    out += "\n";
    if (!step.summary.empty()) out += "            " + step.summary + "\n";
    for (const std::string& line : step.details) out += "            " + line + "\n";
  }
  // The waterfall: each step a bar on one time axis, as a browser's network panel draws it.
  const Clock::duration total = this->total();
  const double scale = total.count() > 0 ? 50.0 / static_cast<double>(total.count()) : 0.0;
  char coverage[64] = "";
  if (total.count() > 0)
    std::snprintf(
        coverage, sizeof coverage, ", %.1f%% of it in steps",
        100.0 * static_cast<double>(covered().count()) / static_cast<double>(total.count()));
  out += "* waterfall (total " + format_duration(total) + coverage + ")\n";
  number = 0;
  for (const Step& step : steps_) {
    auto from = static_cast<std::size_t>(static_cast<double>(step.start.count()) * scale);
    auto width = std::max<std::size_t>(
        1, static_cast<std::size_t>(static_cast<double>(step.duration.count()) * scale));
    from = std::min<std::size_t>(from, 49);
    width = std::min<std::size_t>(width, 50 - from);
    char head[32];
    std::snprintf(head, sizeof head, "%2zu  %-7s|", ++number, step.phase.c_str());
    out += head + std::string(from, ' ') + std::string(width, '#') +
           std::string(50 - from - width, ' ') + "| " + format_duration(step.duration) + "\n";
  }
  return out;
}

bool record_beside(Trace& trace, const WorkBeside& work, std::string phase, std::string title,
                   std::string summary, const std::string& thread) {
  if (work.handed_over < trace.began()) return false;
  const std::size_t step = trace.record(std::move(phase), std::move(title), std::move(summary),
                                        work.handed_over, work.ended);
  trace.detail(step, "on " + thread + ", in " + format_duration(work.ended - work.began) +
                         ", beginning " + format_duration(work.began - work.handed_over) +
                         " after the load's thread handed it over");
  return true;
}

}  // namespace miniweb::browser
