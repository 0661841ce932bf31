// Loads miniweb-browser's OpenSSL module at the program's first call into OpenSSL
// (cmake/openssl_on_demand.cmake says why). The stubs the build writes jump through
// miniweb_openssl_table; until the module is loaded, an entry leads here, with the caller's
// arguments kept, and on to the function once the table holds it.

#include <dlfcn.h>
#include <unistd.h>

#include <cstddef>
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <string>
#include <string_view>

#include "browser/exit_codes.hpp"
#include "shared/prefault.hpp"

extern "C" {
extern void* miniweb_openssl_table[];
extern const char* const miniweb_openssl_names[];
extern const std::size_t miniweb_openssl_count;
void miniweb_openssl_load();
}

namespace {

// The module's file name, from the build (cmake/openssl_on_demand.cmake).
constexpr const char* kModuleName = MINIWEB_OPENSSL_MODULE;

[[noreturn]] void cannot_load(const std::string& what) {
  std::fprintf(stderr, "miniweb-browser: cannot load its OpenSSL module, which TLS needs: %s\n",
               what.c_str());
  std::fflush(stderr);
  ::_exit(miniweb::browser::exit_code::kFailed);
}

// The module beside the program: a build folder's browser/, wherever it was moved.
std::filesystem::path module_path() {
  std::error_code ec;
  const auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) cannot_load("cannot find the program's own folder: " + ec.message());
  return self.parent_path() / kModuleName;
}

// The functions that read OpenSSL's error strings: the program takes the module's stand-ins,
// which load the strings first (browser/openssl/module.cpp).
constexpr std::string_view kLoadedAtFirstUse[] = {"ERR_error_string_n", "ERR_lib_error_string",
                                                  "ERR_reason_error_string"};

void* find(void* module, const char* name) {
  for (const std::string_view wrapped : kLoadedAtFirstUse)
    if (wrapped == name) return ::dlsym(module, ("miniweb_first_use_" + std::string(name)).c_str());
  return ::dlsym(module, name);
}

void load_module() {
  const auto path = module_path();
  // RTLD_LOCAL: the module's names serve this table only. Its constructor sets OpenSSL up as
  // the browser wants it (start_openssl) before any call below returns.
  void* module = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (module == nullptr) cannot_load(::dlerror());
  for (std::size_t i = 0; i < miniweb_openssl_count; ++i) {
    void* function = find(module, miniweb_openssl_names[i]);
    if (function == nullptr) cannot_load(path.string() + " has no " + miniweb_openssl_names[i]);
    // A stub on another thread reads its entry without a lock: one aligned word, whole.
    __atomic_store_n(&miniweb_openssl_table[i], function, __ATOMIC_RELEASE);
  }
  // The module's code, 2.6 MB, mapped now in one call: the handshake and the context's making
  // would otherwise fault its pages in as they first run them, 16 at a time (about 20 faults
  // after this point, 0.3 ms in all on the team's first machine), where that pays
  // (shared/prefault.hpp: this is its first question, asked before the program has a thread).
  if (miniweb::mapping_ahead_pays()) miniweb::populate_code_of(miniweb_openssl_table[0]);
}

}  // namespace

// Called by the stubs with every argument register saved; a second thread that calls into
// OpenSSL meanwhile waits here for the first.
extern "C" void miniweb_openssl_load() {
  static std::once_flag loaded;
  std::call_once(loaded, load_module);
}
