// Efficiency models: the share of peak performance and bandwidth a workload attains
// (thesis Section 7.2's second refinement: smaller networks reach lower efficiency).
#pragma once

#include <cmath>
#include <functional>
#include <string>

#include "qutibench/error.hpp"

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

/// The smallest efficiency factor taken: a millionth of peak is already far below any
/// measured utilization (the thesis's lowest is a few percent), so a smaller one is a
/// slip (a percentage for a fraction, a denormal) that would only print infinite latency.
inline constexpr double min_efficiency = 1e-6;

/// A function of the workload; empty = the plain thesis model (factors 1).
struct efficiency_model {
  std::function<efficiency_factors(const workload&)> factors;

  efficiency_factors operator()(const workload& w) const { return factors ? factors(w) : efficiency_factors{}; }

  /// Throws spec_error 503 naming `what` unless min_efficiency <= f <= 1.
  static void check_factor(double f, const char* what) {
    if (!(f >= min_efficiency && f <= 1))
      throw spec_error(error_id::invalid_value, what, "must be in [1e-06, 1] (a fraction of peak), got " + shown_number(f));
  }

  /// The same factors for every workload (e.g. a calibrated platform efficiency).
  /// Throws spec_error 503 unless both factors lie in [min_efficiency, 1].
  static efficiency_model constant(double compute, double memory = 1) {
    check_factor(compute, "efficiency (compute)");
    check_factor(memory, "efficiency (memory)");
    return {[=](const workload&) { return efficiency_factors{compute, memory}; }};
  }

  /// Compute efficiency that saturates with work: max x work / (work + half_work), so a
  /// workload of `half_work` ops reaches half of `max`; memory efficiency stays `memory`.
  static efficiency_model saturating(double max, ops half_work, double memory = 1) {
    check_factor(max, "efficiency (compute)");
    check_factor(memory, "efficiency (memory)");
    if (!(half_work.value() >= 0) || !std::isfinite(half_work.value()))
      throw spec_error(error_id::invalid_value, "efficiency (half work)", "must be a finite number of ops >= 0");
    return {[=](const workload& w) {
      return efficiency_factors{max * w.work.value() / (w.work.value() + half_work.value()), memory};
    }};
  }
};

}  // namespace qutibench
