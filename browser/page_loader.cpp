#include "browser/page_loader.hpp"

#include "shared/atomic_file.hpp"

#include <asio/ssl.hpp>

#include <algorithm>
#include <array>
#include <fstream>
#include <map>

#include "browser/proxy_tunnel.hpp"
#include "shared/deadline.hpp"
#include "shared/http/gzip.hpp"
#include "shared/http/parser.hpp"
#include "shared/http/response_reader.hpp"
#include "shared/tls/openssl_ptr.hpp"

namespace miniweb::browser {
namespace {

using asio::ip::tcp;

std::string name_text(X509_NAME* name) {
  tls::BioPtr bio(BIO_new(BIO_s_mem()));
  X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253);
  char* data = nullptr;
  long length = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(length));
}

std::string time_text(const ASN1_TIME* time) {
  tls::BioPtr bio(BIO_new(BIO_s_mem()));
  ASN1_TIME_print(bio.get(), time);
  char* data = nullptr;
  long length = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(length));
}

std::string describe_certificate(X509* cert) {
  std::string names;
  tls::GeneralNamesPtr sans(
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr)));
  for (int i = 0; sans && i < sk_GENERAL_NAME_num(sans.get()); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(sans.get(), i);
    if (name->type != GEN_DNS) continue;
    const ASN1_STRING* dns = name->d.dNSName;
    names += (names.empty() ? "" : ", ") +
             std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(dns)),
                         ASN1_STRING_length(dns));
  }
  std::string text = "subject " + name_text(X509_get_subject_name(cert)) + "; issuer " +
                     name_text(X509_get_issuer_name(cert)) + "; valid " +
                     time_text(X509_get0_notBefore(cert)) + " to " +
                     time_text(X509_get0_notAfter(cert)) + "; signed with " +
                     OBJ_nid2ln(X509_get_signature_nid(cert));
  if (!names.empty()) text += "; names " + names;
  return text;
}

// How a browser names the reason it refused a certificate.
std::string browser_error_name(long verify_result) {
  switch (verify_result) {
    case X509_V_ERR_CERT_HAS_EXPIRED:
    case X509_V_ERR_CERT_NOT_YET_VALID:
      return "NET::ERR_CERT_DATE_INVALID";
    case X509_V_ERR_HOSTNAME_MISMATCH:
    case X509_V_ERR_IP_ADDRESS_MISMATCH:
      return "NET::ERR_CERT_COMMON_NAME_INVALID";
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
      return "NET::ERR_CERT_AUTHORITY_INVALID";
    case X509_V_ERR_CERT_REVOKED:
      return "NET::ERR_CERT_REVOKED";
    default:
      return "NET::ERR_CERT_INVALID";
  }
}

std::string dns_names(X509* cert) {
  std::string names;
  tls::GeneralNamesPtr sans(
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr)));
  for (int i = 0; sans && i < sk_GENERAL_NAME_num(sans.get()); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(sans.get(), i);
    if (name->type != GEN_DNS) continue;
    names += (names.empty() ? "" : ", ") +
             std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(name->d.dNSName)),
                         ASN1_STRING_length(name->d.dNSName));
  }
  return names.empty() ? "no DNS names" : names;
}

// What the verifier saw of the server's certificates, to explain a refusal as a browser's
// warning page does.
struct VerifyObservation {
  std::map<int, std::string> presented;  // by depth
  tls::X509Ptr leaf;
  tls::X509Ptr top;             // the last certificate the chain reached
  int sent_intermediates = -1;  // certificates the server sent besides its own
};

