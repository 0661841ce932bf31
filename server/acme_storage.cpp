#include "server/acme_storage.hpp"

#include <fcntl.h>
#include <openssl/pem.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace miniweb::server {

Status write_file_atomically(const std::filesystem::path& path, std::string_view content,
                             FileMode mode) {
  std::error_code ec;
  std::filesystem::create_directories(path.parent_path(), ec);
  if (ec) return make_error("cannot create " + path.parent_path().string() + ": " + ec.message());
  const std::filesystem::path temporary = path.string() + ".tmp";
  // The mode is set at creation, so a private key is never readable by others, even briefly.
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
                        mode == FileMode::Private ? 0600 : 0644);
  if (fd < 0) return make_error("cannot write " + temporary.string() + ": " + std::strerror(errno));
  ::fchmod(fd, mode == FileMode::Private ? 0600 : 0644);  // an older temporary file kept its mode
  std::size_t done = 0;
  while (done < content.size()) {
    const ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const std::string why = std::strerror(errno);
      ::close(fd);
      return make_error("cannot write " + temporary.string() + ": " + why);
    }
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0)
    return make_error("cannot write " + temporary.string() + ": " + std::strerror(errno));
  std::filesystem::rename(temporary, path, ec);
  if (ec) return make_error("cannot rename " + temporary.string() + ": " + ec.message());
  return Ok{};
}

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
  if (auto status = write_file_atomically(path, private_key_pem(key->get()), FileMode::Private);
      !status)
    return status.error();
  return key;
}

}  // namespace miniweb::server
