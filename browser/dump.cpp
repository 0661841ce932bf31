#include "browser/dump.hpp"

#include <algorithm>
#include <ostream>
#include <string_view>
#include <unordered_map>

#include "browser/exit_codes.hpp"
#include "browser/form_submission.hpp"
#include "browser/observe/journey.hpp"
#include "browser/observe/pcap_file.hpp"
#include "browser/render/text_painter.hpp"

namespace miniweb::browser {

namespace {

// A fragment that URL parsing takes as it is: no space or control character (which would make
// the whole URL invalid), so that resolving "PATH#FRAGMENT" gives PATH resolved, "#", FRAGMENT.
bool is_plain_fragment(std::string_view fragment) {
  return std::none_of(fragment.begin(), fragment.end(),
                      [](char c) { return static_cast<unsigned char>(c) <= 0x20 || c == 0x7F; });
}

}  // namespace

std::string dump_text(const Page& page) {
  if (page.content.kind != ContentKind::Page) return page.content.text;
  const Url base = base_url(page);
  // A large page repeats its links, and a manual's index links many places in each of its
  // pages ("stdtypes.html#str.join"): each distinct href less its fragment is resolved once
  // (an empty string: it does not resolve), and the fragment put back as written.
  std::unordered_map<std::string, std::string> resolved;
  const auto resolve = [&](const std::string& reference) -> const std::string& {
    auto [entry, inserted] = resolved.try_emplace(reference);
    if (inserted) {
      auto absolute = base.resolve(reference);
      if (absolute) entry->second = absolute->to_string();
    }
    return entry->second;
  };
  return render::dump_page(page.layout, [&](const std::string& href) -> std::string {
    const std::size_t hash = href.find('#');
    if (hash != std::string::npos && is_plain_fragment(std::string_view(href).substr(hash + 1))) {
      const std::string& absolute = resolve(href.substr(0, hash));
      return absolute.empty() ? href : absolute + href.substr(hash);
    }
    const std::string& absolute = resolve(href);
    return absolute.empty() ? href : absolute;
  });
}

namespace {

// The dump's page outlives run_dump on purpose: the process ends right after it, and the
// kernel takes the memory back in one step, where destroying a large page's tree node by node
// and returning gumbo's chunks one by one took a twentieth of a dump (perf, stdtypes.html).
// The page stays reachable (LeakSanitizer reports nothing), and a later dump in the same
// process (the tests) frees the one before.
void keep_until_exit(Page page) {
  static Page* kept = nullptr;
  delete kept;
  kept = new Page(std::move(page));
}

// --fill and --submit: the loaded page's form filled and sent, as a user would; the page that
// answers replaces it. A form from an https page to http:// is sent, with a warning (a
// script asked for it; the interactive faces ask first).
Result<Page> submit_in_page(Navigator& navigator, Page page, const DumpOptions& options,
                            const Viewport& viewport, Trace& trace, LoadObserver* observer,
                            std::ostream& err) {
  const int form = options.submit_form - 1;
  if (page.content.kind != ContentKind::Page)
    return make_error("--submit: " + page.url.to_string() + " is not an HTML page (" +
                          page.content.media_type + "), so it has no form",
                      exit_code::kUsage);
  auto submitter = forms::apply_fills(page.forms, form, options.fills);
  if (!submitter) return submitter.error();
  auto request = submit_form(page, form, *submitter);
  if (!request) return request.error();
  if (auto warning = insecure_submission_warning(page.url, *request)) {
    const std::size_t step = trace.begin("form", "warning: sent in the clear");
    trace.finish(step, *warning);
    err << "miniweb-browser: warning: " << *warning << '\n';
  }
  return navigator.load_now(*request, viewport, trace, observer);
}

// The load, then what it gave, printed. With --trace, the trace waits for the profile's
// files the load began writing (Navigator::finish_profile_writes), so that it shows them whole;
// without, the page does not.
int load_and_print(Navigator& navigator, const Url& url, const DumpOptions& options, Trace& trace,
                   std::ostream& out, std::ostream& err) {
  const Viewport viewport{.width = options.width, .text_as_pages = false};
  std::unique_ptr<observe::Recorder> recorder;
  if (options.packets || !options.pcap.empty())
    recorder = observe::Recorder::start(navigator.options().dns.recursive, options.watch);
  if (options.submit_form <= 0) navigator.expect_no_further_request();
  auto page = navigator.load_now(url, viewport, trace, recorder.get());
  if (page && options.submit_form > 0)
    page =
        submit_in_page(navigator, std::move(*page), options, viewport, trace, recorder.get(), err);
  // The trace of a single visit ends with its close, as the browser quitting does it.
  navigator.close_connections(trace, recorder.get());
  if (options.before_output) options.before_output();
  if (options.trace) {
    navigator.finish_profile_writes(trace);
    err << trace.render(url.to_string()) << std::flush;
  }
  if (recorder) {
    const observe::ObservedLoad observed = recorder->finish();
    const observe::Journey journey = observe::read_journey(observed, trace);
    if (options.packets)
      for (const std::string& line : observe::draw_ladder(journey)) err << line << '\n';
    if (!options.pcap.empty()) {
      if (auto saved = observe::save_pcap(options.pcap, observed, journey))
        err << "* packets: " << journey.frames.size() << " packets saved to " << options.pcap
            << (observed.key_log.empty() ? "" : ", with the TLS key log inside") << '\n';
      else
        err << "* packets: not saved: " << saved.error().message << '\n';
    }
    err << std::flush;
  }
  if (!page) {
    err << "miniweb-browser: " << page.error().message << '\n';
    return page.error().code ? page.error().code : exit_code::kFailed;
  }
  if (const std::string& warning = page->security.insecure_warning; !warning.empty()) {
    out << "!! " << warning << "\n\n";
    err << "miniweb-browser: " << warning << '\n';
  }
  const std::string text = options.terminal && page->content.kind != ContentKind::Page
                               ? render::printable_text(dump_text(*page))
                               : dump_text(*page);
  out << text;
  if (!text.empty() && text.back() != '\n') out << '\n';
  out << std::flush;
  const int status = page->status;
  if (status >= 400)
    err << "miniweb-browser: the server answered " << status << ' ' << page->reason << " for "
        << page->url.to_string() << '\n';
  keep_until_exit(std::move(*page));
  return status >= 400 ? exit_code::kHttpError : exit_code::kOk;
}

}  // namespace

int run_dump(Navigator& navigator, const Url& url, const DumpOptions& options, std::ostream& out,
             std::ostream& err) {
  Trace trace;
  const int code = load_and_print(navigator, url, options, trace, out, err);
  // The HSTS policies and cookies the load began writing, on the disk before the process ends
  // (main's end_dump leaves at once): once the page is out.
  navigator.finish_profile_writes(trace);
  return code;
}

}  // namespace miniweb::browser
