#include "browser/navigator.hpp"

#include <asio/bind_cancellation_slot.hpp>
#include <asio/cancellation_signal.hpp>
#include <asio/steady_timer.hpp>

#include <algorithm>
#include <cassert>
#include <cctype>
#include <future>
#include <numeric>
#include <tuple>

#include "browser/exit_codes.hpp"
#include "browser/html/practice_page.hpp"
#include "browser/layout/layout.hpp"
#include "browser/local_file.hpp"
#include "browser/render/text_painter.hpp"
#include "shared/beside_thread.hpp"
#include "shared/html_escape.hpp"
#include "shared/text.hpp"

namespace miniweb::browser {

namespace {

// Layout numbers links for the faces that follow them by number ("[3]Home", as lynx does); a
// face that shows links by colour takes the numbers out and closes the gap on their line.
void strip_link_numbers(layout::DisplayList& list, const layout::TextMeasurer& measurer) {
  // Line by line, left to right: each label taken out moves what follows it on its line.
  std::vector<std::size_t> order(list.runs.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return std::tie(list.runs[a].y, list.runs[a].x) < std::tie(list.runs[b].y, list.runs[b].x);
  });
  int line = -1;
  int shift = 0;
  for (std::size_t index : order) {
    layout::TextRun& run = list.runs[index];
    if (run.y != line) {
      line = run.y;
      shift = 0;
    }
    run.x -= shift;
    if (run.link <= 0) continue;
    const std::string label = "[" + std::to_string(run.link) + "]";
    if (!run.text.starts_with(label)) continue;
    shift += measurer.text_width(label, run.style);
    run.text.erase(0, label.size());
  }
  // The field boxes move with their runs: each starts where its first run now starts.
  std::vector<bool> placed(list.fields.size(), false);
  for (std::size_t index : order) {
    const layout::TextRun& run = list.runs[index];
    if (run.field < 0 || static_cast<std::size_t>(run.field) >= list.fields.size()) continue;
    layout::FieldBox& box = list.fields[static_cast<std::size_t>(run.field)];
    if (placed[static_cast<std::size_t>(run.field)] || run.y != box.y) continue;
    placed[static_cast<std::size_t>(run.field)] = true;
    box.x = run.x;
  }
}

// What the parse step adds about the page's forms, for the trace.
std::string forms_summary(const forms::FormSet& set) {
  if (set.forms.empty()) return {};
  // The summary is one line of the trace: the first few forms, then how many more (a 50 MB
  // page of python's manual has 1,769, each with its search box).
  constexpr std::size_t kFormsNamed = 3;
  std::string text =
      ", " + std::to_string(set.forms.size()) + (set.forms.size() == 1 ? " form (" : " forms (");
  for (std::size_t i = 0; i < set.forms.size() && i < kFormsNamed; ++i) {
    const forms::Form& form = set.forms[i];
    if (i > 0) text += "; ";
    std::string method = form.method;
    for (char& c : method) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    const std::size_t controls = form.controls.size();
    text += method + " " + (form.action.empty() ? "(this page)" : form.action) + ", " +
            std::to_string(controls) + (controls == 1 ? " control" : " controls");
  }
  if (set.forms.size() > kFormsNamed)
    text += "; and " + std::to_string(set.forms.size() - kFormsNamed) + " more";
  return text + ")";
}

// The parse's and the layout's steps, as the trace words them wherever they run.
std::string parse_title(const Page& page) {
  return "HTML (gumbo-parser), " + std::to_string(page.content.text.size()) + " bytes";
}
std::string parse_summary(const Page& page) {
  const std::vector<std::size_t>& cuts = page.document.pieces_from;
  const std::size_t beside = page.document.pieces_parsed_beside;
  std::string pieces;
  if (cuts.size() == 1)
    pieces = beside == 1 ? "; parsed in two halves, the second from byte " +
                               std::to_string(cuts[0]) + " on the CPU beside"
                         : "; parsed in two halves, both here, the second from byte " +
                               std::to_string(cuts[0]);
  else if (cuts.size() > 1)
    pieces = "; parsed in " + std::to_string(cuts.size() + 1) + " pieces of about " +
             std::to_string(page.content.text.size() / (cuts.size() + 1) >> 10) + " KiB, " +
             std::to_string(beside) + " of them on the CPU beside";
  return (page.document.title.empty()
              ? std::string("no title")
              : "title \"" + render::printable_text(page.document.title) + "\"") +
         forms_summary(page.forms) + pieces;
}
std::string layout_title(const Viewport& viewport) {
  return "layout at " + std::to_string(viewport.width) + " " + viewport.unit + " wide";
}
std::string layout_summary(const Page& page, const Viewport& viewport) {
  return std::to_string(page.layout.runs.size()) + " text runs, " +
         std::to_string(page.layout.links.size()) + " links, " +
         std::to_string(page.layout.height) + " " + viewport.unit + " high";
}

// The HTML tree (html/dom over gumbo-parser) and the forms in it.
void parse_page(Page& page) {
  page.document = html::parse_html(page.content.text);
  page.forms = forms::extract_forms(page.document);
}

}  // namespace

