#pragma once
// The memory gumbo-parser builds its tree in. gumbo makes millions of small allocations for
// a large page (one per node, per attribute, per string buffer and per vector) and frees
// many of them again at once; through malloc that was a third of the parse. Here small
// blocks are cut from large chunks and recycled by size, and the whole tree goes in one
// step: no walk over it, which also means no recursion (gumbo's own destructor recurses
// once per level, which a document nested 100 000 deep would overflow).

#include <gumbo.h>

#include <cstddef>
#include <string_view>
#include <vector>

namespace miniweb::browser::html {

class GumboArena {
 public:
  GumboArena() = default;
  GumboArena(const GumboArena&) = delete;
  GumboArena& operator=(const GumboArena&) = delete;
  ~GumboArena();

  // What the arena will likely hold, told before the first allocation: from 512 KiB on, its
  // first chunk is a huge page (see gumbo_arena.cpp), else chunks double from 64 KiB.
  void expect(std::size_t bytes);

  // The signatures of GumboOptions' allocator and deallocator; userdata is the arena.
  static void* allocate(void* userdata, std::size_t size);
  static void deallocate(void* userdata, void* pointer);

  // A block that is never deallocated (it goes with the arena): the DOM's arrays. It has no
  // header and is cut from the current chunk while it fits, whatever its size. Through
  // allocate, an array over kMaxSmall went to malloc, into a heap full of gumbo's freed
  // buffers; cut from the chunk, python's stdtypes.html dumps 3 ms sooner (of 43) and Node's
  // 8 MB manual 80 ms (of 620).
  void* allocate_lasting(std::size_t size);

 private:
  // Every block starts with its size; a small block's payload follows it directly. A free
  // small block keeps the next free block of its size in its payload's first word. One
  // word of header and 8-byte granules: gumbo's blocks average about 24 bytes (nodes,
  // vectors, short strings), and a 16-byte header rounded to 16 bytes had made the arena
  // half again as large as what gumbo asked for. gumbo keeps nothing that needs more than
  // a pointer's alignment.
  struct BlockHeader {
    std::size_t size;  // payload bytes, a multiple of kGranule
  };
  // A large block comes from malloc and is linked into a list so the arena can free it.
  struct LargeBlock {
    LargeBlock* previous;
    LargeBlock* next;
    BlockHeader header;
  };

 public:
  static constexpr std::size_t kGranule = alignof(void*);

 private:
  static constexpr std::size_t kMaxSmall = 1024;  // larger blocks go to malloc
  static constexpr std::size_t kClasses = kMaxSmall / kGranule + 1;
  // Chunks double from 64 KiB (a small page needs no more), or from 2 MiB when a large tree is
  // expected, to 4 MiB.
  static constexpr std::size_t kFirstChunkSize = std::size_t{64} << 10;
  static constexpr std::size_t kMaxChunkSize = std::size_t{4} << 20;

  void* allocate_small(std::size_t size);
  void* allocate_large(std::size_t size);

  struct Chunk {
    std::byte* memory;  // from malloc
    std::size_t size;
  };
  std::vector<Chunk> chunks_;
  std::size_t first_chunk_size_ = kFirstChunkSize;
  std::byte* chunk_position_ = nullptr;
  std::byte* chunk_end_ = nullptr;
  void* free_[kClasses] = {};  // the first free block of each size (its payload)
  LargeBlock* large_ = nullptr;
};

// gumbo's parse of html as the browser runs it: its tree in `arena` (told what to expect, so
// that a large page starts in a huge page), no parse errors kept. The arena frees everything
// gumbo allocated, so gumbo_destroy_output is never needed.
GumboOutput* parse_with_gumbo(std::string_view html, GumboArena& arena);

}  // namespace miniweb::browser::html
