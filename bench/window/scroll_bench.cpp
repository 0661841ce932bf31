// Frame times for scrolling a long page in the SDL2 window: the page is laid out once, then
// scrolled top to bottom twice, one frame per step. The first pass renders each text run's
// texture as it comes into view; the second only copies cached textures, which is what a
// user's scrolling mostly is. Headless by default (SDL's offscreen driver, software renderer).
//
//   window_scroll_bench [--paragraphs N] [--step PX] [--file PAGE.html]

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "browser/window/browser_window.hpp"

namespace {

using namespace miniweb::browser::window;
using Clock = std::chrono::steady_clock;

struct Summary {
  double mean = 0, median = 0, p95 = 0, max = 0;
};

Summary summarise(std::vector<double> ms) {
  Summary s;
  if (ms.empty()) return s;
  std::sort(ms.begin(), ms.end());
  for (double m : ms) s.mean += m;
  s.mean /= static_cast<double>(ms.size());
  s.median = ms[ms.size() / 2];
  s.p95 = ms[std::min(ms.size() - 1, ms.size() * 95 / 100)];
  s.max = ms.back();
  return s;
}

std::string long_page(int paragraphs) {
  std::ostringstream page;
  page << "<html><head><title>A long page</title></head><body><h1>A long page</h1>";
  for (int i = 0; i < paragraphs; ++i) {
    if (i % 20 == 0) page << "<h2>Section " << i / 20 << "</h2>";
    page << "<p>Paragraph " << i
         << ": <b>bold words</b> and <i>italic words</i> between plain ones, "
         << "the quick brown fox jumps over the lazy dog, <a href=\"/p" << i
         << "\">a link numbered " << i
         << "</a>, and then some more text so that the paragraph wraps onto a second line.</p>";
    if (i % 50 == 0) page << "<pre>for (int i = 0; i &lt; " << i << "; ++i) draw(i);</pre>";
  }
  page << "</body></html>";
  return page.str();
}

}  // namespace

int main(int argc, char** argv) {
  int paragraphs = 2000;
  int step = 40;
  std::string file;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--paragraphs") paragraphs = std::atoi(argv[i + 1]);
    if (flag == "--step") step = std::max(1, std::atoi(argv[i + 1]));
    if (flag == "--file") file = argv[i + 1];
  }
  ::setenv("SDL_VIDEODRIVER",
           std::getenv("SDL_VIDEODRIVER") ? std::getenv("SDL_VIDEODRIVER") : "offscreen", 1);
  WindowOptions options;
  options.hidden = true;
  options.width = 1024;
  options.height = 768;
  auto created = BrowserWindow::create(options);
  if (!created) {
    std::fprintf(stderr, "window_scroll_bench: %s\n", created.error().message.c_str());
    return 1;
  }
  BrowserWindow& window = **created;
  std::string html;
  if (file.empty()) {
    html = long_page(paragraphs);
  } else {
    std::ifstream in(file, std::ios::binary);
    std::ostringstream content;
    content << in.rdbuf();
    html = content.str();
  }
  const auto layout_start = Clock::now();
  window.show_html(html, "https://bench.test/");
  const double layout_ms =
      std::chrono::duration<double, std::milli>(Clock::now() - layout_start).count();

  std::printf("page: %zu text runs, %d px tall, %d links; parse + layout %.1f ms at %d px\n",
              window.display_list().runs.size(), window.display_list().height,
              static_cast<int>(window.display_list().links.size()), layout_ms,
              window.display_list().width);
  std::printf(
      "frame: %dx%d, renderer %s, scroll step %d px\n", options.width, options.height,
      [&] {
        SDL_RendererInfo info{};
        SDL_GetRendererInfo(SDL_GetRenderer(window.sdl_window()), &info);
        return info.name;
      }(),
      step);
  for (const char* pass :
       {"first pass (textures made as runs come into view)", "second pass (cached textures)"}) {
    std::vector<double> frames;
    window.scroll_to(0);
    for (int y = 0; y <= window.max_scroll() && frames.size() < 5000; y += step) {
      const auto start = Clock::now();
      window.scroll_to(y);
      window.draw();
      frames.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
    }
    const Summary s = summarise(frames);
    std::printf("%s: %zu frames, mean %.2f ms, median %.2f ms, p95 %.2f ms, max %.2f ms\n", pass,
                frames.size(), s.mean, s.median, s.p95, s.max);
  }
  std::printf("cached textures: %zu\n", window.cached_textures());
  return 0;
}
