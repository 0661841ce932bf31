#pragma once
// Secrets of the shop: password hashes (scrypt, RFC 7914, through OpenSSL 3's EVP_PBE_scrypt,
// with a salt of each user's own), the random tokens of sessions and forms, and comparing
// secrets in constant time.
//
// A hash is stored as text that names its parameters, so they can grow without making the old
// hashes unreadable:  scrypt$N$r$p$SALT_HEX$KEY_HEX

#include <string>
#include <string_view>

#include "shared/result.hpp"

namespace miniweb::shop {

struct ScryptCost {
  unsigned long n = 1UL << 14;  // 16 MiB of memory per hash with r = 8
  unsigned long r = 8;
  unsigned long p = 1;
};

Result<std::string> hash_password(std::string_view password, const ScryptCost& cost = {});
// Whether `password` is the one `stored` was made from (false for a malformed `stored`).
bool verify_password(std::string_view password, std::string_view stored);

// `bytes` random bytes from OpenSSL's generator, as lower-case hex.
std::string random_token(std::size_t bytes = 32);
// SHA-256, as lower-case hex.
std::string sha256_hex(std::string_view data);
// Equality in a time that does not depend on where the texts differ (only on their length).
bool constant_time_equals(std::string_view a, std::string_view b);

}  // namespace miniweb::shop
