#include "server/acme/storage.hpp"

#include <fcntl.h>
#include <openssl/pem.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace miniweb::server {

Result<tls::EvpPkeyPtr> generate_p256_key() {
  tls::EvpPkeyPtr key(EVP_EC_gen("P-256"));
  if (!key) return make_error("cannot generate a P-256 key: " + tls::openssl_error_text());
  return key;
}

std::string private_key_pem(EVP_PKEY* key) {
  tls::BioPtr bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  const long length = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(length));
}

Result<tls::EvpPkeyPtr> load_or_create_key(const std::filesystem::path& path) {
  if (std::filesystem::exists(path)) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    const std::string pem = text.str();
    tls::BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    tls::EvpPkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
    if (!key)
      return make_error("cannot read the key " + path.string() + ": " + tls::openssl_error_text() +
                        " (remove it to make a new one)");
    return key;
  }
  auto key = generate_p256_key();
  if (!key) return key.error();
  if (auto status = write_file_atomically(path, private_key_pem(key->get()), kPrivateFileMode);
      !status)
    return status.error();
  return key;
}

}  // namespace miniweb::server
