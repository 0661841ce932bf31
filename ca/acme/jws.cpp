#include "ca/acme/jws.hpp"

#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/param_build.h>

#include <array>
#include <map>

#include "ca/crypto.hpp"

namespace miniweb::ca::acme {

namespace {

using EvpMdCtxPtr = std::unique_ptr<EVP_MD_CTX, tls::OpenSslDeleter<EVP_MD_CTX_free>>;
using EcdsaSigPtr = std::unique_ptr<ECDSA_SIG, tls::OpenSslDeleter<ECDSA_SIG_free>>;
using ParamBldPtr = std::unique_ptr<OSSL_PARAM_BLD, tls::OpenSslDeleter<OSSL_PARAM_BLD_free>>;
using ParamPtr = std::unique_ptr<OSSL_PARAM, tls::OpenSslDeleter<OSSL_PARAM_free>>;

constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
constexpr std::size_t kP256CoordinateBytes = 32;
// A request body larger than this is not an ACME message (a CSR with 100 names is ~10 KiB).
constexpr std::size_t kMaxJwsBytes = 256 * 1024;

int decode_char(char c) {
  const auto at = kAlphabet.find(c);
  return at == std::string_view::npos ? -1 : static_cast<int>(at);
}

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

std::string bignum_bytes(const BIGNUM* bn, int pad_to = 0) {
  const int size = pad_to > 0 ? pad_to : BN_num_bytes(bn);
  std::string out(static_cast<std::size_t>(size), '\0');
  if (pad_to > 0) {
    BN_bn2binpad(bn, reinterpret_cast<unsigned char*>(out.data()), pad_to);
  } else {
    BN_bn2bin(bn, reinterpret_cast<unsigned char*>(out.data()));
  }
  return out;
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

bool is_ec_p256(EVP_PKEY* key) {
  if (EVP_PKEY_get_base_id(key) != EVP_PKEY_EC) return false;
  std::array<char, 64> group{};
  std::size_t length = 0;
  if (EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group.data(), group.size(),
                                     &length) != 1) {
    return false;
  }
  return std::string_view(group.data(), length) == "prime256v1";
}

}  // namespace

std::string base64url_encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() * 4 + 2) / 3);
  std::size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const unsigned v = static_cast<unsigned char>(bytes[i]) << 16 |
                       static_cast<unsigned char>(bytes[i + 1]) << 8 |
                       static_cast<unsigned char>(bytes[i + 2]);
    out += kAlphabet[v >> 18 & 63];
    out += kAlphabet[v >> 12 & 63];
    out += kAlphabet[v >> 6 & 63];
    out += kAlphabet[v & 63];
  }
  const std::size_t rest = bytes.size() - i;
  if (rest == 1) {
    const unsigned v = static_cast<unsigned char>(bytes[i]) << 16;
    out += kAlphabet[v >> 18 & 63];
    out += kAlphabet[v >> 12 & 63];
  } else if (rest == 2) {
    const unsigned v =
        static_cast<unsigned char>(bytes[i]) << 16 | static_cast<unsigned char>(bytes[i + 1]) << 8;
    out += kAlphabet[v >> 18 & 63];
    out += kAlphabet[v >> 12 & 63];
    out += kAlphabet[v >> 6 & 63];
  }
  return out;
}

std::optional<std::string> base64url_decode(std::string_view text) {
  if (text.size() % 4 == 1) return std::nullopt;
  std::string out;
  out.reserve(text.size() * 3 / 4);
  unsigned buffer = 0;
  int bits = 0;
  for (char c : text) {
    const int value = decode_char(c);
    if (value < 0) return std::nullopt;
    buffer = (buffer << 6 | static_cast<unsigned>(value)) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>(buffer >> bits & 0xff);
    }
  }
  // The bits left over must be zero, so each byte string has exactly one encoding.
  if (bits > 0 && (buffer & ((1u << bits) - 1)) != 0) return std::nullopt;
  return out;
}

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

