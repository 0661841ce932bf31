#include "ca/acme/service.hpp"

#include <openssl/rand.h>

#include <algorithm>
#include <iostream>

#include "shared/awaitable.hpp"

namespace miniweb::ca::acme {

namespace {

constexpr std::size_t kMaxIdentifiers = kMaxNamesPerCertificate;
constexpr int kCrlDays = 7;
constexpr std::time_t kCrlRefreshSeconds = 3600;

std::string random_b64(std::size_t octets) {
  std::string bytes(octets, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(bytes.data()), static_cast<int>(octets)) != 1) {
    throw std::runtime_error("RAND_bytes failed");  // the CSPRNG failing is not recoverable
  }
  return base64url_encode(bytes);
}

// The part of a request target before any query.
std::string target_path(const std::string& target) {
  return target.substr(0, target.find('?'));
}

// A Host header we are willing to echo into URLs: host name or address, optional port.
bool plausible_host(std::string_view host) {
  if (host.empty() || host.size() > 300) return false;
  return std::all_of(host.begin(), host.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '.' || c == '-' || c == ':' || c == '[' || c == ']';
  });
}

// "/order/ID" -> "ID" when `path` starts with `prefix` and the rest has no slash.
std::optional<std::string> id_after(const std::string& path, std::string_view prefix,
                                    std::string_view suffix = "") {
  if (path.size() <= prefix.size() + suffix.size() || path.compare(0, prefix.size(), prefix) != 0 ||
      path.compare(path.size() - suffix.size(), suffix.size(), suffix) != 0) {
    return std::nullopt;
  }
  std::string id = path.substr(prefix.size(), path.size() - prefix.size() - suffix.size());
  if (id.find('/') != std::string::npos) return std::nullopt;
  return id;
}

http::Response plain(int status, std::string content_type, std::string body) {
  http::Response response;
  response.status = status;
  response.reason = std::string(http::reason_phrase(status));
  response.headers.set("Content-Type", std::move(content_type));
  response.body = std::move(body);
  return response;
}

std::string der_of(X509* certificate) {
  unsigned char* der = nullptr;
  const int length = i2d_X509(certificate, &der);
  if (length <= 0) return {};
  std::string out(reinterpret_cast<char*>(der), static_cast<std::size_t>(length));
  OPENSSL_free(der);
  return out;
}

Problem malformed(std::string detail) {
  return Problem{"malformed", std::move(detail), 400};
}
Problem unauthorized(std::string detail) {
  return Problem{"unauthorized", std::move(detail), 403};
}
Problem not_found(std::string what) {
  return Problem{"malformed", what + " not found", 404};
}

}  // namespace

std::string key_authorization(const std::string& token, const std::string& thumbprint) {
  return token + "." + thumbprint;
}

Service::Service(Authority& authority, ServiceConfig config, asio::any_io_executor executor)
    : authority_(authority), config_(std::move(config)), executor_(std::move(executor)) {}

// --- framing of ACME responses -----------------------------------------------------------

http::Response Service::json(int status, const nlohmann::json& body, const std::string& base) {
  http::Response response = plain(status, "application/json", body.dump(2) + "\n");
  response.headers.add("Link", "<" + base + "/directory>;rel=\"index\"");
  return response;
}

http::Response Service::problem(const Problem& p, const std::string& base) {
  nlohmann::json body = {
      {"type", std::string(kErrorNamespace) + p.type}, {"detail", p.detail}, {"status", p.status}};
  http::Response response = plain(p.status, "application/problem+json", body.dump(2) + "\n");
  response.headers.add("Link", "<" + base + "/directory>;rel=\"index\"");
  return response;
}

std::string Service::make_nonce() {
  std::string nonce = random_b64(16);
  nonces_.insert(nonce);
  nonce_order_.push_back(nonce);
  while (nonce_order_.size() > config_.max_nonces) {
    nonces_.erase(nonce_order_.front());
    nonce_order_.pop_front();
  }
  return nonce;
}

