#include "shared/openssl/reshaped_provider.hpp"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/params.h>

#include <cstring>

#include "shared/openssl/key_share_ahead.hpp"

// The default provider's own initialisation. OpenSSL's table of built-in providers names it;
// its static archive defines it.
extern "C" OSSL_provider_init_fn ossl_default_provider_init;

namespace miniweb::openssl {
namespace {

void keep(ProviderState::Kept& kept, const OSSL_ALGORITHM* all,
          bool (*wanted)(const OSSL_ALGORITHM&)) {
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

// The TLS groups of the default provider's capability that the shape wants, handed on to
// libssl's callback; the others passed over.
struct GroupsWanted {
  bool (*wanted)(std::string_view group);
  OSSL_CALLBACK* libssl;
  void* libssl_argument;
};

int hand_on_wanted_group(const OSSL_PARAM group[], void* argument) {
  const auto* groups = static_cast<const GroupsWanted*>(argument);
  const OSSL_PARAM* name = OSSL_PARAM_locate_const(group, OSSL_CAPABILITY_TLS_GROUP_NAME);
  const char* text = nullptr;
  if (name == nullptr || OSSL_PARAM_get_utf8_string_ptr(name, &text) != 1 || text == nullptr)
    return groups->libssl(group, groups->libssl_argument);  // not understood: libssl's to judge
  if (groups->wanted(text)) return groups->libssl(group, groups->libssl_argument);
  return 1;  // passed over; the telling goes on
}

// X25519's key manager with its key pairs made ahead (key_share_ahead.hpp) where the shape
// narrows the key managers, made for the instance in OpenSSL's default library context, where
// libssl makes the program's handshakes.
void offer_key_shares_ahead(const ProviderShape& shape, ProviderState& state,
                            const OSSL_DISPATCH* from_core, const OSSL_CORE_HANDLE* handle,
                            void* context) {
  bool offered = false;
  for (std::size_t i = 0; i < shape.narrowed.size(); ++i) {
    if (shape.narrowed[i].operation != OSSL_OP_KEYMGMT || !state.kept[i].fits) continue;
    for (OSSL_ALGORITHM& algorithm : state.kept[i].algorithms)
      if (algorithm.algorithm_names != nullptr &&
          first_name(algorithm.algorithm_names) == "X25519") {
        algorithm.implementation = x25519_keymgmt_with_shares_ahead(algorithm.implementation);
        offered = true;
      }
  }
  if (!offered) return;
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

}  // namespace

std::string_view first_name(const char* names) {
  const std::string_view all(names);
  return all.substr(0, all.find(':'));
}

bool keep_all(const OSSL_ALGORITHM&) {
  return true;
}

// The default provider's initialisation, with the shape's query and capabilities in place of
// its own. The context it makes is this provider's: its implementations get the context they
// expect.
int start_reshaped(const ProviderShape& shape, ProviderState& state,
                   OSSL_FUNC_provider_query_operation_fn* query,
                   OSSL_FUNC_provider_get_capabilities_fn* capabilities,
                   const OSSL_CORE_HANDLE* handle, const OSSL_DISPATCH* from_core,
                   const OSSL_DISPATCH** to_core, void** context) {
  const OSSL_DISPATCH* default_dispatch = nullptr;
  if (ossl_default_provider_init(handle, from_core, &default_dispatch, context) != 1) return 0;
  std::size_t count = 0;
  for (const OSSL_DISPATCH* entry = default_dispatch; entry->function_id != 0; ++entry) {
    // More entries than this code knows a default provider to have: not one it was written for.
    if (count + 1 == state.dispatch.size()) return decline(default_dispatch, *context);
    state.dispatch[count] = *entry;
    if (entry->function_id == OSSL_FUNC_PROVIDER_QUERY_OPERATION) {
      state.default_query =
          reinterpret_cast<OSSL_FUNC_provider_query_operation_fn*>(entry->function);
      state.dispatch[count].function = reinterpret_cast<void (*)()>(query);
    }
    if (entry->function_id == OSSL_FUNC_PROVIDER_GET_CAPABILITIES) {
      state.default_capabilities =
          reinterpret_cast<OSSL_FUNC_provider_get_capabilities_fn*>(entry->function);
      state.dispatch[count].function = reinterpret_cast<void (*)()>(capabilities);
    }
    ++count;
  }
  if (state.default_query == nullptr) return decline(default_dispatch, *context);
  int no_cache = 0;
  for (std::size_t i = 0; i < shape.narrowed.size(); ++i)
    if (shape.narrowed[i].operation != 0)
      keep(state.kept[i], state.default_query(*context, shape.narrowed[i].operation, &no_cache),
           shape.narrowed[i].wanted);
  offer_key_shares_ahead(shape, state, from_core, handle, *context);
  *to_core = state.dispatch.data();
  return 1;
}

// The narrowed list of an operation, and the default provider's own list for every other.
const OSSL_ALGORITHM* query_reshaped(const ProviderShape& shape, const ProviderState& state,
                                     void* context, int operation, int* no_cache) {
  const OSSL_ALGORITHM* all = state.default_query(context, operation, no_cache);
  for (std::size_t i = 0; i < shape.narrowed.size(); ++i)
    if (shape.narrowed[i].operation == operation && operation != 0)
      return state.kept[i].fits ? state.kept[i].algorithms.data() : all;
  return all;
}

int capabilities_reshaped(const ProviderShape& shape, const ProviderState& state, void* context,
                          const char* capability, OSSL_CALLBACK* callback, void* argument) {
  if (shape.group_wanted == nullptr || std::strcmp(capability, "TLS-GROUP") != 0)
    return state.default_capabilities(context, capability, callback, argument);
  GroupsWanted wanted{shape.group_wanted, callback, argument};
  return state.default_capabilities(context, capability, &hand_on_wanted_group, &wanted);
}

}  // namespace miniweb::openssl
