#include "shared/http/accept.hpp"

#include <cstdlib>
#include <string>

#include "shared/http/message.hpp"

namespace miniweb::http {
namespace {

std::string_view trimmed(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// How much a media range matches a type: exact 2, type/* 1, */* 0; -1 for no match.
int specificity(std::string_view range, std::string_view type) {
  if (iequals(range, type)) return 2;
  if (range == "*/*") return 0;
  const auto slash = type.find('/');
  if (slash != std::string_view::npos && range.size() == slash + 2 && range.ends_with("/*") &&
      iequals(range.substr(0, slash), type.substr(0, slash)))
    return 1;
  return -1;
}

// The q parameter among a range's parameters; 1 without one, 0 when it is not a valid weight.
double weight(std::string_view parameters) {
  while (!parameters.empty()) {
    const auto next = parameters.find(';');
    const std::string_view parameter = trimmed(parameters.substr(0, next));
    parameters = next == std::string_view::npos ? std::string_view{} : parameters.substr(next + 1);
    if (parameter.size() > 2 && (parameter[0] == 'q' || parameter[0] == 'Q') &&
        parameter[1] == '=') {
      const std::string value(parameter.substr(2));
      char* end = nullptr;
      const double q = std::strtod(value.c_str(), &end);
      return end == value.c_str() + value.size() && q >= 0 && q <= 1 ? q : 0;
    }
  }
  return 1;
}

}  // namespace

double accept_quality(std::string_view accept, std::string_view media_type) {
  const std::string_view type = trimmed(media_type.substr(0, media_type.find(';')));
  double quality = 0;
  int best = -1;
  while (!accept.empty()) {
    const auto comma = accept.find(',');
    const std::string_view item = accept.substr(0, comma);
    accept = comma == std::string_view::npos ? std::string_view{} : accept.substr(comma + 1);
    const auto semicolon = item.find(';');
    const int matched = specificity(trimmed(item.substr(0, semicolon)), type);
    if (matched > best) {
      best = matched;
      quality = semicolon == std::string_view::npos ? 1 : weight(item.substr(semicolon + 1));
    }
  }
  return quality;
}

}  // namespace miniweb::http
