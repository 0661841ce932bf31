// miniweb-gumbo-floor FILE: the part of `miniweb-browser --dump FILE` no browser built on
// gumbo-parser can go below. It reads FILE as the browser does (shared/read_file) and has gumbo
// parse it exactly as the browser does (html::parse_with_gumbo: the same arena and options, its
// chunks mapped ahead on the CPU beside),
// then exits: no DOM, no layout, no output but a count, so that the parse cannot be left out,
// and the parse's time by its own clock. bench/browser times the process beside the browser and
// w3m; w3m's time over this program's is the most a browser on gumbo could gain over w3m on that
// page. bench/pageload takes the parse's own time, a process's first as a page load's is, as the
// least any load of the page spends parsing it.

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "browser/html/gumbo_arena.hpp"
#include "shared/pages_ahead.hpp"
#include "shared/read_file.hpp"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s FILE\n", argv[0]);
    return 2;
  }
  const auto html = miniweb::read_file(argv[1]);
  if (!html) {
    std::fprintf(stderr, "%s: cannot read %s: %s\n", argv[0], argv[1],
                 html.error().message.c_str());
    return 1;
  }
  miniweb::PagesAhead pages;
  miniweb::browser::html::GumboArena arena;
  const auto began = std::chrono::steady_clock::now();
  const GumboOutput* output = miniweb::browser::html::parse_with_gumbo(*html, arena, pages);
  const std::chrono::duration<double, std::milli> took = std::chrono::steady_clock::now() - began;
  std::printf("%u children of <html>, parsed in %.3f ms\n", output->root->v.element.children.length,
              took.count());
  std::fflush(stdout);
  // As the browser's dump leaves its page: the kernel takes the memory back in one step.
  std::_Exit(0);
}
