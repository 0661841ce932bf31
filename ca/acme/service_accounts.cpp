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
  auto only_existing = read_flag(post.payload, "onlyReturnExisting");
  if (auto* refused = std::get_if<Problem>(&only_existing)) return problem(*refused, post.base);
  if (std::get<bool>(only_existing)) {
    return problem(Problem{"accountDoesNotExist", "no account exists with this key", 400},
                   post.base);
  }
  auto read = read_contact(post.payload, ContactRule::MailtoOnly);
  if (auto* refused = std::get_if<Problem>(&read)) return problem(*refused, post.base);
  nlohmann::json contact = std::move(std::get<nlohmann::json>(read));
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
    // Both read before either applies: a refused update changes nothing.
    auto deactivation = read_deactivation(post.payload);
    if (auto* refused = std::get_if<Problem>(&deactivation)) return problem(*refused, post.base);
    if (post.payload.contains("contact")) {
      auto contact = read_contact(post.payload, ContactRule::AnyStrings);
      if (auto* refused = std::get_if<Problem>(&contact)) return problem(*refused, post.base);
      post.account->contact = std::move(std::get<nlohmann::json>(contact));
    }
    // RFC 8555 §7.3.6.
    if (std::get<bool>(deactivation)) post.account->status = "deactivated";
  }
  return json(200, account_json(*post.account, post.base), post.base);
}

}  // namespace miniweb::ca::acme
