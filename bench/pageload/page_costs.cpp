// What a page costs on this machine, as the browser measures it before it maps pages ahead
// (shared/prefault.hpp): the first touch of a fresh page, its fault, against a page mapped
// ahead by itself. The benches print it beside their figures, since it is what moved them most
// between the team's machines (10 to 20 us a fault on the first, about 1.2 on a later one).
// Each of RUNS measurements is the browser's own (the medians of 8 pages each); this prints
// their medians, and in how many of them the browser would map ahead.
// Prints one line: "fault US us, mapped ahead US us: mapping ahead pays in N of RUNS".
// Usage: miniweb-page-costs [RUNS]   (9)

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "shared/prefault.hpp"

namespace {

double median_us(std::vector<std::chrono::nanoseconds> durations) {
  std::nth_element(durations.begin(), durations.begin() + durations.size() / 2, durations.end());
  return std::chrono::duration<double, std::micro>(durations[durations.size() / 2]).count();
}

}  // namespace

int main(int argc, char** argv) {
  const int runs = argc > 1 ? std::atoi(argv[1]) : 9;
  if (runs < 1) {
    std::fprintf(stderr, "usage: miniweb-page-costs [RUNS]\n");
    return 2;
  }
  std::vector<std::chrono::nanoseconds> faults;
  std::vector<std::chrono::nanoseconds> mapped;
  int pays = 0;
  for (int i = 0; i < runs; ++i) {
    const miniweb::PageCosts costs = miniweb::measure_page_costs();
    if (costs.mapped_ahead == std::chrono::nanoseconds::max()) {
      std::printf("fault %.2f us, mapped ahead: not on this kernel (before Linux 5.14)\n",
                  std::chrono::duration<double, std::micro>(costs.fault).count());
      return 0;
    }
    faults.push_back(costs.fault);
    mapped.push_back(costs.mapped_ahead);
    if (miniweb::mapping_ahead_pays(costs.fault, costs.mapped_ahead)) ++pays;
  }
  std::printf("fault %.2f us, mapped ahead %.2f us: mapping ahead pays in %d of %d\n",
              median_us(faults), median_us(mapped), pays, runs);
  return 0;
}
