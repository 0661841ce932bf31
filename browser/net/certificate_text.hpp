#pragma once
// Certificates in words, as a browser's certificate viewer and warning pages put them: who a
// certificate names, who issued it, when it is valid, and why a chain was refused.

#include <openssl/x509.h>

#include <map>
#include <string>

#include "shared/tls/openssl_ptr.hpp"

namespace miniweb::browser {

std::string name_text(X509_NAME* name);        // RFC 2253: "CN=www.example.test,O=..."
std::string time_text(const ASN1_TIME* time);  // "Dec  1 22:23:41 2026 GMT"
// The DNS names of the subjectAltName extension, "a, b"; empty when it has none.
std::string dns_names(X509* cert);
bool has_subject_alt_name(X509* cert);
// Subject, issuer, validity, signature algorithm and names, on one line.
std::string describe_certificate(X509* cert);

// What the verifier saw of the server's certificates, to explain a refusal as a browser's
// warning page does.
struct VerifyObservation {
  std::map<int, std::string> presented;  // by depth
  tls::X509Ptr leaf;
  tls::X509Ptr top;             // the last certificate the chain reached
  int sent_intermediates = -1;  // certificates the server sent besides its own
  // A certificate the server sent as the issuer of `top`, whose key did not decode: the chain
  // could not go on through it.
  tls::X509Ptr issuer_without_key;
};

// The certificate's public key; null when it did not decode (a kind of key the browser's
// provider leaves out, or one OpenSSL does not know), without the errors OpenSSL's second try
// at decoding it leaves in the thread's queue.
EVP_PKEY* key_if_decoded(X509* cert);

// How a browser names the reason it refused a certificate ("NET::ERR_CERT_DATE_INVALID").
std::string browser_error_name(long verify_result);
// Why, in words: "expired: the certificate was valid until ...".
std::string explain_refusal(long verify_result, const VerifyObservation& seen,
                            const std::string& host);

}  // namespace miniweb::browser