bool Service::consume_nonce(const std::string& nonce) {
  // RFC 8555 §6.5: each nonce is good for one request. The deque keeps a stale entry until it
  // ages out; erasing from the set is what makes the nonce unusable.
  return nonces_.erase(nonce) == 1;
}

std::string Service::random_id() const {
  return random_b64(12);
}

// --- dispatch -------------------------------------------------------------------------------

http::Response Service::handle(const http::Request& request) {
  const auto host = request.headers.get("Host");
  if (!host || !plausible_host(*host)) {
    return problem(malformed("request needs a Host header"), "");
  }
  const std::string base = "https://" + std::string(*host);
  const std::string path = target_path(request.target);

  if (path == "/" || path == "/directory") {
    if (request.method != "GET" && request.method != "HEAD") {
      http::Response r = problem(Problem{"malformed", "use GET for the directory", 405}, base);
      r.headers.set("Allow", "GET, HEAD");
      return r;
    }
    return directory(base);
  }
  if (path == "/new-nonce") return new_nonce(request, base);

  http::Response response = [&]() -> http::Response {
    if (request.method != "POST") {
      http::Response r = problem(
          Problem{"malformed", "ACME resources take POST (RFC 8555 §6.3); use POST-as-GET", 405},
          base);
      r.headers.set("Allow", "POST");
      return r;
    }
    // RFC 8555 §6.2: the body is a JWS in flattened JSON, typed application/jose+json.
    std::string content_type(request.headers.get("Content-Type").value_or(""));
    content_type = content_type.substr(0, content_type.find(';'));
    while (!content_type.empty() && content_type.back() == ' ') content_type.pop_back();
    if (!http::iequals(content_type, "application/jose+json")) {
      return problem(Problem{"malformed", "Content-Type must be application/jose+json", 415}, base);
    }
    auto parsed = parse_jws(request.body);
    if (auto* error = std::get_if<JwsError>(&parsed)) {
      const char* type = error->failure == JwsFailure::bad_signature_algorithm
                             ? "badSignatureAlgorithm"
                         : error->failure == JwsFailure::bad_public_key ? "badPublicKey"
                                                                        : "malformed";
      return problem(Problem{type, error->detail, 400}, base);
    }
    Post post;
    post.base = base;
    post.path = path;
    post.jws = std::move(std::get<Jws>(parsed));
    // RFC 8555 §6.4: the signed URL must be the one requested.
    if (post.jws.url != base + request.target) {
      return problem(unauthorized("JWS url '" + post.jws.url + "' is not the request URL '" + base +
                                  request.target + "'"),
                     base);
    }
    // RFC 8555 §6.5: a nonce we issued and that has not been used.
    if (!consume_nonce(post.jws.nonce)) {
      return problem(Problem{"badNonce", "JWS nonce is unknown or already used", 400}, base);
    }
    const bool wants_jwk = path == "/new-account" || path == "/revoke-cert";
    EVP_PKEY* key = nullptr;
    if (post.jws.jwk) {
      if (!wants_jwk) {
        return problem(malformed("this request must be signed with the account's kid, not a jwk"),
                       base);
      }
      auto converted = jwk_to_key(*post.jws.jwk);
      if (auto* error = std::get_if<JwsError>(&converted)) {
        return problem(Problem{"badPublicKey", error->detail, 400}, base);
      }
      post.jwk_key =
          std::shared_ptr<EVP_PKEY>(std::get<tls::EvpPkeyPtr>(converted).release(), EVP_PKEY_free);
      key = post.jwk_key.get();
    } else {
      if (path == "/new-account") {
        return problem(malformed("newAccount must be signed with a jwk, not a kid"), base);
      }
      const std::string prefix = base + "/account/";
      auto it = post.jws.kid->compare(0, prefix.size(), prefix) == 0
                    ? accounts_.find(post.jws.kid->substr(prefix.size()))
                    : accounts_.end();
      if (it == accounts_.end()) {
        return problem(Problem{"accountDoesNotExist", "no account " + *post.jws.kid, 400}, base);
      }
      post.account = &it->second;
      key = post.account->key.get();
    }
    if (auto error = verify_jws(post.jws, key)) {
      const char* type = error->failure == JwsFailure::bad_signature_algorithm
                             ? "badSignatureAlgorithm"
                             : "malformed";
      return problem(Problem{type, error->detail, 400}, base);
    }
    if (post.account && post.account->status != "valid") {
      return problem(unauthorized("account " + post.account->id + " is " + post.account->status),
                     base);
    }
    if (post.jws.payload.empty()) {
      post.as_get = true;  // RFC 8555 §6.3 POST-as-GET
    } else {
      post.payload = nlohmann::json::parse(post.jws.payload, nullptr, false);
      if (post.payload.is_discarded() || !post.payload.is_object()) {
        return problem(malformed("JWS payload is not a JSON object"), base);
      }
    }

    if (path == "/new-account") return new_account(post);
    if (path == "/new-order") return new_order(post);
    if (path == "/revoke-cert") return revoke(post);
    if (auto id = id_after(path, "/account/", "/orders")) {
      if (post.account->id != *id) return problem(unauthorized("not your account"), base);
      nlohmann::json urls = nlohmann::json::array();
      for (const auto& order_id : post.account->orders) urls.push_back(base + "/order/" + order_id);
      return json(200, nlohmann::json{{"orders", urls}}, base);
    }
    if (auto id = id_after(path, "/account/")) return account(post, *id);
    if (auto id = id_after(path, "/order/", "/finalize")) return finalize(post, *id);
    if (auto id = id_after(path, "/order/")) return order(post, *id);
    if (auto id = id_after(path, "/authz/")) return authorization(post, *id);
    if (auto id = id_after(path, "/challenge/")) return challenge(post, *id);
    if (auto id = id_after(path, "/certificate/")) return certificate(post, *id);
    return problem(not_found("resource " + path), base);
  }();
  // RFC 8555 §6.5: every response to a POST carries a fresh nonce, errors included.
  response.headers.set("Replay-Nonce", make_nonce());
  response.headers.set("Cache-Control", "no-store");
  return response;
}

