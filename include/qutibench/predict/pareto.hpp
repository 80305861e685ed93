// Pareto frontiers over any number of objectives, each maximised or minimised (thesis
// Section 4.5: accuracy against throughput, latency or power efficiency).
#pragma once

#include <cmath>
#include <cstddef>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "qutibench/error.hpp"

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

/// The x axis of a pareto graph: throughput (inputs/s, maximised), latency (s, minimised)
/// or power efficiency (inputs/s/W, maximised).
enum class figure_of_merit { throughput, latency, efficiency };

/// The figure of merit called `name` ("throughput", "latency", "efficiency"): the one
/// parser of the CLI's --x and Python's `x`. spec_error 301 otherwise.
inline figure_of_merit parse_figure_of_merit(std::string_view name) {
  if (name == "throughput") return figure_of_merit::throughput;
  if (name == "latency") return figure_of_merit::latency;
  if (name == "efficiency") return figure_of_merit::efficiency;
  throw spec_error(error_id::unknown_id, "figure of merit '" + std::string(name) + "'",
                   "not one of throughput, latency, efficiency");
}

/// The accuracy pareto frontier of thesis Section 4.5: point i's accuracy (maximised)
/// against its figure of merit `x[i]` (latency minimised, the others maximised); true marks
/// a point on the frontier. A NaN figure is never on it (efficiency without a power figure).
inline std::vector<bool> accuracy_frontier(std::span<const double> accuracy, std::span<const double> x, figure_of_merit fom) {
  if (accuracy.size() != x.size()) throw std::invalid_argument("accuracy_frontier: accuracy and x differ in length");
  std::vector<double> values;
  values.reserve(2 * x.size());
  for (std::size_t i = 0; i < x.size(); ++i) {
    values.push_back(accuracy[i]);
    values.push_back(x[i]);
  }
  const sense senses[] = {sense::maximize, fom == figure_of_merit::latency ? sense::minimize : sense::maximize};
  return pareto_frontier(values, senses);
}

}  // namespace qutibench
