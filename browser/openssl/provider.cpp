#include "browser/openssl/provider.hpp"

#include "browser/openssl/key_share_ahead.hpp"

#include <openssl/core.h>
#include <openssl/core_dispatch.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/params.h>
#include <openssl/provider.h>

#include <array>
#include <cstddef>
#include <cstring>
#include <string_view>

// The default provider's own initialisation. OpenSSL's table of built-in providers names it;
// its static archive defines it (the browser links that archive: CMakeLists.txt says why).
extern "C" OSSL_provider_init_fn ossl_default_provider_init;

namespace miniweb::browser {
namespace {

std::string_view first_name(const char* names) {
  const std::string_view all(names);
  return all.substr(0, all.find(':'));
}

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

// An operation's list, as this provider offers it. Fixed arrays, and no other part of the C++
// library: the module (browser/openssl/module.cpp) needs no libstdc++ of its own to load.
struct Kept {
  std::array<OSSL_ALGORITHM, 32> algorithms{};  // the wanted ones, then an empty entry
  bool fits = true;  // false: more were wanted than fit, and the default's list is offered
};

// The operations whose lists this provider narrows, each with what it keeps of the default's.
struct Narrowed {
  int operation;
  bool (*wanted)(const OSSL_ALGORITHM&);
  Kept kept;
};

// Set as the provider starts, read-only after: the browser loads it once, into OpenSSL's default
// library context, before its first call into OpenSSL returns (start_openssl). A second
// context (the tests') writes the same values again: they come from the default provider's
// static tables.
OSSL_FUNC_provider_query_operation_fn* default_query = nullptr;
OSSL_FUNC_provider_get_capabilities_fn* default_capabilities = nullptr;
std::array<OSSL_DISPATCH, 16> dispatch{};
std::array<Narrowed, 8> narrowed = {{
    {OSSL_OP_CIPHER, &listed_in<kBrowserProviderCiphers>, {}},
    {OSSL_OP_DIGEST, &listed_in<kBrowserProviderDigests>, {}},
    {OSSL_OP_DECODER, &decodes_public_key_info, {}},
    {OSSL_OP_KDF, &listed_in<kBrowserProviderKdfs>, {}},
    {OSSL_OP_MAC, &listed_in<kBrowserProviderMacs>, {}},
    {OSSL_OP_KEYEXCH, &listed_in<kBrowserProviderKeyExchanges>, {}},
    {OSSL_OP_SIGNATURE, &listed_in<kBrowserProviderSignatures>, {}},
    {OSSL_OP_KEYMGMT, &listed_in<kBrowserProviderKeyManagers>, {}},
}};

void keep(Kept& kept, const OSSL_ALGORITHM* all, bool (*wanted)(const OSSL_ALGORITHM&)) {
  std::size_t count = 0;
  for (const OSSL_ALGORITHM* algorithm = all; algorithm != nullptr && algorithm->algorithm_names;
       ++algorithm) {
    if (!wanted(*algorithm)) continue;
    if (count + 1 == kept.algorithms.size()) {
      kept.fits = false;
      return;
    }
    kept.algorithms[count++] = *algorithm;
  }
}

// The narrowed list of an operation, and the default provider's own list for every other.
const OSSL_ALGORITHM* query_operation(void* context, int operation, int* no_cache) {
  const OSSL_ALGORITHM* all = default_query(context, operation, no_cache);
  for (const Narrowed& list : narrowed)
    if (list.operation == operation) return list.kept.fits ? list.kept.algorithms.data() : all;
  return all;
}

// The default provider's capabilities, but of its TLS groups only those of kBrowserProviderGroups:
// each group it tells of is handed on to libssl's callback, or passed over.
struct GroupsWanted {
  OSSL_CALLBACK* libssl;
  void* libssl_argument;
};

int hand_on_wanted_group(const OSSL_PARAM group[], void* argument) {
  const auto* wanted = static_cast<const GroupsWanted*>(argument);
  const OSSL_PARAM* name = OSSL_PARAM_locate_const(group, OSSL_CAPABILITY_TLS_GROUP_NAME);
  const char* text = nullptr;
  if (name == nullptr || OSSL_PARAM_get_utf8_string_ptr(name, &text) != 1 || text == nullptr)
    return wanted->libssl(group, wanted->libssl_argument);  // not understood: libssl's to judge
  for (const std::string_view kept : kBrowserProviderGroups)
    if (kept == text) return wanted->libssl(group, wanted->libssl_argument);
  return 1;  // passed over; the telling goes on
}

int get_capabilities(void* context, const char* capability, OSSL_CALLBACK* callback,
                     void* argument) {
  if (std::strcmp(capability, "TLS-GROUP") != 0)
    return default_capabilities(context, capability, callback, argument);
  GroupsWanted wanted{callback, argument};
  return default_capabilities(context, capability, &hand_on_wanted_group, &wanted);
}

// X25519's key manager with its key pairs made ahead (key_share_ahead.hpp), made for the
// instance in OpenSSL's default library context, where libssl makes the browser's handshakes.
void offer_key_shares_ahead(const OSSL_DISPATCH* from_core, const OSSL_CORE_HANDLE* handle,
                            void* context) {
  // Only where the narrowed list is the one offered and its X25519 got the wrapped generation:
  // else a key pair made ahead would wait for a generation that never looks.
  bool wrapped = false;
  for (Narrowed& list : narrowed)
    if (list.operation == OSSL_OP_KEYMGMT && list.kept.fits)
      for (OSSL_ALGORITHM& algorithm : list.kept.algorithms)
        if (algorithm.algorithm_names != nullptr &&
            first_name(algorithm.algorithm_names) == "X25519") {
          const OSSL_DISPATCH* functions =
              x25519_keymgmt_with_shares_ahead(algorithm.implementation);
          wrapped = functions != algorithm.implementation;
          algorithm.implementation = functions;
        }
  if (!wrapped) return;
  // The core names the default context by its address, or by none (OSSL_PROVIDER_load(NULL)).
  const auto* default_library =
      reinterpret_cast<const OPENSSL_CORE_CTX*>(OSSL_LIB_CTX_get0_global_default());
  for (const OSSL_DISPATCH* entry = from_core; entry->function_id != 0; ++entry) {
    if (entry->function_id != OSSL_FUNC_CORE_GET_LIBCTX) continue;
    const OPENSSL_CORE_CTX* library =
        reinterpret_cast<OSSL_FUNC_core_get_libctx_fn*>(entry->function)(handle);
    if (library == nullptr || library == default_library) make_shares_ahead_for(context);
  }
}

// Declines to start once the default provider has: its context goes back through its own
// teardown, and OpenSSL falls back to the default provider itself.
int decline(const OSSL_DISPATCH* default_dispatch, void* context) {
  for (const OSSL_DISPATCH* entry = default_dispatch; entry->function_id != 0; ++entry)
    if (entry->function_id == OSSL_FUNC_PROVIDER_TEARDOWN)
      reinterpret_cast<OSSL_FUNC_provider_teardown_fn*>(entry->function)(context);
  return 0;
}

// The default provider's initialisation, with this query in place of its own. The context
// it makes is this provider's: its implementations get the context they expect.
int initialise(const OSSL_CORE_HANDLE* handle, const OSSL_DISPATCH* from_core,
               const OSSL_DISPATCH** to_core, void** context) {
  const OSSL_DISPATCH* default_dispatch = nullptr;
  if (ossl_default_provider_init(handle, from_core, &default_dispatch, context) != 1) return 0;
  std::size_t count = 0;
  for (const OSSL_DISPATCH* entry = default_dispatch; entry->function_id != 0; ++entry) {
    // More entries than this code knows a default provider to have: not one it was written for.
    if (count + 1 == dispatch.size()) return decline(default_dispatch, *context);
    dispatch[count] = *entry;
    if (entry->function_id == OSSL_FUNC_PROVIDER_QUERY_OPERATION) {
      default_query = reinterpret_cast<OSSL_FUNC_provider_query_operation_fn*>(entry->function);
      dispatch[count].function = reinterpret_cast<void (*)()>(&query_operation);
    }
    if (entry->function_id == OSSL_FUNC_PROVIDER_GET_CAPABILITIES) {
      default_capabilities =
          reinterpret_cast<OSSL_FUNC_provider_get_capabilities_fn*>(entry->function);
      dispatch[count].function = reinterpret_cast<void (*)()>(&get_capabilities);
    }
    ++count;
  }
  if (default_query == nullptr) return decline(default_dispatch, *context);
  int no_cache = 0;
  for (Narrowed& list : narrowed)
    keep(list.kept, default_query(*context, list.operation, &no_cache), list.wanted);
  offer_key_shares_ahead(from_core, handle, *context);
  *to_core = dispatch.data();
  return 1;
}

}  // namespace

OSSL_PROVIDER* load_browser_provider(OSSL_LIB_CTX* library) {
  if (OSSL_PROVIDER_add_builtin(library, kBrowserProviderName, &initialise) != 1) return nullptr;
  return OSSL_PROVIDER_load(library, kBrowserProviderName);
}

}  // namespace miniweb::browser