http::Response Service::directory(const std::string& base) const {
  nlohmann::json body = {
      {"newNonce", base + "/new-nonce"},
      {"newAccount", base + "/new-account"},
      {"newOrder", base + "/new-order"},
      {"revokeCert", base + "/revoke-cert"},
      {"meta",
       {{"caaIdentities", {config_.validation.caa_identity}}, {"externalAccountRequired", false}}}};
  return plain(200, "application/json", body.dump(2) + "\n");
}

http::Response Service::new_nonce(const http::Request& request, const std::string& base) {
  if (request.method != "GET" && request.method != "HEAD") {
    http::Response r = problem(Problem{"malformed", "use HEAD or GET for newNonce", 405}, base);
    r.headers.set("Allow", "GET, HEAD");
    return r;
  }
  // RFC 8555 §7.2: 200 to HEAD, 204 to GET, never cached.
  http::Response response = plain(request.method == "HEAD" ? 200 : 204, "text/plain", "");
  response.headers.remove("Content-Type");
  response.headers.set("Replay-Nonce", make_nonce());
  response.headers.set("Cache-Control", "no-store");
  response.headers.add("Link", "<" + base + "/directory>;rel=\"index\"");
  return response;
}

// --- accounts -------------------------------------------------------------------------------

nlohmann::json Service::account_json(const Account& account, const std::string& base) const {
  return nlohmann::json{{"status", account.status},
                        {"contact", account.contact},
                        {"orders", base + "/account/" + account.id + "/orders"},
                        {"key", account.jwk}};
}

