// Replays a fuzz target (for g++ builds, which have no libFuzzer) over its seed corpus and its
// regression inputs (tests/fuzz_regressions/NAME: every input a fuzzer ever crashed on), each
// file as it is and mutated: truncations and single-byte flips. When a sanitizer stops the run,
// the input it stopped on is named, so the failure can be run again alone.
//   fuzz_replay_NAME CORPUS_DIR [MORE_DIRS...]     (the first must exist; the others may not)

#include <algorithm>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <unistd.h>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);
// In the sanitizers' runtime when the build has one (weak: the plain build has none).
extern "C" void __sanitizer_set_death_callback(void (*callback)()) __attribute__((weak));

namespace {

// What runs now, for the death callback: the file and how it was changed.
std::string current_input;

void name_current_input() {
  std::fprintf(stderr, "fuzz replay: the input that failed: %s\n", current_input.c_str());
}

// A target's own checks stop with __builtin_trap (SIGILL) or abort (SIGABRT), which the
// sanitizers leave alone: named here too, with write(2), which a signal handler may call.
void name_current_input_on_signal(int signal) {
  constexpr char kPrefix[] = "fuzz replay: the input that failed: ";
  (void)!write(STDERR_FILENO, kPrefix, sizeof kPrefix - 1);
  (void)!write(STDERR_FILENO, current_input.data(), current_input.size());
  (void)!write(STDERR_FILENO, "\n", 1);
  std::signal(signal, SIG_DFL);
  std::raise(signal);
}

struct Replay {
  size_t runs = 0;

  void run(const std::string& what, const std::vector<uint8_t>& data, size_t size) {
    current_input = what;
    LLVMFuzzerTestOneInput(data.data(), size);
    ++runs;
  }

  void file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::vector<uint8_t> data((std::istreambuf_iterator<char>(in)),
                              std::istreambuf_iterator<char>());
    const std::string name = path.string();
    run(name, data, data.size());
    for (size_t cut = 1; cut < data.size(); cut += 1 + data.size() / 64)
      run(name + " cut to " + std::to_string(cut) + " bytes", data, cut);
    uint32_t seed = 12345;
    for (int i = 0; i < 2000 && data.size() > 1; ++i) {
      std::vector<uint8_t> mutated = data;
      seed = seed * 1103515245 + 12345;
      const size_t at = 1 + (seed >> 8) % (mutated.size() - 1);
      seed = seed * 1103515245 + 12345;
      mutated[at] = static_cast<uint8_t>(seed >> 16);
      run(name + " with byte " + std::to_string(at) + " set to " + std::to_string(mutated[at]),
          mutated, mutated.size());
    }
  }

  void folder(const std::filesystem::path& dir) {
    // Sorted, so that two runs replay in the same order.
    std::vector<std::filesystem::path> files;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(dir))
      if (entry.is_regular_file() && entry.path().filename().string().front() != '.')
        files.push_back(entry.path());
    std::sort(files.begin(), files.end());
    for (const auto& path : files) file(path);
  }
};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s CORPUS_DIR [MORE_DIRS...]\n", argv[0]);
    return 2;
  }
  if (!std::filesystem::is_directory(argv[1])) {
    std::fprintf(stderr, "%s: no corpus folder %s\n", argv[0], argv[1]);
    return 2;
  }
  if (__sanitizer_set_death_callback) __sanitizer_set_death_callback(name_current_input);
  std::signal(SIGILL, name_current_input_on_signal);
  std::signal(SIGABRT, name_current_input_on_signal);
  Replay replay;
  for (int i = 1; i < argc; ++i)
    if (std::filesystem::is_directory(argv[i])) replay.folder(argv[i]);
  std::printf("%zu inputs ran cleanly\n", replay.runs);
  return replay.runs > 0 ? 0 : 1;
}
