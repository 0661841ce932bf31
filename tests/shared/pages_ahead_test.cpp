// Pages mapped on the CPU beside (shared/pages_ahead.hpp), read back from the kernel: which
// pages of a fresh mapping are resident (mincore), untouched by the test's own thread.

#include "shared/pages_ahead.hpp"

#include <gtest/gtest.h>
#include <sched.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <vector>

#include "tests/support/no_new_threads.hpp"

namespace miniweb {
namespace {

constexpr std::size_t kBytes = std::size_t{1} << 20;

// A fresh anonymous mapping, unmapped when the test ends. No page of it is resident until
// something writes it or maps it.
class FreshMapping {
 public:
  explicit FreshMapping(std::size_t bytes) : bytes_(bytes) {
    void* memory =
        ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    data_ = memory == MAP_FAILED ? nullptr : memory;
  }
  ~FreshMapping() {
    if (data_ != nullptr) ::munmap(data_, bytes_);
  }
  void* data() const { return data_; }

  // How many of its pages are resident now.
  std::size_t resident_pages() const {
    const auto page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
    std::vector<unsigned char> resident(bytes_ / page);
    if (::mincore(data_, bytes_, resident.data()) != 0) return 0;
    std::size_t count = 0;
    for (unsigned char flags : resident) count += flags & 1;
    return count;
  }
  std::size_t pages() const { return bytes_ / static_cast<std::size_t>(::sysconf(_SC_PAGESIZE)); }

 private:
  std::size_t bytes_;
  void* data_ = nullptr;
};

bool has_two_cpus() {
  cpu_set_t allowed;
  CPU_ZERO(&allowed);
  return ::sched_getaffinity(0, sizeof allowed, &allowed) == 0 && CPU_COUNT(&allowed) > 1;
}

// The tests of the mapping itself, with a fresh block of nothing resident. They need a second
// CPU (the machines CI runs on have two): with one, nothing is mapped ahead by design, which
// WithOneCpuNothingIsMappedAhead tests wherever the tests run.
class PagesAheadBeside : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!has_two_cpus()) GTEST_SKIP() << "one CPU: nothing is mapped ahead there, by design";
    ASSERT_NE(block.data(), nullptr);
    ASSERT_EQ(block.resident_pages(), 0u);
  }
  FreshMapping block{kBytes};
};

TEST_F(PagesAheadBeside, MapsEveryPageOfEachBlockGivenOnAnotherThread) {
  FreshMapping second(kBytes);
  ASSERT_NE(second.data(), nullptr);
  PagesAhead pages;
  ASSERT_TRUE(pages.maps_ahead());
  pages.map(block.data(), kBytes);
  pages.map(second.data(), kBytes);
  pages.wait();
  EXPECT_EQ(block.resident_pages(), block.pages());
  EXPECT_EQ(second.resident_pages(), second.pages());
}

TEST_F(PagesAheadBeside, TheDestructorWaitsForTheBlocksGiven) {
  {
    PagesAhead pages;
    pages.map(block.data(), kBytes);
  }
  EXPECT_EQ(block.resident_pages(), block.pages());
}

TEST_F(PagesAheadBeside, OnlyWholePagesInsideTheBlockAreMapped) {
  // The partial pages at a block's ends may be another owner's.
  PagesAhead pages;
  pages.map(static_cast<char*>(block.data()) + 1, kBytes - 2);
  pages.wait();
  EXPECT_EQ(block.resident_pages(), block.pages() - 2);
}

TEST(PagesAhead, WithOneCpuNothingIsMappedAhead) {
  // The thread would take the only CPU from the work it is meant to spare.
  cpu_set_t allowed;
  CPU_ZERO(&allowed);
  ASSERT_EQ(::sched_getaffinity(0, sizeof allowed, &allowed), 0);
  cpu_set_t one;
  CPU_ZERO(&one);
  CPU_SET(::sched_getcpu(), &one);
  ASSERT_EQ(::sched_setaffinity(0, sizeof one, &one), 0);
  PagesAhead pages;
  ASSERT_EQ(::sched_setaffinity(0, sizeof allowed, &allowed), 0);
  EXPECT_FALSE(pages.maps_ahead());
  FreshMapping block(kBytes);
  ASSERT_NE(block.data(), nullptr);
  pages.map(block.data(), kBytes);
  pages.wait();
  EXPECT_EQ(block.resident_pages(), 0u);
}

TEST(PagesAhead, WhereNoThreadCanBeMadeTheWriterMapsItsOwnPages) {
  // Nothing waits for a thread that was never made, and nothing is mapped at the destructor's
  // join, after the memory it was for has been written.
  const std::string outcome = test_support::run_where_no_thread_can_be_made([] {
    FreshMapping block(kBytes);
    if (block.data() == nullptr) return 1;
    PagesAhead pages;
    pages.map(block.data(), kBytes);
    pages.wait();
    if (pages.maps_ahead()) return 2;
    if (block.resident_pages() != 0) return 3;
    pages.map(block.data(), kBytes);  // given again: still nothing, and no thread tried
    return block.resident_pages() == 0 ? 0 : 4;
  });
  EXPECT_EQ(outcome, "exit 0");
}

}  // namespace
}  // namespace miniweb