Navigator::Navigator(NavigatorOptions options)
    : options_(std::move(options)), resolver_(options_.dns), loader_(resolver_, options_.loader) {}

Navigator::~Navigator() {
  if (worker_.joinable()) {
    // Loads still running are abandoned: stop() ends the worker at once (closing a face is
    // immediate), then their frames go before the loader they refer to.
    work_.reset();
    io_->stop();
    worker_.join();
  }
  current_.reset();
  loader_.drop_idle_connections();  // their sockets belong to io_
  io_.reset();
}

// The journey of one URL, as Web Browser Engineering's Browser.load: request, HTML tree,
// layout, display list. The face paints what this returns.
namespace {

// Who watches a load, told to the network code for the load's length.
class ObserverScope {
 public:
  ObserverScope(HostResolver& resolver, PageLoader& loader, LoadObserver* observer)
      : resolver_(resolver), loader_(loader) {
    resolver_.set_observer(observer);
    loader_.set_observer(observer);
  }
  ~ObserverScope() {
    resolver_.set_observer(nullptr);
    loader_.set_observer(nullptr);
  }
  ObserverScope(const ObserverScope&) = delete;
  ObserverScope& operator=(const ObserverScope&) = delete;

 private:
  HostResolver& resolver_;
  PageLoader& loader_;
};

}  // namespace

asio::awaitable<Result<Page>> Navigator::load(const Url& url, const Viewport& viewport,
                                              Trace& trace, LoadObserver* observer) {
  const NavigationRequest request = NavigationRequest::get(url);
  co_return co_await load(request, viewport, trace, observer);
}

asio::awaitable<Result<Page>> Navigator::load(const NavigationRequest& request,
                                              const Viewport& viewport, Trace& trace,
                                              LoadObserver* observer) {
  const ObserverScope watched(resolver_, loader_, observer);
  auto page = co_await build_page(request, viewport, trace);
  // The TLS sessions its responses brought, written beside the parse and the layout.
  loader_.finish_saving_sessions(trace);
  // The HSTS policies and cookies it began writing, as far as they are written: the page does
  // not wait for the disk (finish_profile_writes).
  loader_.record_profile_writes(trace, false);
  co_return page;
}

