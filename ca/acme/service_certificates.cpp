// Service: certificates: finalization and issuance (RFC 8555 §7.4), download (§7.4.2),
// revocation (§7.6), and the CRL the plain-HTTP listener serves.
#include <algorithm>
#include <iostream>

#include "ca/acme/service.hpp"

namespace miniweb::ca::acme {
namespace {

constexpr int kCrlDays = 7;
constexpr std::time_t kCrlRefreshSeconds = 3600;

}  // namespace

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
  auto read = read_finalize(post.payload);
  if (auto* refused = std::get_if<Problem>(&read)) return problem(*refused, post.base);
  const std::string& der = std::get<std::string>(read);
  auto csr =
      parse_csr_der(std::span(reinterpret_cast<const std::uint8_t*>(der.data()), der.size()));
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
  http::Response response =
      make_response(200, "application/pem-certificate-chain", it->second.chain_pem);
  response.headers.add("Link", "<" + post.base + "/directory>;rel=\"index\"");
  return response;
}

http::Response Service::revoke(Post& post) {
  auto read = read_revoked_certificate(post.payload);
  if (auto* refused = std::get_if<Problem>(&read)) return problem(*refused, post.base);
  const tls::X509Ptr cert = std::move(std::get<tls::X509Ptr>(read));
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
  auto reason = read_revocation_reason(post.payload);
  if (auto* refused = std::get_if<Problem>(&reason)) return problem(*refused, post.base);
  const int code = std::get<int>(reason);
  if (record->status == CertificateStatus::revoked) {
    return problem(Problem{"alreadyRevoked", "certificate " + serial + " is already revoked", 400},
                   post.base);
  }
  if (auto status = authority_.revoke(serial, static_cast<RevocationReason>(code)); !status) {
    return problem(Problem{"serverInternal", status.error().message, 500}, post.base);
  }
  std::clog << "miniweb-ca: revoked " << serial << " (ACME)\n";
  return make_response(200, "text/plain", "");
}

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

}  // namespace miniweb::ca::acme