http::Response Service::new_account(Post& post) {
  if (post.as_get) return problem(malformed("newAccount needs a payload"), post.base);
  auto thumbprint = jwk_thumbprint(*post.jws.jwk);
  if (!thumbprint)
    return problem(Problem{"badPublicKey", thumbprint.error().message, 400}, post.base);
  if (auto it = account_by_thumbprint_.find(*thumbprint); it != account_by_thumbprint_.end()) {
    // RFC 8555 §7.3.1: an existing key returns its account with 200.
    const Account& existing = accounts_.at(it->second);
    http::Response response = json(200, account_json(existing, post.base), post.base);
    response.headers.set("Location", post.base + "/account/" + existing.id);
    return response;
  }
  if (post.payload.value("onlyReturnExisting", false)) {
    return problem(Problem{"accountDoesNotExist", "no account exists with this key", 400},
                   post.base);
  }
  nlohmann::json contact = post.payload.value("contact", nlohmann::json::array());
  if (!contact.is_array()) return problem(malformed("contact must be an array"), post.base);
  for (const auto& entry : contact) {
    if (!entry.is_string() || entry.get<std::string>().rfind("mailto:", 0) != 0) {
      return problem(Problem{"unsupportedContact", "only mailto: contacts are supported", 400},
                     post.base);
    }
  }
  Account account;
  account.id = random_id();
  account.jwk = *post.jws.jwk;
  account.key = post.jwk_key;
  account.thumbprint = *thumbprint;
  account.contact = contact;
  account_by_thumbprint_[account.thumbprint] = account.id;
  const std::string id = account.id;
  Account& stored = accounts_.emplace(id, std::move(account)).first->second;
  http::Response response = json(201, account_json(stored, post.base), post.base);
  response.headers.set("Location", post.base + "/account/" + id);
  return response;
}

http::Response Service::account(Post& post, const std::string& id) {
  if (post.account->id != id) return problem(unauthorized("not your account"), post.base);
  if (!post.as_get) {
    if (post.payload.contains("contact")) {
      const auto& contact = post.payload["contact"];
      if (!contact.is_array()) return problem(malformed("contact must be an array"), post.base);
      post.account->contact = contact;
    }
    // RFC 8555 §7.3.6.
    if (post.payload.value("status", "") == "deactivated") post.account->status = "deactivated";
  }
  return json(200, account_json(*post.account, post.base), post.base);
}

// --- orders and authorizations --------------------------------------------------------------

http::Response Service::new_order(Post& post) {
  if (post.as_get) return problem(malformed("newOrder needs a payload"), post.base);
  const auto& identifiers = post.payload.value("identifiers", nlohmann::json());
  if (!identifiers.is_array() || identifiers.empty()) {
    return problem(malformed("identifiers must be a non-empty array"), post.base);
  }
  if (identifiers.size() > kMaxIdentifiers) {
    return problem(Problem{"rejectedIdentifier",
                           "at most " + std::to_string(kMaxIdentifiers) + " names per order", 400},
                   post.base);
  }
  if (post.payload.contains("notBefore") || post.payload.contains("notAfter")) {
    return problem(malformed("notBefore and notAfter are not supported"), post.base);
  }
  std::vector<std::string> names;
  for (const auto& identifier : identifiers) {
    if (!identifier.is_object() || !identifier.contains("type") || !identifier.contains("value") ||
        !identifier["type"].is_string() || !identifier["value"].is_string()) {
      return problem(malformed("each identifier needs string type and value"), post.base);
    }
    if (identifier["type"] != "dns") {
      return problem(Problem{"unsupportedIdentifier",
                             "identifier type '" + identifier["type"].get<std::string>() +
                                 "' is not supported (only dns)",
                             400},
                     post.base);
    }
    const std::string value = identifier["value"].get<std::string>();
    if (value.find('*') != std::string::npos) {
      return problem(Problem{"rejectedIdentifier",
                             "wildcard name '" + value +
                                 "' refused: wildcards need dns-01, which this CA does not offer",
                             400},
                     post.base);
    }
    auto name = normalize_hostname(value);
    if (!name) {
      return problem(Problem{"rejectedIdentifier", name.error().message, 400}, post.base);
    }
    if (std::find(names.begin(), names.end(), *name) == names.end()) names.push_back(*name);
  }
  Order order;
  order.id = random_id();
  order.account = post.account->id;
  order.names = names;
  order.expires = std::time(nullptr) + config_.order_lifetime.count();
  for (const auto& name : names) {
    Authorization authz;
    authz.id = random_id();
    authz.account = order.account;
    authz.name = name;
    authz.expires = order.expires;
    authz.token = random_b64(32);  // RFC 8555 §8.3: at least 128 bits of entropy
    order.authorizations.push_back(authz.id);
    authorizations_.emplace(authz.id, std::move(authz));
  }
  post.account->orders.push_back(order.id);
  const std::string id = order.id;
  Order& stored = orders_.emplace(id, std::move(order)).first->second;
  http::Response response = json(201, order_json(stored, post.base), post.base);
  response.headers.set("Location", post.base + "/order/" + id);
  return response;
}

