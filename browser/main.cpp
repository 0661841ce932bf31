// miniweb-browser: the journey of a URL, shown and rendered as text.

#include <sys/ioctl.h>
#include <unistd.h>
#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <tuple>

#include "browser/session.hpp"
#include "browser/terminal_ui.hpp"
#include "browser/window/browser_window.hpp"
#include "shared/dns/client.hpp"

namespace {

using namespace miniweb;
using namespace miniweb::browser;

struct Options {
  std::string url;
  bool dump = false;
  bool trace = false;
  bool insecure = false;
  int width = 0;  // 0: the terminal's width, or 80
  std::string resolver;
  std::string ca_file;
  std::string hosts_file = "/etc/hosts";
  std::string root_hints;
  std::uint16_t dns_port = 53;
  std::string cache_dir;
  std::string download_dir = ".";
  bool window = false;
  bool terminal = false;
  std::string screenshot;
  double timeout_seconds = 0;  // 0: the loader's defaults
  std::string proxy;
};

// Proxies from the environment, as curl reads them: lower-case http_proxy only (HTTP_PROXY can
// be set by a CGI request's "Proxy:" header), https_proxy or HTTPS_PROXY, no_proxy or NO_PROXY.
const char* environment(const char* lower, const char* upper) {
  if (const char* value = std::getenv(lower); value && *value) return value;
  if (upper)
    if (const char* value = std::getenv(upper); value && *value) return value;
  return nullptr;
}

Result<Url> proxy_url(const std::string& text) {
  auto url = Url::parse(text.find("://") == std::string::npos ? "http://" + text : text);
  if (!url) return url.error();
  if (url->scheme != "http")
    return make_error("only http:// proxies are supported, not " + url->scheme + "://");
  return url;
}

int terminal_columns() {
  winsize size{};
  if (::isatty(STDOUT_FILENO) && ::ioctl(STDOUT_FILENO, TIOCGWINSZ, &size) == 0 &&
      size.ws_col >= 20)
    return size.ws_col;
  return 80;
}

int terminal_lines() {
  winsize size{};
  if (::isatty(STDOUT_FILENO) && ::ioctl(STDOUT_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_row >= 5)
    return size.ws_row - 3;
  return 24;
}

// --dump: one visit, the page as text, the trace on stderr as curl -v does.
int dump(Session& session, const Url& url, const Options& options) {
  Trace trace;
  auto visit = session.visit(url, trace);
  session.close_connections(trace);
  if (options.trace) std::cerr << trace.render(url.to_string()) << std::flush;
  if (!visit) {
    std::cerr << "miniweb-browser: " << visit.error().message << '\n';
    return visit.error().code ? visit.error().code : 1;
  }
  if (!visit->insecure_warning.empty()) {
    std::cout << "!! " << visit->insecure_warning << "\n\n";
    std::cerr << "miniweb-browser: " << visit->insecure_warning << '\n';
  }
  const std::string& output = visit->content.text;
  std::cout << output;
  if (!output.empty() && output.back() != '\n') std::cout << '\n';
  if (visit->status >= 400) {
    std::cerr << "miniweb-browser: the server answered " << visit->status << ' ' << visit->reason
              << " for " << visit->url.to_string() << '\n';
    return exit_code::kHttpError;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  CLI::App app{
      "miniweb-browser: follows a URL through DNS, TCP, TLS and HTTP, and renders the page as "
      "text"};
  app.add_option("url", options.url,
                 "the URL to open (https://www.example.test/, a host name, or a local file)");
  app.add_flag("--dump", options.dump, "print the laid-out page as text and exit (as lynx -dump)");
  app.add_flag("--trace", options.trace,
               "show every step of the journey with its duration (on stderr)");
  app.add_option("--width", options.width,
                 "columns to wrap the page at (default: the terminal's, or 80)")
      ->check(CLI::Range(20, 1000));
  app.add_option("--resolver", options.resolver, "the recursive DNS resolver, ADDRESS[:PORT]");
  app.add_option("--ca-file", options.ca_file, "PEM file of the only CA roots to trust")
      ->check(CLI::ExistingFile);
  app.add_option("--hosts", options.hosts_file, "hosts file consulted before DNS");
  app.add_option("--root-hints", options.root_hints,
                 "root hints, to show the iterative DNS path in --trace")
      ->check(CLI::ExistingFile);
  app.add_option("--dns-port", options.dns_port,
                 "the port DNS servers listen on (for the iterative path)");
  app.add_option("--cache-dir", options.cache_dir,
                 "profile folder: the DNS cache and HSTS hosts kept between runs");
  app.add_option("--download-dir", options.download_dir,
                 "where files that are not pages are saved");
  app.add_flag("--insecure", options.insecure,
               "show pages whose certificate fails verification (each page says so)");
  app.add_flag("--window", options.window,
               "open the SDL2 window (the default when a display is there, unless --dump)");
  app.add_flag("--terminal", options.terminal, "stay in the terminal even when a display is there");
  app.add_option("--screenshot", options.screenshot,
                 "open the window, write it as PNG once the page has loaded (or failed), and exit; "
                 "works headless");
  app.add_option("--timeout", options.timeout_seconds,
                 "seconds to wait for a connection, a handshake or a whole response (default: 5 "
                 "to connect, 10 for the rest)")
      ->check(CLI::Range(0.01, 3600.0));
  app.add_option("--proxy", options.proxy,
                 "HTTP proxy, http://HOST:PORT: https URLs go through CONNECT, http URLs are sent "
                 "to it in full (default: $https_proxy / $http_proxy, minus $no_proxy)");
  CLI11_PARSE(app, argc, argv);

  SessionOptions session_options;
  session_options.width = options.width ? options.width : (options.dump ? 80 : terminal_columns());
  session_options.download_dir = options.download_dir;
  session_options.dns.hosts_file = options.hosts_file;
  session_options.dns.dns_port = options.dns_port;
  session_options.dns.cache_dir = options.cache_dir;
  if (!options.resolver.empty()) {
    auto endpoint = dns::parse_endpoint(options.resolver, 53);
    if (!endpoint) {
      std::cerr << "miniweb-browser: --resolver: " << endpoint.error().message << '\n';
      return 2;
    }
    session_options.dns.recursive = *endpoint;
  }
  if (options.trace && !options.root_hints.empty())
    session_options.dns.root_hints = options.root_hints;
  session_options.loader.insecure = options.insecure;
  if (options.timeout_seconds > 0) {
    const auto timeout =
        std::chrono::milliseconds(static_cast<long>(options.timeout_seconds * 1000));
    session_options.loader.connect_timeout = timeout;
    session_options.loader.io_timeout = timeout;
  }
  auto use_proxy = [](std::optional<Url>& target, const std::string& text) {
    if (text.empty()) return true;
    auto url = proxy_url(text);
    if (!url) {
      std::cerr << "miniweb-browser: the proxy '" << text
                << "' is not usable: " << url.error().message << '\n';
      return false;
    }
    target = *url;
    return true;
  };
  if (!options.proxy.empty()) {
    if (!use_proxy(session_options.loader.https_proxy, options.proxy) ||
        !use_proxy(session_options.loader.http_proxy, options.proxy))
      return 2;
  } else {
    const char* https_proxy = environment("https_proxy", "HTTPS_PROXY");
    const char* http_proxy = environment("http_proxy", nullptr);
    if (!use_proxy(session_options.loader.https_proxy, https_proxy ? https_proxy : "") ||
        !use_proxy(session_options.loader.http_proxy, http_proxy ? http_proxy : ""))
      return 2;
  }
  if (const char* no_proxy = environment("no_proxy", "NO_PROXY");
      no_proxy && options.proxy.empty()) {
    std::string_view list = no_proxy;
    while (!list.empty()) {
      auto comma = list.find(',');
      std::string entry(list.substr(0, comma));
      std::erase(entry, ' ');
      if (!entry.empty()) session_options.loader.no_proxy.push_back(entry);
      if (comma == std::string_view::npos) break;
      list.remove_prefix(comma + 1);
    }
  }
  session_options.loader.profile_dir = options.cache_dir;
  session_options.loader.ca_file =
      options.ca_file.empty() ? "/etc/ssl/certs/ca-certificates.crt" : options.ca_file;
  // A display means the window, as a desktop browser; --dump (or no display) the terminal.
  const bool has_display =
      std::getenv("DISPLAY") != nullptr || std::getenv("WAYLAND_DISPLAY") != nullptr;
  if (!options.dump &&
      (options.window || !options.screenshot.empty() || (has_display && !options.terminal))) {
    window::WindowOptions window_options;
    window_options.url = options.url;
    window_options.resolver = session_options.dns;
    window_options.loader = session_options.loader;
    window_options.screenshot = options.screenshot;
    window_options.hidden = !options.screenshot.empty();
    return window::run_window(window_options);
  }
  Session session(session_options);

  std::optional<Url> start;
  if (!options.url.empty()) {
    auto url = Session::interpret(options.url);
    if (!url) {
      std::cerr << "miniweb-browser: '" << options.url << "' is not a URL: " << url.error().message
                << '\n';
      return 3;  // curl: URL malformed
    }
    start = *url;
  }
  if (options.dump) {
    if (!start) {
      std::cerr << "miniweb-browser: --dump needs a URL\n";
      return 2;
    }
    return dump(session, *start, options);
  }
  TerminalOptions terminal;
  terminal.ansi = ::isatty(STDOUT_FILENO) && std::getenv("NO_COLOR") == nullptr;
  terminal.show_trace = options.trace;
  terminal.screen_lines = terminal_lines();
  return run_terminal(session, start, terminal, std::cin, std::cout);
}
