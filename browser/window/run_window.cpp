#include <cstdlib>
#include <iostream>

#include "browser/exit_codes.hpp"
#include "browser/window/browser_window.hpp"

namespace miniweb::browser::window {

int run_window(const WindowOptions& options) {
  // A screenshot needs no screen: without a display, draw offscreen.
  if (!options.screenshot.empty() && std::getenv("DISPLAY") == nullptr &&
      std::getenv("WAYLAND_DISPLAY") == nullptr && std::getenv("SDL_VIDEODRIVER") == nullptr) {
    SDL_SetHint(SDL_HINT_VIDEODRIVER, "offscreen");
  }
  auto created = BrowserWindow::create(options);
  if (!created) {
    std::cerr << "miniweb-browser: " << created.error().message << '\n';
    return exit_code::kFailed;
  }
  BrowserWindow& window = **created;
  if (options.url.empty()) {
    SDL_Event focus{};
    focus.type = SDL_KEYDOWN;
    focus.key.keysym.sym = SDLK_l;
    focus.key.keysym.mod = KMOD_LCTRL;
    window.handle_event(focus);
  } else {
    window.navigate(options.url);
  }
  if (!options.screenshot.empty()) {
    // Headless use: load, draw, write, close. A load has its own timeouts, so this ends.
    while (!options.url.empty() && (window.loading() || window.loads_finished() == 0)) {
      if (!window.pump()) return exit_code::kFailed;
      SDL_WaitEventTimeout(nullptr, 50);
    }
    window.pump();
    if (Status written = window.screenshot(options.screenshot); !written) {
      std::cerr << "miniweb-browser: " << written.error().message << '\n';
      return exit_code::kFailed;
    }
    if (window.showing_error()) {
      std::cerr << "miniweb-browser: " << window.status_text() << '\n';
      return window.last_error_code() != 0 ? window.last_error_code() : 1;
    }
    return 0;
  }
  while (window.pump()) SDL_WaitEventTimeout(nullptr, 100);
  // --packets: the last load's ladder stays in the terminal the window was started from, on
  // standard error as the dump writes it.
  if (options.packets) std::cerr << window.packets_on_close() << std::flush;
  return 0;
}

}  // namespace miniweb::browser::window
