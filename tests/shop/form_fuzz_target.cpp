// libFuzzer entry point for the form parsers (shop/form.hpp, shared/http/multipart.hpp), shared
// by the clang fuzzer and the corpus driver (tests/support/fuzz_driver.cpp). Nothing may crash,
// hang or leak, and what is accepted must be what the limits and the format allow:
//   - an urlencoded form's text fields are UTF-8 and within their limit;
//   - a multipart body that parses, written again with the same boundary, parses to the same
//     parts.
// The first byte picks the parser; for multipart the boundary is "b0undary".

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "shared/http/multipart.hpp"
#include "shop/form.hpp"

namespace {

using namespace miniweb;

constexpr std::string_view kBoundary = "b0undary";

void check_urlencoded(std::string_view body) {
  const shop::FormLimits limits;
  auto read = shop::Form::from_urlencoded(body, limits);
  const shop::Form* form = std::get_if<shop::Form>(&read);
  if (!form) return;
  // Every name the body could hold is looked up; each found value must be valid.
  std::size_t start = 0;
  while (start <= body.size()) {
    const std::size_t amp = std::min(body.find('&', start), body.size());
    const std::string_view pair = body.substr(start, amp - start);
    const std::string_view name = pair.substr(0, pair.find('='));
    if (!name.empty() && name.find('%') == std::string_view::npos &&
        name.find('+') == std::string_view::npos) {
      const std::string* value = form->text(name);
      if (!value || !shop::is_utf8(*value) || value->size() > limits.max_text_bytes)
        __builtin_trap();
    }
    start = amp + 1;
  }
}

std::string quoted(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

void check_multipart(std::string_view body) {
  auto parts = http::parse_multipart(body, kBoundary);
  if (!parts) return;
  std::string again;
  for (const http::MultipartPart& part : *parts) {
    again += "--" + std::string(kBoundary) +
             "\r\nContent-Disposition: form-data; name=" + quoted(part.name);
    if (part.filename) again += "; filename=" + quoted(*part.filename);
    again += "\r\nContent-Type: " + part.content_type + "\r\n\r\n" + part.data + "\r\n";
  }
  again += "--" + std::string(kBoundary) + "--\r\n";
  auto reparsed = http::parse_multipart(again, kBoundary);
  if (!reparsed || reparsed->size() != parts->size()) __builtin_trap();
  for (std::size_t i = 0; i < parts->size(); ++i) {
    const http::MultipartPart& a = (*parts)[i];
    const http::MultipartPart& b = (*reparsed)[i];
    if (a.name != b.name || a.filename != b.filename || a.data != b.data ||
        a.content_type != b.content_type)
      __builtin_trap();
  }
  // And through the shop's own reading of it, which adds its limits.
  (void)shop::Form::from_multipart(body, "multipart/form-data; boundary=" + std::string(kBoundary));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (data[0] % 2 == 0)
    check_urlencoded(input);
  else
    check_multipart(input);
  return 0;
}