asio::awaitable<Result<Page>> Navigator::build_page(const NavigationRequest& request,
                                                    const Viewport& viewport, Trace& trace) {
  if (last_load_) practise_building_beside(viewport);
  // DNS, TCP, TLS, the request and its response, redirects followed (net/page_loader), or a
  // local file.
  auto fetched = co_await fetch(request, trace);
  if (!fetched) co_return fetched.error();
  Page page;
  page.url = std::move(fetched->url);
  page.request = std::move(fetched->request);
  page.status = fetched->response.status;
  page.reason = !fetched->response.reason.empty() || page.status == 0
                    ? std::move(fetched->response.reason)
                    : std::string(http::reason_phrase(page.status));
  page.security = std::move(fetched->security);

  // What the body is, by its media type: a page to lay out, text, or a download (content).
  // The body (decoded from gzip) is kept there, once: page.content.source().
  const std::string content_type(
      fetched->response.headers.get("Content-Type").value_or("application/octet-stream"));
  auto content =
      dispatch(content_type, std::move(fetched->response.body), page.url, options_.download_dir);
  if (!content) co_return content.error();
  page.content = std::move(*content);
  if (page.content.kind == ContentKind::Download) {
    const std::size_t step = trace.begin("save", page.content.media_type + " is not shown");
    trace.finish(step, "saved as a download: " + page.content.saved_to.string());
  }

  if (last_load_ && page.content.kind == ContentKind::Page &&
      co_await build_beside_while_closing(page, viewport, trace))
    co_return page;

  // The HTML tree (html/dom over gumbo-parser): the page's, or one made to show text.
  if (page.content.kind == ContentKind::Page) {
    const std::size_t step = trace.begin("parse", parse_title(page));
    parse_page(page);
    trace.finish(step, parse_summary(page));
  } else if (viewport.text_as_pages) {
    page.document = html::parse_html("<pre>" + html_escape(page.content.text) + "</pre>");
    page.document.title = page.url.to_string();
  } else {
    co_return page;  // text for the dump, printed as it is
  }

  // Layout: a display list of positioned text runs at the face's width (layout/).
  const std::size_t step = trace.begin("layout", layout_title(viewport));
  lay_out(page, viewport);
  trace.finish(step, layout_summary(page, viewport));
  co_return page;
}

asio::awaitable<bool> Navigator::build_beside_while_closing(Page& page, const Viewport& viewport,
                                                            Trace& trace) {
  ContextHeadStart* beside = options_.loader.tls_head_start;
  if (beside == nullptr || !beside->runs_later()) co_return false;
  struct Times {
    Trace::Clock::time_point handed_over = Trace::Clock::now();
    Trace::Clock::time_point parse_began;
    Trace::Clock::time_point parse_ended;
    Trace::Clock::time_point layout_ended;
  };
  auto times = std::make_shared<Times>();
  // `page` and `viewport` outlive the work: this frame waits for it below (`waiting`), and
  // touches neither meanwhile.
  const auto build = [times, &page, &viewport] {
    times->parse_began = Trace::Clock::now();
    parse_page(page);
    times->parse_ended = Trace::Clock::now();
    lay_out(page, viewport);
    times->layout_ended = Trace::Clock::now();
  };
  if (practice_) practice_->page_waits = true;
  if (!beside->run_later(build)) co_return false;
  {
    // Waited for however this scope is left: the work refers to this frame's page.
    struct WaitForTheBuild {
      ContextHeadStart& beside;
      ~WaitForTheBuild() { beside.wait_for_later(); }
    } const waiting{*beside};
    co_await loader_.close_idle_connections(trace);
  }
  // The parse's step runs from the hand-over: the thread's wait to begin is part of it, as
  // the detail says.
  const std::size_t parse = trace.record("parse", parse_title(page), parse_summary(page),
                                         times->handed_over, times->parse_ended);
  trace.detail(parse,
               "on the head start's thread, beside the connections' close (this run asks for "
               "nothing more), beginning " +
                   format_duration(times->parse_began - times->handed_over) +
                   " after the page was handed over");
  if (practice_) trace.detail(parse, practice_detail(*practice_, times->handed_over));
  trace.record("layout", layout_title(viewport), layout_summary(page, viewport), times->parse_ended,
               times->layout_ended);
  co_return true;
}

