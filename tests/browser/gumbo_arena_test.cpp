#include "browser/html/gumbo_arena.hpp"

#include <gtest/gtest.h>
#include <sys/mman.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "browser/html/dom.hpp"
#include "shared/pages_ahead.hpp"

namespace miniweb::browser::html {
namespace {

// Aligned for every type gumbo allocates: pointers and sizes.
bool is_aligned(const void* pointer) {
  return reinterpret_cast<std::uintptr_t>(pointer) % GumboArena::kGranule == 0;
}

TEST(GumboArena, BlocksOfEverySizeAreAlignedAndDisjoint) {
  GumboArena arena;
  std::vector<std::pair<unsigned char*, std::size_t>> blocks;
  // Small sizes, the boundary, and large ones (which go to malloc), many times each.
  for (int round = 0; round < 200; ++round) {
    for (std::size_t size : {1, 7, 16, 17, 100, 1023, 1024, 1025, 5000, 70000}) {
      auto* block = static_cast<unsigned char*>(GumboArena::allocate(&arena, size));
      ASSERT_NE(block, nullptr);
      EXPECT_TRUE(is_aligned(block));
      std::memset(block, static_cast<int>(blocks.size() % 251), size);
      blocks.emplace_back(block, size);
    }
  }
  // Every block still holds what was written to it: none overlaps another.
  for (std::size_t i = 0; i < blocks.size(); ++i) {
    const auto [block, size] = blocks[i];
    for (std::size_t b = 0; b < size; ++b) {
      ASSERT_EQ(block[b], static_cast<unsigned char>(i % 251)) << "block " << i;
    }
  }
  // Half are given back, as gumbo gives back its buffers; the arena frees the rest.
  for (std::size_t i = 0; i < blocks.size(); i += 2)
    GumboArena::deallocate(&arena, blocks[i].first);
  GumboArena::deallocate(&arena, nullptr);
}

TEST(GumboArena, FreedSmallBlocksAreReusedBySize) {
  GumboArena arena;
  void* first = GumboArena::allocate(&arena, 40);
  void* second = GumboArena::allocate(&arena, 40);
  GumboArena::deallocate(&arena, first);
  // The same size class gets the freed block back; another size does not.
  void* other = GumboArena::allocate(&arena, 200);
  EXPECT_NE(other, first);
  EXPECT_EQ(GumboArena::allocate(&arena, 33), first);  // 33 rounds up to 40
  EXPECT_NE(GumboArena::allocate(&arena, 40), second);
}

TEST(GumboArena, LastingBlocksOfAnySizeComeFromTheChunkWithoutHeaders) {
  GumboArena arena;
  GumboArena::deallocate(&arena, GumboArena::allocate(&arena, 16));  // opens the first chunk
  std::vector<std::pair<unsigned char*, std::size_t>> blocks;
  for (std::size_t size : {72, 1, 5000, 72 * 300, 40}) {
    auto* block = static_cast<unsigned char*>(arena.allocate_lasting(size));
    ASSERT_NE(block, nullptr);
    EXPECT_TRUE(is_aligned(block));
    // Cut one after another from the chunk, rounded to the granule and nothing more: no
    // header, and no trip to malloc for the arrays over the small blocks' limit.
    if (!blocks.empty()) {
      const auto [previous, previous_size] = blocks.back();
      const std::size_t rounded = (previous_size + 7) / 8 * 8;
      EXPECT_EQ(block, previous + rounded) << size;
    }
    std::memset(block, static_cast<int>(blocks.size() + 1), size);
    blocks.emplace_back(block, size);
  }
  for (std::size_t i = 0; i < blocks.size(); ++i) {
    const auto [block, size] = blocks[i];
    for (std::size_t b = 0; b < size; ++b)
      ASSERT_EQ(block[b], static_cast<unsigned char>(i + 1)) << "block " << i;
  }
  // Past the chunk's end it takes what allocate takes: here a block of malloc's.
  auto* huge = static_cast<unsigned char*>(arena.allocate_lasting(std::size_t{8} << 20));
  ASSERT_NE(huge, nullptr);
  huge[(std::size_t{8} << 20) - 1] = 1;
}

TEST(GumboArena, ALargePageAllocatesAndFreesWithoutLeaks) {
  // Under LeakSanitizer (the test build) anything the arena failed to free is reported.
  std::string html = "<!doctype html><title>t</title><body>";
  for (int i = 0; i < 20000; ++i) {
    html += "<p class=\"c" + std::to_string(i) + "\">para <b>" + std::to_string(i) +
            "</b> <a href=\"#x\">link</a></p>";
  }
  html.append(20000, 'x');  // one text node far larger than a small block
  const Document document = parse_html(html);
  EXPECT_EQ(document.title, "t");
}

TEST(GumboArena, ASmallPageFitsInItsFirstChunk) {
  // About 4 KiB of the kinds of markup the demo's home page has. Each size gumbo asks for takes
  // pages of its own, so its tree needs more than 64 KiB; the first chunk holds it all, and
  // comes from the heap, under malloc's mmap threshold (gumbo_arena.hpp).
  std::string html =
      "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<title>the journey of a URL</title><link rel=\"stylesheet\" href=\"/style.css\">"
      "</head><body><header><h1>miniweb</h1><p class=\"lead\">What happens when a URL is "
      "typed.</p></header><main>";
  for (int i = 0; html.size() < 4000; ++i) {
    const std::string n = std::to_string(i);
    html += "<section id=\"s" + n + "\"><h2>Step " + n + "</h2><p>The <em>resolver</em> asks " +
            "<code>example.test.</code> and <a href=\"/journey/step" + n +
            ".html\">follows it</a>.</p><ul><li><strong>" + n + "</strong> &amp; more</li>" +
            "<li><a href=\"#s" + n + "\" title=\"back\">back</a></li></ul></section>\n";
  }
  html += "</main><footer><p>&copy; miniweb</p></footer></body></html>";
  PagesAhead pages;
  GumboArena arena;
  const GumboOutput* output = parse_with_gumbo(html, arena, pages);
  ASSERT_NE(output, nullptr);
  EXPECT_EQ(arena.chunk_count(), 1u);
}

TEST(GumboArena, ALargeTreeStartsInAHugePageAndASmallOneDoesNot) {
  // Blocks have no header: the first block opens its chunk, and a chunk of huge pages is
  // aligned to 2 MiB.
  constexpr std::uintptr_t kHugePage = std::uintptr_t{2} << 20;
  const auto huge_page_aligned = [&](void* first_block) {
    return reinterpret_cast<std::uintptr_t>(first_block) % kHugePage == 0;
  };
  GumboArena large;
  large.expect(std::size_t{1} << 20);
  auto* chunk = static_cast<std::byte*>(GumboArena::allocate(&large, 16));
  EXPECT_TRUE(huge_page_aligned(chunk));
  // 1.5 MiB of small blocks still come from that first chunk: blocks of one size fill a 4 KiB
  // page one after another (four of these), and the next page follows.
  std::vector<std::byte*> blocks;
  for (int i = 0; i < 1500; ++i)
    blocks.push_back(static_cast<std::byte*>(GumboArena::allocate(&large, 1016)));
  const std::ptrdiff_t stride = blocks[1] - blocks[0];
  EXPECT_GE(stride, 1016);
  EXPECT_LE(stride, 1024);
  for (std::size_t i = 0; i < blocks.size(); ++i) {
    const std::ptrdiff_t page = 1 + static_cast<std::ptrdiff_t>(i / 4);  // page 0: the 16 bytes
    ASSERT_EQ(blocks[i], chunk + page * 4096 + static_cast<std::ptrdiff_t>(i % 4) * stride) << i;
  }
  int aligned = 0;  // a 64 KiB chunk from malloc is almost never aligned to 2 MiB
  for (int i = 0; i < 4; ++i) {
    GumboArena small;
    small.expect(std::size_t{100} << 10);
    aligned += huge_page_aligned(GumboArena::allocate(&small, 16)) ? 1 : 0;
  }
  EXPECT_LT(aligned, 4);
}

// How many of the 4 KiB pages of [start, start + bytes) are resident now.
std::size_t resident_pages(const void* start, std::size_t bytes) {
  std::vector<unsigned char> resident(bytes / 4096);
  if (::mincore(const_cast<void*>(start), bytes, resident.data()) != 0) return 0;
  std::size_t count = 0;
  for (unsigned char flags : resident) count += flags & 1;
  return count;
}

TEST(GumboArena, ALargeTreesChunksAreMappedAheadOfItsWrites) {
  // The first chunk is opened and handed to the mapping thread before the first block is
  // asked for; a block cut from it finds its whole huge page mapped. (Blocks have no header:
  // the first block is the chunk's first byte.)
  PagesAhead pages;
  // With one CPU nothing is mapped ahead, by design (PagesAhead.WithOneCpuNothingIsMappedAhead
  // tests that); CI's machines have two.
  if (!pages.maps_ahead()) GTEST_SKIP() << "one CPU: nothing is mapped ahead there, by design";
  GumboArena large;
  large.expect(std::size_t{8} << 20);
  large.map_ahead(pages);
  pages.wait();
  void* first = GumboArena::allocate(&large, 16);
  EXPECT_EQ(resident_pages(first, std::size_t{2} << 20), 512u);
  large.stop_mapping_ahead();
}

TEST(GumboArena, ChunksGivenToAPoolAreTheNextArenasAndStayMapped) {
  // A page's pieces are parsed one after another in the memory of those before
  // (html/split_parse.hpp): the second arena's chunk is the first's, its pages already there.
  ChunkPool pool;
  std::byte* first_chunk = nullptr;
  {
    GumboArena first(&pool);
    first.expect(std::size_t{4} << 20);
    first_chunk = static_cast<std::byte*>(GumboArena::allocate(&first, 16));
    // Written through, as gumbo's tree would be.
    for (std::size_t i = 0; i < 64; ++i) GumboArena::allocate(&first, 1000);
  }
  GumboArena second(&pool);
  second.expect(std::size_t{4} << 20);
  auto* second_chunk = static_cast<std::byte*>(GumboArena::allocate(&second, 16));
  EXPECT_EQ(second_chunk, first_chunk);
  EXPECT_GT(resident_pages(second_chunk, 64 * 4096), 0u);
  // A chunk of another size is not taken for it: a third arena, small, gets its own.
  GumboArena small(&pool);
  EXPECT_NE(GumboArena::allocate(&small, 16), static_cast<void*>(first_chunk));
}

// The threads this process has now (/proc/self/status).
int thread_count() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line))
    if (line.rfind("Threads:", 0) == 0) return std::stoi(line.substr(8));
  return -1;
}