void Service::update_order_status(Order& order) {
  if (order.status != "pending") return;
  bool all_valid = true;
  for (const auto& id : order.authorizations) {
    const Authorization& authz = authorizations_.at(id);
    if (authz.status == "invalid" || authz.status == "deactivated") {
      order.status = "invalid";
      order.error = authz.challenge_error.value_or(
          unauthorized("authorization for " + authz.name + " is " + authz.status));
      return;
    }
    all_valid = all_valid && authz.status == "valid";
  }
  if (all_valid) {
    order.status = "ready";
  } else if (std::time(nullptr) > order.expires) {
    order.status = "invalid";
    order.error = malformed("order expired");
  }
}

nlohmann::json Service::order_json(Order& order, const std::string& base) {
  update_order_status(order);
  nlohmann::json identifiers = nlohmann::json::array();
  nlohmann::json authorizations = nlohmann::json::array();
  for (const auto& name : order.names) identifiers.push_back({{"type", "dns"}, {"value", name}});
  for (const auto& id : order.authorizations) authorizations.push_back(base + "/authz/" + id);
  nlohmann::json body = {{"status", order.status},
                         {"expires", format_time(order.expires)},
                         {"identifiers", identifiers},
                         {"authorizations", authorizations},
                         {"finalize", base + "/order/" + order.id + "/finalize"}};
  if (!order.certificate.empty()) body["certificate"] = base + "/certificate/" + order.certificate;
  if (order.error) {
    body["error"] = {{"type", std::string(kErrorNamespace) + order.error->type},
                     {"detail", order.error->detail},
                     {"status", order.error->status}};
  }
  return body;
}

http::Response Service::order(Post& post, const std::string& id) {
  auto it = orders_.find(id);
  if (it == orders_.end()) return problem(not_found("order"), post.base);
  if (it->second.account != post.account->id) {
    return problem(unauthorized("order belongs to another account"), post.base);
  }
  return json(200, order_json(it->second, post.base), post.base);
}

nlohmann::json Service::challenge_json(const Authorization& authz, const std::string& base) const {
  nlohmann::json body = {{"type", "http-01"},
                         {"url", base + "/challenge/" + authz.id},
                         {"status", authz.challenge_status},
                         {"token", authz.token}};
  if (authz.validated != 0) body["validated"] = format_time(authz.validated);
  if (authz.challenge_error) {
    body["error"] = {{"type", std::string(kErrorNamespace) + authz.challenge_error->type},
                     {"detail", authz.challenge_error->detail},
                     {"status", authz.challenge_error->status}};
  }
  return body;
}