void Navigator::practise_building_beside(const Viewport& viewport) {
  ContextHeadStart* beside = options_.loader.tls_head_start;
  if (practice_ || beside == nullptr || !beside->runs_later()) return;
  auto practice = std::make_shared<PracticeRun>();
  practice_ = practice;
  // The viewport copied: the work may outlive this load (one that fails before its page).
  beside->run_later([practice, viewport] {
    if (practice->page_waits) return;
    const IdlePolicyScope idle;
    practice->at_idle_policy = idle.idle();
    practice->began = Trace::Clock::now();
    // Twice, unless the page comes: the home page's parse then took 0.188 and 0.204 ms against
    // 0.217 and 0.234 after one practice, the warm trace 1.407 and 1.527 against 1.431 and 1.572
    // (two sets of 140 loads each, in blocks), the whole process 4.011 ms both (250 each).
    constexpr int kRounds = 2;
    for (int round = 0; round < kRounds && !(round > 0 && practice->page_waits); ++round) {
      Page page;
      page.content.kind = ContentKind::Page;
      page.content.text = html::kPracticePage;
      parse_page(page);
      practice->parsed = true;
      if (practice->page_waits) break;
      lay_out(page, viewport);
      practice->laid_out = true;
    }
    practice->ended = Trace::Clock::now();
  });
}

std::string practice_detail(const PracticeRun& practice, Trace::Clock::time_point handed_over) {
  if (!practice.parsed)
    return "the page came before that thread had begun to practise on a built-in page";
  const std::string ending =
      practice.ended <= handed_over
          ? format_duration(handed_over - practice.ended) + " before the hand-over"
          : format_duration(practice.ended - handed_over) +
                " after the hand-over (the page's parse waited for it)";
  const std::string what =
      practice.laid_out ? "parsed and laid out" : "parsed (the page came before its layout)";
  return "that thread had practised on a built-in page while the load waited for its server: " +
         what + " in " + format_duration(practice.ended - practice.began) +
         (practice.at_idle_policy ? " at the idle scheduling policy" : "") + ", ending " + ending;
}

asio::awaitable<Result<Fetched>> Navigator::fetch(const NavigationRequest& request, Trace& trace) {
  if (request.url.scheme != "file") co_return co_await loader_.load(request, trace);
  const Url& url = request.url;
  if (request.method != "GET")
    co_return make_error(
        "a local file cannot take a " + request.method + " (" + url.to_string() + ")",
        exit_code::kUsage);
  const std::string path = local_file_path(url);
  if (options_.loader.before_acting) options_.loader.before_acting();
  auto bytes = load_local_file(path, trace);
  if (!bytes) co_return bytes.error();
  Fetched file;
  file.url = url;
  file.request = request;
  file.response.headers.set("Content-Type", media_type_for_file(path));
  file.response.body = std::move(*bytes);
  file.response.status = 0;
  co_return file;
}

void Navigator::lay_out(Page& page, const Viewport& viewport) {
  page.layout =
      layout::layout_document(page.document, page.forms, *viewport.measurer, viewport.width);
  if (!viewport.number_links) strip_link_numbers(page.layout, *viewport.measurer);
}

Result<Page> Navigator::load_now(const Url& url, const Viewport& viewport, Trace& trace,
                                 LoadObserver* observer) {
  return load_now(NavigationRequest::get(url), viewport, trace, observer);
}

Result<Page> Navigator::load_now(const NavigationRequest& request, const Viewport& viewport,
                                 Trace& trace, LoadObserver* observer) {
  // The event loop is this thread's only while no worker runs it.
  assert(!worker_.joinable());
  std::optional<Result<Page>> page;
  asio::co_spawn(
      *io_,
      [&]() -> asio::awaitable<void> {
        page.emplace(co_await load(request, viewport, trace, observer));
      },
      asio::detached);
  io_->restart();
  io_->run();
  if (!page) return make_error("the load did not finish");
  return std::move(*page);
}

