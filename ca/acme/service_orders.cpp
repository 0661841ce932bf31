// Service: orders, authorizations and http-01 challenges (RFC 8555 §7.4, §7.5, §8.3), and the
// validation each challenge starts in the background.
#include <algorithm>
#include <iostream>

#include "ca/acme/service.hpp"
#include "shared/awaitable.hpp"

namespace miniweb::ca::acme {

http::Response Service::new_order(Post& post) {
  if (post.as_get) return problem(malformed("newOrder needs a payload"), post.base);
  auto read = read_new_order(post.payload);
  if (auto* refused = std::get_if<Problem>(&read)) return problem(*refused, post.base);
  const std::vector<std::string>& names = std::get<std::vector<std::string>>(read);
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
    authz.token = random_base64url(32);  // RFC 8555 §8.3: at least 128 bits of entropy
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
                         {"expires", utc_timestamp(order.expires)},
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
  if (authz.validated != 0) body["validated"] = utc_timestamp(authz.validated);
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
                        {"expires", utc_timestamp(authz.expires)},
                        {"challenges", nlohmann::json::array({challenge_json(authz, base)})}};
}

http::Response Service::authorization(Post& post, const std::string& id) {
  auto it = authorizations_.find(id);
  if (it == authorizations_.end()) return problem(not_found("authorization"), post.base);
  Authorization& authz = it->second;
  if (authz.account != post.account->id) {
    return problem(unauthorized("authorization belongs to another account"), post.base);
  }
  auto deactivation = read_deactivation(post.payload);
  if (auto* refused = std::get_if<Problem>(&deactivation)) return problem(*refused, post.base);
  if (!post.as_get && std::get<bool>(deactivation)) {
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

}  // namespace miniweb::ca::acme
