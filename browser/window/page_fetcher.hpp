#pragma once
// The window's network work, off the UI thread: one worker thread runs its own io_context
// with the same HostResolver and PageLoader the terminal uses. The UI starts a load and
// polls for progress and the outcome; a new load cancels the one in progress (terminal
// cancellation of its coroutine) and the old one's outcome, should it still arrive, is
// dropped.

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "browser/host_resolver.hpp"
#include "browser/html/dom.hpp"
#include "browser/page_loader.hpp"
#include "browser/trace.hpp"

namespace miniweb::browser::window {

struct FetchOutcome {
  std::uint64_t generation = 0;
  Url requested;
  Result<Page> page = make_error("not loaded");
  // The page's HTML (or a text/* body as <pre>), parsed on the worker; layout is the UI's,
  // since it measures with the UI's fonts.
  std::optional<html::Document> document;
  Trace trace;
};

class PageFetcher {
 public:
  // wake is called from the worker thread whenever progress or an outcome is there to
  // take; it must be thread-safe (the window pushes an SDL user event).
  PageFetcher(ResolverSettings resolver, LoaderOptions loader, std::function<void()> wake);
  ~PageFetcher();
  PageFetcher(const PageFetcher&) = delete;
  PageFetcher& operator=(const PageFetcher&) = delete;

  // Starts loading url, cancelling any load in progress. Returns the load's generation.
  std::uint64_t start(const Url& url);
  // Cancels the load in progress, if any (Escape, the stop button).
  void stop();
  bool busy() const;
  // What the load in progress is doing, one line for a status bar ("Connecting to ...").
  std::string progress() const;
  // The outcome of the latest load, once, when it is there.
  std::optional<FetchOutcome> take_outcome();

 private:
  struct Load;
  asio::awaitable<void> run(std::shared_ptr<Load> load);
  asio::awaitable<void> watch(std::shared_ptr<Load> load);
  void cancel_current();  // on the worker thread

  // Owned through a pointer so that the destructor can destroy the loads still pending
  // (their coroutine frames) while the resolver and loader they refer to still exist.
  std::unique_ptr<asio::io_context> io_ = std::make_unique<asio::io_context>();
  asio::executor_work_guard<asio::io_context::executor_type> work_;
  HostResolver resolver_;
  PageLoader loader_;
  std::function<void()> wake_;

  mutable std::mutex mutex_;  // guards the members below
  std::uint64_t generation_ = 0;
  bool busy_ = false;
  std::string progress_;
  std::optional<FetchOutcome> outcome_;

  std::shared_ptr<Load> current_;  // worker thread only
  std::thread thread_;             // last: starts after everything above exists
};

Result<Page> read_local_file(const Url& url, Trace& trace);

// The status bar's words for a trace step in progress.
std::string describe_step(const Trace::Step& step);

}  // namespace miniweb::browser::window
