// libFuzzer entry point shared by the clang fuzzers and the corpus driver: message decoding,
// the answer cache's walk over a reply's records, and zone-file parsing must never crash, hang
// or leak on any input.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "dns/reply_cache.hpp"
#include "dns/zone_parser.hpp"
#include "shared/dns/message.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace miniweb::dns;
  if (size == 0) return 0;
  // The first byte picks the target so one corpus exercises both.
  std::span<const uint8_t> input(data + 1, size - 1);
  if (data[0] & 1) {
    auto message = Message::decode(input);
    if (message) {
      // Whatever decodes must re-encode and decode again to the same message.
      auto wire = message->encode();
      auto again = Message::decode(wire);
      if (!again || !(*again == *message)) __builtin_trap();
      (void)message->to_string();
      (void)message->encode(512);
    }
    // Kept as its own reply, it must come back byte for byte (no time passes on this clock).
    ReplyCache cache(1, [] { return ReplyCache::Clock::time_point{}; });
    cache.store(input, input, ReplyCache::Aging::kTtls);
    if (cache.size() == 1) {
      auto kept = cache.answer(input);
      if (!kept || !std::equal(kept->begin(), kept->end(), input.begin(), input.end()))
        __builtin_trap();
    }
  } else {
    std::string_view text(reinterpret_cast<const char*>(input.data()), input.size());
    auto records = parse_zone_text(text, "fuzz.zone", {}, "/nonexistent");
    if (records)
      for (const auto& record : *records) (void)record.to_string();
  }
  return 0;
}
