// miniweb-browser-window: the browser's SDL2 window, a program of its own. miniweb-browser
// starts it (with the same arguments) when a window is wanted, so that SDL and everything
// under it (X11, Wayland, audio) are loaded only then, and the dump and the terminal start as
// fast as w3m does.

#include "browser/net/openssl_start.hpp"
#include "browser/options.hpp"
#include "browser/window/browser_window.hpp"

int main(int argc, char** argv) {
  using namespace miniweb::browser;
  start_openssl();
  auto options = parse_options(argc, argv);
  if (!options) return options.error().code;
  window::WindowOptions window_options;
  window_options.url = options->url;
  window_options.navigator = options->navigator;
  window_options.screenshot = options->screenshot;
  window_options.packets = options->packets;
  window_options.watch = options->watch;
  window_options.hidden = !options->screenshot.empty();
  return window::run_window(window_options);
}
