#pragma once
// A tab's history, as browsers keep it: the pages visited in order and where the user is among
// them; a new visit drops the pages ahead of the current one. Each entry keeps the request
// that brought its page, so that a page that came from a POST is known as one: a face asks
// before it sends that POST again (resubmission_question in form_submission.hpp), and the
// dump never does.

#include <cstddef>
#include <vector>

#include "browser/net/navigation_request.hpp"
#include "shared/url.hpp"

namespace miniweb::browser {

class History {
 public:
  void visit(const Url& url) { visit(NavigationRequest::get(url)); }
  void visit(const NavigationRequest& request) {
    if (!entries_.empty()) entries_.resize(position_ + 1);
    entries_.push_back(request);
    position_ = entries_.size() - 1;
  }
  // Where the page really is, after redirects.
  void replace_current(const Url& url) {
    if (!entries_.empty()) entries_[position_].url = url;
  }
  // The request that brought the page, as sent last (Page::request): after a POST answered
  // 303, a GET of where it led, which may be loaded again freely.
  void replace_current(const NavigationRequest& request) {
    if (!entries_.empty()) entries_[position_] = request;
  }
  bool can_go_back() const { return position_ > 0; }
  bool can_go_forward() const { return position_ + 1 < entries_.size(); }
  // Moves and returns the entry now current; nullptr (and no move) at either end.
  const Url* back() { return can_go_back() ? &entries_[--position_].url : nullptr; }
  const Url* forward() { return can_go_forward() ? &entries_[++position_].url : nullptr; }
  const Url* current() const { return entries_.empty() ? nullptr : &entries_[position_].url; }
  // The current entry's whole request; a face that goes back, forward or reloads loads this
  // (after asking when it is a POST).
  const NavigationRequest* current_request() const {
    return entries_.empty() ? nullptr : &entries_[position_];
  }
  // Whether the current entry came from a POST: loading it again sends the form again.
  bool current_is_post() const { return !entries_.empty() && entries_[position_].is_post(); }
  bool empty() const { return entries_.empty(); }

 private:
  std::vector<NavigationRequest> entries_;
  std::size_t position_ = 0;
};

}  // namespace miniweb::browser
