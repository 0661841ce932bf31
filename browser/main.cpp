// miniweb-browser: the journey of a URL, shown and rendered as text.

#include <CLI/CLI.hpp>
#include <unistd.h>

#include <fstream>
#include <iostream>

#include "browser/host_resolver.hpp"
#include "browser/html/dom.hpp"
#include "browser/layout/layout.hpp"
#include "browser/layout/text_measurer.hpp"
#include "browser/page_loader.hpp"
#include "browser/render/text_painter.hpp"
#include "browser/trace.hpp"
#include "shared/dns/client.hpp"

namespace {

using namespace miniweb;
using namespace miniweb::browser;

struct Options {
  std::string url;
  bool dump = false;
  bool trace = false;
  int width = 80;
  std::string resolver;
  std::string ca_file;
  std::string hosts_file = "/etc/hosts";
  std::string root_hints;
  std::uint16_t dns_port = 53;
  std::string download_dir = ".";
  bool insecure = false;
  std::string cache_dir;
};

// What the browser shows for a page, by media type, as a real browser dispatches on it.
int show_page(const Page& page, const Options& options, Trace& trace) {
  const http::Response& response = page.response;
  std::string output;
  if (page.media_type == "text/html" || page.media_type == "application/xhtml+xml") {
    std::size_t step = trace.begin("parse", "HTML (gumbo-parser), " + std::to_string(response.body.size()) + " bytes");
    html::Document document = html::parse_html(response.body);
    trace.finish(step, document.title.empty() ? "no title" : "title \"" + document.title + "\"");
    step = trace.begin("layout", "text layout at " + std::to_string(options.width) + " columns");
    layout::MonospaceMeasurer measurer;
    layout::DisplayList list = layout::layout_document(document, measurer, options.width);
    // Links resolve against <base href> when the page has one (itself relative to the page).
    Url base = page.url;
    if (!list.base_href.empty())
      if (auto declared = page.url.resolve(list.base_href)) base = *declared;
    output = render::dump_page(list, [&](const std::string& href) {
      auto absolute = base.resolve(href);
      return absolute ? absolute->to_string() : href;
    });
    trace.finish(step, std::to_string(list.runs.size()) + " text runs, " + std::to_string(list.links.size()) +
                           " links, " + std::to_string(list.height) + " lines");
  } else if (page.media_type.starts_with("text/")) {
    output = response.body;
  } else {
    // Anything else is a download, saved under the last segment of the path.
    std::string name = page.url.path.substr(page.url.path.rfind('/') + 1);
    if (name.empty()) name = "download";
    const std::string path = options.download_dir + "/" + name;
    std::ofstream out(path, std::ios::binary);
    out << response.body;
    output = "Saved " + std::to_string(response.body.size()) + " bytes of " + page.media_type + " to " + path + "\n";
  }
  if (options.trace) std::cerr << trace.render(page.url.to_string()) << std::flush;
  if (!page.insecure_warning.empty()) {
    std::cout << "!! " << page.insecure_warning << "\n\n";
    std::cerr << "miniweb-browser: " << page.insecure_warning << '\n';
  }
  std::cout << output;
  if (!output.empty() && output.back() != '\n') std::cout << '\n';
  if (response.status >= 400) {
    std::cerr << "miniweb-browser: the server answered " << response.status << ' '
              << (response.reason.empty() ? std::string(http::reason_phrase(response.status)) : response.reason)
              << " for " << page.url.to_string() << '\n';
    return exit_code::kHttpError;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  CLI::App app{"miniweb-browser: follows a URL through DNS, TCP, TLS and HTTP, and renders the page as text"};
  app.add_option("url", options.url, "the URL to open, e.g. https://www.example.test/")->required();
  app.add_flag("--dump", options.dump, "print the laid-out page as text and exit (as lynx -dump)");
  app.add_flag("--trace", options.trace, "show every step of the journey with its duration (on stderr)");
  app.add_option("--width", options.width, "columns to wrap the page at")->check(CLI::Range(20, 1000));
  app.add_option("--resolver", options.resolver, "the recursive DNS resolver, ADDRESS[:PORT]");
  app.add_option("--ca-file", options.ca_file, "PEM file of the only CA roots to trust")->check(CLI::ExistingFile);
  app.add_option("--hosts", options.hosts_file, "hosts file consulted before DNS");
  app.add_option("--root-hints", options.root_hints, "root hints, to show the iterative DNS path in --trace")
      ->check(CLI::ExistingFile);
  app.add_option("--dns-port", options.dns_port, "the port DNS servers listen on (for the iterative path)");
  app.add_option("--cache-dir", options.cache_dir, "folder for the DNS cache kept between runs");
  app.add_flag("--insecure", options.insecure,
               "show pages whose certificate fails verification (each page says so)");
  app.add_option("--download-dir", options.download_dir, "where files that are not pages are saved");
  CLI11_PARSE(app, argc, argv);

  // As a browser's address bar does: a bare name means https.
  std::string typed = options.url;
  if (typed.find("://") == std::string::npos) typed = "https://" + typed;
  auto url = Url::parse(typed);
  if (!url) {
    std::cerr << "miniweb-browser: '" << options.url << "' is not a URL: " << url.error().message << '\n';
    return 3;  // curl: URL malformed
  }

  ResolverSettings dns;
  dns.hosts_file = options.hosts_file;
  dns.dns_port = options.dns_port;
  dns.cache_dir = options.cache_dir;
  if (!options.resolver.empty()) {
    auto endpoint = dns::parse_endpoint(options.resolver, 53);
    if (!endpoint) {
      std::cerr << "miniweb-browser: --resolver: " << endpoint.error().message << '\n';
      return 2;
    }
    dns.recursive = *endpoint;
  }
  if (options.trace && !options.root_hints.empty()) dns.root_hints = options.root_hints;

  LoaderOptions loader_options;
  loader_options.insecure = options.insecure;
  loader_options.ca_file = options.ca_file.empty() ? "/etc/ssl/certs/ca-certificates.crt" : options.ca_file;

  asio::io_context io;
  HostResolver resolver(dns);
  PageLoader loader(resolver, loader_options);
  Trace trace;
  int exit_status = 0;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        auto page = co_await loader.load(*url, trace);
        if (!page) {
          if (options.trace) std::cerr << trace.render(url->to_string());
          std::cerr << "miniweb-browser: " << page.error().message << '\n';
          exit_status = page.error().code ? page.error().code : 1;
          co_return;
        }
        exit_status = show_page(*page, options, trace);
      },
      asio::detached);
  io.run();
  return exit_status;
}
