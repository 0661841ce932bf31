// ReactorReserve has Asio's reactor make the state of the sockets to come ahead, in blocks:
// a socket opened afterwards takes a reserved state and allocates nothing from the heap, so
// that nothing long-lived lands between a connection's memory (server/reactor_reserve.hpp).

#include "server/reactor_reserve.hpp"

#include <gtest/gtest.h>
#include <malloc.h>
#include <sys/resource.h>

#include <array>
#include <asio.hpp>
#include <filesystem>
#include <iterator>
#include <optional>

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define MINIWEB_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define MINIWEB_ASAN 1
#endif
#ifdef MINIWEB_ASAN
// libasan's (GCC 12 ships no sanitizer/allocator_interface.h).
extern "C" std::size_t __sanitizer_get_current_allocated_bytes();
#endif

namespace miniweb::server {
namespace {

using asio::ip::udp;

// Bytes the heap has handed out and not taken back (ASan's allocator in a sanitized build).
std::size_t heap_bytes_in_use() {
#ifdef MINIWEB_ASAN
  return __sanitizer_get_current_allocated_bytes();
#else
  return mallinfo2().uordblks;
#endif
}

template <std::size_t N>
void open_all(asio::io_context& io, std::array<std::optional<udp::socket>, N>& sockets) {
  for (auto& socket : sockets) socket.emplace(io).open(udp::v4());
}

TEST(ReactorReserve, SocketsOpenedLaterTakeReservedStatesAndAllocateNothing) {
  asio::io_context io;
  ReactorReserve reserve(io);
  reserve.cover(100);
  EXPECT_EQ(reserve.reserved(), ReactorReserve::kBlock);  // 100 and the margin fit one block

  std::array<std::optional<udp::socket>, ReactorReserve::kBlock> first;
  const std::size_t before = heap_bytes_in_use();
  open_all(io, first);
  EXPECT_EQ(heap_bytes_in_use(), before);

  // Past the reserve, the reactor allocates a state for each further socket.
  std::array<std::optional<udp::socket>, 8> beyond;
  open_all(io, beyond);
  EXPECT_GT(heap_bytes_in_use(), before);
}

TEST(ReactorReserve, GrowsInWholeBlocksAheadOfTheSocketsOpen) {
  asio::io_context io;
  ReactorReserve reserve(io);
  reserve.cover(0);
  EXPECT_EQ(reserve.reserved(), ReactorReserve::kBlock);
  reserve.cover(ReactorReserve::kBlock - ReactorReserve::kMargin);  // just covered
  EXPECT_EQ(reserve.reserved(), ReactorReserve::kBlock);
  reserve.cover(ReactorReserve::kBlock - ReactorReserve::kMargin + 1);  // one past: a block more
  EXPECT_EQ(reserve.reserved(), 2 * ReactorReserve::kBlock);
  reserve.cover(10);  // never shrinks
  EXPECT_EQ(reserve.reserved(), 2 * ReactorReserve::kBlock);
}

// Near the file limit, a block is cut short: what was opened counts, and the server goes on.
TEST(ReactorReserve, TheFileLimitCutsABlockShortAndWhatOpenedCounts) {
  asio::io_context io;
  asio::ip::udp::socket reactor_made(io, udp::v4());  // the reactor and its files exist first
  const auto open_files =
      static_cast<rlim_t>(std::distance(std::filesystem::directory_iterator("/proc/self/fd"), {}));
  rlimit saved{};
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &saved), 0);
  rlimit low = saved;
  low.rlim_cur = open_files + 100;
  ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &low), 0);

  ReactorReserve reserve(io);
  reserve.cover(0);
  const std::size_t reserved = reserve.reserved();
  reserve.cover(0);  // tries for the rest, finds no file
  ::setrlimit(RLIMIT_NOFILE, &saved);

  EXPECT_GT(reserved, 90u);
  EXPECT_LT(reserved, ReactorReserve::kBlock);
  EXPECT_EQ(reserve.reserved(), reserved);
  reserve.cover(ReactorReserve::kBlock);  // with files again, as far as asked
  EXPECT_GE(reserve.reserved(), ReactorReserve::kBlock + ReactorReserve::kMargin);
}

}  // namespace
}  // namespace miniweb::server
