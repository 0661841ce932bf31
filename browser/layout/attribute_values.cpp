#include "browser/layout/attribute_values.hpp"

#include <charconv>
#include <system_error>

namespace miniweb::browser::layout {

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

int parse_int(const std::string_view* text, int fallback) {
  if (text == nullptr) return fallback;
  std::string_view view = *text;
  while (!view.empty() && is_space(view.front())) view.remove_prefix(1);
  if (!view.empty() && view.front() == '+') view.remove_prefix(1);
  int value = 0;
  const auto [end, error] = std::from_chars(view.data(), view.data() + view.size(), value);
  return error == std::errc() ? value : fallback;
}

std::string clean_href(std::string_view href) {
  while (!href.empty() && static_cast<unsigned char>(href.front()) <= 0x20) href.remove_prefix(1);
  while (!href.empty() && static_cast<unsigned char>(href.back()) <= 0x20) href.remove_suffix(1);
  // Nearly every href has none of them: then it is copied in one step.
  if (href.find_first_of("\t\n\r") == std::string_view::npos) return std::string(href);
  std::string out;
  out.reserve(href.size());
  for (char c : href) {
    if (c != '\t' && c != '\n' && c != '\r') out.push_back(c);
  }
  return out;
}

}  // namespace miniweb::browser::layout
