#include "browser/observe/packet_view.hpp"

#include "browser/observe/journey.hpp"

namespace miniweb::browser::observe {

LoadObserver* PacketView::begin() {
  if (!enabled_) return nullptr;
  pending_ = Recorder::start(resolver_, settings_);
  return pending_.get();
}

void PacketView::started(std::uint64_t load) {
  if (pending_) watching_[load] = std::move(pending_);
}

void PacketView::close_connections(Navigator& navigator) {
  if (!enabled_) return;
  auto recorder = Recorder::start(resolver_, settings_);
  Trace trace;
  navigator.close_connections(trace, recorder.get());
  const ObservedLoad observed = recorder->finish();
  if (observed.connections.empty()) return;  // nothing was kept alive
  text_ += "* the close of the connections kept alive, on quitting:\n";
  for (const std::string& line : draw_ladder(read_journey(observed, trace))) text_ += line + "\n";
}

void PacketView::end(std::uint64_t load, const Trace& trace) {
  auto watched = watching_.find(load);
  if (watched == watching_.end()) return;
  const ObservedLoad observed = watched->second->finish();
  watching_.erase(watched);
  text_.clear();
  for (const std::string& line : draw_ladder(read_journey(observed, trace))) text_ += line + "\n";
}

}  // namespace miniweb::browser::observe
