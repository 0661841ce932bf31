#include "browser/options.hpp"

#include <unistd.h>
#include <CLI/CLI.hpp>

#include <cstdlib>
#include <functional>
#include <iostream>
#include <string>

#include "browser/exit_codes.hpp"
#include "shared/dns/client.hpp"

namespace miniweb::browser {
namespace {

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

Status use_proxy(std::optional<Url>& target, const char* text) {
  if (text == nullptr || *text == '\0') return Ok{};
  auto url = proxy_url(text);
  if (!url)
    return make_error("the proxy '" + std::string(text) + "' is not usable: " + url.error().message,
                      exit_code::kUsage);
  target = *url;
  return Ok{};
}

std::vector<std::string> no_proxy_list(std::string_view list) {
  std::vector<std::string> entries;
  while (!list.empty()) {
    const auto comma = list.find(',');
    std::string entry(list.substr(0, comma));
    std::erase(entry, ' ');
    if (!entry.empty()) entries.push_back(entry);
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return entries;
}

// CLI::Range(low, high) with its description given: CLI::Range writes the description through a
// std::stringstream of its own when it has no name, and four of them were 26 to 30 us of every
// start of the browser (the options' parse 154 against 128 us for a page load, 131 against 101
// for a local file: uprobes over 100 starts each, in turns).
template <class T>
CLI::Validator in_range(T low, T high, const std::string& description) {
  CLI::Validator check = CLI::Range(low, high, description);
  check.description(description);
  return check;
}

}  // namespace

Result<BrowserOptions> parse_options(int argc, char** argv,
                                     const std::function<void()>& before_output) {
  const auto say = [&](const std::string& message) {
    if (before_output) before_output();
    std::cerr << "miniweb-browser: " << message << '\n';
  };
  BrowserOptions options;
  NavigatorOptions& navigator = options.navigator;
  bool dump = false;
  bool window = false;
  bool terminal = false;
  bool line_mode = false;
  bool insecure = false;
  bool http11 = false;
  double timeout_seconds = 0;
  std::string resolver;
  std::string ca_file;
  std::string cache_dir;
  std::string proxy;
  std::string hosts_file = "/etc/hosts";
  std::string download_dir = ".";

  CLI::App app{
      "miniweb-browser: follows a URL through DNS, TCP, TLS and HTTP, and renders the page as "
      "text"};
  app.add_option("url", options.url,
                 "the URL to open (https://www.example.test/, a host name, or a local file)");
  app.add_flag("--dump", dump, "print the laid-out page as text and exit (as lynx -dump)");
  app.add_flag("--trace", options.trace,
               "show every step of the journey with its duration (on stderr)");
  app.add_option("--width", options.width,
                 "columns to wrap the page at (default: the terminal's, or 80)")
      ->check(in_range(20, 1000, "INT in [20 - 1000]"));
  app.add_option("--resolver", resolver, "the recursive DNS resolver, ADDRESS[:PORT]");
  app.add_option("--ca-file", ca_file, "PEM file of the only CA roots to trust")
      ->check(CLI::ExistingFile);
  app.add_option("--hosts", hosts_file, "hosts file consulted before DNS");
  app.add_flag("--packets", options.packets,
               "show the load as a ladder of the packets captured on loopback, with each end's "
               "TCP state and the TLS handshake's messages (on stderr; capturing needs "
               "CAP_NET_RAW)");
  app.add_option("--pcap", options.pcap,
                 "save the load's packets as pcapng, with the TLS secrets inside, for Wireshark "
                 "and tshark");
  app.add_option("--capture-limit", options.watch.limits.max_frames,
                 "keep at most this many frames of a load's capture (default 20000); past it "
                 "the ladder says how many were left out")
      ->check(in_range(std::size_t{1}, std::size_t{1000000}, "UINT in [1 - 1000000]"));
  app.add_option("--link-drops", options.watch.link_drop_log,
                 "the link emulator's drop log (./miniweb passes it): the packet view marks the "
                 "packets it dropped as lost");
  bool fresh = false;
  app.add_flag("--fresh", fresh,
               "start with empty caches, in memory and in the profile, as a new private window "
               "does: nothing is read from the profile or written to it");
  app.add_option("--cache-dir", cache_dir,
                 "profile folder: the DNS cache, HSTS hosts, cookies and CRLs kept between runs");
  app.add_option("--download-dir", download_dir, "where files that are not pages are saved");
  app.add_flag("--insecure", insecure,
               "show pages whose certificate fails verification (each page says so)");
  app.add_flag("--http1.1", http11,
               "offer only HTTP/1.1 by ALPN, as curl's flag (default: h2, then http/1.1)");
  app.add_flag("--window", window,
               "open the SDL2 window (the default when a display is there, unless --dump)");
  app.add_flag("--terminal", terminal, "stay in the terminal even when a display is there");
  app.add_flag("--line-mode", line_mode,
               "the terminal line by line, commands typed after a prompt (the default when "
               "standard output is not a terminal)");
  app.add_option("--screenshot", options.screenshot,
                 "open the window, write it as PNG once the page has loaded (or failed), and exit; "
                 "works headless");
  app.add_option("--timeout", timeout_seconds,
                 "seconds to wait for a connection, a handshake or a whole response (default: 5 "
                 "to connect, 10 for the rest)")
      ->check(in_range(0.01, 3600.0, "FLOAT in [0.01 - 3600]"));
  app.add_option("--proxy", proxy,
                 "HTTP proxy, http://HOST:PORT: https URLs go through CONNECT, http URLs are sent "
                 "to it in full (default: $https_proxy / $http_proxy, minus $no_proxy)");
  std::vector<std::string> fills;
  app.add_option("--fill", fills,
                 "NAME=VALUE for the submitted form's control NAME (repeatable): text, a "
                 "checkbox's on/off, the value of the radio button or option to choose, the "
                 "submit button's value to press; NAME=@PATH for a file input")
      ->allow_extra_args(false);
  app.add_flag("--submit{1}", options.submit_form,
               "after loading the URL and applying the --fill values, submit form N of the page "
               "(1-based, default 1) and dump the page that answers; works with --trace and "
               "--packets")
      ->check(in_range(1, 1000, "INT in [1 - 1000]"));
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    if (before_output) before_output();
    const int code = app.exit(error);
    return make_error(error.what(), code == 0 ? exit_code::kOk : exit_code::kUsage);
  }

