#pragma once
// What the browser does with a response body, by its media type, as real browsers dispatch:
// HTML is parsed and laid out, text shown as it is (JSON pretty-printed), anything else saved as
// a download. Content that claims a type it is not is an error that says where.

#include <filesystem>
#include <string>
#include <string_view>

#include "shared/result.hpp"
#include "shared/url.hpp"

namespace miniweb::browser {

enum class ContentKind { Page, Text, Download };

struct Content {
  ContentKind kind = ContentKind::Text;
  std::string media_type;  // lower-case, without parameters: "text/html"
  // Page: the HTML, as UTF-8. Text: what to show. Download: "Saved N bytes of TYPE to PATH".
  std::string text;
  std::filesystem::path saved_to;  // downloads
  // The body as received, when `text` is something else (converted to UTF-8, pretty-printed
  // JSON, a download's note); empty when `text` is the body itself, kept once (a 50 MB page
  // held twice cost 50 MB).
  std::string body;
  bool text_is_body = false;

  // The body as received: what view-source shows.
  std::string_view source() const { return text_is_body ? text : body; }
};

// `content_type` as the Content-Type field gives it; `body` as received (decoded from gzip);
// `url` names downloads. Error::code is exit_code::kBadResponse for content that is not what
// it says, kWriteFailed for a download that cannot be saved.
Result<Content> dispatch(std::string_view content_type, std::string body, const Url& url,
                         const std::filesystem::path& download_dir);

// The media type a local file's extension suggests, as lynx and w3m guess it.
std::string media_type_for_file(const std::filesystem::path& path);

// ISO-8859-1 (and its web aliases windows-1252 and US-ASCII, for the printable range) to UTF-8.
std::string latin1_to_utf8(std::string_view text);

}  // namespace miniweb::browser
