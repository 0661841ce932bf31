#pragma once
// The key share a ClientHello offers, made ahead: the browser's provider (provider.cpp) gives
// X25519's key manager a generation that hands over a key pair made earlier, when one waits,
// in place of making one then.
//
// Why: libssl makes the ClientHello's X25519 key pair as it writes the ClientHello, on the
// handshake's path: 0.63 million instructions of OpenSSL's (ge_scalarmult_base), 0.05 ms on
// the team's machine. The head start's thread, once it has made the TLS context, has nothing
// to do until the load's thread, still reading the profile's sessions and making its early
// data, takes the context: made there, the key pair waits for the ClientHello
// (ContextHeadStart). The key pair is a fresh one from the same generator, made for one
// ClientHello and taken by the first X25519 generation of the default library context, on
// whichever thread: forward secrecy is the same.

#include <openssl/core.h>

namespace miniweb::browser {

// X25519's key manager as the browser's provider offers it: the default provider's functions
// (`default_functions`), with its generation's handing over a key pair made ahead when one
// waits. The default's own table when it lacks a function this needs (not the provider it was
// written for): nothing is made ahead then. Called once per provider instance, read-only after.
const OSSL_DISPATCH* x25519_keymgmt_with_shares_ahead(const OSSL_DISPATCH* default_functions);

// The provider instance (its context) in OpenSSL's default library context, the one libssl
// makes the browser's handshakes in: the key pairs made ahead are that instance's.
void make_shares_ahead_for(void* provider_context);

}  // namespace miniweb::browser

// The program's calls (browser/net/tls_client.cpp), through its OpenSSL module's stubs where it
// loads OpenSSL on first use (cmake/openssl_on_demand.sh lists miniweb_module_* names too).
extern "C" {
// Makes an X25519 key pair for the next X25519 key generation in OpenSSL's default library
// context (the next ClientHello's key share), on any thread, unless one already waits or
// another thread is making it. Returns 2 when this call made one, 1 when one waits or another
// thread is making it, 0 when none can be made (the browser's provider is not the one loaded,
// or OpenSSL failed).
int miniweb_module_make_key_share_ahead();
// 1 while a key pair made ahead waits, 0 once a generation took it (or before one is made).
int miniweb_module_key_share_waiting();
}
