#pragma once
// The window's look, shared by its event handling and its drawing: geometry in pixels and the
// classic browser palette.

#include <SDL.h>

#include <string>

namespace miniweb::browser::window {

// Geometry, in pixels.
inline constexpr int kToolbarHeight = 44;
inline constexpr int kBannerHeight = 26;
inline constexpr int kStatusHeight = 24;
inline constexpr int kButtonSize = 30;
inline constexpr int kPad = 8;
inline constexpr int kScrollbarWidth = 12;
inline constexpr int kLineStep = 40;       // arrow keys
inline constexpr int kWheelStep = 3 * 20;  // one wheel notch: three lines of body text
inline constexpr int kUiFontSize = 14;
inline constexpr int kQuestionHeight = 40;  // the bar that asks "Send the form again?" (one line)
inline constexpr int kQuestionButtonWidth = 76;  // its Yes and No
inline constexpr int kOptionHeight = 22;         // a line of a select's open list

// Colours: the classic browser palette (Mosaic's and Netscape's defaults).
inline constexpr SDL_Color kPageBackground{255, 255, 255, 255};
inline constexpr SDL_Color kText{24, 24, 24, 255};
inline constexpr SDL_Color kLink{0, 0, 238, 255};
inline constexpr SDL_Color kChrome{232, 234, 237, 255};
inline constexpr SDL_Color kChromeBorder{190, 193, 198, 255};
inline constexpr SDL_Color kField{255, 255, 255, 255};
inline constexpr SDL_Color kFocus{26, 115, 232, 255};
inline constexpr SDL_Color kSelection{179, 215, 255, 255};
inline constexpr SDL_Color kDisabled{160, 160, 160, 255};
inline constexpr SDL_Color kStatusBackground{245, 245, 245, 255};
inline constexpr SDL_Color kPreBackground{246, 246, 246, 255};
inline constexpr SDL_Color kWarning{197, 34, 31, 255};
inline constexpr SDL_Color kWhite{255, 255, 255, 255};
inline constexpr SDL_Color kScrollThumb{193, 193, 193, 255};
// Form widgets, in the grey of the classic toolkits' controls.
inline constexpr SDL_Color kFieldBorder{118, 118, 118, 255};
inline constexpr SDL_Color kButtonFace{225, 225, 225, 255};
inline constexpr SDL_Color kButtonShadow{140, 140, 140, 255};
inline constexpr SDL_Color kQuestionBackground{255, 243, 205, 255};

inline SDL_Color phase_colour(const std::string& phase) {
  if (phase == "dns") return {0, 137, 123, 255};
  if (phase == "tcp") return {239, 108, 0, 255};
  if (phase == "tls") return {123, 31, 162, 255};
  if (phase == "http") return {46, 125, 50, 255};
  if (phase == "parse" || phase == "layout") return {21, 101, 192, 255};
  return {117, 117, 117, 255};
}

inline bool inside(const SDL_Rect& rect, int x, int y) {
  return x >= rect.x && x < rect.x + rect.w && y >= rect.y && y < rect.y + rect.h;
}

}  // namespace miniweb::browser::window
