#pragma once
// The ladder's columns: one per host, in the order each first appears (the browser first), each
// named by what this load learnt of it: the host the browser connected to, the resolver it was
// given, a name server's name from the referral whose glue carried its address.

#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include "browser/observe/journey.hpp"

namespace miniweb::browser::observe {

class LadderHosts {
 public:
  void add_browser(const std::string& address) { add(address, "browser"); }
  // A host whose name is known from the browser itself; the first name given stays.
  void add(const std::string& address, const std::string& name) {
    column(address);
    given_.try_emplace(address, name);
  }
  // The name of a host whose column comes when its first packet does.
  void name(const std::string& address, const std::string& name) {
    given_.try_emplace(address, name);
  }
  // A name seen in a DNS record for `address`: used when nothing better is known.
  void learn(const std::string& address, std::string name) {
    if (!name.empty() && name.back() == '.') name.pop_back();
    learnt_.try_emplace(address, std::move(name));
  }
  std::size_t column(const std::string& address) {
    auto [entry, added] = columns_.try_emplace(address, order_.size());
    if (added) order_.push_back(address);
    return entry->second;
  }
  // What the host is called so far: given, else learnt, else `unknown`.
  std::string name_of(const std::string& address,
                      const std::string& unknown = "name server") const {
    auto given = given_.find(address);
    if (given != given_.end()) return given->second;
    auto learnt = learnt_.find(address);
    return learnt != learnt_.end() ? learnt->second : unknown;
  }
  std::vector<LadderHost> finish() const {
    std::vector<LadderHost> hosts;
    for (const std::string& address : order_) hosts.push_back({name_of(address), address});
    return hosts;
  }

 private:
  std::map<std::string, std::size_t> columns_;
  std::vector<std::string> order_;
  std::map<std::string, std::string> given_;
  std::map<std::string, std::string> learnt_;
};

}  // namespace miniweb::browser::observe