std::string explain_refusal(long result, const VerifyObservation& seen, const std::string& host) {
  X509* leaf = seen.leaf.get();
  X509* top = seen.top ? seen.top.get() : leaf;
  const std::string top_name = top ? name_text(X509_get_subject_name(top)) : "?";
  switch (result) {
    case X509_V_ERR_CERT_HAS_EXPIRED:
      return "expired: the certificate was valid until " +
             (leaf ? time_text(X509_get0_notAfter(leaf)) : "?");
    case X509_V_ERR_CERT_NOT_YET_VALID:
      return "not yet valid: the certificate is valid from " +
             (leaf ? time_text(X509_get0_notBefore(leaf)) : "?");
    case X509_V_ERR_HOSTNAME_MISMATCH:
    case X509_V_ERR_IP_ADDRESS_MISMATCH:
      return "wrong host: the certificate is for " + (leaf ? dns_names(leaf) : "?") + ", not " +
             host;
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
      return "self-signed: the certificate is signed by its own key and no trusted authority "
             "vouches for it";
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
      return "untrusted root: the chain ends at " + top_name + ", which is not a trusted root";
    case X509_V_ERR_CERT_REVOKED:
      return "revoked: the issuer's CRL lists this certificate";
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
      if (seen.sent_intermediates == 0 && leaf && X509_check_issued(leaf, leaf) != X509_V_OK)
        return "incomplete chain: the server sent its certificate without the intermediate that "
               "issued it (" +
               name_text(X509_get_issuer_name(leaf)) + ")";
      return "untrusted issuer: the chain leads to " +
             (top ? name_text(X509_get_issuer_name(top)) : "?") +
             ", which is not a trusted authority";
    default:
      return X509_verify_cert_error_string(result);
  }
}

// The first URI of the certificate's CRL distribution points (RFC 5280 section 4.2.1.13).
std::string crl_url_of(X509* cert) {
  using DistPointsPtr = std::unique_ptr<CRL_DIST_POINTS, tls::OpenSslDeleter<CRL_DIST_POINTS_free>>;
  DistPointsPtr points(static_cast<CRL_DIST_POINTS*>(
      X509_get_ext_d2i(cert, NID_crl_distribution_points, nullptr, nullptr)));
  for (int i = 0; points && i < sk_DIST_POINT_num(points.get()); ++i) {
    const DIST_POINT* point = sk_DIST_POINT_value(points.get(), i);
    if (!point->distpoint || point->distpoint->type != 0) continue;
    const GENERAL_NAMES* names = point->distpoint->name.fullname;
    for (int j = 0; j < sk_GENERAL_NAME_num(names); ++j) {
      const GENERAL_NAME* name = sk_GENERAL_NAME_value(names, j);
      if (name->type != GEN_URI) continue;
      const ASN1_STRING* uri = name->d.uniformResourceIdentifier;
      return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(uri)),
                         ASN1_STRING_length(uri));
    }
  }
  return "";
}

std::string revocation_reason(X509_REVOKED* entry) {
  static constexpr const char* kReasons[] = {
      "unspecified",   "keyCompromise",        "cACompromise",    "affiliationChanged",
      "superseded",    "cessationOfOperation", "certificateHold", "unused",
      "removeFromCRL", "privilegeWithdrawn",   "aACompromise"};
  using EnumeratedPtr = std::unique_ptr<ASN1_ENUMERATED, tls::OpenSslDeleter<ASN1_ENUMERATED_free>>;
  EnumeratedPtr reason(static_cast<ASN1_ENUMERATED*>(
      X509_REVOKED_get_ext_d2i(entry, NID_crl_reason, nullptr, nullptr)));
  long code = reason ? ASN1_ENUMERATED_get(reason.get()) : 0;
  return code >= 0 && code <= 10 ? kReasons[code] : "unknown";
}

std::string media_type_of(const http::Response& response) {
  std::string type(response.headers.get("Content-Type").value_or("application/octet-stream"));
  type = type.substr(0, type.find(';'));
  while (!type.empty() && type.back() == ' ') type.pop_back();
  std::transform(type.begin(), type.end(), type.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return type;
}

std::string seconds_text(std::chrono::milliseconds duration) {
  const auto ms = duration.count();
  return ms % 1000 == 0 ? std::to_string(ms / 1000) + " s" : std::to_string(ms) + " ms";
}

// Reads one response from `stream`, and words a failure as the browser reports it.
// `nothing_received` is set when the connection ended before any byte of a response.
template <class Stream>
asio::awaitable<Result<http::ReceivedResponse>> read_response(Stream& stream, std::string& buffer,
                                                              SocketDeadline& deadline,
                                                              const LoaderOptions& options,
                                                              const std::string& method,
                                                              bool& nothing_received) {
  deadline.arm(options.io_timeout);
  const http::ResponseLimits limits{.max_head_bytes = 65536,
                                    .max_body_bytes = options.max_body_bytes};
  auto received = co_await http::read_response(stream, buffer, deadline, method, limits);
  if (received) co_return received;
  const std::string& why = received.error().message;
  switch (http::failure_of(received.error())) {
    case http::ResponseFailure::TimedOut:
      co_return make_error("timed out: the response did not come within " +
                               seconds_text(options.io_timeout) + " (--timeout)",
                           exit_code::kTimeout);
    case http::ResponseFailure::NoResponse:
      nothing_received = true;
      co_return make_error("the server closed the connection without answering",
                           exit_code::kReceive);
    case http::ResponseFailure::CutShort:
      co_return make_error("reading the response failed: " + why, exit_code::kReceive);
    case http::ResponseFailure::TooLarge:
      co_return make_error("the response is too large: " + why, exit_code::kBadResponse);
    case http::ResponseFailure::Malformed:
      break;
  }
  co_return make_error("malformed response: " + why, exit_code::kBadResponse);
}

}  // namespace

