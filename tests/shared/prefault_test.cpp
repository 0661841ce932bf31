// Pages mapped ahead (shared/prefault.hpp): read back from the kernel's own accounts, the
// mapping's resident size in /proc/self/smaps and the thread's page-fault count.

#include "shared/prefault.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
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
  std::size_t huge_kib = 0;  // resident in transparent huge pages
};

// The mappings that hold [address, address + bytes), as /proc/self/smaps accounts for them now,
// added up (advice splits a mapping where it begins and ends).
Mapping mappings_over(const void* address, std::size_t bytes = 1) {
  const auto from = reinterpret_cast<std::uintptr_t>(address);
  const std::uintptr_t to = from + bytes;
  std::ifstream smaps("/proc/self/smaps");
  std::string line;
  bool inside = false;
  Mapping found;
  while (std::getline(smaps, line)) {
    std::uintptr_t start = 0;
    std::uintptr_t end = 0;
    char dash = 0;
    std::istringstream head(line);
    if (head >> std::hex >> start >> dash >> end && dash == '-') {
      inside = start < to && end > from;
      continue;
    }
    if (!inside) continue;
    std::istringstream field(line);
    std::string name;
    std::size_t kib = 0;
    field >> name >> kib;
    if (name == "Size:") found.size_kib += kib;
    if (name == "Rss:") found.resident_kib += kib;
    if (name == "AnonHugePages:") found.huge_kib += kib;
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
  const Mapping before = mappings_over(code);
  ASSERT_GT(before.size_kib, 0u) << "no mapping holds the test's own code";
  // Only the code the tests have run so far is mapped, and the program is several MB.
  ASSERT_LT(before.resident_kib, before.size_kib);

  EXPECT_TRUE(populate_code_of(code));
  const Mapping after = mappings_over(code);
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

// The rule: a page's fault against its mapping ahead, from the two medians measured.
TEST(Prefault, MappingAheadPaysOnlyWhereAFaultCostsMoreThanTwiceTheMapping) {
  using std::chrono::nanoseconds;
  EXPECT_TRUE(mapping_ahead_pays(nanoseconds(10'000), nanoseconds(2'000)));  // the first VM
  EXPECT_FALSE(mapping_ahead_pays(nanoseconds(1'200), nanoseconds(1'100)));  // the later one
  EXPECT_FALSE(mapping_ahead_pays(nanoseconds(4'000), nanoseconds(2'000)));  // twice: not more
  EXPECT_TRUE(mapping_ahead_pays(nanoseconds(4'001), nanoseconds(2'000)));
  // Either not measured (the largest duration: a kernel that cannot map ahead, or no memory
  // to measure on): never.
  EXPECT_FALSE(mapping_ahead_pays(nanoseconds(1'000'000), nanoseconds::max()));
  EXPECT_FALSE(mapping_ahead_pays(nanoseconds::max(), nanoseconds(1'000)));
}

// The number of mappings the process has, as /proc/self/maps lists them: read with no heap
// allocation, which could itself map memory (AddressSanitizer's allocator does) between counts.
std::size_t mapping_count() {
  static char buffer[1 << 16];
  const int file = ::open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
  if (file < 0) return 0;
  std::size_t lines = 0;
  for (ssize_t got; (got = ::read(file, buffer, sizeof buffer)) > 0;)
    lines += static_cast<std::size_t>(std::count(buffer, buffer + got, '\n'));
  ::close(file);
  return lines;
}

// Measured once, on the first question: the same answer after, and the pages it measured on
// given back.
TEST(Prefault, TheMachinesAnswerIsMeasuredOnceAndLeavesNoMappingBehind) {
  const std::size_t before = mapping_count();
  ASSERT_GT(before, 0u);
  const bool first = mapping_ahead_pays();
  EXPECT_EQ(mapping_count(), before);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(mapping_ahead_pays(), first);
  // The answer is the rule applied to the process's one measurement, which stays as it was.
  const PageCosts costs = page_costs();
  EXPECT_EQ(first, mapping_ahead_pays(costs.fault, costs.mapped_ahead));
  EXPECT_EQ(page_costs().fault, costs.fault);
  EXPECT_EQ(page_costs().mapped_ahead, costs.mapped_ahead);
}

// A new measurement each call, on pages of its own: both costs measured on this kernel (Linux
// 5.14 or later, as Debian 12's), each a real duration, and nothing left mapped.
TEST(Prefault, PageCostsAreMeasuredOnFreshPagesEachTime) {
  const std::size_t before = mapping_count();
  for (int i = 0; i < 3; ++i) {
    const PageCosts costs = measure_page_costs();
    EXPECT_GT(costs.fault.count(), 0);
    EXPECT_LT(costs.fault, std::chrono::seconds(1));
    EXPECT_GT(costs.mapped_ahead.count(), 0);
    EXPECT_LT(costs.mapped_ahead, std::chrono::seconds(1));
  }
  EXPECT_EQ(mapping_count(), before);
}

// Whether the kernel gives huge pages to memory advised to take them ("always" or "madvise").
bool huge_pages_on_advice() {
  std::ifstream setting("/sys/kernel/mm/transparent_hugepage/enabled");
  std::string line;
  std::getline(setting, line);
  return line.find("[always]") != std::string::npos || line.find("[madvise]") != std::string::npos;
}

constexpr std::size_t kMiB = std::size_t{1} << 20;

TEST(Prefault, ABufferIsMappedWholeInOneCallAndInHugePagesWhereItSpansThem) {
  // 8 MiB in a fresh mapping, none of it resident yet, starting off any page boundary, as
  // malloc's large blocks do. (Not malloc's own: AddressSanitizer's allocator writes into its
  // blocks' pages, and a 2 MiB page partly mapped already cannot become a huge one.)
  constexpr std::size_t kBytes = 8 * kMiB;
  void* mapping = ::mmap(nullptr, kBytes + 2 * 4096, PROT_READ | PROT_WRITE,
                         MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  ASSERT_NE(mapping, MAP_FAILED);
  void* buffer = static_cast<char*>(mapping) + 4096 + 16;
  const Mapping before = mappings_over(buffer, kBytes);
  const std::size_t mapped = populate_buffer(buffer, kBytes);
  const Mapping after = mappings_over(buffer, kBytes);
  ::munmap(mapping, kBytes + 2 * 4096);
  // Every page wholly inside the buffer; the partial ones at its two ends are the caller's.
  EXPECT_EQ(mapped, kBytes - 4096);
  EXPECT_GE(after.resident_kib - before.resident_kib, (kBytes >> 10) - 4);
  // Starting off a 2 MiB boundary, 8 MiB spans three whole 2 MiB pages.
  if (huge_pages_on_advice()) {
    EXPECT_EQ(after.huge_kib, 3 * 2048u)
        << "the 2 MiB pages inside the buffer were not given as huge pages";
  }
}

TEST(Prefault, HugePagesAreAdvisedWithinABudget) {
  // 5 MiB left: two of a 6 MiB buffer's three pages, then nothing.
  std::atomic<std::size_t> budget{5 * kMiB};
  void* aligned = std::aligned_alloc(2 * kMiB, 6 * kMiB);
  ASSERT_NE(aligned, nullptr);
  EXPECT_EQ(advise_huge_pages(aligned, 6 * kMiB, budget), 4 * kMiB);
  EXPECT_EQ(budget.load(), kMiB);
  EXPECT_EQ(advise_huge_pages(aligned, 6 * kMiB, budget), 0u);
  std::free(aligned);
}

TEST(Prefault, OnlyWhole2MiBPagesAreAdvisedToBeHuge) {
  void* aligned = std::aligned_alloc(2 * kMiB, 4 * kMiB);
  ASSERT_NE(aligned, nullptr);
  const auto* bytes = static_cast<const char*>(aligned);
  EXPECT_EQ(advise_huge_pages(aligned, 4 * kMiB), 4 * kMiB);
  EXPECT_EQ(advise_huge_pages(bytes + 1, 4 * kMiB - 1), 2 * kMiB);  // the second page only
  EXPECT_EQ(advise_huge_pages(bytes + 4096, 2 * kMiB), 0u);         // straddles two pages
  EXPECT_EQ(advise_huge_pages(aligned, kMiB), 0u);
  std::free(aligned);

  // A vector's room, reserved through it: its first write maps a whole huge page.
  std::vector<std::uint64_t> values;
  reserve_in_huge_pages(values, 6 * kMiB / sizeof(std::uint64_t));
  EXPECT_GE(values.capacity(), 6 * kMiB / sizeof(std::uint64_t));
  values.assign(6 * kMiB / sizeof(std::uint64_t), 1);
  if (huge_pages_on_advice()) {
    EXPECT_GE(mappings_over(values.data(), 6 * kMiB).huge_kib, 2048u);
  }
}

}  // namespace
}  // namespace miniweb
