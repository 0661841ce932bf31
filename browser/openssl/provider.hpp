#pragma once
// The browser's OpenSSL provider: OpenSSL's default provider itself (its initialisation, its
// implementations and their properties), offering only the ciphers and digests TLS uses and only
// the decoders of the keys a server's certificate can have.
//
// Why: OpenSSL 3.0 builds every algorithm a provider offers for an operation at the first fetch
// of any of them, and every decoder it offers at each certificate it parses. SSL_CTX_new fetches
// TLS's ciphers, and so built all 124 of the default provider's (AES in every mode, ARIA,
// Camellia, SM4, DES): 5.9 of its 7.5 million instructions. And each certificate's public key
// walked all 40 of its decoders (private keys, PEM, MSBLOB, PVK): 2.15 of the 2.5 million
// instructions a certificate's parse took, on the handshake's path. With 11 ciphers and the 13
// SubjectPublicKeyInfo decoders, a bare OpenSSL client's whole load fell from 21.1 to 15.7
// million instructions; with the 6 decoders of keys that sign TLS handshakes, each
// certificate's key took 0.18 million instructions fewer again. Its digests likewise, at the
// first fetch of one (SHA-3, SHAKE, KMAC, BLAKE2, SM3, RIPEMD-160 among them): with the 8 that
// TLS and X.509 use of its 22, the TLS context's making fell by a further 0.3 million
// instructions of 2.9. Key derivations, MACs, key exchanges and signatures likewise, each built
// at a handshake's first use of its kind (the binder's HMAC and key schedule as the ClientHello
// is made, the X25519 exchange as the ServerHello is read): with TLS's 3 KDFs of 12, HMAC of 4
// MACs, the groups' 4 exchanges of 7 and 6 signatures of 10, a warm page load's handshake ran
// 0.21 million instructions fewer and its TLS context's making 0.07 million (callgrind). Key
// managers likewise, and the TLS groups the provider tells libssl of (below): SSL_CTX_new ran
// 2.25 million instructions where it ran 2.55, and a warm load waited 0.18 ms for the head
// start's context where it waited 0.21 (150 loads each, in turns); the key managers and groups
// kept are those that decide what a ClientHello offers, which is the default provider's (a
// test compares them). The random generator is the default provider's, unchanged.
//
// Its X25519 key manager can hand a ClientHello a key pair made ahead (key_share_ahead.hpp).
//
// An algorithm left out fails its fetch as one the default provider lacks: OpenSSL's
// "unsupported" error. TLS offers the same suites, groups and signature algorithms as with the
// default provider (OpenSSL's DEFAULT list; tests compare them).

#include <openssl/types.h>

#include <array>
#include <string_view>

