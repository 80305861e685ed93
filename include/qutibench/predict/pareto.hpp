// Pareto frontiers over any number of objectives, each maximised or minimised (thesis
// Section 4.5: accuracy against throughput, latency or power efficiency).
#pragma once

#include <cmath>
#include <cstddef>
#include <span>
#include <stdexcept>
#include <vector>

namespace qutibench {

enum class sense { maximize, minimize };

/// For `values` holding `count` points of `senses.size()` objectives each (row-major:
/// point i's objective k at values[i * senses.size() + k]), marks each point true if no
/// other point dominates it: at least as good in every objective and better in one.
/// A point with a NaN objective is never on the frontier and dominates nothing (a
/// figure that is unknown, e.g. efficiency without a power figure). Equal points do not
/// dominate each other, so ties are all on the frontier.
inline std::vector<bool> pareto_frontier(std::span<const double> values, std::span<const sense> senses) {
  const std::size_t k = senses.size();
  if (k == 0 || values.size() % k != 0) throw std::invalid_argument("pareto_frontier: values are not points x objectives");
  const std::size_t count = values.size() / k;
  // Flip minimised objectives so that larger is always better.
  std::vector<double> v(values.begin(), values.end());
  std::vector<bool> known(count, true);
  for (std::size_t i = 0; i < count; ++i)
    for (std::size_t j = 0; j < k; ++j) {
      double& x = v[i * k + j];
      if (std::isnan(x)) known[i] = false;
      if (senses[j] == sense::minimize) x = -x;
    }
  std::vector<bool> front(known);
  for (std::size_t a = 0; a < count; ++a) {
    if (!known[a]) continue;
    for (std::size_t b = 0; b < count && front[a]; ++b) {
      if (b == a || !known[b]) continue;
      bool no_worse = true, better = false;
      for (std::size_t j = 0; j < k; ++j) {
        no_worse = no_worse && v[b * k + j] >= v[a * k + j];
        better = better || v[b * k + j] > v[a * k + j];
      }
      if (no_worse && better) front[a] = false;
    }
  }
  return front;
}

}  // namespace qutibench
