#pragma once
// Pages asked for in one system call, before a program's work touches them one by one.
//
// The first touch of a page traps into the kernel, which maps it: a page fault. On the team's
// first machine (a VM) each trap cost about 10 us, while MADV_POPULATE_READ and MADV_POPULATE_WRITE
// (Linux 5.14) map the same pages for 0.2 to 2 us each. A browser's https load made 120 page
// faults between its first DNS step and its close: its heap growing (56), the TLS context's
// thread's heap (about 30), and code run for the first time. The browser asks for those pages
// before its load begins (browser/main.cpp), where that pays (mapping_ahead_pays, below). On a
// kernel without the two calls nothing is mapped ahead and each page faults, as before.
//
// On that VM a page's first touch traps to the host even after the kernel has mapped it: 1 MiB
// of fresh memory took 3.0 ms to touch, and 0.28 ms to map ahead plus 1.4 to 1.6 ms to touch
// then. Mapping ahead saves about half; a huge page saves the trap for 511 of its 512 pages,
// which is why a large buffer is advised to take them (advise_huge_pages below).

#include <atomic>
#include <chrono>
#include <cstddef>

namespace miniweb {

// Whether mapping pages ahead saves time on this machine, decided from what a page costs here:
// the first touch of a fresh page (its fault) against MADV_POPULATE_WRITE of one page by itself,
// each the median of 8 pages. Mapping ahead pays where the fault costs more than twice that. On
// the VM above a fault cost about 10 us, and a page mapped ahead 0.2 to 2 in larger calls. On
// a later machine of the team's (Linux 6.18) a fault costs 1.2 us, a page mapped ahead by
// itself 2.1 (1.1 in larger calls): there the pages mapped ahead that a load never touched made
// an https load 9% slower (median of 12 paired runs). Measured once per process, on the first
// call (about 50 us there, 1% of a warm load); false where the kernel cannot map ahead. The
// callers that map ahead on speculation (code and heap a load may touch) ask this first; a
// buffer about to be written whole (populate_buffer) is mapped either way.
bool mapping_ahead_pays();
// The decision from the two medians: the exact rule the call above applies.
bool mapping_ahead_pays(std::chrono::nanoseconds fault, std::chrono::nanoseconds mapped_ahead);

// What a page costs here: the median of 8 first touches (their faults) and of 8 pages mapped
// ahead one call each, on 16 fresh pages of one mapping; each the largest duration where it
// could not be measured (no memory, or a kernel before 5.14 for the second).
struct PageCosts {
  std::chrono::nanoseconds fault = std::chrono::nanoseconds::max();
  std::chrono::nanoseconds mapped_ahead = std::chrono::nanoseconds::max();
};
// Measured now, on pages of its own (bench/pageload's miniweb-page-costs prints several).
PageCosts measure_page_costs();
// The process's one measurement, the first call's, on which mapping_ahead_pays() decides.
PageCosts page_costs();

// Every executable page of the program or shared object that holds `address` (a function of
// it), mapped from the page cache now. Returns false when the kernel would not (too old, or
// `address` in no loaded object).
bool populate_code_of(const void* address);

// The calling thread's malloc arena made to hold `bytes` (about 4 MiB at most) more of small
// allocations without a page fault: that much is allocated, its pages written in one call, and
// freed again where the arena's next allocations take it from (a small block kept after it,
// never freed, stops glibc from giving the pages back to the kernel). Returns the number of
// bytes whose pages the kernel mapped (at least `bytes`, or about 4 MiB, when it did; 0 if it would
// not).
std::size_t populate_heap(std::size_t bytes);

// A transparent huge page on x86-64: what advise_huge_pages counts in, and the alignment a
// buffer needs to begin in one.
inline constexpr std::size_t kHugePageBytes = std::size_t{2} << 20;

// The 2 MiB pages that [data, data + bytes) spans whole, advised to be huge pages: the first
// write to each maps all of it in one fault instead of 512 (on this team's machine a fault
// costs about 10 us, one of 2 MiB about 100 to 250). For a large buffer written from its start
// (a vector reserved for what a large page will put in it). Returns the bytes advised: 0 for a
// buffer that spans no whole huge page, or where the kernel refuses the advice (built without
// huge pages). Where they are switched off ("never"), the advice is taken and changes nothing.
//
// A process advises kHugePageBudget bytes at most, the first asked for. Where the kernel has no
// free 2 MiB page, a fault in an advised region compacts memory to make one before it returns
// (defrag "madvise", Debian's default): on the team's latest host a 50 MB page's dump spent 2
// to 4 s of system time so in some runs, 0.15 s with huge pages off, and a 10 MB page's dump took
// 428 ms (median) against 317 with the budget. The budget keeps the gain where it was measured:
// python's stdtypes.html dumps in 23.6 ms, 29.6 with no huge page at all.
inline constexpr std::size_t kHugePageBudget = std::size_t{32} << 20;
std::size_t advise_huge_pages(const void* data, std::size_t bytes);
// The same, from `budget` (the bytes it has left, taken from it) instead of the process's.
std::size_t advise_huge_pages(const void* data, std::size_t bytes,
                              std::atomic<std::size_t>& budget);

// Room for `count` elements reserved in `vector` (a std::vector or std::string) at once, with
// huge pages advised for it as above.
template <class Vector>
void reserve_in_huge_pages(Vector& vector, std::size_t count) {
  vector.reserve(count);
  advise_huge_pages(vector.data(), vector.capacity() * sizeof(*vector.data()));
}

// A large buffer about to be written whole (a file read into it), mapped now: huge pages
// advised as above, then all its pages written in one call. A 50 MB file's read, into a buffer
// fresh from malloc, made 12,800 page faults and took 230 to 330 ms on this team's machine; mapped
// first, 25 to 45 ms. Returns the bytes mapped (0 where the kernel would not; the buffer works all
// the same, page by page). `data` must be memory the caller owns from there to `bytes` on.
std::size_t populate_buffer(void* data, std::size_t bytes);

// The pages wholly inside [data, data + bytes) mapped for writing now, in one call, as they
// are advised (no advice given here). Returns the bytes mapped, 0 where the kernel would not.
std::size_t populate_pages_within(void* data, std::size_t bytes);

}  // namespace miniweb
