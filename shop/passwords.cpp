#include "shop/passwords.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <charconv>
#include <stdexcept>
#include <vector>

namespace miniweb::shop {

namespace {

constexpr std::size_t kSaltBytes = 16;
constexpr std::size_t kKeyBytes = 32;
// Above what any cost this program writes needs (128 * N * r * p bytes), so that a stored hash
// with absurd parameters fails instead of taking the machine's memory.
constexpr std::uint64_t kMaxScryptMemory = 64ULL << 20;

std::string to_hex(const unsigned char* bytes, std::size_t size) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(size * 2);
  for (std::size_t i = 0; i < size; ++i) {
    hex += digits[bytes[i] >> 4];
    hex += digits[bytes[i] & 0xf];
  }
  return hex;
}

bool from_hex(std::string_view hex, std::vector<unsigned char>& out) {
  if (hex.size() % 2 != 0) return false;
  out.clear();
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    unsigned value = 0;
    auto [end, ec] = std::from_chars(hex.data() + i, hex.data() + i + 2, value, 16);
    if (ec != std::errc{} || end != hex.data() + i + 2) return false;
    out.push_back(static_cast<unsigned char>(value));
  }
  return true;
}

bool scrypt(std::string_view password, const std::vector<unsigned char>& salt,
            const ScryptCost& cost, std::vector<unsigned char>& key) {
  return EVP_PBE_scrypt(password.data(), password.size(), salt.data(), salt.size(), cost.n, cost.r,
                        cost.p, kMaxScryptMemory, key.data(), key.size()) == 1;
}

// The '$'-separated fields of a stored hash.
std::vector<std::string_view> fields(std::string_view text) {
  std::vector<std::string_view> parts;
  for (;;) {
    const auto dollar = text.find('$');
    parts.push_back(text.substr(0, dollar));
    if (dollar == std::string_view::npos) return parts;
    text.remove_prefix(dollar + 1);
  }
}

bool parse_number(std::string_view text, unsigned long& value) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  return ec == std::errc{} && end == text.data() + text.size() && value > 0;
}

}  // namespace

Result<std::string> hash_password(std::string_view password, const ScryptCost& cost) {
  std::vector<unsigned char> salt(kSaltBytes);
  if (RAND_bytes(salt.data(), static_cast<int>(salt.size())) != 1)
    return make_error("no random bytes for a salt");
  std::vector<unsigned char> key(kKeyBytes);
  if (!scrypt(password, salt, cost, key)) return make_error("scrypt failed");
  return "scrypt$" + std::to_string(cost.n) + "$" + std::to_string(cost.r) + "$" +
         std::to_string(cost.p) + "$" + to_hex(salt.data(), salt.size()) + "$" +
         to_hex(key.data(), key.size());
}

bool verify_password(std::string_view password, std::string_view stored) {
  const std::vector<std::string_view> parts = fields(stored);
  ScryptCost cost;
  std::vector<unsigned char> salt;
  std::vector<unsigned char> expected;
  if (parts.size() != 6 || parts[0] != "scrypt" || !parse_number(parts[1], cost.n) ||
      !parse_number(parts[2], cost.r) || !parse_number(parts[3], cost.p) ||
      !from_hex(parts[4], salt) || !from_hex(parts[5], expected) || expected.empty())
    return false;
  std::vector<unsigned char> key(expected.size());
  if (!scrypt(password, salt, cost, key)) return false;
  return CRYPTO_memcmp(key.data(), expected.data(), key.size()) == 0;
}

std::string random_token(std::size_t bytes) {
  std::vector<unsigned char> random(bytes);
  // Without random bytes no token is safe to hand out: a programming or system failure.
  if (RAND_bytes(random.data(), static_cast<int>(random.size())) != 1)
    throw std::runtime_error("OpenSSL has no random bytes");
  return to_hex(random.data(), random.size());
}

std::string sha256_hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_Digest(data.data(), data.size(), digest, &size, EVP_sha256(), nullptr);
  return to_hex(digest, size);
}

bool constant_time_equals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace miniweb::shop
