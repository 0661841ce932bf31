#pragma once
// A browsing session: one resolver and loader shared by every visit (so the browser's DNS
// cache works across pages), local files as lynx takes them, and the history.

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "browser/content.hpp"
#include "browser/host_resolver.hpp"
#include "browser/page_loader.hpp"
#include "browser/trace.hpp"

namespace miniweb::browser {

struct SessionOptions {
  ResolverSettings dns;
  LoaderOptions loader;
  int width = 80;
  std::filesystem::path download_dir = ".";
};

struct Visit {
  Url url;         // after redirects
  int status = 0;  // 0 for a local file
  std::string reason;
  std::string source;  // the body as received (decoded from gzip)
  PresentedContent content;
  std::string insecure_warning;
};

class Session {
 public:
  explicit Session(SessionOptions options);

  // Loads and presents one URL; runs its own event loop until the visit is done.
  Result<Visit> visit(const Url& url, Trace& trace);

  // Closes the connections kept alive, cleanly, recording it in `trace` (at the end of a
  // --dump, so that its trace ends with the close as a single visit's should).
  void close_connections(Trace& trace);

  // What a user typed: a URL, a bare host name (https is assumed), or a local file.
  static Result<Url> interpret(const std::string& typed);

  const SessionOptions& options() const { return options_; }
  PageLoader& loader() { return loader_; }

 private:
  Result<Visit> visit_file(const Url& url, Trace& trace);
  SessionOptions options_;
  // One event loop for the whole session, so connections kept alive by one visit serve the
  // next; declared before the loader so that it outlives the loader's idle connections.
  asio::io_context io_;
  HostResolver resolver_;
  PageLoader loader_;
};

}  // namespace miniweb::browser
