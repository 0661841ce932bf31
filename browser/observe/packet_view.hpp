#pragma once
// The packet view of an interactive face (the full-screen terminal's `p`, the window's F12
// panel): when the browser was started with --packets, each load is watched by a Recorder,
// and once its outcome is taken the ladder is drawn and kept for the face to show.

#include <asio/ip/udp.hpp>

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "browser/navigator.hpp"
#include "browser/observe/recorder.hpp"
#include "browser/trace.hpp"

namespace miniweb::browser::observe {

class PacketView {
 public:
  PacketView(bool enabled, std::optional<asio::ip::udp::endpoint> resolver, WatchSettings settings)
      : enabled_(enabled), resolver_(std::move(resolver)), settings_(std::move(settings)) {}

  // A load is about to start: the watcher to hand the navigator (nullptr when the view is off);
  // then started() with the number Navigator::start gave it.
  LoadObserver* begin();
  void started(std::uint64_t load);
  // Load `load`'s outcome was taken: the ladder is drawn from what was observed, with `trace`'s
  // steps. A load whose outcome never comes (stopped, replaced) keeps its watcher alive until
  // the view goes: the navigator may still be telling it things.
  void end(std::uint64_t load, const Trace& trace);
  bool enabled() const { return enabled_; }
  // The face is closing: the connections kept alive are closed (close_notify, FIN) while
  // watched, and that close is added to the last ladder.
  void close_connections(Navigator& navigator);
  // The last load's ladder, or a line saying how to turn the view on.
  const std::string& text() const { return text_; }

 private:
  bool enabled_;
  std::optional<asio::ip::udp::endpoint> resolver_;
  WatchSettings settings_;
  std::unique_ptr<Recorder> pending_;
  std::map<std::uint64_t, std::unique_ptr<Recorder>> watching_;
  std::string text_ =
      "The packet view is off. Start the browser with --packets (as root, or "
      "inside ./miniweb shell) to capture each load.";
};

}  // namespace miniweb::browser::observe
