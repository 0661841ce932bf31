#pragma once
// A tab's history, as browsers keep it: the pages visited in order and where the user is among
// them; a new visit drops the pages ahead of the current one.

#include <cstddef>
#include <vector>

#include "shared/url.hpp"

namespace miniweb::browser {

class History {
 public:
  void visit(const Url& url) {
    if (!entries_.empty()) entries_.resize(position_ + 1);
    entries_.push_back(url);
    position_ = entries_.size() - 1;
  }
  // Where the page really is, after redirects.
  void replace_current(const Url& url) {
    if (!entries_.empty()) entries_[position_] = url;
  }
  bool can_go_back() const { return position_ > 0; }
  bool can_go_forward() const { return position_ + 1 < entries_.size(); }
  // Moves and returns the entry now current; nullptr (and no move) at either end.
  const Url* back() { return can_go_back() ? &entries_[--position_] : nullptr; }
  const Url* forward() { return can_go_forward() ? &entries_[++position_] : nullptr; }
  const Url* current() const { return entries_.empty() ? nullptr : &entries_[position_]; }
  bool empty() const { return entries_.empty(); }

 private:
  std::vector<Url> entries_;
  std::size_t position_ = 0;
};

}  // namespace miniweb::browser
