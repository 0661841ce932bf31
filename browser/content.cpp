#include "browser/content.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <fstream>

#include "browser/exit_codes.hpp"
#include "shared/text.hpp"

namespace miniweb::browser {
namespace {

bool is_json(std::string_view media_type) {
  return media_type == "application/json" || media_type.ends_with("+json");
}

// The charsets decoded as ISO-8859-1; anything else is taken as UTF-8, as it nearly always is.
bool is_latin1(std::string_view charset) {
  return charset == "iso-8859-1" || charset == "latin1" || charset == "windows-1252" ||
         charset == "us-ascii";
}

// A download's file name: the URL's last path segment, made safe, never overwriting.
std::filesystem::path download_path(const Url& url, const std::filesystem::path& dir) {
  std::string name = url.path.substr(url.path.rfind('/') + 1);
  std::erase_if(name, [](char c) { return c == '\0' || c == '\\'; });
  if (name.empty() || name == "." || name == "..") name = "download";
  std::filesystem::path path = dir / name;
  for (int n = 1; std::filesystem::exists(path); ++n) path = dir / (name + "." + std::to_string(n));
  return path;
}

// nlohmann's byte offset, turned into the line and column a person can find.
std::string where_in(const std::string& text, std::size_t byte) {
  const std::size_t offset = std::min<std::size_t>(byte == 0 ? 0 : byte - 1, text.size());
  const std::size_t line =
      1 + std::count(text.begin(), text.begin() + static_cast<long>(offset), '\n');
  const std::size_t line_start = text.rfind('\n', offset == 0 ? 0 : offset - 1);
  const std::size_t column = offset - (line_start == std::string::npos ? 0 : line_start + 1) + 1;
  return "line " + std::to_string(line) + ", column " + std::to_string(column);
}

}  // namespace

std::string latin1_to_utf8(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  for (char c : text) {
    auto byte = static_cast<unsigned char>(c);
    if (byte < 0x80) {
      out += c;
    } else {
      out += static_cast<char>(0xC0 | (byte >> 6));
      out += static_cast<char>(0x80 | (byte & 0x3F));
    }
  }
  return out;
}

std::string media_type_for_file(const std::filesystem::path& path) {
  const std::string extension = to_lower(path.extension().string());
  if (extension == ".html" || extension == ".htm" || extension == ".xhtml") return "text/html";
  if (extension == ".json") return "application/json";
  if (extension == ".txt" || extension == ".md" || extension == ".text" || extension.empty())
    return "text/plain";
  return "application/octet-stream";
}

Result<Content> dispatch(std::string_view content_type, std::string body, const Url& url,
                         const std::filesystem::path& download_dir) {
  const MediaType media =
      parse_media_type(content_type.empty() ? "application/octet-stream" : content_type);
  Content content;
  content.media_type = media.type;
  // Text of every kind is shown as UTF-8; the body is kept as it came when it is converted.
  auto take_text = [&] {
    if (is_latin1(media.charset)) {
      content.text = latin1_to_utf8(body);
      content.body = std::move(body);
    } else {
      content.text = std::move(body);
      content.text_is_body = true;
    }
  };
  if (media.type == "text/html" || media.type == "application/xhtml+xml") {
    content.kind = ContentKind::Page;
    take_text();
    return content;
  }
  if (is_json(media.type)) {
    // ordered_json keeps the members in document order, as a browser's JSON viewer shows them.
    const std::string converted = is_latin1(media.charset) ? latin1_to_utf8(body) : "";
    const std::string& json = is_latin1(media.charset) ? converted : body;
    nlohmann::ordered_json document;
    try {
      document = nlohmann::ordered_json::parse(json);
    } catch (const nlohmann::json::parse_error& error) {
      return make_error("the " + media.type + " body is not valid JSON: " +
                            where_in(json, error.byte) + ": " + error.what(),
                        exit_code::kBadResponse);
    }
    content.kind = ContentKind::Text;
    content.text =
        document.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
    content.body = std::move(body);
    return content;
  }
  if (media.type.starts_with("text/")) {
    content.kind = ContentKind::Text;
    take_text();
    return content;
  }
  std::error_code ec;
  std::filesystem::create_directories(download_dir, ec);
  content.kind = ContentKind::Download;
  content.saved_to = download_path(url, download_dir);
  std::ofstream out(content.saved_to, std::ios::binary);
  out << body;
  out.close();
  if (!out)
    return make_error("cannot save the download to " + content.saved_to.string(),
                      exit_code::kWriteFailed);
  content.text = "Saved " + std::to_string(body.size()) + " bytes of " + media.type + " to " +
                 content.saved_to.string() + "\n";
  content.body = std::move(body);
  return content;
}

}  // namespace miniweb::browser