nlohmann::json Service::authorization_json(const Authorization& authz,
                                           const std::string& base) const {
  return nlohmann::json{{"identifier", {{"type", "dns"}, {"value", authz.name}}},
                        {"status", authz.status},
                        {"expires", format_time(authz.expires)},
                        {"challenges", nlohmann::json::array({challenge_json(authz, base)})}};
}

http::Response Service::authorization(Post& post, const std::string& id) {
  auto it = authorizations_.find(id);
  if (it == authorizations_.end()) return problem(not_found("authorization"), post.base);
  Authorization& authz = it->second;
  if (authz.account != post.account->id) {
    return problem(unauthorized("authorization belongs to another account"), post.base);
  }
  if (!post.as_get && post.payload.value("status", "") == "deactivated") {
    authz.status = "deactivated";  // RFC 8555 §7.5.2
  } else if (authz.status == "pending" && std::time(nullptr) > authz.expires) {
    authz.status = "expired";
  }
  return json(200, authorization_json(authz, post.base), post.base);
}

http::Response Service::challenge(Post& post, const std::string& id) {
  auto it = authorizations_.find(id);
  if (it == authorizations_.end()) return problem(not_found("challenge"), post.base);
  Authorization& authz = it->second;
  if (authz.account != post.account->id) {
    return problem(unauthorized("challenge belongs to another account"), post.base);
  }
  // RFC 8555 §7.5.1: an empty JSON object asks the server to validate; POST-as-GET reads.
  if (!post.as_get && authz.status == "pending" && authz.challenge_status == "pending") {
    authz.challenge_status = "processing";
    start_validation(authz.id);
  }
  http::Response response = json(200, challenge_json(authz, post.base), post.base);
  response.headers.add("Link", "<" + post.base + "/authz/" + authz.id + ">;rel=\"up\"");
  return response;
}

void Service::start_validation(const std::string& authz_id) {
  std::string id = authz_id;
  asio::co_spawn(executor_, run_validation(this, id), asio::detached);
}

asio::awaitable<void> Service::run_validation(Service* self, std::string authz_id) {
  std::string name;
  std::string token;
  std::string expected;
  {
    auto it = self->authorizations_.find(authz_id);
    if (it == self->authorizations_.end()) co_return;
    const Authorization& authz = it->second;
    name = authz.name;
    token = authz.token;
    expected = key_authorization(authz.token, self->accounts_.at(authz.account).thumbprint);
  }
  const ValidationConfig& config = self->config_.validation;
  // CAA first (RFC 8659 §3: checked at validation, before any certificate could follow).
  std::optional<Problem> failure = co_await check_caa(config, name);
  if (!failure) failure = co_await validate_http01(config, name, token, expected);
  // The map may have changed while we waited; look the authorization up again.
  auto it = self->authorizations_.find(authz_id);
  if (it == self->authorizations_.end()) co_return;
  Authorization& authz = it->second;
  if (failure) {
    std::clog << "miniweb-ca: validation of " << name << " failed: " << failure->type << ": "
              << failure->detail << "\n";
    authz.challenge_status = "invalid";
    authz.challenge_error = failure;
    if (authz.status == "pending") authz.status = "invalid";
  } else {
    std::clog << "miniweb-ca: validated " << name << " (http-01)\n";
    authz.challenge_status = "valid";
    authz.validated = std::time(nullptr);
    if (authz.status == "pending") authz.status = "valid";
  }
}

// --- finalize, download, revoke -------------------------------------------------------------

