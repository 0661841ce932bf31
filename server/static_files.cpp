#include "server/static_files.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <cstdlib>
#include <ctime>
#include <vector>

#include "server/file_cache.hpp"
#include "server/mime_types.hpp"
#include "shared/html_escape.hpp"
#include "shared/http/accept.hpp"
#include "shared/http/gzip.hpp"
#include "shared/read_file.hpp"

namespace miniweb::server {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool is_within(const std::filesystem::path& path, const std::filesystem::path& root) {
  auto [root_end, path_it] = std::mismatch(root.begin(), root.end(), path.begin(), path.end());
  return root_end == root.end();
}

bool etag_matches(std::string_view if_none_match, std::string_view etag) {
  if (if_none_match == "*") return true;
  // Weak comparison (RFC 9110 section 13.1.2): W/ prefixes are ignored.
  while (!if_none_match.empty()) {
    auto comma = if_none_match.find(',');
    std::string_view item = if_none_match.substr(0, comma);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (item.starts_with("W/")) item.remove_prefix(2);
    if (item == etag) return true;
    if (comma == std::string_view::npos) break;
    if_none_match.remove_prefix(comma + 1);
  }
  return false;
}

}  // namespace

Result<std::string> normalize_request_path(std::string_view target) {
  std::string_view path = target.substr(0, target.find('?'));
  if (!path.starts_with("/")) return make_error("request target is not an absolute path", 400);
  std::string decoded;
  for (std::size_t i = 0; i < path.size(); ++i) {
    if (path[i] == '%') {
      if (i + 2 >= path.size() || hex_value(path[i + 1]) < 0 || hex_value(path[i + 2]) < 0)
        return make_error("malformed percent-encoding in path", 400);
      decoded += static_cast<char>(hex_value(path[i + 1]) * 16 + hex_value(path[i + 2]));
      i += 2;
    } else {
      decoded += path[i];
    }
  }
  if (decoded.find('\0') != std::string::npos || decoded.find('\\') != std::string::npos)
    return make_error("forbidden byte in path", 400);
  // Segment by segment, so that ".." can never climb above the root (nginx answers 400).
  std::vector<std::string_view> segments;
  std::string_view rest = decoded;
  bool trailing_slash = decoded.ends_with("/");
  while (!rest.empty()) {
    rest.remove_prefix(1);  // the slash
    std::string_view segment = rest.substr(0, rest.find('/'));
    rest.remove_prefix(segment.size());
    if (segment.empty() || segment == ".") continue;
    if (segment == "..") {
      if (segments.empty()) return make_error("path climbs above the document root", 400);
      segments.pop_back();
      continue;
    }
    segments.push_back(segment);
  }
  std::string normalized;
  for (std::string_view segment : segments) normalized += "/" + std::string(segment);
  if (normalized.empty() || trailing_slash) normalized += "/";
  return normalized;
}

http::Response error_response(int status, std::string_view detail) {
  http::Response response;
  response.status = status;
  std::string title = std::to_string(status) + " " + std::string(http::reason_phrase(status));
  response.body = "<!DOCTYPE html>\n<html><head><title>" + title + "</title></head>\n<body><h1>" +
                  title + "</h1>\n" +
                  (detail.empty() ? "" : "<p>" + html_escape(detail) + "</p>\n") +
                  "<hr><p>miniweb</p></body></html>\n";
  response.headers.set("Content-Type", "text/html; charset=utf-8");
  return response;
}

http::Response refusal(int status, std::string_view why) {
  return status == 400 ? error_response(status, why) : error_response(status);
}

std::optional<std::time_t> parse_http_date(std::string_view text) {
  // RFC 9110 section 5.6.7: IMF-fixdate, and the obsolete RFC 850 and asctime forms.
  static constexpr const char* kFormats[] = {"%a, %d %b %Y %H:%M:%S GMT",
                                             "%A, %d-%b-%y %H:%M:%S GMT", "%a %b %e %H:%M:%S %Y"};
  const std::string copy(text);
  for (const char* format : kFormats) {
    std::tm parts{};
    const char* end = ::strptime(copy.c_str(), format, &parts);
    if (end && *end == '\0') return ::timegm(&parts);
  }
  return std::nullopt;
}

