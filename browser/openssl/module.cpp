// What miniweb-browser's OpenSSL module adds to OpenSSL itself (cmake/openssl_on_demand.cmake):
// the browser's setup of it, run as the module loads, before the first call the program made
// reaches OpenSSL; and the functions that read OpenSSL's error strings, which load them first.
// Where the program links OpenSSL directly, the setup runs before main, and OpenSSL loads its
// error strings as it always does.

#include <openssl/err.h>
#include <pthread.h>

#include <cstddef>

#include "browser/net/openssl_start.hpp"

// OpenSSL's own loaders of its error strings, the ones its initialisation runs. Its static
// archives define them (the module links them: CMakeLists.txt says why).
extern "C" int ossl_err_load_crypto_strings();
extern "C" int ossl_err_load_SSL_strings();

namespace {

#if defined(MINIWEB_OPENSSL_ON_DEMAND)
constexpr auto kErrorStrings = miniweb::browser::ErrorStrings::WhenFirstRead;
#else
constexpr auto kErrorStrings = miniweb::browser::ErrorStrings::AsOpenSslDoes;
#endif

[[gnu::constructor]] void set_openssl_up() {
  miniweb::browser::start_openssl(kErrorStrings);
}

pthread_once_t error_strings_once = PTHREAD_ONCE_INIT;

void load_error_strings() {
  ossl_err_load_crypto_strings();
  ossl_err_load_SSL_strings();
}

void have_error_strings() {
  pthread_once(&error_strings_once, &load_error_strings);
}

}  // namespace

// The program's calls to the functions that read the error strings come here instead
// (browser/openssl/loader.cpp): the strings are loaded at the first of them. OpenSSL's own
// calls inside the module go straight to its functions.
extern "C" {

const char* miniweb_first_use_ERR_reason_error_string(unsigned long error) {
  have_error_strings();
  return ERR_reason_error_string(error);
}

const char* miniweb_first_use_ERR_lib_error_string(unsigned long error) {
  have_error_strings();
  return ERR_lib_error_string(error);
}

void miniweb_first_use_ERR_error_string_n(unsigned long error, char* buffer, std::size_t size) {
  have_error_strings();
  ERR_error_string_n(error, buffer, size);
}

}  // extern "C"