Result<std::string> jwk_thumbprint(const nlohmann::json& jwk) {
  const std::string* kty = string_member(jwk, "kty");
  if (!kty) return make_error("jwk has no kty");
  // std::map keeps keys sorted and dump() writes no whitespace: RFC 7638 §3.
  std::map<std::string, std::string> members;
  std::vector<const char*> required;
  if (*kty == "EC") {
    required = {"crv", "kty", "x", "y"};
  } else if (*kty == "RSA") {
    required = {"e", "kty", "n"};
  } else {
    return make_error("jwk key type '" + *kty + "' is not supported");
  }
  for (const char* name : required) {
    const std::string* value = string_member(jwk, name);
    if (!value) return make_error(std::string("jwk has no ") + name);
    members[name] = *value;
  }
  const std::string canonical = nlohmann::json(members).dump();
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  if (EVP_Digest(canonical.data(), canonical.size(), digest.data(), &length, EVP_sha256(),
                 nullptr) != 1) {
    return make_error("SHA-256 failed: " + tls::openssl_error_text());
  }
  return base64url_encode(std::string_view(reinterpret_cast<const char*>(digest.data()), length));
}

Result<nlohmann::json> key_to_jwk(EVP_PKEY* key) {
  if (is_ec_p256(key)) {
    BIGNUM* x = nullptr;
    BIGNUM* y = nullptr;
    EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_EC_PUB_X, &x);
    EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_EC_PUB_Y, &y);
    tls::BignumPtr x_owner(x);
    tls::BignumPtr y_owner(y);
    if (!x || !y) return make_error("cannot read EC public key");
    return nlohmann::json{{"kty", "EC"},
                          {"crv", "P-256"},
                          {"x", base64url_encode(bignum_bytes(x, kP256CoordinateBytes))},
                          {"y", base64url_encode(bignum_bytes(y, kP256CoordinateBytes))}};
  }
  if (EVP_PKEY_get_base_id(key) == EVP_PKEY_RSA) {
    BIGNUM* n = nullptr;
    BIGNUM* e = nullptr;
    EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_RSA_N, &n);
    EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_RSA_E, &e);
    tls::BignumPtr n_owner(n);
    tls::BignumPtr e_owner(e);
    if (!n || !e) return make_error("cannot read RSA public key");
    return nlohmann::json{{"kty", "RSA"},
                          {"n", base64url_encode(bignum_bytes(n))},
                          {"e", base64url_encode(bignum_bytes(e))}};
  }
  return make_error("only EC P-256 and RSA keys have a JWK here");
}

Result<std::string> sign_jws(const nlohmann::json& protected_header, std::string_view payload,
                             EVP_PKEY* key) {
  const std::string protected_b64 = base64url_encode(protected_header.dump());
  const std::string payload_b64 = base64url_encode(payload);
  const std::string input = protected_b64 + "." + payload_b64;
  EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  std::size_t length = 0;
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &length,
                     reinterpret_cast<const unsigned char*>(input.data()), input.size()) != 1) {
    return make_error("signing failed: " + tls::openssl_error_text());
  }
  std::string signature(length, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &length,
                     reinterpret_cast<const unsigned char*>(input.data()), input.size()) != 1) {
    return make_error("signing failed: " + tls::openssl_error_text());
  }
  signature.resize(length);
  if (is_ec_p256(key)) {
    const auto* der = reinterpret_cast<const unsigned char*>(signature.data());
    EcdsaSigPtr sig(d2i_ECDSA_SIG(nullptr, &der, static_cast<long>(signature.size())));
    if (!sig) return make_error("cannot decode ECDSA signature");
    signature = bignum_bytes(ECDSA_SIG_get0_r(sig.get()), kP256CoordinateBytes) +
                bignum_bytes(ECDSA_SIG_get0_s(sig.get()), kP256CoordinateBytes);
  }
  return nlohmann::json{{"protected", protected_b64},
                        {"payload", payload_b64},
                        {"signature", base64url_encode(signature)}}
      .dump();
}

}  // namespace miniweb::ca::acme
