#pragma once
// Result<T>: a value or an error a user can act on. Expected failures (bad input, a peer
// that does not answer) travel as values; exceptions are kept for programming errors and
// start-up failures.

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace miniweb {

struct Error {
  std::string message;
  int code = 0;  // a protocol status to answer with, where one applies (an HTTP status, an rcode)
};

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::in_place_index<0>, std::move(value)) {}
  Result(Error error) : state_(std::in_place_index<1>, std::move(error)) {}

  bool ok() const { return state_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & {
    assert(ok());
    return std::get<0>(state_);
  }
  const T& value() const& {
    assert(ok());
    return std::get<0>(state_);
  }
  T&& value() && {
    assert(ok());
    return std::get<0>(std::move(state_));
  }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const Error& error() const {
    assert(!ok());
    return std::get<1>(state_);
  }

 private:
  std::variant<T, Error> state_;
};

// For operations that succeed with nothing to return.
struct Ok {};
using Status = Result<Ok>;

inline Error make_error(std::string message, int code = 0) {
  return Error{std::move(message), code};
}

}  // namespace miniweb
