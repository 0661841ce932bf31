#pragma once
// Signing side of JOSE as ACME uses it (RFC 8555 §6.2): base64url (RFC 7515 §2), public keys
// as JWKs (RFC 7517) and their thumbprints (RFC 7638), and JWS in the flattened JSON
// serialization (RFC 7515 §7.2.2) signed ES256 or RS256 (RFC 7518 §3). The CA verifies
// with these (ca/acme/jws.hpp); the HTTPS server's ACME client signs with them.

#include <openssl/evp.h>

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "shared/result.hpp"

namespace miniweb::jose {

// RFC 4648 §5 without padding, as JOSE uses it (RFC 7515 §2). Decoding refuses padding,
// characters outside the alphabet and non-canonical trailing bits.
std::string base64url_encode(std::string_view bytes);
std::optional<std::string> base64url_decode(std::string_view text);

// True for an EC key on P-256 (prime256v1), the only curve ES256 uses.
bool is_ec_p256(EVP_PKEY* key);

// The JWK of a public key (EC P-256 or RSA).
Result<nlohmann::json> key_to_jwk(EVP_PKEY* key);

// RFC 7638: SHA-256 over the required members in lexicographic order, base64url.
Result<std::string> jwk_thumbprint(const nlohmann::json& jwk);

// The JWS "alg" for a key: ES256 for EC P-256, RS256 for RSA.
Result<std::string> signature_algorithm(EVP_PKEY* key);

// Signs `protected_header` and `payload` (empty for ACME's POST-as-GET) with `key` as ES256
// (R || S, RFC 7518 §3.4) or RS256, returning the flattened JSON serialization.
Result<std::string> sign_jws(const nlohmann::json& protected_header, std::string_view payload,
                             EVP_PKEY* key);

}  // namespace miniweb::jose
