// Pages mapped ahead (shared/prefault.hpp): read back from the kernel's own accounts, the
// mapping's resident size in /proc/self/smaps and the thread's page-fault count.

#include "shared/prefault.hpp"

#include <gtest/gtest.h>
#include <sys/resource.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace miniweb {
namespace {

struct Mapping {
  std::size_t size_kib = 0;
  std::size_t resident_kib = 0;
};

// The mapping that holds `address`, as /proc/self/smaps accounts for it now.
Mapping mapping_of(const void* address) {
  const auto wanted = reinterpret_cast<std::uintptr_t>(address);
  std::ifstream smaps("/proc/self/smaps");
  std::string line;
  bool inside = false;
  Mapping found;
  while (std::getline(smaps, line)) {
    std::uintptr_t from = 0;
    std::uintptr_t to = 0;
    char dash = 0;
    std::istringstream head(line);
    if (head >> std::hex >> from >> dash >> to && dash == '-') {
      if (inside) break;
      inside = wanted >= from && wanted < to;
      continue;
    }
    if (!inside) continue;
    std::istringstream field(line);
    std::string name;
    std::size_t kib = 0;
    field >> name >> kib;
    if (name == "Size:") found.size_kib = kib;
    if (name == "Rss:") found.resident_kib = kib;
  }
  return found;
}

long page_faults_of_this_thread() {
  rusage usage{};
  ::getrusage(RUSAGE_THREAD, &usage);
  return usage.ru_minflt;
}

TEST(Prefault, MapsEveryPageOfTheProgramsCode) {
  const void* code = reinterpret_cast<const void*>(&page_faults_of_this_thread);
  const Mapping before = mapping_of(code);
  ASSERT_GT(before.size_kib, 0u) << "no mapping holds the test's own code";
  // Only the code the tests have run so far is mapped, and the program is several MB.
  ASSERT_LT(before.resident_kib, before.size_kib);

  EXPECT_TRUE(populate_code_of(code));
  const Mapping after = mapping_of(code);
  EXPECT_EQ(after.resident_kib, after.size_kib);
}

TEST(Prefault, CodeOfAnAddressInNoLoadedObjectIsRefused) {
  std::vector<char> heap(64);
  EXPECT_FALSE(populate_code_of(heap.data()));
}

// On a thread of its own, so that the arena is new and every allocation below would otherwise
// be a first touch.
TEST(Prefault, TheArenasNextAllocationsTouchNoNewPage) {
  constexpr std::size_t kHeap = 256 * 1024;
  std::size_t populated = 0;
  long faults = -1;
  std::vector<void*> blocks;
  std::thread([&] {
    populated = populate_heap(kHeap);
    blocks.reserve(200);
    const long before = page_faults_of_this_thread();
    for (int i = 0; i < 200; ++i) {  // 200 KB in blocks of 1000 bytes, every byte written
      blocks.push_back(std::malloc(1000));
      std::memset(blocks.back(), 'x', 1000);
    }
    faults = page_faults_of_this_thread() - before;
    for (void* block : blocks) std::free(block);
  }).join();
  EXPECT_GE(populated, kHeap);
#if defined(__SANITIZE_ADDRESS__)
  // AddressSanitizer's allocator holds freed memory in quarantine and never gives the
  // populated blocks out again: only the mapping itself can be checked in this build.
  (void)faults;
#else
  // 200 KB written is 50 pages: without the pages mapped ahead, each of them faults.
  EXPECT_LE(faults, 2);
#endif
}

// A large page from a file asks for several times its size: what is mapped ahead stays bounded.
TEST(Prefault, TheHeapMappedAheadIsAtMostFourMebibytes) {
  std::size_t populated = 0;
  std::thread([&] { populated = populate_heap(std::size_t{64} << 20); }).join();
  EXPECT_GE(populated, std::size_t{4} << 20);
  EXPECT_LE(populated, std::size_t{5} << 20);  // 65 blocks of 64 KiB, counted in whole pages
}

}  // namespace
}  // namespace miniweb
