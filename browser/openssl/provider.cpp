#include "browser/openssl/provider.hpp"

#include <openssl/core_dispatch.h>

#include <array>
#include <cstddef>
#include <cstring>
#include <string_view>

#include "shared/openssl/reshaped_provider.hpp"

namespace miniweb::browser {
namespace {

using openssl::first_name;

template <std::size_t count>
bool named_in(const OSSL_ALGORITHM& algorithm, const std::array<std::string_view, count>& names) {
  for (const auto name : names)
    if (first_name(algorithm.algorithm_names) == name) return true;
  return false;
}

// Whether an algorithm is one of `names` (a list of provider.hpp's), as keep() asks.
template <const auto& names>
bool listed_in(const OSSL_ALGORITHM& algorithm) {
  return named_in(algorithm, names);
}

// The browser decodes keys only from certificates: a SubjectPublicKeyInfo, in DER, of a key
// that can sign a handshake.
bool decodes_public_key_info(const OSSL_ALGORITHM& decoder) {
  return decoder.property_definition != nullptr &&
         std::strstr(decoder.property_definition, "structure=SubjectPublicKeyInfo") != nullptr &&
         named_in(decoder, kBrowserProviderKeyDecoders);
}

bool group_wanted(std::string_view group) {
  for (const std::string_view kept : kBrowserProviderGroups)
    if (kept == group) return true;
  return false;
}

// The operations whose lists the browser's provider narrows, each with what it keeps of the
// default's, and the TLS groups it tells of.
constexpr openssl::ProviderShape kBrowserShape{
    kBrowserProviderName,
    {{
        {OSSL_OP_CIPHER, &listed_in<kBrowserProviderCiphers>},
        {OSSL_OP_DIGEST, &listed_in<kBrowserProviderDigests>},
        {OSSL_OP_DECODER, &decodes_public_key_info},
        {OSSL_OP_KDF, &listed_in<kBrowserProviderKdfs>},
        {OSSL_OP_MAC, &listed_in<kBrowserProviderMacs>},
        {OSSL_OP_KEYEXCH, &listed_in<kBrowserProviderKeyExchanges>},
        {OSSL_OP_SIGNATURE, &listed_in<kBrowserProviderSignatures>},
        {OSSL_OP_KEYMGMT, &listed_in<kBrowserProviderKeyManagers>},
    }},
    &group_wanted};

}  // namespace

OSSL_PROVIDER* load_browser_provider(OSSL_LIB_CTX* library) {
  return openssl::load_reshaped_provider<kBrowserShape>(library);
}

}  // namespace miniweb::browser
