// Runs the fuzz target over every file of a corpus directory (for g++ builds, which have no
// libFuzzer), plus mutations of each file: truncations and single-byte flips.

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s CORPUS_DIR\n", argv[0]);
    return 2;
  }
  size_t runs = 0;
  for (const auto& entry : std::filesystem::directory_iterator(argv[1])) {
    if (!entry.is_regular_file()) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::vector<uint8_t> data((std::istreambuf_iterator<char>(in)),
                              std::istreambuf_iterator<char>());
    LLVMFuzzerTestOneInput(data.data(), data.size());
    ++runs;
    for (size_t cut = 1; cut < data.size(); cut += 1 + data.size() / 64) {
      LLVMFuzzerTestOneInput(data.data(), cut);
      ++runs;
    }
    uint32_t seed = 12345;
    for (int i = 0; i < 2000 && data.size() > 1; ++i) {
      std::vector<uint8_t> mutated = data;
      seed = seed * 1103515245 + 12345;
      size_t at = 1 + (seed >> 8) % (mutated.size() - 1);
      seed = seed * 1103515245 + 12345;
      mutated[at] = static_cast<uint8_t>(seed >> 16);
      LLVMFuzzerTestOneInput(mutated.data(), mutated.size());
      ++runs;
    }
  }
  std::printf("%zu inputs ran cleanly\n", runs);
  return runs > 0 ? 0 : 1;
}
