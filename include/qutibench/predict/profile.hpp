// A topology flattened for fast predictions: per-layer ops, weights and activation
// traffic per input in plain arrays, so that a prediction for any datatype, batch and
// placement is a few multiply-adds per layer with no look-ups or allocation.
#pragma once

#include <string_view>
#include <vector>

#include "qutibench/requirements.hpp"
#include "qutibench/topology.hpp"

namespace qutibench {

/// Per-layer element counts of one input (batch 1), uniform precision assumed: bytes
/// follow as elements x datatype size. Names and kinds refer into the topology, which
/// must outlive the profile.
struct network_profile {
  std::string_view name;
  std::vector<std::string_view> names, kinds;
  std::vector<double> ops;          ///< 2 x MACs (thesis eq. 2.2, 2.4)
  std::vector<double> weights;      ///< W_i; biases left out as in thesis Table 6.1 (docs/prediction.md)
  std::vector<double> activations;  ///< input elements read + output elements written when
                                    ///< activations live off-chip; 0 for network inputs, views
                                    ///< and fused batch norms/activations (docs/conventions.md)
  double total_ops = 0;
  double total_weights = 0;
  double total_activations = 0;
  double peak_live = 0;             ///< activation elements live at once (the working set)

  std::size_t size() const { return ops.size(); }
};

/// Flattens `t` (its costs were inferred when it was built).
inline network_profile profile(const topology& t) {
  network_profile p;
  p.name = t.name();
  const auto nodes = t.nodes();
  const std::size_t n = nodes.size();
  p.names.resize(n);
  p.kinds.resize(n);
  p.ops.resize(n);
  p.weights.resize(n);
  p.activations.resize(n);
  std::vector<double> out(n);
  for (std::size_t i = 0; i < n; ++i) {
    const node& nd = nodes[i];
    const layer_cost& c = nd.cost;
    p.names[i] = nd.name;
    p.kinds[i] = kind_name(nd.op);
    p.ops[i] = 2.0 * static_cast<double>(c.macs);
    p.weights[i] = static_cast<double>(c.weights);
    const bool moves = !c.is_view && !fused(nd.op) && !std::holds_alternative<input_layer>(nd.op);
    p.activations[i] = moves ? static_cast<double>(c.act_in) + static_cast<double>(c.act_out) : 0.0;
    out[i] = static_cast<double>(c.act_out);
    p.total_ops += p.ops[i];
    p.total_weights += p.weights[i];
    p.total_activations += p.activations[i];
  }
  p.peak_live = detail::peak_live<double>(detail::buffer_lifetimes(t), out);
  return p;
}

}  // namespace qutibench
