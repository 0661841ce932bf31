#pragma once
// The browser's core, one for every face (the full-screen terminal, the line mode, the SDL2
// window, --dump), after Web Browser Engineering's Browser and Ladybird's split of the page from
// the faces that show it: a tab's history, the session under it (resolver, connection pool,
// cookies, HSTS, CRLs, one TLS context), and the journey of a URL in one function, load():
//
//   URL -> request and response (net/page_loader) -> content by type (content) ->
//   HTML tree (html/dom) -> layout (layout/) -> display list
//
// which the face then paints (render/text_painter for the terminal and the dump, window/ for
// the SDL2 window).

#include <asio/io_context.hpp>

#include <atomic>
#include <cassert>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "browser/content.hpp"
#include "browser/forms/form_model.hpp"
#include "browser/history.hpp"
#include "browser/html/dom.hpp"
#include "browser/layout/display_list.hpp"
#include "browser/layout/text_measurer.hpp"
#include "browser/net/host_resolver.hpp"
#include "browser/net/navigation_request.hpp"
#include "browser/net/page_loader.hpp"
#include "browser/trace.hpp"
#include "shared/result.hpp"
#include "shared/url.hpp"

namespace miniweb::browser {

struct NavigatorOptions {
  ResolverSettings dns;
  LoaderOptions loader;
  std::filesystem::path download_dir = ".";  // where what is not shown is saved
};

// How a face lays pages out: with its measurer (cells for a terminal, pixels with the window's
// fonts), at its width. The measurer is used on the thread that runs the load.
struct Viewport {
  std::shared_ptr<const layout::TextMeasurer> measurer =
      std::make_shared<layout::MonospaceMeasurer>();
  int width = 80;
  std::string unit = "columns";  // the measurer's unit, as the trace names it
  // Text and downloads as pages of their own, laid out like HTML (the interactive faces); the
  // dump prints them as they are.
  bool text_as_pages = true;
  // Links numbered "[3]" before their text, for faces that follow links by number (the dump,
  // the line mode); the window shows links by colour alone.
  bool number_links = true;
};

struct Page {
  Url url;         // after redirects
  int status = 0;  // 0 for a local file
  std::string reason;
  Content content;
  html::Document document;  // what the face lays out: the page, or one made for text
  // The document's forms in their current state (forms/form_model.hpp): the faces edit them
  // (forms.set_text(...), forms.toggle(...)), lay the page out again (Navigator::lay_out) and
  // submit them (form_submission.hpp). They know the document's elements by address, which a
  // move keeps: a Page is moved, never copied.
  forms::FormSet forms;
  layout::DisplayList layout;
  TlsSecurity security;  // over https: what the handshake established
  // The request that brought the page, as sent last (after redirects: a POST answered 303 is
  // a GET here, one answered 307 still a POST). What the history keeps for the page.
  NavigationRequest request;

  // The body as received, decoded from gzip: what view-source shows (kept once, in content).
  std::string_view source() const { return content.source(); }

  Page() = default;
  Page(Page&&) = default;
  Page& operator=(Page&&) = default;
  Page(const Page&) = delete;
  Page& operator=(const Page&) = delete;
};

// The outcome of a load run in the background.
struct LoadOutcome {
  std::uint64_t number = 0;  // start()'s number for it
  Url requested;
  Result<Page> page = make_error("not loaded");
  Trace trace;
};

// What the thread that builds the last load's page did before it (Navigator's
// practise_building_beside): it parses and lays out a built-in page (html/practice_page.hpp),
// twice, at the idle policy while the load waits for its server, so that the real page's parse
// runs code and memory that have run before. A page handed over first keeps it from beginning,
// from a layout or from its second round: the page never waits for more than one practice parse.
struct PracticeRun {
  std::atomic<bool> page_waits{false};  // set as the page is handed over
  bool parsed = false;
  bool laid_out = false;
  bool at_idle_policy = false;
  Trace::Clock::time_point began;
  Trace::Clock::time_point ended;
};

// The parse step's line on the practice, for a page handed over at `handed_over`.
std::string practice_detail(const PracticeRun& practice, Trace::Clock::time_point handed_over);

class Navigator {
 public:
  explicit Navigator(NavigatorOptions options);
  ~Navigator();
  Navigator(const Navigator&) = delete;
  Navigator& operator=(const Navigator&) = delete;

  // The journey of one URL, on the navigator's event loop. `observer`, when given, is told of
  // the browser's own sockets and TLS handshakes (the packet view); it outlives the load.
  asio::awaitable<Result<Page>> load(const Url& url, const Viewport& viewport, Trace& trace,
                                     LoadObserver* observer = nullptr);
  // The same for any request: a form's submission (form_submission.hpp's submit_form), or a
  // history entry (History::current_request()). A POST is sent as asked: the faces ask the
  // user before sending one again (resubmission_question).
  asio::awaitable<Result<Page>> load(const NavigationRequest& request, const Viewport& viewport,
                                     Trace& trace, LoadObserver* observer = nullptr);

  // load() on the calling thread, until it is done (the dump, the line mode). Not once start()
  // has been used.
  Result<Page> load_now(const Url& url, const Viewport& viewport, Trace& trace,
                        LoadObserver* observer = nullptr);
  Result<Page> load_now(const NavigationRequest& request, const Viewport& viewport, Trace& trace,
                        LoadObserver* observer = nullptr);

