// A topology flattened for fast predictions: per-layer ops, weights and activation
// traffic per input in plain arrays, so that a prediction for any datatype, batch and
// placement is a few multiply-adds per layer with no look-ups or allocation. The figures
// come from the cost model that requirements() uses (cost_model.hpp), at batch 1.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "qutibench/cost_model.hpp"
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
                                    ///< activations live off-chip; 0 for nodes that move no
                                    ///< data (`moves_data`, docs/conventions.md)
  double total_ops = 0;
  double total_weights = 0;
  double total_activations = 0;
  double peak_live = 0;             ///< activation elements live at once (the working set)

  std::size_t size() const { return ops.size(); }
};

/// Flattens `t` (its costs were inferred when it was built); throws spec_error 206 if a
/// count of one input exceeds 64 bits.
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
  std::vector<std::uint64_t> out(n);
  count_totals total;
  for (std::size_t i = 0; i < n; ++i) {
    const node_counts k = counts_of(nodes[i], 1);
    total.add(k, nodes[i].name);
    p.names[i] = nodes[i].name;
    p.kinds[i] = kind_name(nodes[i].op);
    p.ops[i] = static_cast<double>(k.ops);
    p.weights[i] = static_cast<double>(k.weights);
    // In doubles: a layer's elements read + written may exceed 64 bits, and traffic need not be exact.
    p.activations[i] = k.moves_data ? static_cast<double>(k.activations_in) + static_cast<double>(k.activations_out) : 0.0;
    p.total_activations += p.activations[i];
    out[i] = k.activations_out;
  }
  p.total_ops = static_cast<double>(total.ops);
  p.total_weights = static_cast<double>(total.weights);
  p.peak_live = static_cast<double>(peak_live<std::uint64_t>(lifetimes(t), out));
  return p;
}

}  // namespace qutibench
