#pragma once
// JSON Web Signatures as ACME uses them (RFC 8555 §6.2): the flattened JSON serialization
// (RFC 7515 §7.2.2), ES256 and RS256 (RFC 7518 §3), public keys as JWKs (RFC 7517) and their
// thumbprints (RFC 7638).

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "shared/jose/jws.hpp"
#include "shared/result.hpp"
#include "shared/tls/openssl_ptr.hpp"

namespace miniweb::ca::acme {

// base64url, JWKs, thumbprints and signing are shared with the HTTPS server's ACME client.
using jose::base64url_decode;
using jose::base64url_encode;
using jose::jwk_thumbprint;
using jose::key_to_jwk;
using jose::sign_jws;

// Why a JWS was refused, mapped by the caller to an ACME error type.
enum class JwsFailure { malformed, bad_signature_algorithm, bad_public_key, bad_signature };

struct JwsError {
  JwsFailure failure = JwsFailure::malformed;
  std::string detail;
};

// A parsed JWS whose protected header has been decoded but whose signature is not yet checked
// (the key may come from the account named by `kid`).
struct Jws {
  std::string protected_b64;
  std::string payload_b64;
  std::string signature;  // decoded
  nlohmann::json header;  // the decoded protected header
  std::string alg;
  std::string nonce;
  std::string url;
  std::optional<nlohmann::json> jwk;
  std::optional<std::string> kid;
  std::string payload;  // decoded; empty for POST-as-GET
};

// Parses the request body; checks the header carries alg (ES256 or RS256), nonce, url and
// exactly one of jwk and kid.
std::variant<Jws, JwsError> parse_jws(std::string_view body);

// A public key from a JWK: EC P-256 (for ES256) or RSA (for RS256), checked as CSR keys are.
std::variant<tls::EvpPkeyPtr, JwsError> jwk_to_key(const nlohmann::json& jwk);

// Verifies the signature over protected "." payload with `key` under `alg`.
std::optional<JwsError> verify_jws(const Jws& jws, EVP_PKEY* key);

}  // namespace miniweb::ca::acme
