// Efficiency models: the share of peak performance and bandwidth a workload attains
// (thesis Section 7.2's second refinement: smaller networks reach lower efficiency).
#pragma once

#include <functional>

#include "qutibench/units.hpp"

namespace qutibench {

/// The work an efficiency model sees: a layer's or a network's ops and off-chip bytes
/// for one batch.
struct workload {
  ops work;
  bytes traffic;
};

/// Multipliers in (0, 1] on peak performance and on memory bandwidth.
struct efficiency_factors {
  double compute = 1;
  double memory = 1;
};

/// A function of the workload; empty = the plain thesis model (factors 1).
struct efficiency_model {
  std::function<efficiency_factors(const workload&)> factors;

  efficiency_factors operator()(const workload& w) const { return factors ? factors(w) : efficiency_factors{}; }

  /// The same factors for every workload (e.g. a calibrated platform efficiency).
  static efficiency_model constant(double compute, double memory = 1) {
    return {[=](const workload&) { return efficiency_factors{compute, memory}; }};
  }

  /// Compute efficiency that saturates with work: max x work / (work + half_work), so a
  /// workload of `half_work` ops reaches half of `max`; memory efficiency stays `memory`.
  static efficiency_model saturating(double max, ops half_work, double memory = 1) {
    return {[=](const workload& w) {
      return efficiency_factors{max * w.work.value() / (w.work.value() + half_work.value()), memory};
    }};
  }
};

}  // namespace qutibench
