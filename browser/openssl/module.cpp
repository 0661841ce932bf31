// What miniweb-browser's OpenSSL module adds to OpenSSL itself (cmake/openssl_on_demand.cmake):
// the browser's setup of it, run as the module loads, before the first call the program made
// reaches OpenSSL. Where the program links OpenSSL directly, this runs before main.

#include "browser/net/openssl_start.hpp"

namespace {

[[gnu::constructor]] void set_openssl_up() {
  miniweb::browser::start_openssl();
}

}  // namespace
