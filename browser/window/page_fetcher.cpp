#include "browser/window/page_fetcher.hpp"

#include "browser/local_file.hpp"

#include <asio/bind_cancellation_slot.hpp>
#include <asio/cancellation_signal.hpp>
#include <asio/steady_timer.hpp>

#include <fstream>
#include <sstream>

#include "browser/content.hpp"
#include "browser/window/page_content.hpp"

namespace miniweb::browser::window {

struct PageFetcher::Load {
  std::uint64_t generation = 0;
  Url url;
  Trace trace;
  bool done = false;
  asio::cancellation_signal cancel;
};

PageFetcher::PageFetcher(ResolverSettings resolver, LoaderOptions loader,
                         std::function<void()> wake)
    : work_(io_->get_executor()),
      resolver_(std::move(resolver)),
      loader_(resolver_, std::move(loader)),
      wake_(std::move(wake)),
      thread_([this] { io_->run(); }) {}

PageFetcher::~PageFetcher() {
  work_.reset();
  // Loads still running are abandoned: stop() ends the worker at once (closing the window is
  // immediate), then their frames are destroyed here, before the loader they refer to.
  io_->stop();
  thread_.join();
  current_.reset();
  loader_.drop_idle_connections();  // their sockets belong to io_
  io_.reset();
}

std::uint64_t PageFetcher::start(const Url& url) {
  auto load = std::make_shared<Load>();
  load->url = url;
  {
    std::lock_guard lock(mutex_);
    load->generation = ++generation_;
    busy_ = true;
    progress_ = "Loading " + url.to_string();
    outcome_.reset();
  }
  asio::post(*io_, [this, load] {
    cancel_current();
    current_ = load;
    // The spawned coroutine owns the load (and so its cancellation signal) through the
    // completion handler, so the signal outlives every operation bound to its slot.
    asio::co_spawn(
        *io_, run(load),
        asio::bind_cancellation_slot(load->cancel.slot(), [load](std::exception_ptr) {}));
    asio::co_spawn(*io_, watch(load), asio::detached);
  });
  return load->generation;
}

void PageFetcher::stop() {
  {
    std::lock_guard lock(mutex_);
    ++generation_;
    busy_ = false;
    progress_.clear();
  }
  asio::post(*io_, [this] { cancel_current(); });
}

void PageFetcher::cancel_current() {
  if (current_ && !current_->done) current_->cancel.emit(asio::cancellation_type::terminal);
  current_.reset();
}

bool PageFetcher::busy() const {
  std::lock_guard lock(mutex_);
  return busy_;
}

std::string PageFetcher::progress() const {
  std::lock_guard lock(mutex_);
  return progress_;
}

std::optional<FetchOutcome> PageFetcher::take_outcome() {
  std::lock_guard lock(mutex_);
  std::optional<FetchOutcome> outcome = std::move(outcome_);
  outcome_.reset();
  return outcome;
}

// A local file, as lynx and w3m open one: its extension says what it is.
Result<Page> read_local_file(const Url& url, Trace& trace) {
  auto bytes = load_local_file(url.path, trace);
  if (!bytes) return bytes.error();
  Page page;
  page.url = url;
  page.response.status = 200;
  page.response.reason = "OK";
  page.response.body = std::move(*bytes);
  page.media_type = media_type_for_file(url.path);
  return page;
}

asio::awaitable<void> PageFetcher::run(std::shared_ptr<Load> load) {
  FetchOutcome outcome;
  outcome.generation = load->generation;
  outcome.requested = load->url;
  if (load->url.scheme == "file") {
    outcome.page = read_local_file(load->url, load->trace);
  } else {
    outcome.page = co_await loader_.load(load->url, load->trace);
  }
  load->done = true;
  if (outcome.page) outcome.document = document_for(*outcome.page, load->trace);
  outcome.trace = std::move(load->trace);
  {
    std::lock_guard lock(mutex_);
    if (outcome.generation != generation_) co_return;  // superseded: nobody wants it
    busy_ = false;
    progress_.clear();
    outcome_ = std::move(outcome);
  }
  wake_();
}

// Reports the step in progress while the load runs: the trace belongs to this thread, so
// the watcher reads it here and hands the UI a copy of one line.
asio::awaitable<void> PageFetcher::watch(std::shared_ptr<Load> load) {
  asio::steady_timer timer(*io_);
  std::string last;
  while (!load->done) {
    std::string now;
    const auto& steps = load->trace.steps();
    for (auto step = steps.rbegin(); step != steps.rend(); ++step) {
      if (!step->finished) {
        now = describe_step(*step);
        break;
      }
    }
    if (!now.empty() && now != last) {
      {
        std::lock_guard lock(mutex_);
        if (load->generation != generation_) co_return;
        progress_ = now;
      }
      last = now;
      wake_();
    }
    timer.expires_after(std::chrono::milliseconds(15));
    auto [ec] = co_await timer.async_wait(use_tuple);
    if (ec) co_return;
  }
}

std::string describe_step(const Trace::Step& step) {
  if (step.phase == "dns") return "Resolving: " + step.title + "…";
  if (step.phase == "tcp") return "Connecting: " + step.title + "…";
  if (step.phase == "tls") return "TLS handshake: " + step.title + "…";
  if (step.phase == "http") {
    if (step.title.starts_with("request")) return "Sending: " + step.title + "…";
    if (step.title == "response") return "Waiting for the response, then receiving it…";
    return step.title + "…";
  }
  if (step.phase == "close") return "Closing: " + step.title + "…";
  if (step.phase == "parse") return "Parsing…";
  if (step.phase == "layout") return "Laying out…";
  return step.title + "…";
}

}  // namespace miniweb::browser::window
