#pragma once
// What the window's tests give it and read from it: events as SDL delivers a user's (clicks,
// keys, typed text, the pointer moving), queued for the window's next pump(), and counts of
// the pixels of a colour in a frame.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>

#include "browser/window/browser_window.hpp"

namespace miniweb::browser::window {

// A window no one sees, drawn in software, trusting the test's CA (`dir`/ca/root.pem) and
// finding names in its hosts file (`dir`/hosts).
inline WindowOptions headless_options(const std::filesystem::path& dir, int width, int height) {
  WindowOptions options;
  options.width = width;
  options.height = height;
  options.hidden = true;
  options.software_renderer = true;
  options.navigator.dns.hosts_file = dir / "hosts";
  options.navigator.loader.ca_file = dir / "ca/root.pem";
  options.navigator.loader.connect_timeout = std::chrono::milliseconds(3000);
  options.navigator.loader.io_timeout = std::chrono::milliseconds(5000);
  return options;
}

inline int pixels_of_colour(const Pixels& pixels, std::uint32_t colour, const SDL_Rect& area) {
  int count = 0;
  for (int y = area.y; y < area.y + area.h && y < pixels.height; ++y) {
    for (int x = area.x; x < area.x + area.w && x < pixels.width; ++x) {
      if (pixels.at(x, y) == colour) ++count;
    }
  }
  return count;
}

// Events as SDL would deliver them from a user.
inline void click(BrowserWindow& window, int x, int y) {
  SDL_Event event{};
  event.type = SDL_MOUSEBUTTONDOWN;
  event.button.windowID = window.window_id();
  event.button.button = SDL_BUTTON_LEFT;
  event.button.state = SDL_PRESSED;
  event.button.clicks = 1;
  event.button.x = x;
  event.button.y = y;
  SDL_PushEvent(&event);
  event.type = SDL_MOUSEBUTTONUP;
  event.button.state = SDL_RELEASED;
  SDL_PushEvent(&event);
}

inline void key(BrowserWindow& window, SDL_Keycode code, Uint16 mod = KMOD_NONE) {
  SDL_Event event{};
  event.type = SDL_KEYDOWN;
  event.key.windowID = window.window_id();
  event.key.state = SDL_PRESSED;
  event.key.keysym.sym = code;
  event.key.keysym.mod = mod;
  SDL_PushEvent(&event);
}

inline void type_text(BrowserWindow& window, const std::string& text) {
  // SDL delivers typed text in pieces of at most SDL_TEXTINPUTEVENT_TEXT_SIZE - 1 bytes.
  for (char c : text) {
    SDL_Event event{};
    event.type = SDL_TEXTINPUT;
    event.text.windowID = window.window_id();
    event.text.text[0] = c;
    SDL_PushEvent(&event);
  }
}

inline void move_mouse(BrowserWindow& window, int x, int y) {
  SDL_Event event{};
  event.type = SDL_MOUSEMOTION;
  event.motion.windowID = window.window_id();
  event.motion.x = x;
  event.motion.y = y;
  SDL_PushEvent(&event);
}

}  // namespace miniweb::browser::window
