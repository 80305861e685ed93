// Fast sweeps: many platforms x modes x datatypes x batches x memory policies for one
// topology, evaluated layer by layer over plain arrays with no per-point allocation.
#pragma once

#include <cmath>
#include <limits>
#include <optional>
#include <span>
#include <stdexcept>

#include "qutibench/predict/profile.hpp"
#include "qutibench/predict/roofline.hpp"

namespace qutibench {

/// One resolved sweep point: SI doubles, ready for the inner loop. Build points with
/// `make_sweep_point`; a constant efficiency is folded into peak and bandwidth (the
/// efficiency model sees the whole network's workload once).
struct sweep_point {
  double peak_ops_per_s;
  double bandwidth_bytes_per_s;
  double weight_bytes_per_element;      ///< datatype size x off-chip share of weights
  double activation_bytes_per_element;  ///< datatype size x off-chip share of activations
  double batch;
};

/// Resolves a scenario on a platform mode for `p`; none if the datatype is unsupported or
/// the prediction would be invalid (see prediction_status).
inline std::optional<sweep_point> make_sweep_point(const network_profile& p, const platform& pf, const operating_mode& m,
                                                   const scenario& s) {
  const std::optional<resolved_scenario> r = resolve(p, pf, m, s);
  if (!r) return std::nullopt;
  const std::optional<network_rates> q = whole_network(p, m, s, *r);
  if (!q) return std::nullopt;
  return sweep_point{q->peak, q->bandwidth, r->weight_bytes_per_element, r->activation_bytes_per_element, r->batch};
}

/// Layer-by-layer latency in seconds of every point (the same model as `predict_layers`):
/// latency_s[j] = sum over layers of max(ops x batch / peak, bytes / bandwidth); NaN
/// where it overflows a double.
inline void sweep_layer_latency(const network_profile& p, std::span<const sweep_point> points, std::span<double> latency_s) {
  if (latency_s.size() < points.size()) throw std::invalid_argument("sweep_layer_latency: output shorter than points");
  const double* ops = p.ops.data();
  const double* weights = p.weights.data();
  const double* acts = p.activations.data();
  const std::size_t n = p.size();
  for (std::size_t j = 0; j < points.size(); ++j) {
    const sweep_point& q = points[j];
    const double ops_scale = q.batch / q.peak_ops_per_s;
    const double w_scale = q.weight_bytes_per_element / q.bandwidth_bytes_per_s;
    const double a_scale = q.activation_bytes_per_element * q.batch / q.bandwidth_bytes_per_s;
    double t = 0;
    for (std::size_t i = 0; i < n; ++i) t += std::max(ops[i] * ops_scale, weights[i] * w_scale + acts[i] * a_scale);
    latency_s[j] = std::isfinite(t) ? t : detail::nan;  // overflowed: invalid, as predict_layers says
  }
}

/// Whole-network latency in seconds of every point (the same model as `predict`); NaN
/// where it overflows a double.
inline void sweep_network_latency(const network_profile& p, std::span<const sweep_point> points, std::span<double> latency_s) {
  if (latency_s.size() < points.size()) throw std::invalid_argument("sweep_network_latency: output shorter than points");
  for (std::size_t j = 0; j < points.size(); ++j) {
    const sweep_point& q = points[j];
    const double traffic = p.total_weights * q.weight_bytes_per_element + p.total_activations * q.activation_bytes_per_element * q.batch;
    const double t = roofline_seconds(p.total_ops * q.batch, traffic, q.peak_ops_per_s, q.bandwidth_bytes_per_s);
    latency_s[j] = std::isfinite(t) ? t : detail::nan;  // overflowed: invalid, as predict says
  }
}

}  // namespace qutibench