std::optional<std::vector<ByteRange>> parse_byte_ranges(std::string_view header,
                                                        std::uint64_t size) {
  // RFC 9110 section 14.1.2: bytes=first-last, first-, -suffix; a list separated by commas.
  if (!header.starts_with("bytes=")) return std::nullopt;
  header.remove_prefix(6);
  std::vector<ByteRange> ranges;
  bool any = false;
  while (!header.empty()) {
    auto comma = header.find(',');
    std::string_view spec = header.substr(0, comma);
    header.remove_prefix(comma == std::string_view::npos ? header.size() : comma + 1);
    while (!spec.empty() && (spec.front() == ' ' || spec.front() == '\t')) spec.remove_prefix(1);
    while (!spec.empty() && (spec.back() == ' ' || spec.back() == '\t')) spec.remove_suffix(1);
    if (spec.empty()) continue;
    auto dash = spec.find('-');
    if (dash == std::string_view::npos) return std::nullopt;
    auto number = [](std::string_view digits) -> std::optional<std::uint64_t> {
      if (digits.empty() || digits.size() > 18) return std::nullopt;
      std::uint64_t value = 0;
      for (char c : digits) {
        if (c < '0' || c > '9') return std::nullopt;
        value = value * 10 + static_cast<std::uint64_t>(c - '0');
      }
      return value;
    };
    std::string_view first_text = spec.substr(0, dash);
    std::string_view last_text = spec.substr(dash + 1);
    any = true;
    if (first_text.empty()) {
      auto suffix = number(last_text);
      if (!suffix) return std::nullopt;
      if (*suffix == 0 || size == 0) continue;  // unsatisfiable
      std::uint64_t length = std::min(*suffix, size);
      ranges.push_back({size - length, size - 1});
      continue;
    }
    auto first = number(first_text);
    if (!first) return std::nullopt;
    std::uint64_t last = size == 0 ? 0 : size - 1;
    if (!last_text.empty()) {
      auto parsed = number(last_text);
      if (!parsed || *parsed < *first) return std::nullopt;
      last = std::min(*parsed, last);
    }
    if (*first >= size) continue;  // unsatisfiable
    ranges.push_back({*first, last});
  }
  if (!any) return std::nullopt;
  return ranges;
}

namespace {

bool accepts_gzip(const http::Request& request) {
  auto header = request.headers.get("Accept-Encoding");
  if (!header) return false;
  double gzip = -1;
  double any = -1;
  std::string_view rest = *header;
  while (!rest.empty()) {
    auto comma = rest.find(',');
    std::string_view item = rest.substr(0, comma);
    rest.remove_prefix(comma == std::string_view::npos ? rest.size() : comma + 1);
    std::string_view coding = item.substr(0, item.find(';'));
    while (!coding.empty() && coding.front() == ' ') coding.remove_prefix(1);
    while (!coding.empty() && coding.back() == ' ') coding.remove_suffix(1);
    double q = 1;
    if (auto at = item.find("q="); at != std::string_view::npos)
      q = std::strtod(std::string(item.substr(at + 2)).c_str(), nullptr);
    if (http::iequals(coding, "gzip") || http::iequals(coding, "x-gzip")) gzip = q;
    if (coding == "*") any = q;
  }
  return gzip > 0 || (gzip < 0 && any > 0);
}

bool compressible(std::string_view media_type) {
  return media_type.starts_with("text/") || media_type.starts_with("application/json") ||
         media_type.starts_with("application/javascript") ||
         media_type.starts_with("application/xml") || media_type.starts_with("image/svg+xml");
}

void add_vary(http::Response& response, std::string_view field) {
  auto existing = response.headers.get("Vary");
  response.headers.set(
      "Vary", existing ? std::string(*existing) + ", " + std::string(field) : std::string(field));
}

}  // namespace