TEST(GumboArena, ASmallTreeMapsNothingAhead) {
  // A small page's few pages are not worth a thread: nothing is handed over, so no thread is
  // started, and its chunk is mapped page by page as gumbo writes it.
  PagesAhead pages;
  const int threads_before = thread_count();
  GumboArena small;
  small.expect(std::size_t{100} << 10);
  small.map_ahead(pages);
  GumboArena::allocate(&small, 4000);
  EXPECT_EQ(thread_count(), threads_before);
}

TEST(GumboArena, AParseIsAbandonedAtItsNextAllocationOnceTold) {
  // The flag is read at each allocation gumbo asks for: set before the parse, the first one
  // ends it; never set, the parse runs to its end.
  const std::string html = "<p>one<p>two<ul><li>three</ul>";
  PagesAhead pages;
  std::atomic<bool> abandon{true};
  GumboArena arena;
  arena.abandon_when(&abandon);
  EXPECT_EQ(parse_with_gumbo(html, arena, pages), nullptr);
  abandon = false;
  GumboArena next;
  next.abandon_when(&abandon);
  const GumboOutput* output = parse_with_gumbo(html, next, pages);
  ASSERT_NE(output, nullptr);
  EXPECT_EQ(output->root->v.element.children.length, 2u);  // <head> and <body>
}

