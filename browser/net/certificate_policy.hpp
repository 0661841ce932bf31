#pragma once
// What the browser asks of a certificate chain beyond OpenSSL's defaults, as Chromium does.
// `openssl verify -x509_strict -purpose sslserver` with a host check is the floor (the
// differential suite in tests/differential/certificates holds the browser to it); on top of it
// the CA/Browser Forum's Baseline Requirements and Chromium's own refusals.

#include <openssl/ssl.h>

namespace miniweb::browser {

// On the client context, for every handshake:
// - X509_V_FLAG_X509_STRICT: RFC 5280's MUSTs that OpenSSL checks only when strict, e.g. a CA's
//   basicConstraints critical (4.2.1.9), authorityKeyIdentifier present (4.2.1.1), a CA's
//   subjectKeyIdentifier present (4.2.1.2), keyCertSign only in a CA (4.2.1.3).
// - Security level 2, whatever the system's openssl.cnf says: keys of 112 bits of strength at
//   least (RSA 2048, Baseline Requirements 6.1.5; Chromium's ERR_CERT_WEAK_KEY) and no SHA-1 or
//   MD5 signatures (Baseline Requirements 7.1.3.2; Chromium's
//   ERR_CERT_WEAK_SIGNATURE_ALGORITHM).
void apply_certificate_policy(SSL_CTX* context);

// The rules OpenSSL has no flag for, on the certificate the verify callback is looking at once
// OpenSSL has accepted it: X509_V_OK, or the error to refuse it with.
// - An ECDSA leaf whose keyUsage lacks digitalSignature: the server signs the handshake (RFC
//   8446 section 4.4.2.2), and BoringSSL refuses such a leaf (ssl_cert_check_key_usage);
//   OpenSSL's sslserver purpose takes keyAgreement or keyEncipherment instead.
int browser_rule_violation(X509_STORE_CTX* store);

}  // namespace miniweb::browser
