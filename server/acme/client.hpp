#pragma once
// An ACME client (RFC 8555) for the HTTPS server, as Caddy's: an account with an ECDSA P-256 key
// (§7.3), then per certificate an order (§7.4), its authorizations answered by http-01 (§8.3)
// through the server's own plain-HTTP listener, finalization with a CSR for a fresh P-256
// key, and the download of the chain (§7.4.2). Every request is a JWS signed ES256 with a
// fresh nonce (§6.2, §6.5); a badNonce is retried once with the nonce it carries.

#include <asio/awaitable.hpp>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "server/acme/certificate.hpp"
#include "server/acme/http.hpp"
#include "server/config.hpp"
#include "server/http01_challenges.hpp"
#include "shared/result.hpp"
#include "shared/tls/openssl_ptr.hpp"

namespace miniweb::server {

struct ObtainedCertificate {
  std::string chain_pem;  // leaf first, then the intermediate
  std::string key_pem;
  CertificateInfo info;
};

class AcmeClient {
 public:
  // Loads or creates the account key in config.state_dir; `challenges` must outlive the client.
  static Result<std::unique_ptr<AcmeClient>> create(const AcmeConfig& config,
                                                    Http01Challenges& challenges);

  // One whole order for `names`. An error carries the CA's problem document (type and detail)
  // when the CA refused.
  asio::awaitable<Result<ObtainedCertificate>> obtain(const std::vector<std::string>& names);

  // Shutting down: an order in progress stops at its next poll.
  void stop() { stopping_ = true; }

 private:
  struct Reply {
    int status = 0;
    http::Headers headers;
    nlohmann::json body;  // null when the body is not JSON
    std::string text;
  };
  AcmeClient(const AcmeConfig& config, Http01Challenges& challenges);

  asio::awaitable<Status> load_directory();
  asio::awaitable<Status> register_account();
  // A signed POST (payload empty: POST-as-GET). `use_jwk` for newAccount (§6.2).
  asio::awaitable<Result<Reply>> post(const std::string& url, const std::string& payload,
                                      bool use_jwk);
  // post(), and any status other than `expected` becomes an error naming `what`.
  asio::awaitable<Result<Reply>> post_expecting(const std::string& url, const std::string& payload,
                                                int expected, const std::string& what);
  // POST-as-GET `url` until its status leaves pending/processing, following Retry-After.
  asio::awaitable<Result<nlohmann::json>> poll(const std::string& url, const std::string& what);
  asio::awaitable<Status> authorize(const std::string& authz_url);
  asio::awaitable<Status> fresh_nonce();

  AcmeConfig config_;
  Http01Challenges& challenges_;
  std::unique_ptr<AcmeHttp> http_;
  tls::EvpPkeyPtr account_key_;
  nlohmann::json jwk_;
  std::string thumbprint_;
  nlohmann::json directory_;
  std::string kid_;
  std::string nonce_;
  bool stopping_ = false;
};

// "urn:ietf:params:acme:error:TYPE: DETAIL (HTTP STATUS)" from a problem document (RFC 7807),
// or the status and body; status 0 for a problem inside another object (no HTTP status).
std::string describe_problem(int status, const nlohmann::json& body, const std::string& text);

}  // namespace miniweb::server
