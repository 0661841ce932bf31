#include "ca/acme/jws.hpp"

#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/param_build.h>

#include "ca/crypto.hpp"

namespace miniweb::ca::acme {

namespace {

using jose::is_ec_p256;

using EvpMdCtxPtr = std::unique_ptr<EVP_MD_CTX, tls::OpenSslDeleter<EVP_MD_CTX_free>>;
using EcdsaSigPtr = std::unique_ptr<ECDSA_SIG, tls::OpenSslDeleter<ECDSA_SIG_free>>;
using ParamBldPtr = std::unique_ptr<OSSL_PARAM_BLD, tls::OpenSslDeleter<OSSL_PARAM_BLD_free>>;
using ParamPtr = std::unique_ptr<OSSL_PARAM, tls::OpenSslDeleter<OSSL_PARAM_free>>;

constexpr std::size_t kP256CoordinateBytes = 32;
// A request body larger than this is not an ACME message (a CSR with 100 names is ~10 KiB).
constexpr std::size_t kMaxJwsBytes = 256 * 1024;

JwsError malformed(std::string detail) {
  return JwsError{JwsFailure::malformed, std::move(detail)};
}

const std::string* string_member(const nlohmann::json& object, const char* name) {
  auto it = object.find(name);
  if (it == object.end() || !it->is_string()) return nullptr;
  return it->get_ptr<const std::string*>();
}

tls::BignumPtr bignum(std::string_view bytes) {
  return tls::BignumPtr(BN_bin2bn(reinterpret_cast<const unsigned char*>(bytes.data()),
                                  static_cast<int>(bytes.size()), nullptr));
}

std::optional<tls::EvpPkeyPtr> key_from_params(const char* type, OSSL_PARAM_BLD* builder) {
  ParamPtr params(OSSL_PARAM_BLD_to_param(builder));
  tls::EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  EVP_PKEY* key = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) <= 0 ||
      EVP_PKEY_fromdata(ctx.get(), &key, EVP_PKEY_PUBLIC_KEY, params.get()) <= 0) {
    ERR_clear_error();
    return std::nullopt;
  }
  return tls::EvpPkeyPtr(key);
}

}  // namespace

std::variant<Jws, JwsError> parse_jws(std::string_view body) {
  if (body.size() > kMaxJwsBytes) return malformed("request body too large");
  nlohmann::json outer = nlohmann::json::parse(body, nullptr, false);
  if (outer.is_discarded() || !outer.is_object()) {
    return malformed("request body is not a JSON object (a flattened JWS, RFC 7515 §7.2.2)");
  }
  // RFC 8555 §6.2: the flattened serialization only; no unprotected header, one signature.
  if (outer.contains("header") || outer.contains("signatures")) {
    return malformed("JWS must be in flattened JSON form with no unprotected header");
  }
  const std::string* protected_b64 = string_member(outer, "protected");
  const std::string* payload_b64 = string_member(outer, "payload");
  const std::string* signature_b64 = string_member(outer, "signature");
  if (!protected_b64 || !payload_b64 || !signature_b64) {
    return malformed("JWS needs string members protected, payload and signature");
  }
  Jws jws;
  jws.protected_b64 = *protected_b64;
  jws.payload_b64 = *payload_b64;
  auto header_text = base64url_decode(*protected_b64);
  auto payload = base64url_decode(*payload_b64);
  auto signature = base64url_decode(*signature_b64);
  if (!header_text || !payload || !signature) return malformed("JWS member is not base64url");
  jws.payload = std::move(*payload);
  jws.signature = std::move(*signature);
  jws.header = nlohmann::json::parse(*header_text, nullptr, false);
  if (jws.header.is_discarded() || !jws.header.is_object()) {
    return malformed("JWS protected header is not a JSON object");
  }
  const std::string* alg = string_member(jws.header, "alg");
  if (!alg) return malformed("JWS protected header has no alg");
  if (*alg != "ES256" && *alg != "RS256") {
    return JwsError{JwsFailure::bad_signature_algorithm,
                    "JWS algorithm '" + *alg + "' is not supported (use ES256 or RS256)"};
  }
  jws.alg = *alg;
  const std::string* nonce = string_member(jws.header, "nonce");
  const std::string* url = string_member(jws.header, "url");
  if (!nonce) return malformed("JWS protected header has no nonce");
  if (!url) return malformed("JWS protected header has no url");
  jws.nonce = *nonce;
  jws.url = *url;
  const bool has_jwk = jws.header.contains("jwk");
  const bool has_kid = jws.header.contains("kid");
  if (has_jwk == has_kid) return malformed("JWS protected header needs exactly one of jwk and kid");
  if (has_jwk) {
    if (!jws.header["jwk"].is_object()) return malformed("jwk is not a JSON object");
    jws.jwk = jws.header["jwk"];
  } else {
    const std::string* kid = string_member(jws.header, "kid");
    if (!kid) return malformed("kid is not a string");
    jws.kid = *kid;
  }
  return jws;
}

