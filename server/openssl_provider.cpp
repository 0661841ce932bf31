#include "server/openssl_provider.hpp"

#include <openssl/core_dispatch.h>

#include "shared/openssl/reshaped_provider.hpp"

namespace miniweb::server {
namespace {

// Every key manager kept: "narrowed" to all of them, X25519's among them, which makes key
// shares ahead.
constexpr openssl::ProviderShape kServerShape{
    kServerProviderName, {{{OSSL_OP_KEYMGMT, &openssl::keep_all}}}, nullptr};

}  // namespace

OSSL_PROVIDER* load_server_provider(OSSL_LIB_CTX* library) {
  return openssl::load_reshaped_provider<kServerShape>(library);
}

}  // namespace miniweb::server
