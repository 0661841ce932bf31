// libFuzzer entry point (the clang fuzzer and the replay driver): arbitrary bytes as a DER or
// PEM certificate request, through the same parsing and checks `issue` applies before signing.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "ca/crypto.hpp"
#include "ca/hostname.hpp"

namespace {

void check(X509_REQ* csr) {
  (void)miniweb::ca::verify_csr(csr);
  auto names = miniweb::ca::csr_names(csr);
  if (!names) return;
  for (const auto& name : *names) (void)miniweb::ca::normalize_hostname(name);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (auto csr = miniweb::ca::parse_csr_der(std::span(data, size))) check(csr->get());
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto csr = miniweb::ca::parse_csr_pem(text)) check(csr->get());
  ERR_clear_error();
  return 0;
}
