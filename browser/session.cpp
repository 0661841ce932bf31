#include "browser/session.hpp"

#include "browser/local_file.hpp"

#include <fstream>
#include <sstream>

namespace miniweb::browser {

Session::Session(SessionOptions options)
    : options_(std::move(options)), resolver_(options_.dns), loader_(resolver_, options_.loader) {}

Result<Url> Session::interpret(const std::string& typed) {
  if (typed.find("://") == std::string::npos) {
    // An existing local file is opened as a file, as lynx and w3m do; anything else is a host.
    std::error_code ec;
    if (std::filesystem::is_regular_file(typed, ec)) {
      return Url::parse("file://" + std::filesystem::absolute(typed).lexically_normal().string());
    }
    return Url::parse("https://" + typed);
  }
  return Url::parse(typed);
}

Result<Visit> Session::visit_file(const Url& url, Trace& trace) {
  auto bytes = load_local_file(url.path, trace);
  if (!bytes) return bytes.error();
  Visit visit;
  visit.url = url;
  visit.source = std::move(*bytes);
  auto presented = present(ContentInput{media_type_for_file(url.path), "", visit.source, url},
                           options_.width, options_.download_dir, &trace);
  if (!presented) return presented.error();
  visit.content = std::move(*presented);
  return visit;
}

void Session::close_connections(Trace& trace) {
  asio::co_spawn(io_, loader_.close_idle_connections(trace), asio::detached);
  io_.restart();
  io_.run();
}

Result<Visit> Session::visit(const Url& url, Trace& trace) {
  if (url.scheme == "file") return visit_file(url, trace);
  std::optional<Result<Page>> page;
  asio::co_spawn(
      io_, [&]() -> asio::awaitable<void> { page.emplace(co_await loader_.load(url, trace)); },
      asio::detached);
  io_.restart();
  io_.run();
  if (!page) return make_error("the load did not finish");
  if (!*page) return page->error();

  Visit visit;
  visit.url = (*page)->url;
  visit.status = (*page)->response.status;
  visit.reason = (*page)->response.reason.empty() ? std::string(http::reason_phrase(visit.status))
                                                  : (*page)->response.reason;
  visit.source = (*page)->response.body;
  visit.insecure_warning = (*page)->insecure_warning;
  auto [media_type, charset] = split_content_type(
      (*page)->response.headers.get("Content-Type").value_or("application/octet-stream"));
  auto presented = present(ContentInput{media_type, charset, visit.source, visit.url},
                           options_.width, options_.download_dir, &trace);
  if (!presented) return presented.error();
  if (presented->kind == ContentKind::Download) {
    std::size_t step = trace.begin("save", media_type + " is not shown");
    trace.finish(step, "saved as a download: " + presented->saved_to.string());
  }
  visit.content = std::move(*presented);
  return visit;
}

}  // namespace miniweb::browser
