#pragma once
// Pages asked for in one system call, before a program's work touches them one by one.
//
// The first touch of a page traps into the kernel, which maps it: a page fault. On this team's
// machine (a VM) each trap costs about 10 us, while MADV_POPULATE_READ and MADV_POPULATE_WRITE
// (Linux 5.14) map the same pages for 0.2 to 2 us each. A browser's https load made 120 page
// faults between its first DNS step and its close: its heap growing (56), the TLS context's
// thread's heap (about 30), and code run for the first time. The browser asks for those pages
// before its load begins (browser/main.cpp). On a kernel without the two calls nothing is
// mapped ahead and each page faults, as before.

#include <cstddef>

namespace miniweb {

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

}  // namespace miniweb