TEST(GumboArena, BlocksAreFreedByTheSizeTheirPageHolds) {
  // No block carries its size: a freed block goes back to the list of the size its page was
  // given, across chunks, and a large block (malloc's) is told apart by being in no chunk.
  GumboArena arena;
  std::vector<void*> forties;
  for (int i = 0; i < 5000; ++i) forties.push_back(GumboArena::allocate(&arena, 40));  // chunks
  void* large = GumboArena::allocate(&arena, 5000);
  void* eighty = GumboArena::allocate(&arena, 80);
  GumboArena::deallocate(&arena, forties.front());  // in the first chunk
  GumboArena::deallocate(&arena, eighty);
  GumboArena::deallocate(&arena, large);
  EXPECT_EQ(GumboArena::allocate(&arena, 80), eighty);
  EXPECT_EQ(GumboArena::allocate(&arena, 33), forties.front());  // 33 rounds up to 40
  EXPECT_NE(GumboArena::allocate(&arena, 40), forties.front());
}

#if defined(__SANITIZE_ADDRESS__)
TEST(GumboArena, UseAfterFreeIsStillReportedByAddressSanitizer) {
  GumboArena arena;
  auto* block = static_cast<volatile char*>(GumboArena::allocate(&arena, 64));
  GumboArena::deallocate(&arena, const_cast<char*>(block));
  EXPECT_DEATH(block[0] = 'x', "use-after-poison");
}

TEST(GumboArena, OverflowPastALastingBlockIsReported) {
  GumboArena arena;
  GumboArena::deallocate(&arena, GumboArena::allocate(&arena, 16));
  auto* block = static_cast<volatile char*>(arena.allocate_lasting(20));
  block[19] = 'x';
  EXPECT_DEATH(block[20] = 'x', "use-after-poison");
}

TEST(GumboArena, OverflowPastTheRequestedSizeIsReported) {
  GumboArena arena;
  auto* block = static_cast<volatile char*>(GumboArena::allocate(&arena, 20));
  block[19] = 'x';
  EXPECT_DEATH(block[20] = 'x', "use-after-poison");
}

TEST(GumboArena, OverrunIntoTheNextBlockIsReported) {
  // Blocks of one size lie side by side in their page; under ASan a poisoned granule
  // separates them, as a header did.
  GumboArena arena;
  auto* block = static_cast<volatile char*>(GumboArena::allocate(&arena, 16));
  GumboArena::allocate(&arena, 16);  // its neighbour, in use
  block[15] = 'x';
  EXPECT_DEATH(block[16] = 'x', "use-after-poison");
}
#endif

}  // namespace
}  // namespace miniweb::browser::html