http::Response serve_static(const SiteConfig& site, const http::Request& request) {
  FileCache uncached;  // a cache for one request: every file is resolved afresh
  return serve_static(site, request, uncached);
}

http::Response serve_static(const SiteConfig& site, const http::Request& request,
                            FileCache& cache) {
  std::shared_ptr<const std::string> whole_file;
  http::Response response = serve_static(site, request, cache, whole_file);
  if (whole_file) response.body = *whole_file;
  return response;
}

http::Response serve_static(const SiteConfig& site, const http::Request& request, FileCache& cache,
                            std::shared_ptr<const std::string>& whole_file) {
  auto path = normalize_request_path(request.target);
  if (!path) return error_response(path.error().code, path.error().message);
  if (site.root.empty()) return error_response(404);

  std::string relative = path->substr(1);
  bool negotiated = false;
  const bool directory_request = path->ends_with("/");
  if (directory_request) {
    // The index variants that exist; with more than one, Accept chooses (RFC 9110 section 12.1).
    std::error_code ec;
    const std::filesystem::path directory = site.root / std::filesystem::path(relative);
    std::vector<std::string> variants;
    for (const std::string& index : site.index_files)
      if (std::filesystem::is_regular_file(directory / index, ec)) variants.push_back(index);
    if (variants.empty()) {
      switch (cache.open(site.root, relative).result) {
        case Lookup::RootMissing:
          return error_response(500, "the site's document root is missing");
        case Lookup::Directory:
          return error_response(403);
        default:
          return error_response(404);
      }
    }
    std::string chosen = variants.front();
    auto accept = request.headers.get("Accept");
    if (variants.size() > 1 && accept) {
      negotiated = true;
      double best = 0;
      chosen.clear();
      for (const std::string& variant : variants) {
        double q = http::accept_quality(*accept, mime_type_for(variant));
        if (q > best) {
          best = q;
          chosen = variant;
        }
      }
      if (chosen.empty()) {
        http::Response response = error_response(
            406, "available: " + [&] {
              std::string list;
              for (const std::string& variant : variants)
                list += (list.empty() ? "" : ", ") + std::string(mime_type_for(variant));
              return list;
            }());
        response.headers.set("Vary", "Accept");
        return response;
      }
    } else if (variants.size() > 1) {
      negotiated = true;
    }
    relative += chosen;
  }
  const FileLookup lookup = cache.open(site.root, relative);
  switch (lookup.result) {
    case Lookup::Found:
      break;
    case Lookup::RootMissing:
      return error_response(500, "the site's document root is missing");
    case Lookup::Directory: {
      if (directory_request) return error_response(404);
      // A directory without its slash: redirect as nginx does, so relative links resolve.
      http::Response response = error_response(301);
      response.headers.set("Location", *path + "/");
      return response;
    }
    case Lookup::NotFound:
      return error_response(404);
    case Lookup::OutsideRoot:
      return error_response(403, "the file is outside the document root");
    case Lookup::Unreadable:
      return error_response(403, "the file cannot be read");
  }
  const CachedFile& file = *lookup.file;
  const struct stat& info = file.info;
  const std::string& etag = file.etag;
  const std::string& media_type = file.media_type;
  const bool may_compress = site.gzip && compressible(media_type);
  http::Response response;
  response.headers.reserve(8);  // these four, Vary, and what a range or gzip adds: one allocation
  response.headers.add("Content-Type", media_type);
  response.headers.add("Last-Modified", file.last_modified);
  response.headers.add("ETag", etag);
  response.headers.add("Accept-Ranges", "bytes");
  if (negotiated) add_vary(response, "Accept");
  if (may_compress) add_vary(response, "Accept-Encoding");
  // RFC 9110 section 13.2.2: If-None-Match takes precedence over If-Modified-Since.
  if (auto if_none_match = request.headers.get("If-None-Match")) {
    if (etag_matches(*if_none_match, etag)) {
      response.status = 304;
      return response;
    }
  } else if (auto since_text = request.headers.get("If-Modified-Since")) {
    auto since = parse_http_date(*since_text);
    if (since && info.st_mtime <= *since) {
      response.status = 304;
      return response;
    }
  }
  std::shared_ptr<const std::string> content = file.content;
  if (!content) {
    auto read = read_file(file.real_path);
    if (!read) return error_response(403, "the file cannot be read");
    content = std::make_shared<const std::string>(std::move(*read));
  }
  const std::uint64_t size = content->size();

  // Range (RFC 9110 section 14.2), unless If-Range names another version (section 13.1.5).
  auto range_header = request.headers.get("Range");
  if (range_header) {
    if (auto if_range = request.headers.get("If-Range")) {
      const bool current =
          if_range->starts_with("\"") ? *if_range == etag : *if_range == file.last_modified;
      if (!current) range_header.reset();
    }
  }
  if (range_header) {
    auto ranges = parse_byte_ranges(*range_header, size);
    if (ranges && ranges->empty()) {
      http::Response refused = error_response(416);
      refused.headers.set("Content-Range", "bytes */" + std::to_string(size));
      return refused;
    }
    if (ranges && ranges->size() == 1) {
      const ByteRange& range = ranges->front();
      response.status = 206;
      response.headers.set("Content-Range", "bytes " + std::to_string(range.first) + "-" +
                                                std::to_string(range.last) + "/" +
                                                std::to_string(size));
      response.body = content->substr(range.first, range.last - range.first + 1);
      return response;
    }
    if (ranges && ranges->size() <= 32) {
      // RFC 9110 section 14.6: multipart/byteranges, each part with its own Content-Range.
      static constexpr std::string_view kBoundary = "miniweb-byteranges-5f0c3a9e";
      response.status = 206;
      for (const ByteRange& range : *ranges) {
        response.body += "\r\n--" + std::string(kBoundary) + "\r\nContent-Type: " + media_type +
                         "\r\nContent-Range: bytes " + std::to_string(range.first) + "-" +
                         std::to_string(range.last) + "/" + std::to_string(size) + "\r\n\r\n";
        response.body += content->substr(range.first, range.last - range.first + 1);
      }
      response.body += "\r\n--" + std::string(kBoundary) + "--\r\n";
      response.headers.set("Content-Type",
                           "multipart/byteranges; boundary=" + std::string(kBoundary));
      return response;
    }
  }
  if (may_compress && size >= kGzipMinLength && accepts_gzip(request)) {
    response.headers.set("Content-Encoding", "gzip");
    response.headers.set("ETag", "W/" + etag);  // another representation: weak, as nginx makes it
    if (!file.content) {  // a large file, read for this response: compressed for it alone
      response.body = http::gzip_compress(*content);
      return response;
    }
    if (!file.gzipped)
      file.gzipped = std::make_shared<const std::string>(http::gzip_compress(*file.content));
    whole_file = file.gzipped;
    return response;
  }
  whole_file = std::move(content);
  return response;
}

void use_error_page(const SiteConfig& site, http::Response& response) {
  auto page = site.error_pages.find(response.status);
  if (page == site.error_pages.end() || site.root.empty()) return;
  auto path = normalize_request_path(page->second);
  if (!path) return;
  std::error_code ec;
  const std::filesystem::path root = std::filesystem::canonical(site.root, ec);
  if (ec) return;
  std::filesystem::path real =
      std::filesystem::canonical(root / std::filesystem::path(path->substr(1)), ec);
  if (ec || !is_within(real, root)) return;
  auto content = read_file(real);
  if (!content) return;
  response.body = std::move(*content);
  response.headers.set("Content-Type", std::string(mime_type_for(real.filename().string())));
}

}  // namespace miniweb::server