  // load() on the navigator's own thread, so that a face keeps drawing (and shows the journey's
  // progress) while a page loads. A new load cancels the one in progress; its outcome, should it
  // still arrive, is dropped. Returns the load's number.
  std::uint64_t start(const Url& url, const Viewport& viewport, LoadObserver* observer = nullptr);
  std::uint64_t start(const NavigationRequest& request, const Viewport& viewport,
                      LoadObserver* observer = nullptr);
  void stop();  // cancels the load in progress, if any
  bool busy() const;
  // What the load in progress is doing, one line for a status bar ("Connecting: ...").
  std::string progress() const;
  // The outcome of the latest load, once, when it is there.
  std::optional<LoadOutcome> take_outcome();
  // Called on the navigator's thread whenever the progress changes or an outcome arrives, and
  // on the profile writer's once a write has ended (a window wakes its event loop with it); it
  // must be thread-safe. Set before the first start().
  void on_news(std::function<void()> wake) {
    assert(!worker_.joinable());
    wake_ = std::move(wake);
    loader_.on_profile_written(wake_);
  }

  // The first URL is known before anything is loaded: over https, the TLS context starts being
  // built at once, beside the rest of the start (net/tls_context).
  void expect(const Url& url) {
    if (url.scheme == "https") loader_.prepare_tls();
  }

  // Closes the kept-alive connections as a browser quitting does, each a step of `trace`.
  void close_connections(Trace& trace, LoadObserver* observer = nullptr);
  // Returns once the HSTS policies and cookies the loads began writing to the profile are on
  // the disk, each write put in `trace` as a step when the load of that trace began it: before
  // a trace is shown whole, and before a dump's process ends (the navigator's end waits too).
  void finish_profile_writes(Trace& trace) { loader_.record_profile_writes(trace, true); }
  // The faces that keep the last load's trace on show (the full-screen journey, the window's
  // waterfall): the profile writes that load began and that have ended since its outcome, put
  // in `trace` as finish_profile_writes puts them, without waiting for any. Nothing while a
  // load is under way (its trace is the one to take them). True when steps were added.
  bool note_profile_writes(Trace& trace);
  // This run makes no request after its next load's (a dump with no form to submit): that
  // load closes its connections as soon as its page's response is in, as w3m and lynx close
  // theirs after the body, and builds the page (parse, layout) meanwhile on the TLS head
  // start's thread when there is one, so that the server's work for the close (woken on the
  // load's CPU) runs beside the parse instead of after it.
  void expect_no_further_request() {
    last_load_ = true;
    loader_.write_sessions_at_close();
  }

  // Connections kept alive for the next request to their origin.
  std::size_t idle_connections() const { return loader_.idle_connections(); }

  History& history() { return history_; }
  const NavigatorOptions& options() const { return options_; }

  // What a user typed: a URL, a bare host name (https is assumed), or a local file.
  static Result<Url> interpret(const std::string& typed);
  // The document laid out again, for a new width (a resized terminal or window), or after an
  // edit of its forms (the controls are drawn in their current state).
  static void lay_out(Page& page, const Viewport& viewport);

 private:
  struct Background;
  // load()'s work: the request's journey, then the page built from its response.
  asio::awaitable<Result<Page>> build_page(const NavigationRequest& request,
                                           const Viewport& viewport, Trace& trace);
  // The last load's page parsed and laid out on the head start's thread while this one closes
  // the connections (expect_no_further_request); each step recorded at the times it ran. False:
  // no thread to give it to, and nothing was done.
  asio::awaitable<bool> build_beside_while_closing(Page& page, const Viewport& viewport,
                                                   Trace& trace);
  // The thread that will build the last load's page (above) practises first, on a built-in
  // page, while the load waits for its server (PracticeRun).
  void practise_building_beside(const Viewport& viewport);
  asio::awaitable<Result<Fetched>> fetch(const NavigationRequest& request, Trace& trace);
  void run_in_background(std::shared_ptr<Background> load);

  NavigatorOptions options_;
  // The session's event loop; declared before what it runs so that it outlives their
  // connections.
  std::unique_ptr<asio::io_context> io_ = std::make_unique<asio::io_context>();
  HostResolver resolver_;
  PageLoader loader_;
  History history_;
  bool last_load_ = false;  // expect_no_further_request()
  // Set by the thread it was handed to; read once that thread's work is waited for.
  std::shared_ptr<PracticeRun> practice_;

  mutable std::mutex mutex_;  // guards the four members below, shared with the worker
  std::uint64_t last_number_ = 0;
  bool busy_ = false;
  std::string progress_;
  std::optional<LoadOutcome> outcome_;
  std::function<void()> wake_;  // set before the worker starts, then only read

  std::shared_ptr<Background> current_;  // worker thread only
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work_;
  std::thread worker_;  // started by the first start()
};

// Where links of `page` resolve: its <base href>, itself resolved against the page's URL
// (HTML section 4.2.3), or the page's URL.
Url base_url(const Page& page);
// Where link number `number` (1-based, as "[3]" shows it) of `page` leads.
Result<Url> link_target(const Page& page, int number);

// The status bar's words for a step of the journey in progress.
std::string describe_step(const Trace::Step& step);

}  // namespace miniweb::browser