http::Response Service::finalize(Post& post, const std::string& id) {
  auto it = orders_.find(id);
  if (it == orders_.end()) return problem(not_found("order"), post.base);
  Order& order = it->second;
  if (order.account != post.account->id) {
    return problem(unauthorized("order belongs to another account"), post.base);
  }
  update_order_status(order);
  if (order.status != "ready") {
    return problem(Problem{"orderNotReady", "order is " + order.status + ", not ready", 403},
                   post.base);
  }
  if (post.as_get || !post.payload.contains("csr") || !post.payload["csr"].is_string()) {
    return problem(malformed("finalize needs a csr"), post.base);
  }
  auto der = base64url_decode(post.payload["csr"].get<std::string>());
  if (!der) return problem(Problem{"badCSR", "csr is not base64url", 400}, post.base);
  auto csr =
      parse_csr_der(std::span(reinterpret_cast<const std::uint8_t*>(der->data()), der->size()));
  if (!csr) return problem(Problem{"badCSR", csr.error().message, 400}, post.base);
  if (auto status = verify_csr(csr->get()); !status) {
    return problem(Problem{"badCSR", status.error().message, 400}, post.base);
  }
  auto requested = csr_names(csr->get());
  if (!requested) return problem(Problem{"badCSR", requested.error().message, 400}, post.base);
  std::set<std::string> csr_set;
  for (const auto& name : *requested) {
    auto normalized = normalize_hostname(name);
    if (!normalized) return problem(Problem{"badCSR", normalized.error().message, 400}, post.base);
    csr_set.insert(*normalized);
  }
  const std::set<std::string> order_set(order.names.begin(), order.names.end());
  if (csr_set != order_set) {
    return problem(Problem{"badCSR", "the CSR's names differ from the order's identifiers", 400},
                   post.base);
  }
  IssueRequest request;
  request.names = order.names;
  request.days = config_.certificate_days;
  request.csr = std::move(csr).value();
  auto issued = authority_.issue(std::move(request));
  if (!issued) {
    return problem(Problem{"serverInternal", "issuance failed: " + issued.error().message, 500},
                   post.base);
  }
  const std::string certificate_id = random_id();
  certificates_[certificate_id] = Certificate{order.account, issued->serial, issued->chain_pem};
  certificate_by_serial_[issued->serial] = order.account;
  order.status = "valid";
  order.certificate = certificate_id;
  std::clog << "miniweb-ca: issued " << issued->serial << " for order " << order.id << "\n";
  http::Response response = json(200, order_json(order, post.base), post.base);
  response.headers.set("Location", post.base + "/order/" + order.id);
  return response;
}

http::Response Service::certificate(Post& post, const std::string& id) {
  auto it = certificates_.find(id);
  if (it == certificates_.end()) return problem(not_found("certificate"), post.base);
  if (it->second.account != post.account->id) {
    return problem(unauthorized("certificate belongs to another account"), post.base);
  }
  // RFC 8555 §7.4.2.
  http::Response response = plain(200, "application/pem-certificate-chain", it->second.chain_pem);
  response.headers.add("Link", "<" + post.base + "/directory>;rel=\"index\"");
  return response;
}