PageLoader::PageLoader(HostResolver& resolver, LoaderOptions options)
    : resolver_(resolver),
      options_(std::move(options)),
      hsts_(options_.profile_dir),
      cookies_(options_.profile_dir),
      pool_(options_.idle_timeout) {}

asio::awaitable<Result<Page>> PageLoader::load(Url url, Trace& trace) {
  std::vector<std::string> visited;
  for (int redirects = 0;; ++redirects) {
    // RFC 6797 section 8.3: a known HSTS host is never asked over plain HTTP.
    if (url.scheme == "http" && hsts_.requires_https(url.host, std::time(nullptr))) {
      std::size_t step = trace.begin("hsts", "http:// upgraded to https://");
      url.scheme = "https";
      if (url.port == 80) url.port.reset();
      trace.finish(step, url.host + " asked for HTTPS only (Strict-Transport-Security)");
    }
    if (std::find(visited.begin(), visited.end(), url.to_string()) != visited.end())
      co_return make_error("redirect loop: " + url.to_string() + " redirects back to itself",
                           exit_code::kTooManyRedirects);
    visited.push_back(url.to_string());
    const std::string cookie_header = cookies_.header_for(url, std::time(nullptr));
    if (!cookie_header.empty()) {
      // The values appear once, in the request's Cookie header below: not twice in the trace.
      const auto count = 1 + std::count(cookie_header.begin(), cookie_header.end(), ';');
      std::size_t step = trace.begin("cookie", "send to " + url.host);
      trace.finish(step, std::to_string(count) + (count == 1 ? " cookie" : " cookies") +
                             " for this URL, in the request's Cookie header");
    }
    auto page = co_await fetch(url, cookie_header, trace);
    if (!page) co_return page;
    // RFC 6265 section 5.3: every Set-Cookie of every response, redirects included.
    for (std::string_view set_cookie : page->response.headers.get_all("Set-Cookie")) {
      std::size_t step = trace.begin("cookie", "Set-Cookie from " + url.host);
      auto stored = cookies_.set(url, set_cookie, std::time(nullptr));
      trace.finish(step, stored ? *stored : "refused: " + stored.error().message);
    }
    // Only a response over a verified connection may set HSTS (section 8.1).
    if (url.scheme == "https" && page->insecure_warning.empty())
      if (auto sts = page->response.headers.get("Strict-Transport-Security"))
        hsts_.note(url.host, *sts, std::time(nullptr));
    const int status = page->response.status;
    auto location = page->response.headers.get("Location");
    if (!(status == 301 || status == 302 || status == 303 || status == 307 || status == 308) ||
        !location)
      co_return page;
    if (redirects == options_.max_redirects)
      co_return make_error("more than " + std::to_string(options_.max_redirects) + " redirects",
                           exit_code::kTooManyRedirects);
    auto next = url.resolve(*location);
    if (!next)
      co_return make_error("the redirect to '" + std::string(*location) +
                               "' is not a URL we can follow: " + next.error().message,
                           exit_code::kBadResponse);
    std::size_t step = trace.begin("http", "redirect " + std::to_string(status));
    trace.finish(step, "to " + next->to_string());
    url = std::move(*next);
  }
}

