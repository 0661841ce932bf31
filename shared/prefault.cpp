#include "shared/prefault.hpp"

#include <link.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdlib>

namespace miniweb {

namespace {

std::uintptr_t page_size() {
  static const auto size = static_cast<std::uintptr_t>(::sysconf(_SC_PAGESIZE));
  return size;
}

// [from, to) widened to whole pages and mapped as `advice` says: the bytes mapped, 0 if the
// kernel would not.
std::size_t populate(std::uintptr_t from, std::uintptr_t to, int advice) {
  const std::uintptr_t page = page_size();
  from &= ~(page - 1);
  to = (to + page - 1) & ~(page - 1);
  if (to <= from || ::madvise(reinterpret_cast<void*>(from), to - from, advice) != 0) return 0;
  return to - from;
}

struct CodeOf {
  std::uintptr_t address;
  bool found = false;
  bool populated = true;
};

int populate_object_code(dl_phdr_info* info, std::size_t, void* data) {
  auto& wanted = *static_cast<CodeOf*>(data);
  bool holds = false;
  for (int i = 0; i < info->dlpi_phnum; ++i) {
    const ElfW(Phdr)& segment = info->dlpi_phdr[i];
    const std::uintptr_t start = info->dlpi_addr + segment.p_vaddr;
    if (segment.p_type == PT_LOAD && wanted.address >= start &&
        wanted.address < start + segment.p_memsz)
      holds = true;
  }
  if (!holds) return 0;  // on to the next object
  wanted.found = true;
  for (int i = 0; i < info->dlpi_phnum; ++i) {
    const ElfW(Phdr)& segment = info->dlpi_phdr[i];
    if (segment.p_type != PT_LOAD || (segment.p_flags & PF_X) == 0) continue;
    const std::uintptr_t start = info->dlpi_addr + segment.p_vaddr;
    if (populate(start, start + segment.p_memsz, MADV_POPULATE_READ) == 0) wanted.populated = false;
  }
  return 1;  // found: stop
}

// The small blocks that keep populated heap memory from going back to the kernel, one per
// call, reachable from here so that a leak checker sees them held, as they are.
constexpr std::size_t kMaxFences = 16;
std::array<std::atomic<void*>, kMaxFences> fences{};
std::atomic<std::size_t> fences_used{0};

// The part of [start, start + bytes) made of whole units of `unit` bytes (a power of two):
// what a buffer can advise or map without touching its neighbours' pages.
struct Span {
  std::uintptr_t first = 0;
  std::uintptr_t last = 0;
  std::size_t size() const { return last > first ? last - first : 0; }
};
Span whole_units_within(std::uintptr_t start, std::size_t bytes, std::uintptr_t unit) {
  return {(start + unit - 1) & ~(unit - 1), (start + bytes) & ~(unit - 1)};
}

}  // namespace

// Each page timed by itself: 8 touched (a write, and its fault), then 8 mapped ahead.
PageCosts measure_page_costs() {
  constexpr std::size_t kPages = 8;
  const std::uintptr_t page = page_size();
  const std::size_t bytes = 2 * kPages * page;
  void* mapping =
      ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (mapping == MAP_FAILED) return {};
  auto* pages = static_cast<volatile char*>(mapping);
  const auto median = [](std::array<std::chrono::nanoseconds, kPages>& costs) {
    std::nth_element(costs.begin(), costs.begin() + kPages / 2, costs.end());
    return costs[kPages / 2];
  };
  PageCosts measured;
  std::array<std::chrono::nanoseconds, kPages> costs{};
  for (std::size_t i = 0; i < kPages; ++i) {
    const auto began = std::chrono::steady_clock::now();
    pages[i * page] = 1;
    costs[i] = std::chrono::steady_clock::now() - began;
  }
  measured.fault = median(costs);
  bool mapped = true;
  for (std::size_t i = 0; i < kPages && mapped; ++i) {
    char* at = const_cast<char*>(pages + (kPages + i) * page);
    const auto began = std::chrono::steady_clock::now();
    mapped = ::madvise(at, page, MADV_POPULATE_WRITE) == 0;  // not before Linux 5.14
    costs[i] = std::chrono::steady_clock::now() - began;
  }
  if (mapped) measured.mapped_ahead = median(costs);
  ::munmap(mapping, bytes);
  return measured;
}

bool mapping_ahead_pays(std::chrono::nanoseconds fault, std::chrono::nanoseconds mapped_ahead) {
  constexpr auto kUnmeasured = std::chrono::nanoseconds::max();
  return fault != kUnmeasured && mapped_ahead != kUnmeasured && fault > 2 * mapped_ahead;
}

PageCosts page_costs() {
  static const PageCosts measured = measure_page_costs();
  return measured;
}

bool mapping_ahead_pays() {
  const PageCosts costs = page_costs();
  return mapping_ahead_pays(costs.fault, costs.mapped_ahead);
}

bool populate_code_of(const void* address) {
  CodeOf wanted{reinterpret_cast<std::uintptr_t>(address)};
  ::dl_iterate_phdr(populate_object_code, &wanted);
  return wanted.found && wanted.populated;
}

std::size_t populate_heap(std::size_t bytes) {
  // Blocks below glibc's first mmap threshold (128 KiB), so that they come from the arena, cut
  // one after the other from its top; freed together, they become one free chunk that the
  // arena's next requests are cut from.
  constexpr std::size_t kBlock = 64 * 1024 - 64;
  constexpr std::size_t kMaxBlocks = 64;
  std::array<void*, kMaxBlocks + 1> blocks{};
  std::size_t count = 0;
  for (; count < kMaxBlocks && count * kBlock < bytes; ++count) blocks[count] = std::malloc(kBlock);
  // One more, the fence: freed, the blocks would join the arena's top, which glibc trims back
  // to 128 KiB. Shrunk where it lies, just after them, the fence keeps them apart from the top,
  // and the rest of it joins the top.
  blocks[count] = std::malloc(kBlock);
  std::size_t populated = 0;
  for (std::size_t i = 0; i <= count; ++i) {
    const auto block = reinterpret_cast<std::uintptr_t>(blocks[i]);
    if (block != 0) populated += populate(block, block + kBlock, MADV_POPULATE_WRITE);
  }
  void* fence = std::realloc(blocks[count], 16);  // shrinking: in place
  const std::size_t slot = fences_used.fetch_add(1);
  if (slot < kMaxFences)
    fences[slot] = fence;
  else
    std::free(fence);
  for (std::size_t i = 0; i < count; ++i) std::free(blocks[i]);
  return populated;
}

std::size_t advise_huge_pages(const void* data, std::size_t bytes) {
  static std::atomic<std::size_t> process_budget{kHugePageBudget};
  return advise_huge_pages(data, bytes, process_budget);
}

std::size_t advise_huge_pages(const void* data, std::size_t bytes,
                              std::atomic<std::size_t>& budget) {
  Span huge = whole_units_within(reinterpret_cast<std::uintptr_t>(data), bytes, kHugePageBytes);
  // The first pages of the buffer, as many as the budget has left (whole ones: the budget is
  // counted in them).
  std::size_t left = budget.load(std::memory_order_relaxed);
  std::size_t taken = 0;
  do {
    taken = std::min(left, huge.size()) / kHugePageBytes * kHugePageBytes;
  } while (!budget.compare_exchange_weak(left, left - taken, std::memory_order_relaxed));
  huge.last = huge.first + taken;
  if (huge.size() == 0 ||
      ::madvise(reinterpret_cast<void*>(huge.first), huge.size(), MADV_HUGEPAGE) != 0)
    return 0;
  return huge.size();
}

std::size_t populate_pages_within(void* data, std::size_t bytes) {
  // Only the pages wholly inside the buffer: the partial ones at its ends may be another
  // owner's, and are written by the caller's first touch anyway.
  const Span pages = whole_units_within(reinterpret_cast<std::uintptr_t>(data), bytes, page_size());
  return pages.size() > 0 ? populate(pages.first, pages.last, MADV_POPULATE_WRITE) : 0;
}

std::size_t populate_buffer(void* data, std::size_t bytes) {
  // Where huge pages are off the advice is refused, and the pages below are mapped 4 KiB at a
  // time, still in one call.
  advise_huge_pages(data, bytes);
  return populate_pages_within(data, bytes);
}

}  // namespace miniweb
