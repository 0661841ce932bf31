#pragma once
// OpenSSL's default provider, started under a name of its own and reshaped: its own
// initialisation, implementations and properties ("provider=default" still), with some
// operations' lists narrowed, some TLS groups left untold to libssl, and X25519's key manager
// handing over key pairs made ahead (key_share_ahead.hpp). The browser's narrows what TLS
// leaves unused (browser/openssl/provider.hpp); the server's only makes key shares ahead
// (server/openssl_provider.hpp).
//
// Fixed arrays, and no other part of the C++ library: the browser's OpenSSL module
// (browser/openssl/module.cpp) needs no libstdc++ of its own to load. The default provider's
// own initialisation is in OpenSSL's static archive, which the programs link (CMakeLists.txt).

#include <openssl/core.h>
#include <openssl/core_dispatch.h>
#include <openssl/provider.h>

#include <array>
#include <cstddef>
#include <string_view>

namespace miniweb::openssl {

// The first of an algorithm's names ("AES-128-GCM:id-aes128-GCM:..." gives "AES-128-GCM").
std::string_view first_name(const char* names);

// What a reshaped provider changes of the default's.
struct ProviderShape {
  struct Narrowing {
    int operation = 0;  // OSSL_OP_*; 0: an unused place
    bool (*wanted)(const OSSL_ALGORITHM&) = nullptr;
  };
  const char* name;
  // The operations whose lists it narrows to what `wanted` keeps. X25519's key manager makes
  // key shares ahead when OSSL_OP_KEYMGMT is among them (keep_all keeps the whole list).
  std::array<Narrowing, 8> narrowed;
  // The TLS groups it tells libssl of (its "TLS-GROUP" capability); null: all of the default's.
  bool (*group_wanted)(std::string_view group) = nullptr;
};

// A Narrowing's `wanted` that keeps every algorithm.
bool keep_all(const OSSL_ALGORITHM& algorithm);

// One reshaped provider's state, made as it starts (for the first instance; a second library
// context's writes the same values again: they come from the default provider's static
// tables), read-only after.
struct ProviderState {
  struct Kept {
    std::array<OSSL_ALGORITHM, 32> algorithms{};  // the wanted ones, then an empty entry
    bool fits = true;  // false: more were wanted than fit, and the default's list is offered
  };
  OSSL_FUNC_provider_query_operation_fn* default_query = nullptr;
  OSSL_FUNC_provider_get_capabilities_fn* default_capabilities = nullptr;
  std::array<OSSL_DISPATCH, 16> dispatch{};
  std::array<Kept, 8> kept{};  // by the shape's `narrowed`
};

// The parts of a reshaped provider, for ReshapedProvider below.
int start_reshaped(const ProviderShape& shape, ProviderState& state,
                   OSSL_FUNC_provider_query_operation_fn* query,
                   OSSL_FUNC_provider_get_capabilities_fn* capabilities,
                   const OSSL_CORE_HANDLE* handle, const OSSL_DISPATCH* from_core,
                   const OSSL_DISPATCH** to_core, void** context);
const OSSL_ALGORITHM* query_reshaped(const ProviderShape& shape, const ProviderState& state,
                                     void* context, int operation, int* no_cache);
int capabilities_reshaped(const ProviderShape& shape, const ProviderState& state, void* context,
                          const char* capability, OSSL_CALLBACK* callback, void* argument);

// A provider of `shape`: OpenSSL calls these with no argument of the program's own, so each
// shape has functions and a state of its own.
template <const ProviderShape& shape>
struct ReshapedProvider {
  static inline ProviderState state{};
  static const OSSL_ALGORITHM* query(void* context, int operation, int* no_cache) {
    return query_reshaped(shape, state, context, operation, no_cache);
  }
  static int capabilities(void* context, const char* capability, OSSL_CALLBACK* callback,
                          void* argument) {
    return capabilities_reshaped(shape, state, context, capability, callback, argument);
  }
  static int start(const OSSL_CORE_HANDLE* handle, const OSSL_DISPATCH* from_core,
                   const OSSL_DISPATCH** to_core, void** context) {
    return start_reshaped(shape, state, &query, &capabilities, handle, from_core, to_core, context);
  }
};

// Adds a provider of `shape` to a library context (OpenSSL's default one unless told) and loads
// it, in place of the default provider OpenSSL would load at its first fetch: once, before
// anything fetches an algorithm there. Returns the provider, which stays loaded until
// OSSL_PROVIDER_unload; nullptr if OpenSSL refused it: the default provider then loads as it
// would have.
template <const ProviderShape& shape>
OSSL_PROVIDER* load_reshaped_provider(OSSL_LIB_CTX* library = nullptr) {
  if (OSSL_PROVIDER_add_builtin(library, shape.name, &ReshapedProvider<shape>::start) != 1)
    return nullptr;
  return OSSL_PROVIDER_load(library, shape.name);
}

}  // namespace miniweb::openssl
