#pragma once
// Asio with C++20 coroutines, as the whole project uses it. Debian 12's Asio (1.22) keeps
// as_tuple under asio::experimental; `use_tuple` lets expected failures come back as values.

#include <asio.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/experimental/awaitable_operators.hpp>

namespace miniweb {

// co_await op(..., use_tuple) yields std::tuple<std::error_code, ...> instead of throwing.
inline constexpr auto use_tuple = asio::experimental::as_tuple(asio::use_awaitable);

}  // namespace miniweb
