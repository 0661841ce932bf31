#pragma once
// What the browser does with a response body, by its media type, as real browsers dispatch:
// what it can parse well it shows (HTML laid out, text as is, JSON pretty-printed); what it
// can parse but fails to is an error that says where; anything else is saved as a download.

#include <filesystem>
#include <functional>
#include <string>
#include <string_view>

#include "browser/layout/display_list.hpp"
#include "browser/trace.hpp"
#include "shared/result.hpp"
#include "shared/url.hpp"

namespace miniweb::browser {

enum class ContentKind { Page, Text, Download };

struct PresentedContent {
  ContentKind kind = ContentKind::Text;
  std::string text;                // what to print: the dump, the text, or "Saved ..."
  layout::DisplayList layout;      // for pages
  std::filesystem::path saved_to;  // for downloads
};

struct ContentInput {
  std::string media_type;  // lower-case, no parameters
  std::string charset;     // lower-case, from the Content-Type parameters ("" when absent)
  std::string body;
  Url url;  // for resolving links and naming downloads
};

// Splits "text/html; charset=ISO-8859-1" into media type and charset, both lower-cased.
std::pair<std::string, std::string> split_content_type(std::string_view content_type);

// ISO-8859-1 (and its web alias windows-1252 for the printable range) to UTF-8.
std::string latin1_to_utf8(std::string_view text);

// The media type a local file's extension suggests, as lynx and w3m guess it.
std::string media_type_for_file(const std::filesystem::path& path);

// Error::code 8 (curl's "weird server reply") for content that claims a type it is not.
// With a trace, HTML parsing and layout are recorded as steps of their own.
Result<PresentedContent> present(const ContentInput& input, int width,
                                 const std::filesystem::path& download_dir, Trace* trace = nullptr);

}  // namespace miniweb::browser
