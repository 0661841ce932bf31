#pragma once
// The key share of a TLS 1.3 hello, made ahead: a provider reshaped from OpenSSL's default one
// (reshaped_provider.hpp) gives X25519's key manager a generation that hands over a key pair
// made earlier, when one waits, in place of making one then.
//
// Why: libssl makes the X25519 key pair of a ClientHello's key share as it writes the
// ClientHello, and of a ServerHello's as it writes that: 0.57 to 0.63 million instructions of
// OpenSSL's (ge_scalarmult_base), 0.04 to 0.05 ms on the team's machine, on the handshake's
// path. Each side has a moment with nothing to do: the browser's head start thread once it has
// made the TLS context, while the load's thread still reads the profile's sessions and makes
// its early data (ContextHeadStart); a server between handshakes (server/openssl_provider.hpp).
// The key pair is a fresh one from the same generator, made for one hello and taken by the
// first X25519 generation of the default library context, on whichever thread: forward secrecy
// is the same.

#include <openssl/core.h>

namespace miniweb::openssl {

// X25519's key manager as a reshaped provider offers it: the default provider's functions
// (`default_functions`), with its generation's handing over a key pair made ahead when one
// waits. The default's own table when it lacks a function this needs (not the provider it was
// written for): nothing is made ahead then. Called once per provider instance, read-only after.
const OSSL_DISPATCH* x25519_keymgmt_with_shares_ahead(const OSSL_DISPATCH* default_functions);

// The provider instance (its context) in OpenSSL's default library context, the one libssl
// makes the program's handshakes in: the key pairs made ahead are that instance's.
void make_shares_ahead_for(void* provider_context);

}  // namespace miniweb::openssl

// The program's calls: the browser's through its OpenSSL module's stubs where it loads OpenSSL on
// first use (cmake/openssl_on_demand.sh lists miniweb_module_* names too).
extern "C" {
// Makes an X25519 key pair for the next X25519 key generation in OpenSSL's default library
// context (the next hello's key share), on any thread, unless one already waits or
// another thread is making it. Returns 2 when this call made one, 1 when one waits or another
// thread is making it, 0 when none can be made (no reshaped provider is the one loaded,
// or OpenSSL failed).
int miniweb_module_make_key_share_ahead();
// 1 while a key pair made ahead waits, 0 once a generation took it (or before one is made).
int miniweb_module_key_share_waiting();
// How many key pairs made ahead generations have taken since the program began.
unsigned long miniweb_module_key_shares_taken();
}
