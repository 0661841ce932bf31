#pragma once
// The ACME server's state machine (RFC 8555 §7): accounts, orders, authorizations, http-01
// challenges, finalization and certificate download, over HTTP requests as values. The
// network side (acme/server.hpp) frames requests and hands them here; validations run as
// coroutines on the same executor, so the state needs no locks.
//
// Accounts, orders and authorizations live in memory, as in Pebble: a restart forgets them
// (issued certificates stay in the CA database).
//
// One class over four files: service.cpp (routing, request checks, nonces, the directory, the
// plain-HTTP side, OCSP's HTTP framing), service_accounts.cpp, service_orders.cpp (orders,
// authorizations, challenges and their validation) and service_certificates.cpp (finalize,
// download, revoke, the CRL).

#include <asio/any_io_executor.hpp>
#include <chrono>
#include <cstdint>
#include <ctime>
#include <deque>
#include <filesystem>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "ca/acme/jws.hpp"
#include "ca/acme/payloads.hpp"
#include "ca/acme/problem.hpp"
#include "ca/acme/validation.hpp"
#include "ca/authority.hpp"
#include "ca/hostname.hpp"
#include "ca/ocsp_responder.hpp"
#include "shared/http/message.hpp"

namespace miniweb::ca::acme {

struct ServiceConfig {
  ValidationConfig validation;
  int certificate_days = kDefaultLeafDays;
  std::chrono::seconds order_lifetime{7 * 24 * 3600};
  std::size_t max_nonces = 10000;  // oldest unused nonces are forgotten past this
};

class Service {
 public:
  Service(Authority& authority, ServiceConfig config, asio::any_io_executor executor);

  // Answers one request to the ACME (HTTPS) listener.
  http::Response handle(const http::Request& request);

  // Answers one request to the plain-HTTP listener: the CRL (DER) at /crl, OCSP at /ocsp
  // (ocsp_responder.hpp) and the CA certificates at /intermediate.der, /root.der,
  // /intermediate.pem and /root.pem, the URLs written into the certificates (CRL distribution
  // point, AIA OCSP and caIssuers).
  http::Response handle_plain(const http::Request& request);

 private:
  struct Account {
    std::string id;
    nlohmann::json jwk;
    std::shared_ptr<EVP_PKEY> key;
    std::string thumbprint;
    nlohmann::json contact = nlohmann::json::array();
    std::string status = "valid";
    std::vector<std::string> orders;
  };
  struct Authorization {
    std::string id;
    std::string account;
    std::string name;
    std::string status = "pending";  // pending, valid, invalid, deactivated
    std::time_t expires = 0;
    std::string token;
    std::string challenge_status = "pending";  // pending, processing, valid, invalid
    std::optional<Problem> challenge_error;
    std::time_t validated = 0;
  };
  struct Order {
    std::string id;
    std::string account;
    std::vector<std::string> names;
    std::vector<std::string> authorizations;
    std::string status = "pending";  // pending, ready, processing, valid, invalid
    std::time_t expires = 0;
    std::optional<Problem> error;
    std::string certificate;  // id, once issued
  };
  struct Certificate {
    std::string account;
    std::string serial;
    std::string chain_pem;
  };
  // What a verified POST carries to the handler of its resource.
  struct Post {
    std::string base;  // https://host[:port]
    std::string path;
    Jws jws;
    Account* account = nullptr;         // for kid requests
    std::shared_ptr<EVP_PKEY> jwk_key;  // for jwk requests
    nlohmann::json payload;             // null for POST-as-GET
    bool as_get = false;
  };

  http::Response directory(const std::string& base) const;
  http::Response new_nonce(const http::Request& request, const std::string& base);
  http::Response new_account(Post& post);
  http::Response account(Post& post, const std::string& id);
  http::Response new_order(Post& post);
  http::Response order(Post& post, const std::string& id);
  http::Response finalize(Post& post, const std::string& id);
  http::Response authorization(Post& post, const std::string& id);
  http::Response challenge(Post& post, const std::string& id);
  http::Response certificate(Post& post, const std::string& id);
  http::Response revoke(Post& post);

  http::Response problem(const Problem& p, const std::string& base);
  http::Response json(int status, const nlohmann::json& body, const std::string& base);
  nlohmann::json account_json(const Account& account, const std::string& base) const;
  nlohmann::json order_json(Order& order, const std::string& base);
  nlohmann::json authorization_json(const Authorization& authz, const std::string& base) const;
  nlohmann::json challenge_json(const Authorization& authz, const std::string& base) const;
  void update_order_status(Order& order);

  // A response with this status, Content-Type and body, and nothing else.
  static http::Response make_response(int status, std::string content_type, std::string body);
  // `octets` random bytes, base64url-encoded: nonces, ids and challenge tokens.
  static std::string random_base64url(std::size_t octets);
  std::string make_nonce();
  bool consume_nonce(const std::string& nonce);
  std::string random_id() const;
  void start_validation(const std::string& authz_id);
  static asio::awaitable<void> run_validation(Service* self, std::string authz_id);
  Result<std::string> current_crl();
  http::Response ocsp(const http::Request& request, const std::string& path);

  Authority& authority_;
  ServiceConfig config_;
  asio::any_io_executor executor_;
  std::set<std::string> nonces_;
  std::deque<std::string> nonce_order_;
  std::map<std::string, Account> accounts_;  // by id
  std::map<std::string, std::string> account_by_thumbprint_;
  std::map<std::string, Order> orders_;
  std::map<std::string, Authorization> authorizations_;
  std::map<std::string, Certificate> certificates_;
  std::map<std::string, std::string> certificate_by_serial_;
  std::string crl_cache_;
  std::filesystem::file_time_type crl_db_time_{};
  std::time_t crl_made_ = 0;
  OcspResponder ocsp_;
};

// The key authorization of RFC 8555 §8.1: token "." base64url(JWK thumbprint).
std::string key_authorization(const std::string& token, const std::string& thumbprint);

}  // namespace miniweb::ca::acme