namespace {

// Where a CRL is kept in the profile: one DER file per URL.
std::filesystem::path crl_cache_file(const std::filesystem::path& profile, const std::string& url) {
  std::string name = url;
  for (char& c : name)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-') c = '_';
  return profile / "crl" / (name + ".der");
}

bool crl_is_current(X509_CRL* crl) {
  const ASN1_TIME* next = X509_CRL_get0_nextUpdate(crl);
  return next && X509_cmp_current_time(next) > 0;
}

// Only a CRL signed by the certificate's own issuer may be believed.
bool crl_signed_by(X509_CRL* crl, X509* issuer) {
  return X509_NAME_cmp(X509_CRL_get_issuer(crl), X509_get_subject_name(issuer)) == 0 &&
         X509_CRL_verify(crl, X509_get0_pubkey(issuer)) == 1;
}

tls::X509CrlPtr parse_crl(const std::string& der_text) {
  const auto* der = reinterpret_cast<const unsigned char*>(der_text.data());
  return tls::X509CrlPtr(d2i_X509_CRL(nullptr, &der, static_cast<long>(der_text.size())));
}

}  // namespace

asio::awaitable<Result<X509_CRL*>> PageLoader::crl_for(const std::string& url_text, X509* issuer,
                                                       Trace& trace) {
  if (auto it = crls_.find(url_text); it != crls_.end()) {
    if (crl_is_current(it->second.crl.get())) co_return it->second.crl.get();
    crls_.erase(it);  // stale: fetch it again
  }
  // The profile keeps CRLs between runs, until their nextUpdate.
  if (!options_.profile_dir.empty()) {
    std::ifstream in(crl_cache_file(options_.profile_dir, url_text), std::ios::binary);
    std::string der((std::istreambuf_iterator<char>(in)), {});
    if (tls::X509CrlPtr cached = parse_crl(der);
        cached && crl_is_current(cached.get()) && crl_signed_by(cached.get(), issuer)) {
      std::size_t step = trace.begin("crl", "CRL " + url_text + " from the profile cache");
      trace.finish(step, "current until " + time_text(X509_CRL_get0_nextUpdate(cached.get())));
      X509_CRL* raw = cached.get();
      crls_[url_text] = CachedCrl{std::move(cached)};
      co_return raw;
    }
  }
  auto url = Url::parse(url_text);
  if (!url || url->scheme != "http")
    co_return make_error("the CRL URL " + url_text + " is not an http URL");
  std::size_t step = trace.begin("crl", "fetch the CRL " + url_text);
  const std::string no_cookies;  // browsers send no cookies with revocation checks
  auto page = co_await fetch(*url, no_cookies, trace);
  if (!page) co_return make_error("cannot fetch the CRL " + url_text + ": " + page.error().message);
  if (page->response.status != 200)
    co_return make_error("the CRL " + url_text + " answered " +
                         std::to_string(page->response.status));
  tls::X509CrlPtr crl = parse_crl(page->response.body);
  if (!crl) co_return make_error("the CRL " + url_text + " is not a DER CRL");
  if (!crl_signed_by(crl.get(), issuer))
    co_return make_error("the CRL " + url_text + " is not signed by the certificate's issuer");
  if (!crl_is_current(crl.get())) co_return make_error("the CRL " + url_text + " is out of date");
  trace.finish(step, "signed by " + name_text(X509_get_subject_name(issuer)) + ", next update " +
                         time_text(X509_CRL_get0_nextUpdate(crl.get())));
  if (!options_.profile_dir.empty()) {
    const auto file = crl_cache_file(options_.profile_dir, url_text);
    (void)write_file_atomically(file, page->response.body, kPublicFileMode, Durability::CacheOnly);
  }
  X509_CRL* raw = crl.get();
  crls_[url_text] = CachedCrl{std::move(crl)};
  co_return raw;
}

asio::awaitable<Result<std::string>> PageLoader::check_revocation(SSL* ssl, Trace& trace) {
  STACK_OF(X509)* chain = SSL_get0_verified_chain(ssl);
  if (!chain || sk_X509_num(chain) < 2)
    co_return std::string("not checked (no issuer in the chain)");
  X509* leaf = sk_X509_value(chain, 0);
  X509* issuer = sk_X509_value(chain, 1);
  const std::string url = crl_url_of(leaf);
  if (url.empty()) co_return std::string("not checked (the certificate names no CRL)");
  auto crl = co_await crl_for(url, issuer, trace);
  if (!crl) co_return "unknown, " + crl.error().message + " (accepted, as browsers soft-fail)";
  X509_REVOKED* entry = nullptr;
  if (X509_CRL_get0_by_serial(*crl, &entry, X509_get0_serialNumber(leaf)) == 1 && entry) {
    co_return make_error("the CRL of " + name_text(X509_get_subject_name(issuer)) +
                         " lists this certificate since " +
                         time_text(X509_REVOKED_get0_revocationDate(entry)) + " (reason " +
                         revocation_reason(entry) + ")");
  }
  co_return "good, not listed in " + url;
}