std::variant<tls::EvpPkeyPtr, JwsError> jwk_to_key(const nlohmann::json& jwk) {
  auto bad = [](std::string detail) {
    return JwsError{JwsFailure::bad_public_key, std::move(detail)};
  };
  const std::string* kty = string_member(jwk, "kty");
  if (!kty) return bad("jwk has no kty");
  std::optional<tls::EvpPkeyPtr> key;
  if (*kty == "EC") {
    const std::string* crv = string_member(jwk, "crv");
    const std::string* x_b64 = string_member(jwk, "x");
    const std::string* y_b64 = string_member(jwk, "y");
    if (!crv || !x_b64 || !y_b64) return bad("EC jwk needs crv, x and y");
    if (*crv != "P-256") return bad("EC jwk curve '" + *crv + "' is not supported (use P-256)");
    auto x = base64url_decode(*x_b64);
    auto y = base64url_decode(*y_b64);
    // RFC 7518 §6.2.1.2: coordinates are the full size of the field.
    if (!x || !y || x->size() != kP256CoordinateBytes || y->size() != kP256CoordinateBytes) {
      return bad("EC jwk coordinates must be 32 octets, base64url");
    }
    std::string point = "\x04" + *x + *y;  // SEC 1 uncompressed point
    ParamBldPtr builder(OSSL_PARAM_BLD_new());
    if (!builder ||
        OSSL_PARAM_BLD_push_utf8_string(builder.get(), OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1",
                                        0) != 1 ||
        OSSL_PARAM_BLD_push_octet_string(builder.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                         point.size()) != 1) {
      return bad("cannot build EC key");
    }
    key = key_from_params("EC", builder.get());
  } else if (*kty == "RSA") {
    const std::string* n_b64 = string_member(jwk, "n");
    const std::string* e_b64 = string_member(jwk, "e");
    if (!n_b64 || !e_b64) return bad("RSA jwk needs n and e");
    auto n = base64url_decode(*n_b64);
    auto e = base64url_decode(*e_b64);
    if (!n || !e || n->empty() || e->empty()) return bad("RSA jwk n and e must be base64url");
    auto n_bn = bignum(*n);
    auto e_bn = bignum(*e);
    ParamBldPtr builder(OSSL_PARAM_BLD_new());
    if (!builder || !n_bn || !e_bn ||
        OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_RSA_N, n_bn.get()) != 1 ||
        OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_RSA_E, e_bn.get()) != 1) {
      return bad("cannot build RSA key");
    }
    key = key_from_params("RSA", builder.get());
  } else {
    return bad("jwk key type '" + *kty + "' is not supported (use EC or RSA)");
  }
  if (!key) return bad("jwk does not describe a valid public key");
  if (auto status = check_public_key(key->get()); !status) return bad(status.error().message);
  return std::move(*key);
}

std::optional<JwsError> verify_jws(const Jws& jws, EVP_PKEY* key) {
  std::string signature = jws.signature;
  if (jws.alg == "ES256") {
    if (!is_ec_p256(key)) {
      return JwsError{JwsFailure::bad_signature_algorithm, "ES256 needs an EC P-256 key"};
    }
    // RFC 7518 §3.4: R || S, each 32 octets; OpenSSL wants a DER ECDSA-Sig-Value.
    if (signature.size() != 2 * kP256CoordinateBytes) {
      return JwsError{JwsFailure::bad_signature, "ES256 signature must be 64 octets"};
    }
    EcdsaSigPtr sig(ECDSA_SIG_new());
    auto r = bignum(std::string_view(signature).substr(0, kP256CoordinateBytes));
    auto s = bignum(std::string_view(signature).substr(kP256CoordinateBytes));
    if (!sig || !r || !s || ECDSA_SIG_set0(sig.get(), r.get(), s.get()) != 1) {
      return JwsError{JwsFailure::bad_signature, "cannot decode ES256 signature"};
    }
    (void)r.release();  // now owned by sig
    (void)s.release();
    unsigned char* der = nullptr;
    const int der_length = i2d_ECDSA_SIG(sig.get(), &der);
    if (der_length <= 0) return JwsError{JwsFailure::bad_signature, "cannot encode signature"};
    signature.assign(reinterpret_cast<char*>(der), static_cast<std::size_t>(der_length));
    OPENSSL_free(der);
  } else if (EVP_PKEY_get_base_id(key) != EVP_PKEY_RSA) {
    return JwsError{JwsFailure::bad_signature_algorithm, "RS256 needs an RSA key"};
  }
  const std::string input = jws.protected_b64 + "." + jws.payload_b64;
  EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  const bool ok =
      ctx && EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key) == 1 &&
      EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                       signature.size(), reinterpret_cast<const unsigned char*>(input.data()),
                       input.size()) == 1;
  ERR_clear_error();
  if (!ok) return JwsError{JwsFailure::bad_signature, "JWS signature does not verify"};
  return std::nullopt;
}

}  // namespace miniweb::ca::acme
