#include "server/static_files.hpp"

#include <sys/stat.h>

#include <fstream>
#include <sstream>
#include <vector>

#include "server/mime_types.hpp"

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

std::string html_escape(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '&': out += "&amp;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

// nginx's entity tag: last-modified time and size, both in hex.
std::string entity_tag(const struct stat& info) {
  std::ostringstream tag;
  tag << '"' << std::hex << info.st_mtime << '-' << info.st_size << '"';
  return tag.str();
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

http::Response serve_static(const SiteConfig& site, const http::Request& request) {
  auto path = normalize_request_path(request.target);
  if (!path) return error_response(path.error().code, path.error().message);

  std::error_code ec;
  const std::filesystem::path root = std::filesystem::canonical(site.root, ec);
  if (ec) return error_response(500, "the site's document root is missing");
  std::filesystem::path file = root / std::filesystem::path(path->substr(1));
  if (path->ends_with("/")) {
    bool found = false;
    for (const std::string& index : site.index_files) {
      if (std::filesystem::is_regular_file(file / index, ec)) {
        file /= index;
        found = true;
        break;
      }
    }
    if (!found) return error_response(std::filesystem::is_directory(file, ec) ? 403 : 404);
  } else if (std::filesystem::is_directory(file, ec)) {
    // A directory without its slash: redirect as nginx does, so relative links resolve.
    http::Response response = error_response(301);
    response.headers.set("Location", *path + "/");
    return response;
  }
  // Resolve symbolic links and refuse any that lead outside the root.
  std::filesystem::path real = std::filesystem::canonical(file, ec);
  if (ec) return error_response(404);
  if (!is_within(real, root)) return error_response(403, "the file is outside the document root");

  struct stat info {};
  if (::stat(real.c_str(), &info) != 0 || !S_ISREG(info.st_mode)) return error_response(404);
  const std::string etag = entity_tag(info);
  http::Response response;
  response.headers.set("Content-Type", std::string(mime_type_for(real.filename().string())));
  response.headers.set("Last-Modified", http::http_date(info.st_mtime));
  response.headers.set("ETag", etag);
  if (auto if_none_match = request.headers.get("If-None-Match")) {
    if (etag_matches(*if_none_match, etag)) {
      response.status = 304;
      return response;
    }
  } else if (auto since = request.headers.get("If-Modified-Since")) {
    if (*since == http::http_date(info.st_mtime)) {
      response.status = 304;
      return response;
    }
  }
  std::ifstream in(real, std::ios::binary);
  if (!in) return error_response(403, "the file cannot be read");
  std::ostringstream content;
  content << in.rdbuf();
  response.body = content.str();
  return response;
}

}  // namespace miniweb::server