std::string PageLoader::origin_key(const Url& url) const {
  const Url* proxy = proxy_for(url);
  return url.scheme + "://" + url.host_for_header() +
         (proxy ? " via " + proxy->host_for_header() : "");
}

const Url* PageLoader::proxy_for(const Url& url) const {
  const std::optional<Url>& proxy =
      url.scheme == "https" ? options_.https_proxy : options_.http_proxy;
  if (!proxy) return nullptr;
  // no_proxy: a host, or a domain whose subdomains go direct too, as curl reads it.
  for (const std::string& entry : options_.no_proxy) {
    if (entry == "*") return nullptr;
    std::string_view domain = entry;
    if (domain.starts_with('.')) domain.remove_prefix(1);
    if (url.host == domain || (url.host.size() > domain.size() && url.host.ends_with(domain) &&
                               url.host[url.host.size() - domain.size() - 1] == '.'))
      return nullptr;
  }
  return &*proxy;
}

asio::awaitable<Result<std::unique_ptr<Connection>>> PageLoader::open_connection(const Url& url,
                                                                                 Trace& trace) {
  const Url* proxy = proxy_for(url);
  const Url& first_hop = proxy ? *proxy : url;
  auto resolved = co_await resolver_.resolve(first_hop.host, trace);
  if (!resolved) co_return resolved.error();
  std::uint16_t port = first_hop.effective_port();
  std::uint16_t origin_port = url.effective_port();
  if (!url.port && url.scheme == "https" && resolved->https_port && !proxy)
    port = origin_port = *resolved->https_port;

  // TCP: the kernel does the three-way handshake; we measure it.
  auto executor = co_await asio::this_coro::executor;
  auto connection = std::make_unique<Connection>(executor);
  connection->watch();
  SocketDeadline& deadline = *connection->deadline;
  tcp::socket& socket = connection->socket;
  const int number = pool_.next_number();
  connection->number = number;

  std::string connect_errors;
  bool connected = false;
  for (const asio::ip::address& address : resolved->addresses) {
    tcp::endpoint endpoint(address, port);
    std::size_t step = trace.begin("tcp", "connect to " + std::string(proxy ? "the proxy " : "") +
                                              address.to_string() + ":" + std::to_string(port));
    deadline.arm(options_.connect_timeout);
    std::error_code ignored;
    socket.close(ignored);
    auto [ec] = co_await socket.async_connect(endpoint, use_tuple);
    if (!ec) {
      // As curl and browsers do: a request written just after the TLS handshake would
      // otherwise wait, under Nagle's algorithm, for the server's delayed ACK of our
      // Finished message (40 ms on Linux).
      socket.set_option(tcp::no_delay(true), ignored);
      auto local = socket.local_endpoint(ignored);
      trace.finish(step, "connection #" + std::to_string(number) + " from " +
                             local.address().to_string() + ":" + std::to_string(local.port()) +
                             " (SYN, SYN-ACK, ACK)");
      connection->peer =
          first_hop.host + " (" + address.to_string() + ":" + std::to_string(port) + ")";
      connected = true;
      break;
    }
    std::string why = deadline.expired() ? "timed out" : ec.message();
    trace.finish(step, "failed: " + why);
    connect_errors += (connect_errors.empty() ? "" : "; ") + endpoint.address().to_string() + ":" +
                      std::to_string(port) + " " + why;
  }
  if (!connected)
    co_return make_error(
        std::string(proxy ? "cannot connect to the proxy " : "cannot connect to ") +
            first_hop.host + ": " + connect_errors,
        exit_code::kConnect);

  if (proxy && url.scheme == "https") {
    const bool ipv6 = url.host.find(':') != std::string::npos;
    const std::string authority =
        (ipv6 ? "[" + url.host + "]" : url.host) + ":" + std::to_string(origin_port);
    std::size_t step =
        trace.begin("proxy", "CONNECT " + authority + " HTTP/1.1 to " + proxy->host_for_header());
    deadline.arm(options_.io_timeout);
    auto tunnel = co_await open_tunnel(socket, deadline, authority, options_.user_agent);
    if (!tunnel) {
      trace.finish(step, "failed: " + tunnel.error().message);
      if (deadline.expired())
        co_return make_error("timed out: " + tunnel.error().message + " (" +
                                 seconds_text(options_.io_timeout) + ", --timeout)",
                             exit_code::kTimeout);
      co_return make_error(tunnel.error().message, exit_code::kReceive);
    }
    trace.finish(step, "tunnel open (" + *tunnel + "); TLS runs inside it, end to end");
  } else if (proxy) {
    std::size_t step = trace.begin("proxy", "through " + proxy->host_for_header());
    trace.finish(step, "plain http: the request names the absolute URL");
  }

  if (url.scheme != "https") co_return std::move(connection);

  connection->tls_context = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_client);
  asio::ssl::context& context = *connection->tls_context;
  SSL_CTX_set_min_proto_version(context.native_handle(), TLS1_2_VERSION);
  std::error_code ec;
  context.load_verify_file(options_.ca_file.string(), ec);
  if (ec)
    co_return make_error(
        "cannot load the trusted CA file " + options_.ca_file.string() + ": " + ec.message(),
        exit_code::kCertificate);
  context.set_verify_mode(asio::ssl::verify_peer);
  connection->tls = std::make_unique<asio::ssl::stream<tcp::socket&>>(socket, context);
  auto& stream = *connection->tls;
  SSL* ssl = stream.native_handle();
  SSL_set_tlsext_host_name(ssl, url.host.c_str());  // SNI (RFC 6066 section 3)
  SSL_set1_host(ssl, url.host.c_str());             // name check (RFC 6125), as browsers do
  SSL_set_hostflags(ssl, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
  static constexpr unsigned char kAlpn[] = {8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
  SSL_set_alpn_protos(ssl, kAlpn, sizeof kAlpn);

  VerifyObservation seen;
  stream.set_verify_callback([&](bool preverified, asio::ssl::verify_context& verify) {
    X509_STORE_CTX* store = verify.native_handle();
    if (X509* cert = X509_STORE_CTX_get_current_cert(store)) {
      const int depth = X509_STORE_CTX_get_error_depth(store);
      seen.presented.emplace(depth, describe_certificate(cert));
      X509_up_ref(cert);
      tls::X509Ptr held(cert);
      if (depth == 0 && !seen.leaf) {
        X509_up_ref(cert);
        seen.leaf.reset(cert);
      }
      seen.top = std::move(held);
    }
    if (seen.sent_intermediates < 0)
      if (STACK_OF(X509)* sent = X509_STORE_CTX_get0_untrusted(store))
        seen.sent_intermediates = sk_X509_num(sent) - 1;
    // --insecure: carry on, but the verdict is still shown on every page.
    return preverified || options_.insecure;
  });

  std::size_t step = trace.begin("tls", "handshake with " + url.host + " (SNI), ALPN http/1.1");
  deadline.arm(options_.io_timeout);
  auto [handshake_error] =
      co_await stream.async_handshake(asio::ssl::stream_base::client, use_tuple);
  // The callback refers to this frame's `seen`; later renegotiation is not expected.
  stream.set_verify_callback(
      [insecure = options_.insecure](bool preverified, asio::ssl::verify_context&) {
        return preverified || insecure;
      });
  for (const auto& [depth, text] : seen.presented)
    trace.detail(step, "certificate " + std::to_string(depth) + ": " + text);
  const long verify_result = SSL_get_verify_result(ssl);
  if (verify_result != X509_V_OK) {
    const std::string reason = explain_refusal(verify_result, seen, url.host);
    trace.detail(step, "verification: FAILED, " + reason);
    if (!options_.insecure || handshake_error) {
      trace.finish(step, "refused: " + browser_error_name(verify_result));
      co_return make_error(browser_error_name(verify_result) + ": the certificate of " + url.host +
                               " is not trusted: " + reason,
                           exit_code::kCertificate);
    }
    connection->insecure_warning = "INSECURE: --insecure is on and the certificate of " + url.host +
                                   " failed verification (" + browser_error_name(verify_result) +
                                   ": " + reason + ")";
  }
  if (handshake_error) {
    std::string why = deadline.expired() ? "timed out" : handshake_error.message();
    trace.finish(step, "failed: " + why);
    co_return make_error("TLS handshake with " + url.host + " failed: " + why,
                         exit_code::kTlsHandshake);
  }
  const unsigned char* alpn = nullptr;
  unsigned int alpn_length = 0;
  SSL_get0_alpn_selected(ssl, &alpn, &alpn_length);
  std::string root_name = "the trusted root";
  if (STACK_OF(X509)* chain = SSL_get0_verified_chain(ssl); chain && sk_X509_num(chain) > 0)
    root_name = name_text(X509_get_subject_name(sk_X509_value(chain, sk_X509_num(chain) - 1)));
  if (verify_result == X509_V_OK) {
    trace.detail(step,
                 "verification: OK, chain to " + root_name + ", name " + url.host + " matches");
    auto revocation = co_await check_revocation(ssl, trace);
    if (!revocation) {
      trace.detail(step, "revocation: REVOKED, " + revocation.error().message);
      trace.finish(step, "refused: NET::ERR_CERT_REVOKED");
      co_return make_error("NET::ERR_CERT_REVOKED: the certificate of " + url.host +
                               " is not trusted: revoked: " + revocation.error().message,
                           exit_code::kCertificate);
    }
    trace.detail(step, "revocation: " + *revocation);
  }
  const char* group = SSL_group_to_name(ssl, SSL_get_negotiated_group(ssl));
  trace.finish(
      step,
      std::string(SSL_get_version(ssl)) + ", " + SSL_get_cipher_name(ssl) + ", key exchange " +
          (group ? group : "unknown") + ", ALPN " +
          (alpn_length ? std::string(reinterpret_cast<const char*>(alpn), alpn_length) : "none") +
          (SSL_session_reused(ssl) ? ", resumed" : ""));
  co_return std::move(connection);
}

namespace {

// One request and its response on `stream`. `nothing_received` tells a connection the server
// had already closed (no byte of a response) from a failure during the response.
template <class Stream>
asio::awaitable<Result<http::ReceivedResponse>> send_and_receive(
    Stream& stream, Connection& connection, const http::Request& request, const Url& url,
    const LoaderOptions& options, Trace& trace, bool& nothing_received) {
  std::size_t step = trace.begin("http", "request " + request.method + " " + url.to_string());
  const std::string wire = request.serialize();
  for (const auto& [name, value] : request.headers) trace.detail(step, "> " + name + ": " + value);
  connection.deadline->arm(options.io_timeout);
  auto [ec, n] = co_await asio::async_write(stream, asio::buffer(wire), use_tuple);
  if (ec) {
    trace.finish(step, "failed: " + ec.message());
    nothing_received = true;
    co_return make_error("cannot send the request: " + ec.message(), exit_code::kReceive);
  }
  trace.finish(step, "> " + request.method + " " + request.target + " HTTP/1.1 (" +
                         std::to_string(n) + " bytes) on connection #" +
                         std::to_string(connection.number));
  step = trace.begin("http", "response");
  auto received = co_await read_response(stream, connection.buffer, *connection.deadline, options,
                                         request.method, nothing_received);
  if (!received) {
    trace.finish(step, "failed: " + received.error().message);
    co_return received;
  }
  for (const http::Response& early : received->interim) {
    trace.detail(step, "< HTTP/1." + std::to_string(early.version_minor) + " " +
                           std::to_string(early.status) + " " + early.reason +
                           " (interim, RFC 9110 section 15.2)");
    for (const auto& [name, value] : early.headers)
      trace.detail(step, "<   " + name + ": " + value);
  }
  const http::Response& response = received->response;
  for (const auto& [name, value] : response.headers) trace.detail(step, "< " + name + ": " + value);
  trace.finish(step, "< HTTP/1." + std::to_string(response.version_minor) + " " +
                         std::to_string(response.status) + " " + response.reason + " (" +
                         std::to_string(response.body.size()) + " body bytes)");
  co_return received;
}

}  // namespace

asio::awaitable<Result<http::ReceivedResponse>> PageLoader::exchange(Connection& connection,
                                                                     const http::Request& request,
                                                                     const Url& url, Trace& trace,
                                                                     bool& nothing_received) {
  ++connection.requests;
  if (connection.tls)
    co_return co_await send_and_receive(*connection.tls, connection, request, url, options_, trace,
                                        nothing_received);
  co_return co_await send_and_receive(connection.socket, connection, request, url, options_, trace,
                                      nothing_received);
}

asio::awaitable<void> PageLoader::close(Connection& connection, Trace& trace) {
  if (connection.tls) {
    std::size_t step = trace.begin("close", "connection #" + std::to_string(connection.number) +
                                                ": TLS close_notify, then TCP FIN");
    connection.deadline->arm(std::chrono::seconds(1));
    auto [shutdown_error] = co_await connection.tls->async_shutdown(use_tuple);
    trace.finish(step,
                 shutdown_error ? "closed (" + shutdown_error.message() + ")" : "closed cleanly");
  } else {
    std::size_t step =
        trace.begin("close", "connection #" + std::to_string(connection.number) + ": TCP FIN");
    trace.finish(step, "closed");
  }
  std::error_code ignored;
  connection.socket.shutdown(tcp::socket::shutdown_both, ignored);
  connection.socket.close(ignored);
}

asio::awaitable<void> PageLoader::close_idle_connections(Trace& trace) {
  for (std::unique_ptr<Connection>& connection : pool_.take_all())
    co_await close(*connection, trace);
}

asio::awaitable<Result<Page>> PageLoader::fetch(const Url& url, const std::string& cookie_header,
                                                Trace& trace) {
  const std::string origin = origin_key(url);
  const Url* proxy = proxy_for(url);
  http::Request request;
  request.method = "GET";
  // Through a proxy, plain http names the whole URL (RFC 9112 section 3.2.2).
  request.target = proxy && url.scheme == "http"
                       ? url.scheme + "://" + url.host_for_header() + url.request_target()
                       : url.request_target();
  request.headers.add("Host", url.host_for_header());
  request.headers.add("User-Agent", options_.user_agent);
  request.headers.add("Accept", "text/html,application/xhtml+xml,text/plain;q=0.9,*/*;q=0.8");
  request.headers.add("Accept-Encoding", "gzip");
  if (!cookie_header.empty()) request.headers.add("Cookie", cookie_header);

  Result<http::ReceivedResponse> received = make_error("not fetched");
  std::unique_ptr<Connection> connection;
  for (int attempt = 0; attempt < 2; ++attempt) {
    connection = pool_.take(origin);
    const bool reused = connection != nullptr;
    if (reused) {
      const auto idle = std::chrono::duration_cast<std::chrono::milliseconds>(
          Connection::Clock::now() - connection->idle_since);
      std::size_t step =
          trace.begin("tcp", "reusing connection #" + std::to_string(connection->number) + " to " +
                                 connection->peer);
      trace.finish(step, "kept alive, idle " + std::to_string(idle.count()) + " ms, " +
                             std::to_string(connection->requests) + " request(s) before");
    } else {
      auto opened = co_await open_connection(url, trace);
      if (!opened) co_return opened.error();
      connection = std::move(*opened);
    }
    bool nothing_received = false;
    received = co_await exchange(*connection, request, url, trace, nothing_received);
    if (received || !reused || !nothing_received) break;
    // The server closed the idle connection as the request went out. A GET is idempotent
    // (RFC 9110 section 9.2.2), so it is sent again on a new connection, once, as curl does.
    std::size_t step = trace.begin("tcp", "connection #" + std::to_string(connection->number) +
                                              " was closed by the server before answering");
    trace.finish(step, "retrying on a new connection");
    connection.reset();
  }
  if (!received) co_return received.error();
  const std::string insecure_warning = connection->insecure_warning;
  if (received->reusable) {
    std::size_t step =
        trace.begin("keep", "connection #" + std::to_string(connection->number) + " left open");
    trace.finish(step, "for the next request to " + origin);
    pool_.give_back(origin, std::move(connection));
  } else {
    co_await close(*connection, trace);
  }

  Page page{url, std::move(received->response), "", insecure_warning};
  page.media_type = media_type_of(page.response);
  if (http::iequals(page.response.headers.get("Content-Encoding").value_or(""), "gzip")) {
    auto plain = http::gzip_decompress(page.response.body, options_.max_body_bytes);
    if (!plain) {
      if (plain.error().code == 413)
        co_return make_error("the gzip body expands beyond " +
                                 std::to_string(options_.max_body_bytes >> 20) +
                                 " MiB; refused (a compression bomb?)",
                             exit_code::kBadResponse);
      co_return make_error("the gzip body is broken: " + plain.error().message,
                           exit_code::kBadResponse);
    }
    page.response.body = std::move(*plain);
  }
  co_return page;
}

}  // namespace miniweb::browser