http::Response Service::revoke(Post& post) {
  if (post.as_get || !post.payload.contains("certificate") ||
      !post.payload["certificate"].is_string()) {
    return problem(malformed("revokeCert needs a certificate"), post.base);
  }
  auto der = base64url_decode(post.payload["certificate"].get<std::string>());
  if (!der) return problem(malformed("certificate is not base64url"), post.base);
  const auto* p = reinterpret_cast<const unsigned char*>(der->data());
  tls::X509Ptr cert(d2i_X509(nullptr, &p, static_cast<long>(der->size())));
  if (!cert || p != reinterpret_cast<const unsigned char*>(der->data()) + der->size()) {
    ERR_clear_error();
    return problem(malformed("certificate is not DER"), post.base);
  }
  const std::string serial = serial_hex(X509_get0_serialNumber(cert.get()));
  auto record = authority_.find(serial);
  if (!record) return problem(not_found("certificate " + serial), post.base);
  auto ours = parse_certificate_pem(record->certificate_pem);
  if (!ours || X509_cmp(ours->get(), cert.get()) != 0) {
    return problem(not_found("certificate " + serial), post.base);
  }
  // RFC 8555 §7.6: the issuing account, or the certificate's own key, may revoke.
  bool allowed = false;
  if (post.account) {
    auto owner = certificate_by_serial_.find(serial);
    allowed = owner != certificate_by_serial_.end() && owner->second == post.account->id;
  } else if (post.jwk_key) {
    allowed = EVP_PKEY_eq(X509_get0_pubkey(cert.get()), post.jwk_key.get()) == 1;
  }
  if (!allowed) {
    return problem(unauthorized("neither the issuing account nor the certificate's key"),
                   post.base);
  }
  int code = 0;
  if (post.payload.contains("reason")) {
    if (!post.payload["reason"].is_number_integer()) {
      return problem(malformed("reason must be an integer"), post.base);
    }
    code = post.payload["reason"].get<int>();
  }
  static constexpr std::array<int, 7> kAllowed = {0, 1, 2, 3, 4, 5, 9};
  if (std::find(kAllowed.begin(), kAllowed.end(), code) == kAllowed.end()) {
    return problem(Problem{"badRevocationReason",
                           "reason code " + std::to_string(code) + " is not accepted", 400},
                   post.base);
  }
  if (record->status == CertificateStatus::revoked) {
    return problem(Problem{"alreadyRevoked", "certificate " + serial + " is already revoked", 400},
                   post.base);
  }
  if (auto status = authority_.revoke(serial, static_cast<RevocationReason>(code)); !status) {
    return problem(Problem{"serverInternal", status.error().message, 500}, post.base);
  }
  std::clog << "miniweb-ca: revoked " << serial << " (ACME)\n";
  return plain(200, "text/plain", "");
}

// --- the plain-HTTP side: CRL and CA certificates -------------------------------------------

Result<std::string> Service::current_crl() {
  std::error_code ec;
  const auto db_path = authority_.dir() / "db.json";
  auto db_time = std::filesystem::last_write_time(db_path, ec);
  if (ec) db_time = {};
  const std::time_t now = std::time(nullptr);
  // A revocation (through ACME or by `miniweb-ca revoke`) changes db.json, which makes the
  // next CRL request sign a fresh CRL.
  if (!crl_cache_.empty() && db_time == crl_db_time_ && now - crl_made_ < kCrlRefreshSeconds) {
    return crl_cache_;
  }
  auto crl = authority_.make_crl(kCrlDays);
  if (!crl) return crl.error();
  crl_cache_ = crl_der(crl->get());
  crl_made_ = now;
  crl_db_time_ = std::filesystem::last_write_time(db_path, ec);
  if (ec) crl_db_time_ = {};
  return crl_cache_;
}

http::Response Service::handle_plain(const http::Request& request) {
  if (request.method != "GET" && request.method != "HEAD") {
    http::Response r = plain(405, "text/plain", "use GET\n");
    r.headers.set("Allow", "GET, HEAD");
    return r;
  }
  const std::string path = target_path(request.target);
  if (path == "/crl") {
    auto crl = current_crl();
    if (!crl) return plain(500, "text/plain", "cannot sign a CRL: " + crl.error().message + "\n");
    return plain(200, "application/pkix-crl", *crl);
  }
  if (path == "/intermediate.der") {
    return plain(200, "application/pkix-cert", der_of(authority_.intermediate()));
  }
  if (path == "/root.der") return plain(200, "application/pkix-cert", der_of(authority_.root()));
  if (path == "/intermediate.pem") {
    return plain(200, "application/x-pem-file", authority_.intermediate_pem());
  }
  if (path == "/root.pem") return plain(200, "application/x-pem-file", authority_.root_pem());
  if (path == "/") {
    return plain(200, "text/plain",
                 "miniweb CA\n/crl /root.pem /root.der /intermediate.pem /intermediate.der\n");
  }
  return plain(404, "text/plain", "not found\n");
}

}  // namespace miniweb::ca::acme
