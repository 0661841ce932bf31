#include "browser/content.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <fstream>
#include <string>
#include <unordered_map>

#include "browser/html/dom.hpp"
#include "browser/layout/layout.hpp"
#include "browser/layout/text_measurer.hpp"
#include "browser/render/text_painter.hpp"

namespace miniweb::browser {
namespace {

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return std::string(text);
}

bool is_json(std::string_view media_type) {
  return media_type == "application/json" || media_type.ends_with("+json");
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

}  // namespace

std::pair<std::string, std::string> split_content_type(std::string_view content_type) {
  auto semicolon = content_type.find(';');
  std::string media_type = lower(trim(content_type.substr(0, semicolon)));
  std::string charset;
  while (semicolon != std::string_view::npos) {
    content_type.remove_prefix(semicolon + 1);
    semicolon = content_type.find(';');
    std::string parameter = trim(content_type.substr(0, semicolon));
    if (lower(parameter).starts_with("charset=")) {
      charset = lower(parameter.substr(8));
      if (charset.size() >= 2 && charset.front() == '"' && charset.back() == '"')
        charset = charset.substr(1, charset.size() - 2);
    }
  }
  return {media_type, charset};
}

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
  const std::string extension = lower(path.extension().string());
  if (extension == ".html" || extension == ".htm" || extension == ".xhtml") return "text/html";
  if (extension == ".json") return "application/json";
  if (extension == ".txt" || extension == ".md" || extension == ".text" || extension.empty())
    return "text/plain";
  return "application/octet-stream";
}

Result<PresentedContent> present(const ContentInput& input, int width,
                                 const std::filesystem::path& download_dir, Trace* trace) {
  PresentedContent content;
  const bool latin1 = input.charset == "iso-8859-1" || input.charset == "latin1" ||
                      input.charset == "windows-1252" || input.charset == "us-ascii";
  const std::string body = latin1 ? latin1_to_utf8(input.body) : input.body;

  if (input.media_type == "text/html" || input.media_type == "application/xhtml+xml") {
    content.kind = ContentKind::Page;
    std::size_t step = trace ? trace->begin("parse", "HTML (gumbo-parser), " +
                                                         std::to_string(body.size()) + " bytes")
                             : 0;
    html::Document document = html::parse_html(body);
    if (trace)
      trace->finish(step, document.title.empty() ? "no title" : "title \"" + document.title + "\"");
    step =
        trace ? trace->begin("layout", "text layout at " + std::to_string(width) + " columns") : 0;
    layout::MonospaceMeasurer measurer;
    content.layout = layout::layout_document(document, measurer, width);
    // Links resolve against <base href> when the page has one (itself relative to the page).
    Url base = input.url;
    if (!content.layout.base_href.empty())
      if (auto declared = input.url.resolve(content.layout.base_href)) base = *declared;
    // A large page repeats its links (a manual's index links each section many times), so
    // each distinct href is resolved once.
    std::unordered_map<std::string, std::string> resolved;
    content.text = render::dump_page(content.layout, [&](const std::string& href) {
      auto [entry, inserted] = resolved.try_emplace(href);
      if (inserted) {
        auto absolute = base.resolve(href);
        entry->second = absolute ? absolute->to_string() : href;
      }
      return entry->second;
    });
    if (trace)
      trace->finish(step, std::to_string(content.layout.runs.size()) + " text runs, " +
                              std::to_string(content.layout.links.size()) + " links, " +
                              std::to_string(content.layout.height) + " lines");
    return content;
  }
  if (is_json(input.media_type)) {
    // ordered_json keeps the members in document order, as a browser's JSON viewer shows them.
    nlohmann::ordered_json document;
    try {
      document = nlohmann::ordered_json::parse(body);
    } catch (const nlohmann::json::parse_error& error) {
      // nlohmann's byte offset, turned into the line and column a person can find.
      const std::size_t offset =
          std::min<std::size_t>(error.byte == 0 ? 0 : error.byte - 1, body.size());
      const std::size_t line =
          1 + std::count(body.begin(), body.begin() + static_cast<long>(offset), '\n');
      const std::size_t line_start = body.rfind('\n', offset == 0 ? 0 : offset - 1);
      const std::size_t column =
          offset - (line_start == std::string::npos ? 0 : line_start + 1) + 1;
      return make_error("the " + input.media_type + " body is not valid JSON: line " +
                            std::to_string(line) + ", column " + std::to_string(column) + ": " +
                            error.what(),
                        8);
    }
    content.kind = ContentKind::Text;
    content.text =
        document.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
    return content;
  }
  if (input.media_type.starts_with("text/")) {
    content.kind = ContentKind::Text;
    content.text = body;
    return content;
  }
  std::error_code ec;
  std::filesystem::create_directories(download_dir, ec);
  content.kind = ContentKind::Download;
  content.saved_to = download_path(input.url, download_dir);
  std::ofstream out(content.saved_to, std::ios::binary);
  out << input.body;
  out.close();
  if (!out) return make_error("cannot save the download to " + content.saved_to.string());
  content.text = "Saved " + std::to_string(input.body.size()) + " bytes of " + input.media_type +
                 " to " + content.saved_to.string() + "\n";
  return content;
}

}  // namespace miniweb::browser
