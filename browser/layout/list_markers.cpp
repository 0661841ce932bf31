#include "browser/layout/list_markers.hpp"

#include <array>
#include <cstddef>
#include <utility>

namespace miniweb::browser::layout {

namespace {

// lynx's bullets, one per level of list nesting.
constexpr std::array<std::string_view, 7> kBullets = {"*", "+", "o", "#", "@", "-", "="};

std::string to_roman(int value, bool upper) {
  static constexpr std::array<std::pair<int, std::string_view>, 13> kNumerals = {{
      {1000, "m"},
      {900, "cm"},
      {500, "d"},
      {400, "cd"},
      {100, "c"},
      {90, "xc"},
      {50, "l"},
      {40, "xl"},
      {10, "x"},
      {9, "ix"},
      {5, "v"},
      {4, "iv"},
      {1, "i"},
  }};
  if (value <= 0 || value >= 4000) return std::to_string(value);
  std::string out;
  for (const auto& [amount, numeral] : kNumerals) {
    while (value >= amount) {
      out += numeral;
      value -= amount;
    }
  }
  if (upper) {
    for (char& c : out) c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

std::string to_letters(int value, bool upper) {
  if (value <= 0) return std::to_string(value);
  std::string out;
  while (value > 0) {
    --value;
    out.insert(out.begin(), static_cast<char>((upper ? 'A' : 'a') + value % 26));
    value /= 26;
  }
  return out;
}

}  // namespace

std::string_view bullet_marker(int depth) {
  return kBullets[static_cast<std::size_t>(depth) % kBullets.size()];
}

std::string ordered_marker(int number, char type) {
  std::string marker;
  switch (type) {
    case 'a':
    case 'A':
      marker = to_letters(number, type == 'A');
      break;
    case 'i':
    case 'I':
      marker = to_roman(number, type == 'I');
      break;
    default:
      marker = std::to_string(number);
  }
  marker += '.';
  return marker;
}

}  // namespace miniweb::browser::layout
