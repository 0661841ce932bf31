// Service: accounts (RFC 8555 §7.3): creation, lookup by key, update and deactivation.
#include "ca/acme/service.hpp"

namespace miniweb::ca::acme {

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

}  // namespace miniweb::ca::acme