namespace miniweb::browser {

inline constexpr const char* kBrowserProviderName = "miniweb-browser";

// The ciphers the browser's TLS can use, by the first of their names: those of OpenSSL's
// DEFAULT suites (TLS 1.3's three, and TLS 1.2's AES-GCM, ChaCha20-Poly1305 and AES-CBC with
// the stitched CBC and HMAC implementations libssl prefers), and the two the random
// generator's CTR DRBG needs. Nothing else in the browser names a cipher (start_openssl
// leaves out even the legacy table of their names).
inline constexpr std::array<std::string_view, 11> kBrowserProviderCiphers = {
    "AES-128-GCM",
    "AES-256-GCM",
    "ChaCha20-Poly1305",
    "AES-128-CBC",
    "AES-256-CBC",
    "AES-128-CBC-HMAC-SHA1",
    "AES-256-CBC-HMAC-SHA1",
    "AES-128-CBC-HMAC-SHA256",
    "AES-256-CBC-HMAC-SHA256",
    "AES-256-ECB",
    "AES-256-CTR"};

// The digests the browser's TLS and certificate checks can use, by the first of their names:
// SHA-1 and SHA-2 (handshake transcripts, HKDF and TLS 1.2's PRF, HMAC, signatures; SHA-1 also
// OCSP's certificate IDs and OpenSSL's name hashes), SHAKE-256 (inside every Ed448 signature),
// MD5 and MD5-SHA1 (libssl fetches both as it makes a context, for TLS 1.1 and before, which the
// browser never offers). The legacy table start_openssl keeps names the same digests but
// SHAKE-256 (no certificate's signature names it), so a certificate signed with MD5 or SHA-1 is
// refused as weak, never as unknown.
inline constexpr std::array<std::string_view, 8> kBrowserProviderDigests = {
    "SHA1", "SHA2-224", "SHA2-256", "SHA2-384", "SHA2-512", "SHAKE-256", "MD5", "MD5-SHA1"};

// The keys the browser decodes from a certificate, by their decoders' first names: those that
// can sign a TLS 1.3 handshake (RFC 8446 section 4.2.3: RSA, RSA-PSS, ECDSA, EdDSA), and "DER",
// the decoder that reads a SubjectPublicKeyInfo's algorithm before one of theirs reads the key.
// The default provider's others (DSA, DH, DHX, X25519, X448, SM2) decode keys no browser takes
// in a server's certificate: such a key does not decode, and the chain fails OpenSSL's check of
// its key (X509_V_ERR_EE_KEY_TOO_SMALL or _CA_, as Chromium calls an unacceptable key weak).
inline constexpr std::array<std::string_view, 6> kBrowserProviderKeyDecoders = {
    "RSA", "RSA-PSS", "EC", "ED25519", "ED448", "DER"};

// The key derivations TLS uses, by their first names: TLS 1.2's PRF, and TLS 1.3's HKDF and its
// key schedule's expansion (RFC 8446 section 7.1). The default provider's others (PBKDF2,
// scrypt, SSH's, Kerberos's, X9.42's and X9.63's) derive keys from passwords and for other
// protocols, which the browser never does.
inline constexpr std::array<std::string_view, 3> kBrowserProviderKdfs = {"HKDF", "TLS13-KDF",
                                                                         "TLS1-PRF"};

// The MAC TLS uses: HMAC (TLS 1.2's records and PRF, TLS 1.3's Finished and binders). CMAC,
// GMAC, KMAC, SipHash, Poly1305 and BLAKE2's as MACs of their own are used by no TLS suite
// (ChaCha20-Poly1305 and AES-GCM authenticate inside their ciphers).
inline constexpr std::array<std::string_view, 1> kBrowserProviderMacs = {"HMAC"};

// The key exchanges TLS's groups use (RFC 8446 section 4.2.7: ECDHE over the NIST curves,
// X25519 and X448, finite-field DHE). The default provider's others wrap KDFs as key exchanges
// for an older API that libssl does not call.
inline constexpr std::array<std::string_view, 4> kBrowserProviderKeyExchanges = {"DH", "ECDH",
                                                                                 "X25519", "X448"};

// The signatures the browser checks or makes: those of the keys it decodes (RSA, which also
// does RSA-PSS, ECDSA, Ed25519, Ed448), HMAC, which TLS 1.3's binders and TLS 1.2's records sign
// with as a "key", and DSA's, which it never checks (no DSA key decodes, above) but whose
// signature algorithms libssl offers in a ClientHello only while DSA signs: left in, the
// ClientHello is the default provider's (a test compares them). SM2's, and SipHash, Poly1305
// and CMAC as signatures, are left out.
inline constexpr std::array<std::string_view, 6> kBrowserProviderSignatures = {
    "RSA", "DSA", "ECDSA", "ED25519", "ED448", "HMAC"};

// The key managers the browser's TLS and certificate checks use, by their first names: those of
// the keys a certificate or a handshake's signature can have (RSA, RSA-PSS, EC, Ed25519, Ed448,
// and DSA, whose signature algorithms libssl offers while DSA's key manager is there), those of
// TLS's groups (EC, X25519, X448, DH), and HMAC, the "key" TLS 1.3's binders are made with.
// libssl asks for each group's and each signature algorithm's key manager as it makes a
// context, and OpenSSL 3.0 builds every key manager a provider offers at the first of those
// asks: the default provider's others (DHX, SM2, and TLS1-PRF, HKDF, scrypt, SipHash, Poly1305
// and CMAC as keys, for an older API that libssl does not call) were 8 of its 18.
inline constexpr std::array<std::string_view, 10> kBrowserProviderKeyManagers = {
    "DH", "DSA", "RSA", "RSA-PSS", "EC", "X25519", "X448", "ED25519", "ED448", "HMAC"};

// The TLS groups the provider tells libssl of (its "TLS-GROUP" capability): those of OpenSSL's
// default list, the ones a ClientHello of the browser's offers (RFC 8446 section 4.2.7). The
// default provider tells of 50 (the binary and Koblitz curves, brainpool's, the NIST curves'
// other names), each of which libssl takes in, its key manager fetched, as it makes a context,
// to offer none of the others.
inline constexpr std::array<std::string_view, 10> kBrowserProviderGroups = {
    "x25519",    "secp256r1", "x448",      "secp521r1", "secp384r1",
    "ffdhe2048", "ffdhe3072", "ffdhe4096", "ffdhe6144", "ffdhe8192"};

// Adds the provider to a library context (OpenSSL's default one unless told) and loads it, in
// place of the default provider OpenSSL would load at its first fetch: once, before anything
// fetches an algorithm there (start_openssl). Returns the provider, which stays loaded until
// OSSL_PROVIDER_unload; nullptr if OpenSSL refused it: the default provider then loads as it
// would have.
OSSL_PROVIDER* load_browser_provider(OSSL_LIB_CTX* library = nullptr);

}  // namespace miniweb::browser