void Navigator::close_connections(Trace& trace, LoadObserver* observer) {
  auto close = [&]() -> asio::awaitable<void> {
    const ObserverScope watched(resolver_, loader_, observer);
    co_await loader_.close_idle_connections(trace);
  };
  if (!worker_.joinable()) {
    asio::co_spawn(*io_, close, asio::detached);
    io_->restart();
    io_->run();
    return;
  }
  std::promise<void> closed;
  asio::co_spawn(*io_, close, [&](std::exception_ptr) { closed.set_value(); });
  closed.get_future().wait();
}

// --- loads in the background --------------------------------------------------------------

struct Navigator::Background {
  std::uint64_t number = 0;
  NavigationRequest request;
  Viewport viewport;
  LoadObserver* observer = nullptr;
  Trace trace;
  bool done = false;
  asio::cancellation_signal cancel;
};

std::uint64_t Navigator::start(const Url& url, const Viewport& viewport, LoadObserver* observer) {
  return start(NavigationRequest::get(url), viewport, observer);
}

std::uint64_t Navigator::start(const NavigationRequest& request, const Viewport& viewport,
                               LoadObserver* observer) {
  const Url& url = request.url;
  auto load = std::make_shared<Background>();
  load->request = request;
  load->viewport = viewport;
  load->observer = observer;
  {
    std::lock_guard lock(mutex_);
    load->number = ++last_number_;
    busy_ = true;
    progress_ = "Loading " + url.to_string();
    outcome_.reset();
  }
  if (!worker_.joinable()) {
    io_->restart();
    work_.emplace(io_->get_executor());
    worker_ = std::thread([this] { io_->run(); });
  }
  asio::post(*io_, [this, load] { run_in_background(load); });
  return load->number;
}

void Navigator::run_in_background(std::shared_ptr<Background> load) {
  if (current_ && !current_->done) current_->cancel.emit(asio::cancellation_type::terminal);
  current_ = load;
  auto run = [this, load]() -> asio::awaitable<void> {
    LoadOutcome outcome;
    outcome.number = load->number;
    outcome.requested = load->request.url;
    try {
      outcome.page =
          co_await this->load(load->request, load->viewport, load->trace, load->observer);
    } catch (const std::system_error&) {
      // Cancelled (a newer load, or stop()): Asio throws operation_aborted at the next await.
      load->done = true;
      co_return;
    }
    load->done = true;
    outcome.trace = std::move(load->trace);
    {
      std::lock_guard lock(mutex_);
      if (outcome.number != last_number_) co_return;  // superseded: nobody wants it
      busy_ = false;
      progress_.clear();
      outcome_ = std::move(outcome);
    }
    if (wake_) wake_();
  };
  // Reports the step in progress while the load runs: the trace belongs to this thread, so
  // the watcher reads it here and hands the face a copy of one line.
  auto watch = [this, load]() -> asio::awaitable<void> {
    asio::steady_timer timer(*io_);
    while (!load->done) {
      {
        std::lock_guard lock(mutex_);
        if (load->number != last_number_) co_return;  // superseded or stopped
      }
      const auto& steps = load->trace.steps();
      for (auto step = steps.rbegin(); step != steps.rend(); ++step) {
        if (step->finished) continue;
        std::string now = describe_step(*step);
        {
          std::lock_guard lock(mutex_);
          if (load->number != last_number_) co_return;
          if (now == progress_) break;
          progress_ = std::move(now);
        }
        if (wake_) wake_();
        break;
      }
      timer.expires_after(std::chrono::milliseconds(15));
      auto [ec] = co_await timer.async_wait(use_tuple);
      if (ec) co_return;
    }
  };
  // The spawned coroutine owns the load (and so its cancellation signal) through the
  // completion handler, so the signal outlives every operation bound to its slot.
  // co_spawn keeps each lambda alive for as long as its coroutine runs.
  asio::co_spawn(*io_, std::move(run),
                 asio::bind_cancellation_slot(load->cancel.slot(), [load](std::exception_ptr) {}));
  asio::co_spawn(*io_, std::move(watch), asio::detached);
}

