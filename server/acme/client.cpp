#include "server/acme/client.hpp"

#include <algorithm>
#include <chrono>
#include "server/error_log.hpp"

#include "server/acme/storage.hpp"
#include "shared/awaitable.hpp"
#include "shared/jose/jws.hpp"

namespace miniweb::server {
namespace {

constexpr const char* kJose = "application/jose+json";
// Polling an authorization or an order: at most this many times, so a stuck order ends.
constexpr int kMaxPolls = 120;
constexpr std::chrono::milliseconds kDefaultPollInterval{500};
constexpr std::chrono::seconds kMaxPollInterval{10};

std::string account_record_path(const AcmeConfig& config) {
  return (config.state_dir / "account.json").string();
}

// Retry-After (RFC 9110 section 10.2.3) in seconds, bounded; the default when absent or a date.
std::chrono::milliseconds retry_after(const http::Headers& headers) {
  const auto value = headers.get("Retry-After");
  if (!value || value->empty() ||
      !std::all_of(value->begin(), value->end(), [](char c) { return c >= '0' && c <= '9'; }))
    return kDefaultPollInterval;
  const long seconds =
      value->size() > 6 ? kMaxPollInterval.count() : std::stol(std::string(*value));
  return std::clamp<std::chrono::milliseconds>(std::chrono::seconds(seconds), kDefaultPollInterval,
                                               kMaxPollInterval);
}

}  // namespace

std::string describe_problem(int status, const nlohmann::json& body, const std::string& text) {
  if (body.is_object() && body.contains("type")) {
    std::string out =
        body.value("type", std::string()) + ": " + body.value("detail", std::string());
    if (body.contains("subproblems") && body["subproblems"].is_array())
      for (const auto& sub : body["subproblems"])
        if (sub.is_object())
          out +=
              "; " + sub.value("type", std::string()) + ": " + sub.value("detail", std::string());
    return status == 0 ? out : out + " (HTTP " + std::to_string(status) + ")";
  }
  return "HTTP " + std::to_string(status) + " " + text.substr(0, 200);
}

AcmeClient::AcmeClient(const AcmeConfig& config, Http01Challenges& challenges)
    : config_(config), challenges_(challenges) {}

Result<std::unique_ptr<AcmeClient>> AcmeClient::create(const AcmeConfig& config,
                                                       Http01Challenges& challenges) {
  auto client = std::unique_ptr<AcmeClient>(new AcmeClient(config, challenges));
  auto http = AcmeHttp::create(config);
  if (!http) return http.error();
  client->http_ = std::move(*http);
  auto key = load_or_create_key(config.state_dir / "account.key");
  if (!key) return make_error("acme: account key: " + key.error().message);
  client->account_key_ = std::move(*key);
  auto jwk = jose::key_to_jwk(client->account_key_.get());
  if (!jwk) return jwk.error();
  client->jwk_ = *jwk;
  auto thumbprint = jose::jwk_thumbprint(client->jwk_);
  if (!thumbprint) return thumbprint.error();
  client->thumbprint_ = *thumbprint;
  return client;
}

asio::awaitable<Status> AcmeClient::load_directory() {
  static const std::string kGet = "GET";
  static const std::string kNone;
  auto response = co_await http_->request(kGet, config_.directory, kNone, kNone);
  if (!response) co_return response.error();
  const nlohmann::json directory = nlohmann::json::parse(response->body, nullptr, false);
  if (response->status != 200 || !directory.is_object())
    co_return make_error("the directory " + config_.directory + " answered " +
                         describe_problem(response->status, directory, response->body));
  for (const char* member : {"newNonce", "newAccount", "newOrder"})
    if (!directory.contains(member) || !directory[member].is_string())
      co_return make_error("the directory " + config_.directory + " has no " + member);
  directory_ = directory;
  co_return Ok{};
}

asio::awaitable<Status> AcmeClient::fresh_nonce() {
  static const std::string kHead = "HEAD";
  static const std::string kNone;
  const std::string url = directory_["newNonce"];
  auto response = co_await http_->request(kHead, url, kNone, kNone);
  if (!response) co_return response.error();
  auto nonce = response->headers.get("Replay-Nonce");
  if (!nonce) co_return make_error("" + url + " gave no Replay-Nonce");
  nonce_ = std::string(*nonce);
  co_return Ok{};
}

asio::awaitable<Result<AcmeClient::Reply>> AcmeClient::post(const std::string& url,
                                                            const std::string& payload,
                                                            bool use_jwk) {
  static const std::string kPost = "POST";
  static const std::string kContentType = kJose;
  for (int attempt = 0;; ++attempt) {
    if (nonce_.empty()) {
      if (auto status = co_await fresh_nonce(); !status) co_return status.error();
    }
    nlohmann::json header = {{"alg", "ES256"}, {"nonce", nonce_}, {"url", url}};
    nonce_.clear();  // each nonce is used once (RFC 8555 §6.5)
    if (use_jwk) {
      header["jwk"] = jwk_;
    } else {
      header["kid"] = kid_;
    }
    auto body = jose::sign_jws(header, payload, account_key_.get());
    if (!body) co_return body.error();
    auto response = co_await http_->request(kPost, url, *body, kContentType);
    if (!response) co_return response.error();
    if (auto nonce = response->headers.get("Replay-Nonce")) nonce_ = std::string(*nonce);
    Reply reply{response->status, response->headers,
                nlohmann::json::parse(response->body, nullptr, false), response->body};
    if (reply.body.is_discarded()) reply.body = nullptr;
    // RFC 8555 §6.5: on badNonce the client retries with the nonce the error carried.
    if (reply.status == 400 && reply.body.is_object() &&
        reply.body.value("type", std::string()) == "urn:ietf:params:acme:error:badNonce" &&
        attempt == 0)
      continue;
    co_return reply;
  }
}

asio::awaitable<Result<AcmeClient::Reply>> AcmeClient::post_expecting(const std::string& url,
                                                                      const std::string& payload,
                                                                      int expected,
                                                                      const std::string& what) {
  auto reply = co_await post(url, payload, false);
  if (!reply) co_return reply.error();
  if (reply->status != expected)
    co_return make_error("the CA refused " + what + ": " +
                         describe_problem(reply->status, reply->body, reply->text));
  co_return reply;
}

asio::awaitable<Status> AcmeClient::register_account() {
  nlohmann::json contact = nlohmann::json::array();
  for (const std::string& entry : config_.contact) contact.push_back(entry);
  // An existing account for this key comes back with 200 (RFC 8555 §7.3.1), so this is also
  // how the account is found again, even by a CA that has forgotten it (Pebble forgets).
  const std::string url = directory_["newAccount"];
  const std::string payload =
      nlohmann::json{{"termsOfServiceAgreed", true}, {"contact", contact}}.dump();
  auto reply = co_await post(url, payload, true);
  if (!reply) co_return reply.error();
  const auto location = reply->headers.get("Location");
  if ((reply->status != 201 && reply->status != 200) || !location)
    co_return make_error("the CA refused the account: " +
                         describe_problem(reply->status, reply->body, reply->text));
  const bool changed = kid_ != *location;
  kid_ = std::string(*location);
  if (changed) {
    nlohmann::json record = {{"directory", config_.directory}, {"kid", kid_}};
    if (auto status = write_file_atomically(account_record_path(config_), record.dump(2) + "\n",
                                            kPrivateFileMode);
        !status)
      co_return status.error();
    log_event(LogLevel::Notice,
              "acme: account " + kid_ + (reply->status == 201 ? " created" : " in use"));
  }
  co_return Ok{};
}

asio::awaitable<Result<nlohmann::json>> AcmeClient::poll(const std::string& url,
                                                         const std::string& what) {
  static const std::string kAsGet;
  auto executor = co_await asio::this_coro::executor;
  for (int i = 0; i < kMaxPolls; ++i) {
    auto reply = co_await post_expecting(url, kAsGet, 200, what);
    if (!reply) co_return reply.error();
    const std::string status = reply->body.is_object() ? reply->body.value("status", "") : "";
    if (status != "pending" && status != "processing") co_return reply->body;
    if (stopping_) break;
    asio::steady_timer timer(executor, retry_after(reply->headers));
    co_await timer.async_wait(use_tuple);
  }
  co_return make_error(
      "" + what + " at " + url + " is still pending" +
      (stopping_ ? " (shutting down)" : " after " + std::to_string(kMaxPolls) + " polls"));
}

asio::awaitable<Status> AcmeClient::authorize(const std::string& authz_url) {
  static const std::string kAsGet;
  static const std::string kEmptyObject = "{}";
  static const std::string kAuthorization = "the authorization";
  auto authz = co_await post_expecting(authz_url, kAsGet, 200, kAuthorization);
  if (!authz) co_return authz.error();
  const nlohmann::json& body = authz->body;
  const std::string name =
      body.is_object() && body.contains("identifier") ? body["identifier"].value("value", "") : "";
  if (body.value("status", "") == "valid") co_return Ok{};  // authorized recently
  const nlohmann::json* challenge = nullptr;
  if (body.contains("challenges") && body["challenges"].is_array())
    for (const auto& entry : body["challenges"])
      if (entry.is_object() && entry.value("type", "") == "http-01") challenge = &entry;
  if (!challenge || !challenge->contains("token") || !challenge->contains("url"))
    co_return make_error("the CA offers no http-01 challenge for " + name);
  const std::string token = challenge->value("token", "");
  const std::string challenge_url = challenge->value("url", "");
  // RFC 8555 §8.1: token "." base64url(JWK thumbprint), served by the plain-HTTP listener.
  challenges_.put(token, token + "." + thumbprint_);
  static const std::string kChallenge = "the challenge";
  auto started = co_await post_expecting(challenge_url, kEmptyObject, 200, kChallenge);
  Result<nlohmann::json> final_state = make_error("");
  const std::string what = "the authorization for " + name;
  if (started) final_state = co_await poll(authz_url, what);
  challenges_.remove(token);
  if (!started) co_return started.error();
  if (!final_state) co_return final_state.error();
  if (final_state->value("status", "") == "valid") co_return Ok{};
  // The reason is in the challenge's error (RFC 8555 §7.1.4).
  std::string why = "authorization is " + final_state->value("status", std::string("?"));
  if (final_state->contains("challenges") && (*final_state)["challenges"].is_array())
    for (const auto& entry : (*final_state)["challenges"])
      if (entry.is_object() && entry.contains("error"))
        why = describe_problem(0, entry["error"], "");
  co_return make_error("validation of " + name + " failed: " + why);
}

asio::awaitable<Result<ObtainedCertificate>> AcmeClient::obtain(
    const std::vector<std::string>& names) {
  static const std::string kAsGet;
  if (directory_.is_null()) {
    if (auto status = co_await load_directory(); !status) co_return status.error();
  }
  if (auto status = co_await register_account(); !status) co_return status.error();

  nlohmann::json identifiers = nlohmann::json::array();
  for (const std::string& name : names) identifiers.push_back({{"type", "dns"}, {"value", name}});
  const std::string new_order_url = directory_["newOrder"];
  const std::string order_request = nlohmann::json{{"identifiers", identifiers}}.dump();
  static const std::string kNewOrder = "the new order";
  auto created = co_await post_expecting(new_order_url, order_request, 201, kNewOrder);
  if (!created) co_return created.error();
  const auto location = created->headers.get("Location");
  if (!location || !created->body.is_object())
    co_return make_error("the new order has no Location");
  const std::string order_url(*location);
  log_event(LogLevel::Notice, "acme: order " + order_url + " for " + names.front());
  nlohmann::json order = created->body;

  if (order.value("status", "") == "pending" && order.contains("authorizations")) {
    for (const auto& entry : order["authorizations"]) {
      if (!entry.is_string()) continue;
      const std::string authz_url = entry;
      if (auto status = co_await authorize(authz_url); !status) co_return status.error();
    }
    static const std::string kOrder = "the order";
    auto ready = co_await poll(order_url, kOrder);
    if (!ready) co_return ready.error();
    order = *ready;
  }
  if (order.value("status", "") != "ready")
    co_return make_error(
        "the order is " + order.value("status", std::string("?")) +
        (order.contains("error") ? ": " + describe_problem(0, order["error"], "") : std::string()));

  // A new key per certificate (Caddy's default), never the account key.
  auto key = generate_p256_key();
  if (!key) co_return key.error();
  auto csr = make_csr_der(names, key->get());
  if (!csr) co_return csr.error();
  const std::string finalize_url = order.value("finalize", "");
  const std::string finalize_request = nlohmann::json{{"csr", jose::base64url_encode(*csr)}}.dump();
  static const std::string kFinalization = "finalization";
  auto finalized = co_await post_expecting(finalize_url, finalize_request, 200, kFinalization);
  if (!finalized) co_return finalized.error();
  order = finalized->body;
  if (order.value("status", "") == "processing") {
    static const std::string kOrder = "the order";
    auto done = co_await poll(order_url, kOrder);
    if (!done) co_return done.error();
    order = *done;
  }
  if (order.value("status", "") != "valid" || !order.contains("certificate"))
    co_return make_error("the order is " + order.value("status", std::string("?")) +
                         " after finalization");

  const std::string certificate_url = order.value("certificate", "");
  static const std::string kDownload = "the certificate download";
  auto download = co_await post_expecting(certificate_url, kAsGet, 200, kDownload);
  if (!download) co_return download.error();
  ObtainedCertificate obtained;
  obtained.chain_pem = download->text;
  auto info = inspect_chain_pem(obtained.chain_pem);
  if (!info) co_return make_error("the downloaded chain: " + info.error().message);
  obtained.info = *info;
  obtained.key_pem = private_key_pem(key->get());
  co_return obtained;
}

}  // namespace miniweb::server
