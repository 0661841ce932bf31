#include "browser/openssl/key_share_ahead.hpp"

#include <openssl/core_dispatch.h>
#include <openssl/crypto.h>

#include <array>
#include <atomic>
#include <cstddef>

namespace miniweb::browser {
namespace {

// The default provider's X25519 generation, wrapped below. Set as the provider starts,
// read-only after (a second instance, the tests', writes the same values: they come from the
// default provider's static table).
struct DefaultGeneration {
  OSSL_FUNC_keymgmt_gen_init_fn* init = nullptr;
  OSSL_FUNC_keymgmt_gen_set_template_fn* set_template = nullptr;
  OSSL_FUNC_keymgmt_gen_set_params_fn* set_params = nullptr;
  OSSL_FUNC_keymgmt_gen_settable_params_fn* settable_params = nullptr;
  OSSL_FUNC_keymgmt_gen_fn* generate = nullptr;
  OSSL_FUNC_keymgmt_gen_cleanup_fn* cleanup = nullptr;
};
DefaultGeneration x25519;
std::array<OSSL_DISPATCH, 48> functions{};
void* instance_ahead = nullptr;  // the provider context key pairs are made ahead for

// A generation in progress: the default's, and what decides whether a key pair made ahead
// may stand for the one it would make.
struct Generation {
  void* inner;
  void* provider;
  int selection;
};

// The key pair made ahead, of the instance `instance_ahead`, for whichever thread's X25519
// generation comes first; and whether a thread is making one, so that no other makes a second
// meanwhile. Lock-free atomics: no guard, no destructor (the module runs without libstdc++:
// provider.cpp).
std::atomic<void*> waiting{nullptr};
std::atomic<bool> making{false};

void* made_now(void* provider, int selection) {
  void* generation = x25519.init(provider, selection, nullptr);
  if (generation == nullptr) return nullptr;
  void* key = x25519.generate(generation, nullptr, nullptr);
  x25519.cleanup(generation);
  return key;
}

void* generation_init(void* provider, int selection, const OSSL_PARAM params[]) {
  void* inner = x25519.init(provider, selection, params);
  if (inner == nullptr) return nullptr;
  auto* generation = static_cast<Generation*>(OPENSSL_malloc(sizeof(Generation)));
  if (generation == nullptr) {
    x25519.cleanup(inner);
    return nullptr;
  }
  *generation = {inner, provider, selection};
  return generation;
}

int generation_set_template(void* generation, void* from) {
  return x25519.set_template(static_cast<Generation*>(generation)->inner, from);
}

int generation_set_params(void* generation, const OSSL_PARAM params[]) {
  return x25519.set_params(static_cast<Generation*>(generation)->inner, params);
}

const OSSL_PARAM* generation_settable_params(void* generation, void* provider) {
  return x25519.settable_params(
      generation != nullptr ? static_cast<Generation*>(generation)->inner : nullptr, provider);
}

// A key pair wanted (OSSL_KEYMGMT_SELECT_KEYPAIR: libssl's key share asks for all of the key,
// as the one made ahead was) from the instance it was made with: the one made ahead, once.
void* generate(void* context, OSSL_CALLBACK* callback, void* argument) {
  auto* generation = static_cast<Generation*>(context);
  if (generation->provider == instance_ahead &&
      (generation->selection & OSSL_KEYMGMT_SELECT_KEYPAIR) == OSSL_KEYMGMT_SELECT_KEYPAIR)
    if (void* key = waiting.exchange(nullptr, std::memory_order_acquire)) return key;
  return x25519.generate(generation->inner, callback, argument);
}

void generation_cleanup(void* generation) {
  if (generation == nullptr) return;
  x25519.cleanup(static_cast<Generation*>(generation)->inner);
  OPENSSL_free(generation);
}

template <typename Function>
void take(Function*& into, const OSSL_DISPATCH& entry) {
  into = reinterpret_cast<Function*>(entry.function);
}

}  // namespace

const OSSL_DISPATCH* x25519_keymgmt_with_shares_ahead(const OSSL_DISPATCH* default_functions) {
  DefaultGeneration found;
  std::size_t count = 0;
  for (const OSSL_DISPATCH* entry = default_functions; entry->function_id != 0; ++entry) {
    if (count + 1 == functions.size()) return default_functions;  // not the table it knows
    OSSL_DISPATCH ours = *entry;
    const auto wrap = [&](auto& into, auto* wrapper) {
      take(into, *entry);
      ours.function = reinterpret_cast<void (*)()>(wrapper);
    };
    switch (entry->function_id) {
      case OSSL_FUNC_KEYMGMT_GEN_INIT:
        wrap(found.init, &generation_init);
        break;
      case OSSL_FUNC_KEYMGMT_GEN_SET_TEMPLATE:
        wrap(found.set_template, &generation_set_template);
        break;
      case OSSL_FUNC_KEYMGMT_GEN_SET_PARAMS:
        wrap(found.set_params, &generation_set_params);
        break;
      case OSSL_FUNC_KEYMGMT_GEN_SETTABLE_PARAMS:
        wrap(found.settable_params, &generation_settable_params);
        break;
      case OSSL_FUNC_KEYMGMT_GEN:
        wrap(found.generate, &generate);
        break;
      case OSSL_FUNC_KEYMGMT_GEN_CLEANUP:
        wrap(found.cleanup, &generation_cleanup);
        break;
      default:
        break;
    }
    functions[count++] = ours;
  }
  // Every function a wrapper passes on to, but the template, which X25519 has none of.
  if (found.init == nullptr || found.set_params == nullptr || found.settable_params == nullptr ||
      found.generate == nullptr || found.cleanup == nullptr)
    return default_functions;
  functions[count] = {0, nullptr};
  x25519 = found;
  return functions.data();
}

void make_shares_ahead_for(void* provider_context) {
  instance_ahead = provider_context;
}

}  // namespace miniweb::browser

using miniweb::browser::instance_ahead;
using miniweb::browser::making;
using miniweb::browser::waiting;
using miniweb::browser::x25519;

extern "C" int miniweb_module_make_key_share_ahead() {
  if (waiting.load(std::memory_order_acquire) != nullptr) return 1;
  if (instance_ahead == nullptr || x25519.generate == nullptr) return 0;
  if (making.exchange(true, std::memory_order_acq_rel)) return 1;  // another thread is making it
  // Only the thread that set `making` stores one: looked at again now, the slot stays as seen
  // (another maker may have stored one since the first look).
  if (waiting.load(std::memory_order_acquire) != nullptr) {
    making.store(false, std::memory_order_release);
    return 1;
  }
  // All of the key, as libssl's EVP_PKEY_keygen asks for it (OSSL_KEYMGMT_SELECT_ALL).
  void* key = miniweb::browser::made_now(instance_ahead, OSSL_KEYMGMT_SELECT_ALL);
  if (key != nullptr) waiting.store(key, std::memory_order_release);
  making.store(false, std::memory_order_release);
  return key != nullptr ? 2 : 0;
}

extern "C" int miniweb_module_key_share_waiting() {
  return waiting.load(std::memory_order_acquire) != nullptr ? 1 : 0;
}
