#include "ca/acme/service.hpp"

#include <openssl/rand.h>

#include <algorithm>
#include <ctime>
#include <iostream>
#include <stdexcept>

namespace miniweb::ca::acme {

namespace {

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

}  // namespace

std::string key_authorization(const std::string& token, const std::string& thumbprint) {
  return token + "." + thumbprint;
}

Service::Service(Authority& authority, ServiceConfig config, asio::any_io_executor executor)
    : authority_(authority),
      config_(std::move(config)),
      executor_(std::move(executor)),
      ocsp_(authority) {}

// --- framing of ACME responses -----------------------------------------------------------

http::Response Service::make_response(int status, std::string content_type, std::string body) {
  http::Response response;
  response.status = status;
  response.reason = std::string(http::reason_phrase(status));
  response.headers.set("Content-Type", std::move(content_type));
  response.body = std::move(body);
  return response;
}

http::Response Service::json(int status, const nlohmann::json& body, const std::string& base) {
  http::Response response = make_response(status, "application/json", body.dump(2) + "\n");
  response.headers.add("Link", "<" + base + "/directory>;rel=\"index\"");
  return response;
}

http::Response Service::problem(const Problem& p, const std::string& base) {
  nlohmann::json body = {
      {"type", std::string(kErrorNamespace) + p.type}, {"detail", p.detail}, {"status", p.status}};
  http::Response response =
      make_response(p.status, "application/problem+json", body.dump(2) + "\n");
  response.headers.add("Link", "<" + base + "/directory>;rel=\"index\"");
  return response;
}

std::string Service::random_base64url(std::size_t octets) {
  std::string bytes(octets, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(bytes.data()), static_cast<int>(octets)) != 1) {
    throw std::runtime_error("RAND_bytes failed");  // the CSPRNG failing is not recoverable
  }
  return base64url_encode(bytes);
}

std::string Service::make_nonce() {
  std::string nonce = random_base64url(16);
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
  return random_base64url(12);
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
    const std::string content_type =
        parse_media_type(request.headers.get("Content-Type").value_or("")).type;
    if (content_type != "application/jose+json") {
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
    auto payload = parse_payload(post.jws.payload);
    if (auto* refused = std::get_if<Problem>(&payload)) return problem(*refused, base);
    post.payload = std::move(std::get<nlohmann::json>(payload));
    post.as_get = post.payload.is_null();  // RFC 8555 §6.3 POST-as-GET

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
  return make_response(200, "application/json", body.dump(2) + "\n");
}

http::Response Service::new_nonce(const http::Request& request, const std::string& base) {
  if (request.method != "GET" && request.method != "HEAD") {
    http::Response r = problem(Problem{"malformed", "use HEAD or GET for newNonce", 405}, base);
    r.headers.set("Allow", "GET, HEAD");
    return r;
  }
  // RFC 8555 §7.2: 200 to HEAD, 204 to GET, never cached.
  http::Response response = make_response(request.method == "HEAD" ? 200 : 204, "text/plain", "");
  response.headers.remove("Content-Type");
  response.headers.set("Replay-Nonce", make_nonce());
  response.headers.set("Cache-Control", "no-store");
  response.headers.add("Link", "<" + base + "/directory>;rel=\"index\"");
  return response;
}

// --- the plain-HTTP side: CRL, OCSP and CA certificates -------------------------------------

http::Response Service::handle_plain(const http::Request& request) {
  const std::string path = target_path(request.target);
  if (path == "/ocsp" || path.starts_with("/ocsp/")) return ocsp(request, path);
  if (request.method != "GET" && request.method != "HEAD") {
    http::Response r = make_response(405, "text/plain", "use GET\n");
    r.headers.set("Allow", "GET, HEAD");
    return r;
  }
  if (path == "/crl") {
    auto crl = current_crl();
    if (!crl)
      return make_response(500, "text/plain", "cannot sign a CRL: " + crl.error().message + "\n");
    return make_response(200, "application/pkix-crl", *crl);
  }
  if (path == "/intermediate.der") {
    return make_response(200, "application/pkix-cert",
                         tls::to_der(authority_.intermediate(), i2d_X509));
  }
  if (path == "/root.der")
    return make_response(200, "application/pkix-cert", tls::to_der(authority_.root(), i2d_X509));
  if (path == "/intermediate.pem") {
    return make_response(200, "application/x-pem-file", authority_.intermediate_pem());
  }
  if (path == "/root.pem")
    return make_response(200, "application/x-pem-file", authority_.root_pem());
  if (path == "/") {
    return make_response(
        200, "text/plain",
        "miniweb CA\n/crl /ocsp /root.pem /root.der /intermediate.pem /intermediate.der\n");
  }
  return make_response(404, "text/plain", "not found\n");
}

// RFC 6960 appendix A.1: POST /ocsp with the DER request as the body, or GET /ocsp/ followed by
// the request in base64, URL-encoded. Whatever the request holds the answer is an
// OCSPResponse with HTTP 200, its responseStatus saying what went wrong; only a wrong method
// is refused by HTTP.
http::Response Service::ocsp(const http::Request& request, const std::string& path) {
  const bool get_form = path != "/ocsp";
  if (get_form ? request.method != "GET" && request.method != "HEAD" : request.method != "POST") {
    http::Response r = make_response(
        405, "text/plain", "OCSP takes POST /ocsp, or GET /ocsp/ with the request in base64\n");
    r.headers.set("Allow", get_form ? "GET, HEAD" : "POST");
    return r;
  }
  // The body is read as a request whatever its Content-Type says: one that is not an
  // OCSPRequest is malformedRequest either way.
  const std::string der =
      get_form ? decode_ocsp_get_path(std::string_view(path).substr(6)).value_or(std::string())
               : request.body;
  const std::time_t now = std::time(nullptr);
  const OcspAnswer answer = ocsp_.answer(der, now);
  std::clog << "ocsp " + answer.summary + "\n";
  if (answer.der.empty()) return make_response(500, "text/plain", "cannot encode OCSP response\n");
  http::Response response = make_response(200, "application/ocsp-response", answer.der);
  if (get_form && answer.successful) {
    // RFC 5019 section 6.2: a GET's answer may be kept by HTTP caches until its nextUpdate.
    response.headers.set("Cache-Control", "max-age=" + std::to_string(answer.next_update - now) +
                                              ", public, no-transform, must-revalidate");
    response.headers.set("Last-Modified", http::http_date(answer.this_update));
    response.headers.set("Expires", http::http_date(answer.next_update));
  } else if (get_form) {
    response.headers.set("Cache-Control", "no-store");  // an unsigned refusal is not news to keep
  }
  return response;
}

}  // namespace miniweb::ca::acme
