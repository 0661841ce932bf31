// libFuzzer entry point for what the ACME server reads from a request body: the JWS
// (ca/acme/jws.hpp), its key (a JWK) and signature, and the JSON payloads of newAccount,
// account updates, newOrder, authorizations, finalize and revokeCert (ca/acme/payloads.hpp),
// shared by the clang fuzzer and the corpus driver (tests/support/fuzz_driver.cpp). Nothing may
// crash, hang or leak, and no nlohmann::json exception may escape (the service catches none: one
// would end the CA). Beyond that:
//   - a JWS that parses has a supported alg, a nonce, a url and exactly one of jwk and kid, and
//     its payload is what its base64url says;
//   - a key read from a JWK, written as a JWK again, reads back as the same key;
//   - a JWS this harness signs (over the input's header and payload) verifies when it parses;
//   - what the payload readers accept is what they promise (normalized names without repeats,
//     a revocation reason that is the number sent), and every problem they give can be sent
//     (its JSON serializes).
// The first byte picks what the rest is: 0 a request body, 1 a payload, 2 a JWK, 3 a protected
// header and a payload to sign ("HEADER\nPAYLOAD").

#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include "ca/acme/jws.hpp"
#include "ca/acme/payloads.hpp"

namespace {

using namespace miniweb::ca::acme;
using nlohmann::json;

// The service sends problems as this JSON; it must always serialize.
void check_sendable(const Problem& problem) {
  (void)json{{"type", std::string(kErrorNamespace) + problem.type},
             {"detail", problem.detail},
             {"status", problem.status}}
      .dump(2);
}

template <class T>
const T* accepted(const std::variant<T, Problem>& read) {
  if (const auto* problem = std::get_if<Problem>(&read)) check_sendable(*problem);
  return std::get_if<T>(&read);
}

void check_payload_json(const json& payload) {
  // Each result is kept in a variable: `accepted` points into it.
  const auto only_existing = read_flag(payload, "onlyReturnExisting");
  (void)accepted(only_existing);
  const auto contact = read_contact(payload, ContactRule::MailtoOnly);
  if (const json* urls = accepted(contact)) {
    if (!urls->is_array()) __builtin_trap();
    for (const json& entry : *urls)
      if (!entry.is_string() || !entry.get_ref<const std::string&>().starts_with("mailto:"))
        __builtin_trap();
    (void)urls->dump(2);  // stored in the account, sent back in its JSON
  }
  const auto any_contact = read_contact(payload, ContactRule::AnyStrings);
  if (const json* urls = accepted(any_contact)) (void)urls->dump(2);
  const auto deactivation = read_deactivation(payload);
  (void)accepted(deactivation);
  const auto order = read_new_order(payload);
  if (const auto* names = accepted(order)) {
    if (names->empty()) __builtin_trap();
    for (std::size_t i = 0; i < names->size(); ++i) {
      const std::string& name = (*names)[i];
      if (name.empty() || name.find('*') != std::string::npos || name.back() == '.')
        __builtin_trap();
      for (char c : name)
        if (c >= 'A' && c <= 'Z') __builtin_trap();
      for (std::size_t j = 0; j < i; ++j)
        if ((*names)[j] == name) __builtin_trap();
    }
  }
  const auto csr = read_finalize(payload);
  (void)accepted(csr);
  const auto certificate = read_revoked_certificate(payload);
  (void)accepted(certificate);
  const auto reason = read_revocation_reason(payload);
  if (const int* code = accepted(reason)) {
    const auto sent = payload.is_object() ? payload.find("reason") : payload.end();
    if (payload.is_object() && sent != payload.end() &&
        (!sent->is_number_integer() || *sent != *code))
      __builtin_trap();
  }
}

void check_payload(std::string_view text) {
  const auto parsed = parse_payload(text);
  if (const json* payload = accepted(parsed)) {
    if (payload->is_null() != text.empty()) __builtin_trap();
    check_payload_json(*payload);
  }
}

void check_jwk(const json& jwk) {
  (void)jwk_thumbprint(jwk);
  auto key = jwk_to_key(jwk);
  auto* pkey = std::get_if<miniweb::tls::EvpPkeyPtr>(&key);
  if (!pkey) return;
  auto again = key_to_jwk(pkey->get());
  if (!again) __builtin_trap();
  // OpenSSL's public check of an RSA modulus (EVP_PKEY_public_check, SP 800-56B) runs
  // Miller-Rabin with random bases: a malformed modulus, as a fuzzer makes and no real key has,
  // may pass it once and fail it the next time. So a key refused when read back is no finding
  // (CI saw it once in a few runs); a key that is read back must be the same key.
  auto reread = jwk_to_key(*again);
  auto* same = std::get_if<miniweb::tls::EvpPkeyPtr>(&reread);
  if (same && EVP_PKEY_eq(pkey->get(), same->get()) != 1) __builtin_trap();
  if (!jwk_thumbprint(*again)) __builtin_trap();
}

void check_request_body(std::string_view body) {
  auto parsed = parse_jws(body);
  const Jws* jws = std::get_if<Jws>(&parsed);
  if (!jws) return;
  if ((jws->alg != "ES256" && jws->alg != "RS256") || jws->jwk.has_value() == jws->kid.has_value())
    __builtin_trap();
  auto payload = base64url_decode(jws->payload_b64);
  if (!payload || *payload != jws->payload || base64url_encode(*payload) != jws->payload_b64)
    __builtin_trap();
  if (jws->jwk) {
    check_jwk(*jws->jwk);
    auto key = jwk_to_key(*jws->jwk);
    if (auto* pkey = std::get_if<miniweb::tls::EvpPkeyPtr>(&key))
      (void)verify_jws(*jws, pkey->get());
  }
  check_payload(jws->payload);
}

// One key for the process: generating a key per input would be all the fuzzer did.
EVP_PKEY* signing_key() {
  static const miniweb::tls::EvpPkeyPtr key(EVP_EC_gen("P-256"));
  if (!key) __builtin_trap();
  return key.get();
}

void check_signed(std::string_view input) {
  const std::size_t newline = input.find('\n');
  if (newline == std::string_view::npos) return;
  json header = json::parse(input.substr(0, newline), nullptr, false);
  if (header.is_discarded() || !header.is_object()) return;
  const std::string_view payload = input.substr(newline + 1);
  auto body = miniweb::jose::sign_jws(header, payload, signing_key());
  if (!body) __builtin_trap();
  check_request_body(*body);
  auto parsed = parse_jws(*body);
  const Jws* jws = std::get_if<Jws>(&parsed);
  if (!jws) return;
  if (jws->payload != payload || jws->header != header) __builtin_trap();
  // What the key signed verifies under ES256, the key's algorithm; under RS256 it cannot.
  const bool verified = !verify_jws(*jws, signing_key()).has_value();
  if (verified != (jws->alg == "ES256")) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 4) {
    case 0:
      check_request_body(input);
      break;
    case 1:
      check_payload(input);
      break;
    case 2: {
      json jwk = json::parse(input, nullptr, false);
      if (!jwk.is_discarded() && jwk.is_object()) check_jwk(jwk);
      break;
    }
    default:
      check_signed(input);
      break;
  }
  ERR_clear_error();
  return 0;
}
