// miniweb-browser: the journey of a URL, shown and rendered as text. One navigator (the core)
// and the face the command line and the terminal choose: --dump, the full-screen terminal,
// the line mode, or the SDL2 window, which is a program of its own (miniweb-browser-window)
// so that this one never loads SDL.

#include <sys/ioctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/lsan_interface.h>
#endif

#include "browser/dump.hpp"
#include "browser/exit_codes.hpp"
#include "browser/local_file.hpp"
#include "browser/net/tls_context.hpp"
#include "browser/options.hpp"
#include "browser/stale_check.hpp"
#include "browser/terminal/full_screen.hpp"
#include "browser/terminal/line_mode.hpp"
#include "shared/prefault.hpp"

namespace {

using namespace miniweb;
using namespace miniweb::browser;

// What an https load's work allocates on this thread, from its first DNS step to its close:
// about 90 pages for the demo's home page, 27 of them its tree's (html/gumbo_arena.hpp). At
// 256 KiB the tree's pages were left out, and faulted one by one as the parse wrote them.
constexpr std::size_t kLoadHeap = 384 * 1024;
// A page from a file this large or larger has the heap it grows into mapped ahead, four bytes
// for each of its bytes (populate_heap maps 4 MiB at most).
constexpr std::uintmax_t kLargeFile = 64 * 1024;
constexpr std::uintmax_t kHeapPerFileByte = 4;

winsize terminal_size() {
  winsize size{};
  if (!::isatty(STDOUT_FILENO) || ::ioctl(STDOUT_FILENO, TIOCGWINSZ, &size) != 0) return {};
  return size;
}

// The window's program, beside this one, in place of this process (same arguments).
int open_window(char** argv) {
  std::error_code ec;
  const auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  const auto window = self.parent_path() / "miniweb-browser-window";
  if (!ec) ::execv(window.c_str(), argv);
  std::cerr << "miniweb-browser: cannot start the window's program " << window.string() << ": "
            << std::strerror(errno) << " (--terminal stays in the terminal)\n";
  return exit_code::kFailed;
}

// A dump's process ends as soon as its output is out: everything it made is only memory (the
// profile is written as it changes), which the kernel takes back in one step. Returning from
// main instead destroyed it piece by piece (the navigator, its TLS context and connections'
// state, asio's, the C++ library's), 0.17 ms of a 6 ms page load. A sanitized build runs its
// leak check here first, while all that is still reachable from this frame and the globals:
// what it reports is memory nothing points to any more, as at a normal exit.
[[noreturn]] void end_dump(int code) {
  std::cout.flush();
  std::cerr.flush();
  std::fflush(nullptr);
#if defined(__SANITIZE_ADDRESS__)
  __lsan_do_leak_check();
#endif
  ::_exit(code);
}

}  // namespace

int main(int argc, char** argv) {
  // Before anything else: the launcher's stale check (browser/stale_check.hpp) and the TLS head
  // start (net/tls_context.hpp), whose thread runs the check once its context is made (the
  // check is declared first, so that it outlives that thread). Only a dump's load runs beside
  // the check: it settles it before it sends a request, reads a file or prints. Every other
  // face draws at once, and settles it first.
  StaleCheck stale_check(argc, argv);
  ContextHeadStart tls_head_start(argc, argv, [&stale_check] { stale_check.run_here(); });
  if (!tls_head_start.began()) stale_check.start();
  // An https load ahead: the program's code and the heap its work grows into mapped now, in
  // one call each, while the head start's thread makes the context (shared/prefault.hpp). Run
  // for the first time, the code faults in 16 pages at a time, and the heap one page at a time.
  // A page from a file maps no code ahead: it runs little, and the memory it holds is
  // measured against w3m's (bench/browser); a large one maps heap (below). Only where mapping
  // ahead pays on this machine (shared/prefault.hpp).
  if (tls_head_start.began() && mapping_ahead_pays()) {
    populate_code_of(reinterpret_cast<const void*>(&terminal_size));
    populate_heap(kLoadHeap);
  }
  const auto settle = [&stale_check] { stale_check.settle(); };
  auto options = parse_options(argc, argv, settle);
  if (!options) return options.error().code;
  // A load with no profile resolves its name over the network: the head start reads the roots
  // meanwhile (net/tls_context.hpp). Told before anything else here: its thread waits for this
  // word, or for the load, before it hands the context over and runs the stale check.
  if (tls_head_start.began())
    tls_head_start.trust_ahead(options->navigator.dns.cache_dir.empty()
                                   ? std::optional(options->navigator.loader.ca_file)
                                   : std::nullopt);
  if (options->face != Face::Dump) stale_check.settle();
  options->navigator.loader.before_acting = settle;
  options->navigator.loader.tls_head_start = &tls_head_start;
  if (options->face == Face::Window) return open_window(argv);

  std::optional<Url> start;
  if (!options->url.empty()) {
    auto url = Navigator::interpret(options->url);
    if (!url) {
      stale_check.settle();
      std::cerr << "miniweb-browser: '" << options->url << "' is not a URL: " << url.error().message
                << '\n';
      return exit_code::kUrlMalformed;
    }
    start = *url;
    // A large page from a file grows the heap by several times its size as it is parsed and
    // laid out: up to 4 MiB of that mapped here in one call. stdtypes.html (690 KB): 1,088
    // page faults became 347, its dump 4.9 ms sooner (50.4 ms), its peak memory 2% more, on
    // the team's first machine; on the later one, where mapping ahead does not pay, it was
    // neither sooner nor later. Below 64 KiB it gains nothing measurable.
    if (start->scheme == "file") {
      std::error_code ec;
      const auto size = std::filesystem::file_size(local_file_path(*start), ec);
      if (!ec && size >= kLargeFile && mapping_ahead_pays()) populate_heap(size * kHeapPerFileByte);
    }
  }
  Navigator navigator(options->navigator);
  if (start) navigator.expect(*start);
  const winsize size = terminal_size();
  switch (options->face) {
    case Face::Dump:
      if (!start) {
        stale_check.settle();
        std::cerr << "miniweb-browser: --dump needs a URL\n";
        return exit_code::kUsage;
      }
      end_dump(run_dump(navigator, *start,
                        DumpOptions{.trace = options->trace,
                                    .packets = options->packets,
                                    .pcap = options->pcap,
                                    .watch = options->watch,
                                    .width = options->width ? options->width : 80,
                                    .terminal = ::isatty(STDOUT_FILENO) != 0,
                                    .submit_form = options->submit_form,
                                    .fills = options->fills,
                                    .before_output = settle},
                        std::cout, std::cerr));
    case Face::LineMode: {
      LineModeOptions line_mode;
      line_mode.ansi = ::isatty(STDOUT_FILENO) && std::getenv("NO_COLOR") == nullptr;
      line_mode.show_trace = options->trace;
      line_mode.screen_lines = size.ws_row >= 5 ? size.ws_row - 3 : 24;
      line_mode.width = options->width ? options->width : size.ws_col >= 20 ? size.ws_col : 80;
      return run_line_mode(navigator, start, line_mode, std::cin, std::cout);
    }
    case Face::FullScreen:
    case Face::Window:
      break;
  }
  observe::PacketView packets(options->packets, options->navigator.dns.recursive, options->watch);
  return run_full_screen(navigator, start, packets);
}
