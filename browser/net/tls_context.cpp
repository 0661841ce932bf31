#include "browser/net/tls_context.hpp"

#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/x509.h>

#include "browser/exit_codes.hpp"
#include "browser/net/certificate_policy.hpp"
#include "browser/net/tls_client.hpp"
#include "shared/text.hpp"

namespace miniweb::browser {
namespace {

// Each call is real work a handshake repeats; what stays is OpenSSL's tables, built.
void use_handshake_algorithms(SSL_CTX* context) {
  if (EVP_PKEY* share = EVP_PKEY_Q_keygen(nullptr, nullptr, "X25519")) {
    if (EVP_PKEY_CTX* derive = EVP_PKEY_CTX_new_from_pkey(nullptr, share, nullptr)) {
      std::size_t length = 0;
      if (EVP_PKEY_derive_init(derive) == 1 && EVP_PKEY_derive_set_peer(derive, share) == 1)
        EVP_PKEY_derive(derive, nullptr, &length);
      EVP_PKEY_CTX_free(derive);
    }
    EVP_PKEY_free(share);
  }
  EVP_KDF_free(EVP_KDF_fetch(nullptr, "TLS13-KDF", nullptr));
  EVP_MAC_free(EVP_MAC_fetch(nullptr, "HMAC", nullptr));
  // The trusted roots sign themselves: checking one decodes its key and verifies a signature of
  // the kind the server's chain carries.
  STACK_OF(X509_OBJECT)* objects = X509_STORE_get0_objects(SSL_CTX_get_cert_store(context));
  for (int i = 0; i < sk_X509_OBJECT_num(objects); ++i)
    if (X509* root = X509_OBJECT_get0_X509(sk_X509_OBJECT_value(objects, i))) {
      X509_verify(root, X509_get0_pubkey(root));
      break;
    }
}

}  // namespace

ContextHeadStart::ContextHeadStart(int argc, char** argv) {
  for (int i = 1; i < argc; ++i)
    if (istarts_with(argv[i], "https://")) {  // the scheme in any case (RFC 3986 3.1)
      began_ = std::chrono::steady_clock::now();
      // As asio's context makes one, which then takes it over (no compression: CRIME).
      made_ = std::async(std::launch::async, [] {
        tls::SslCtxPtr context(SSL_CTX_new(TLS_client_method()));
        if (context) SSL_CTX_set_options(context.get(), SSL_OP_NO_COMPRESSION);
        return context;
      });
      return;
    }
}

ContextHeadStart::~ContextHeadStart() {
  take();
}

tls::SslCtxPtr ContextHeadStart::take() {
  const std::lock_guard lock(mutex_);
  return made_.valid() ? made_.get() : nullptr;
}

ClientContext build_client_context(const std::filesystem::path& ca_file, HttpVersions versions,
                                   ContextHeadStart* head_start) {
  tls::SslCtxPtr made = head_start ? head_start->take() : nullptr;
  auto context = made ? std::make_unique<asio::ssl::context>(made.release())
                      : std::make_unique<asio::ssl::context>(asio::ssl::context::tls_client);
  SSL_CTX_set_min_proto_version(context->native_handle(), TLS1_2_VERSION);
  std::error_code ec;
  context->load_verify_file(ca_file.string(), ec);
  if (ec)
    return make_error("cannot load the trusted CA file " + ca_file.string() + ": " + ec.message(),
                      exit_code::kCertificate);
  context->set_verify_mode(asio::ssl::verify_peer);
  apply_certificate_policy(context->native_handle());
  // RFC 7301: the protocol list, each name length-prefixed, the preferred first. h2 over TLS
  // is what browsers offer (RFC 9113 section 3.2); --http1.1 leaves it out.
  static constexpr unsigned char kH2AndHttp11[] = {2,   'h', '2', 8,   'h', 't',
                                                   't', 'p', '/', '1', '.', '1'};
  static constexpr unsigned char kHttp11[] = {8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
  if (versions == HttpVersions::Http11Only)
    SSL_CTX_set_alpn_protos(context->native_handle(), kHttp11, sizeof kHttp11);
  else
    SSL_CTX_set_alpn_protos(context->native_handle(), kH2AndHttp11, sizeof kH2AndHttp11);
  use_handshake_algorithms(context->native_handle());
  return context;
}

std::future<ClientContext> prepare_client_context(const std::filesystem::path& ca_file,
                                                  HttpVersions versions,
                                                  ContextHeadStart* head_start) {
  return std::async(std::launch::async, [ca_file, versions, head_start] {
    return build_client_context(ca_file, versions, head_start);
  });
}

}  // namespace miniweb::browser