void Navigator::stop() {
  {
    std::lock_guard lock(mutex_);
    ++last_number_;
    busy_ = false;
    progress_.clear();
  }
  if (!worker_.joinable()) return;
  asio::post(*io_, [this] {
    if (current_ && !current_->done) current_->cancel.emit(asio::cancellation_type::terminal);
    current_.reset();
  });
}

bool Navigator::busy() const {
  std::lock_guard lock(mutex_);
  return busy_;
}

bool Navigator::note_profile_writes(Trace& trace) {
  if (busy()) return false;
  const std::size_t steps = trace.steps().size();
  loader_.record_profile_writes(trace, false);
  return trace.steps().size() != steps;
}

std::string Navigator::progress() const {
  std::lock_guard lock(mutex_);
  return progress_;
}

std::optional<LoadOutcome> Navigator::take_outcome() {
  std::lock_guard lock(mutex_);
  std::optional<LoadOutcome> outcome = std::move(outcome_);
  outcome_.reset();
  return outcome;
}

// --- links and typed addresses ------------------------------------------------------------

Result<Url> Navigator::interpret(const std::string& typed) {
  const std::string text(trim(typed));
  if (text.find("://") == std::string::npos) {
    // An existing local file, or anything written as a path, is opened as a file, as lynx and
    // w3m do; anything else is a host.
    std::error_code ec;
    const bool path = text.starts_with('/') || text.starts_with("./") || text.starts_with("../");
    if (path || std::filesystem::is_regular_file(text, ec))
      return Url::parse(
          "file://" +
          percent_encode_path(std::filesystem::absolute(text).lexically_normal().string()));
    return Url::parse("https://" + text);
  }
  return Url::parse(text);
}

Url base_url(const Page& page) {
  if (!page.layout.base_href.empty())
    if (auto declared = page.url.resolve(page.layout.base_href)) return *declared;
  return page.url;
}

Result<Url> link_target(const Page& page, int number) {
  const auto& links = page.layout.links;
  if (number < 1 || number > static_cast<int>(links.size()))
    return make_error("there is no link " + std::to_string(number) + " (this page has " +
                      std::to_string(links.size()) + ")");
  const std::string& href = links[static_cast<std::size_t>(number) - 1];
  auto target = base_url(page).resolve(href);
  if (!target)
    return make_error("link " + std::to_string(number) + " (" + href +
                      ") cannot be followed: " + target.error().message);
  // As Chromium and Firefox: a page from the network may not open the reader's own files.
  if (target->scheme == "file" && page.url.scheme != "file")
    return make_error("link " + std::to_string(number) + " leads to a local file (" +
                      target->to_string() + "), which a page from " + page.url.scheme +
                      ":// may not open");
  return target;
}

std::string describe_step(const Trace::Step& step) {
  if (step.phase == "fetch") return "Preparing the request (cookies, a connection to reuse)…";
  if (step.phase == "dns") return "Resolving: " + step.title + "…";
  if (step.phase == "tcp") return "Connecting: " + step.title + "…";
  if (step.phase == "tls") return "TLS handshake: " + step.title + "…";
  if (step.phase == "http") {
    if (step.title.starts_with("request")) return "Sending: " + step.title + "…";
    if (step.title == "response") return "Waiting for the response, then receiving it…";
    return step.title + "…";
  }
  if (step.phase == "h2") return "HTTP/2 " + step.title + "…";
  if (step.phase == "close") return "Closing: " + step.title + "…";
  if (step.phase == "parse") return "Parsing…";
  if (step.phase == "layout") return "Laying out…";
  return step.title + "…";
}

}  // namespace miniweb::browser
