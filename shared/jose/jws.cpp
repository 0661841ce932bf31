#include "shared/jose/jws.hpp"

#include <openssl/core_names.h>
#include <openssl/ecdsa.h>

#include <array>
#include <map>
#include <memory>
#include <vector>

#include "shared/tls/openssl_ptr.hpp"

namespace miniweb::jose {

namespace {

using EvpMdCtxPtr = std::unique_ptr<EVP_MD_CTX, tls::OpenSslDeleter<EVP_MD_CTX_free>>;
using EcdsaSigPtr = std::unique_ptr<ECDSA_SIG, tls::OpenSslDeleter<ECDSA_SIG_free>>;

constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
constexpr int kP256CoordinateBytes = 32;

int decode_char(char c) {
  const auto at = kAlphabet.find(c);
  return at == std::string_view::npos ? -1 : static_cast<int>(at);
}

const std::string* string_member(const nlohmann::json& object, const char* name) {
  auto it = object.find(name);
  if (it == object.end() || !it->is_string()) return nullptr;
  return it->get_ptr<const std::string*>();
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

}  // namespace

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

Result<std::string> signature_algorithm(EVP_PKEY* key) {
  if (is_ec_p256(key)) return std::string("ES256");
  if (EVP_PKEY_get_base_id(key) == EVP_PKEY_RSA) return std::string("RS256");
  return make_error("only EC P-256 (ES256) and RSA (RS256) keys can sign a JWS here");
}

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

}  // namespace miniweb::jose
