// A [[site]] of the server's configuration: its names, its certificate or ACME settings, its
// root and the files it serves, its proxy routes, return rules and early hints.

#include "server/config_site.hpp"

#include <algorithm>
#include <cctype>
#include <iterator>
#include <string>
#include <utility>

#include "server/config_toml.hpp"
#include "shared/text.hpp"

namespace miniweb::server::config_detail {
namespace {

ReturnRule read_return(const toml::table& table) {
  ReturnRule rule;
  rule.path = optional_value<std::string>(table, "path", "");
  rule.prefix = optional_value<std::string>(table, "prefix", "");
  if (rule.path.empty() == rule.prefix.empty())
    throw ConfigError{"a return rule has either 'path' (exact) or 'prefix'", table.source()};
  if (!(rule.path + rule.prefix).starts_with("/"))
    throw ConfigError{"a return rule's path or prefix starts with '/'", table.source()};
  const std::int64_t status = required<std::int64_t>(table, "status", "a return rule");
  if (status >= 100 && status <= 199)
    throw ConfigError{
        "a 1xx status is interim, never a final response (RFC 9110 section 15.2); "
        "100 Continue is sent for Expect: 100-continue",
        table.get("status")->source()};
  if (status < 200 || status > 599)
    throw ConfigError{"a return status is 200 to 599", table.get("status")->source()};
  rule.status = static_cast<int>(status);
  rule.location = optional_value<std::string>(table, "location", "");
  const bool redirect = rule.status == 301 || rule.status == 302 || rule.status == 303 ||
                        rule.status == 307 || rule.status == 308;
  if (redirect && rule.location.empty())
    throw ConfigError{"a " + std::to_string(rule.status) + " return needs 'location'",
                      table.source()};
  if (const toml::node* body = table.get("body")) {
    auto text = body->value<std::string>();
    if (!text) throw ConfigError{"'body' has the wrong type", body->source()};
    rule.body = *text;
  }
  rule.content_type = optional_value<std::string>(table, "content_type", rule.content_type);
  if (const toml::node* headers = table.get("headers")) {
    if (!headers->is_table())
      throw ConfigError{"'headers' must be a table such as { \"Retry-After\" = \"120\" }",
                        headers->source()};
    for (auto&& [name, value] : *headers->as_table()) {
      auto text = value.value<std::string>();
      const std::string field(name.str());
      const bool token = !field.empty() && std::all_of(field.begin(), field.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
      });
      if (!text || !token || text->find_first_of("\r\n") != std::string::npos)
        throw ConfigError{"header '" + field + "' needs a field name and a one-line string",
                          value.source()};
      rule.headers.emplace_back(field, *text);
    }
  }
  for (auto&& [key, node] : table) {
    static constexpr std::string_view kKnown[] = {"path", "prefix",       "status", "location",
                                                  "body", "content_type", "headers"};
    if (std::find(std::begin(kKnown), std::end(kKnown), key.str()) == std::end(kKnown))
      throw ConfigError{"unknown return setting '" + std::string(key.str()) + "'", node.source()};
  }
  return rule;
}

}  // namespace

AcmeConfig read_acme(const toml::table& table, const std::filesystem::path& base, AcmeConfig acme) {
  for (auto&& [key, node] : table) {
    static constexpr std::string_view kKnown[] = {"directory",
                                                  "contact",
                                                  "state_dir",
                                                  "ca_bundle",
                                                  "resolver",
                                                  "renewal_window_ratio",
                                                  "renewal_check_interval"};
    if (std::find(std::begin(kKnown), std::end(kKnown), key.str()) == std::end(kKnown))
      throw ConfigError{"unknown acme setting '" + std::string(key.str()) + "'", node.source()};
  }
  acme.directory = optional_value<std::string>(table, "directory", acme.directory);
  if (!acme.directory.empty() && !acme.directory.starts_with("https://"))
    throw ConfigError{"the ACME directory is an https:// URL", table.get("directory")->source()};
  if (table.contains("contact")) acme.contact = string_list(table, "contact", "mailto: URLs");
  if (table.contains("state_dir"))
    acme.state_dir = base / required<std::string>(table, "state_dir", "acme");
  if (table.contains("ca_bundle"))
    acme.ca_bundle = base / required<std::string>(table, "ca_bundle", "acme");
  acme.resolver = optional_value<std::string>(table, "resolver", acme.resolver);
  if (const toml::node* ratio = table.get("renewal_window_ratio")) {
    auto value = ratio->value<double>();
    if (!value || *value <= 0 || *value > 1)
      throw ConfigError{"renewal_window_ratio is a number above 0 and at most 1", ratio->source()};
    acme.renewal_window_ratio = *value;
  }
  acme.renewal_check_interval =
      seconds(table, "renewal_check_interval", acme.renewal_check_interval);
  return acme;
}