  for (const std::string& text : fills) {
    auto fill = forms::parse_fill(text);
    if (!fill) {
      say(fill.error().message);
      return fill.error();
    }
    options.fills.push_back(std::move(*fill));
  }
  if (!options.fills.empty() && options.submit_form == 0) {
    say("--fill is for a form --submit sends");
    return make_error("--fill without --submit", exit_code::kUsage);
  }
  navigator.download_dir = download_dir;
  navigator.dns.hosts_file = hosts_file;
  // --fresh: the profile is neither read nor written (DNS cache, HSTS, cookies, CRLs).
  if (fresh) cache_dir.clear();
  navigator.dns.cache_dir = cache_dir;
  if (!resolver.empty()) {
    auto endpoint = dns::parse_endpoint(resolver, 53);
    if (!endpoint) {
      say("--resolver: " + endpoint.error().message);
      return make_error(endpoint.error().message, exit_code::kUsage);
    }
    navigator.dns.recursive = *endpoint;
  }
  LoaderOptions& loader = navigator.loader;
  loader.insecure = insecure;
  if (http11) loader.http_versions = HttpVersions::Http11Only;
  if (timeout_seconds > 0) {
    const auto timeout = std::chrono::milliseconds(static_cast<long>(timeout_seconds * 1000));
    loader.connect_timeout = timeout;
    loader.io_timeout = timeout;
  }
  Status proxies = Ok{};
  if (!proxy.empty()) {
    proxies = use_proxy(loader.https_proxy, proxy.c_str());
    if (proxies) proxies = use_proxy(loader.http_proxy, proxy.c_str());
  } else {
    proxies = use_proxy(loader.https_proxy, environment("https_proxy", "HTTPS_PROXY"));
    if (proxies) proxies = use_proxy(loader.http_proxy, environment("http_proxy", nullptr));
    if (const char* no_proxy = environment("no_proxy", "NO_PROXY"))
      loader.no_proxy = no_proxy_list(no_proxy);
  }
  if (!proxies) {
    say(proxies.error().message);
    return proxies.error();
  }
  loader.profile_dir = cache_dir;
  loader.ca_file = ca_file.empty() ? "/etc/ssl/certs/ca-certificates.crt" : ca_file;

  // A display means the window, as a desktop browser; --dump (or no display) the terminal,
  // full screen when standard output is one.
  const bool has_display =
      std::getenv("DISPLAY") != nullptr || std::getenv("WAYLAND_DISPLAY") != nullptr;
  // --submit prints the page that answers the form, as --dump prints a page.
  if (dump || options.submit_form > 0) {
    options.face = Face::Dump;
  } else if (window || !options.screenshot.empty() || (has_display && !terminal && !line_mode)) {
    options.face = Face::Window;
  } else if (line_mode || !::isatty(STDOUT_FILENO) || !::isatty(STDIN_FILENO)) {
    options.face = Face::LineMode;
  } else {
    options.face = Face::FullScreen;
  }
  return options;
}

}  // namespace miniweb::browser