SiteConfig read_site(const toml::table& table, const std::filesystem::path& base,
                     const std::optional<AcmeConfig>& acme_defaults) {
  SiteConfig site;
  const toml::node* names = table.get("names");
  if (!names || !names->is_array() || names->as_array()->empty())
    throw ConfigError{"a site needs 'names', a non-empty list of host names", table.source()};
  for (const std::string& name : string_list(table, "names", "host names")) {
    // What a Host field holds (RFC 9110 section 7.2, RFC 3986 section 3.2.2), and the ACME
    // client names its files after the first name: never a path.
    const bool host =
        name != "." && name != ".." && std::all_of(name.begin(), name.end(), [](char c) {
          const auto byte = static_cast<unsigned char>(c);
          return byte > 0x20 && byte < 0x7f && c != '/' && c != '\\';
        });
    if (!host)
      throw ConfigError{
          "site name '" + name + "' is not a host name (printable ASCII without spaces or slashes)",
          names->source()};
    site.names.push_back(to_lower(name));
  }
  if (table.contains("root")) site.root = base / required<std::string>(table, "root", "a site");
  if (table.contains("certificate") || table.contains("key")) {
    site.certificate_chain =
        base / required<std::string>(table, "certificate", "a site with a key");
    site.private_key = base / required<std::string>(table, "key", "a site with a certificate");
  }
  if (const toml::node* acme = table.get("acme")) {
    if (site.certificate_chain != std::filesystem::path())
      throw ConfigError{"a site has either 'certificate' and 'key' or 'acme'", acme->source()};
    AcmeConfig defaults = acme_defaults.value_or(AcmeConfig{});
    if (const toml::table* overrides = acme->as_table()) {
      site.acme = read_acme(*overrides, base, std::move(defaults));
    } else if (acme->value<bool>().value_or(false)) {
      if (!acme_defaults)
        throw ConfigError{"'acme = true' needs an [acme] table with the CA's directory",
                          acme->source()};
      site.acme = std::move(defaults);
    } else if (!acme->is_boolean()) {
      throw ConfigError{"'acme' is true or a table such as { directory = \"https://...\" }",
                        acme->source()};
    }
    if (site.acme) {
      if (site.acme->directory.empty())
        throw ConfigError{"acme needs 'directory', the CA's ACME directory URL", acme->source()};
      if (site.acme->state_dir.empty())
        throw ConfigError{"acme needs 'state_dir', where keys and certificates are kept",
                          acme->source()};
      if (site.acme->ca_bundle.empty())
        throw ConfigError{"acme needs 'ca_bundle', the root(s) that sign the CA's own HTTPS",
                          acme->source()};
      // The ACME client writes these; the TLS contexts load them once they exist.
      const std::filesystem::path folder = site.acme->state_dir / "certificates";
      site.certificate_chain = folder / (site.names.front() + ".chain.pem");
      site.private_key = folder / (site.names.front() + ".key");
    }
  }
  site.redirect_to_https = optional_value<bool>(table, "redirect_to_https", site.redirect_to_https);
  site.gzip = optional_value<bool>(table, "gzip", site.gzip);
  site.ocsp_stapling = optional_value<bool>(table, "ocsp_stapling", site.ocsp_stapling);
  if (table.contains("index")) {
    site.index_files = string_list(table, "index", "plain file names");
    for (const std::string& file : site.index_files)
      if (file.find('/') != std::string::npos)
        throw ConfigError{"index entries must be plain file names", table.get("index")->source()};
  }
  if (const toml::node* pages = table.get("error_pages")) {
    if (!pages->is_table())
      throw ConfigError{"'error_pages' must be a table such as { 404 = \"/errors/404.html\" }",
                        pages->source()};
    for (auto&& [key, value] : *pages->as_table()) {
      int status = 0;
      const std::string text(key.str());
      if (text.size() == 3 &&
          std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; }))
        status = std::stoi(text);
      if (status < 400 || status > 599)
        throw ConfigError{"error page key '" + text + "' is not a 4xx or 5xx status",
                          value.source()};
      auto path = value.value<std::string>();
      if (!path || !path->starts_with("/"))
        throw ConfigError{"an error page is a path under the root, starting with '/'",
                          value.source()};
      site.error_pages[status] = *path;
    }
  }
  if (const toml::node* proxy = table.get("proxy")) {
    const toml::array* routes = proxy->as_array();
    if (!routes || !routes->is_array_of_tables())
      throw ConfigError{"'proxy' must be written as [[site.proxy]]", proxy->source()};
    for (const toml::node& node : *routes) {
      const toml::table& route_table = *node.as_table();
      ProxyRoute route;
      route.prefix = required<std::string>(route_table, "prefix", "a proxy route");
      if (!route.prefix.starts_with("/"))
        throw ConfigError{"a proxy prefix starts with '/'", route_table.get("prefix")->source()};
      route.upstream = required<std::string>(route_table, "upstream", "a proxy route");
      site.proxies.push_back(std::move(route));
    }
  }
  if (const toml::node* returns = table.get("return")) {
    const toml::array* rules = returns->as_array();
    if (!rules || !rules->is_array_of_tables())
      throw ConfigError{"'return' must be written as [[site.return]]", returns->source()};
    for (const toml::node& node : *rules) site.returns.push_back(read_return(*node.as_table()));
  }
  if (const toml::node* early = table.get("early_hints")) {
    const toml::array* entries = early->as_array();
    if (!entries || !entries->is_array_of_tables())
      throw ConfigError{"'early_hints' must be written as [[site.early_hints]]", early->source()};
    for (const toml::node& node : *entries) {
      const toml::table& entry = *node.as_table();
      EarlyHints hints;
      hints.path = required<std::string>(entry, "path", "early hints");
      if (!hints.path.starts_with("/"))
        throw ConfigError{"an early-hints path starts with '/'", entry.get("path")->source()};
      hints.links =
          string_list(entry, "link", "Link header values such as \"</style.css>; rel=preload\"");
      if (hints.links.empty())
        throw ConfigError{"early hints need 'link', a list of Link values", entry.source()};
      for (const std::string& link : hints.links)
        if (link.empty() || link.find_first_of("\r\n") != std::string::npos)
          throw ConfigError{"a Link value is one non-empty line", entry.get("link")->source()};
      for (auto&& [key, value] : entry)
        if (key != "path" && key != "link")
          throw ConfigError{"unknown early-hints setting '" + std::string(key.str()) + "'",
                            value.source()};
      site.early_hints.push_back(std::move(hints));
    }
  }
  for (auto&& [key, node] : table) {
    static constexpr std::string_view kKnown[] = {
        "names",  "root",        "certificate",  "key",   "redirect_to_https",
        "gzip",   "index",       "error_pages",  "proxy", "acme",
        "return", "early_hints", "ocsp_stapling"};
    if (std::find(std::begin(kKnown), std::end(kKnown), key.str()) == std::end(kKnown))
      throw ConfigError{"unknown site setting '" + std::string(key.str()) + "'", node.source()};
  }
  return site;
}

}  // namespace miniweb::server::config_detail
