// A topology flattened for fast predictions: per-layer ops, weights and activation
// traffic per input in plain arrays, so that a prediction for any datatype, batch and
// placement is a few multiply-adds per layer with no look-ups or allocation. The figures
// come from the cost model that requirements() uses (cost_model.hpp), at batch 1.
#pragma once

#include <cstdint>
#include <span>
#include <variant>
#include <string_view>
#include <vector>

#include "qutibench/cost_model.hpp"
#include "qutibench/topology.hpp"

namespace qutibench {

/// A layer's MAC work as the engine mapping sees it (predict/realistic.hpp): per input,
/// `pixels` output positions (tokens for sequences), each reducing `in_channels` x `window`
/// inputs into `out_channels` outputs, in `groups` independent groups (channels per
/// group). pixels 0: no MAC shape known (pools, recurrent cells, layers known only by
/// their totals): such a layer tiles perfectly.
struct layer_shape {
  double pixels = 0, in_channels = 0, out_channels = 0, window = 1, groups = 1;
  bool convolution = false;

  /// A convolution with one input channel per group (not a batched matmul with K = 1).
  bool depthwise() const { return convolution && groups > 1 && in_channels == 1; }
};

namespace detail {
/// The shape of node `n` of `nodes` (conv2d, dense, matmul, attention; else none).
inline layer_shape shape_of(std::span<const node> nodes, const node& n) {
  const auto in = [&](std::size_t k) { return nodes[n.inputs[k]].cost.out; };
  const auto d = [](std::int64_t v) { return static_cast<double>(v); };
  if (const auto* c = std::get_if<conv2d>(&n.op)) {
    const double g = d(c->groups);
    return {d(n.cost.out[1]) * d(n.cost.out[2]), d(in(0)[0]) / g, d(c->out_channels) / g, d(c->kernel) * d(c->kernel), g,
            true};
  }
  if (const auto* l = std::get_if<dense>(&n.op)) {
    const tensor_shape x = in(0);
    return {x.rank == 2 ? d(x[0]) : 1, d(x.back()), d(l->out_features), 1, 1};
  }
  if (const auto* m = std::get_if<matmul>(&n.op)) {
    const tensor_shape a = in(0), b = in(1);
    const int r = a.rank;
    return {d(a[r - 2]), d(a[r - 1]), d(m->transpose_b ? b[r - 2] : b[r - 1]), 1, r == 3 ? d(a[0]) : 1};
  }
  if (std::holds_alternative<attention>(n.op)) {
    const tensor_shape x = in(0);  // (L, D): projections dominate, L rows of D x D
    return {d(x[0]), d(x[1]), d(x[1]), 1, 1};
  }
  return {};
}
}  // namespace detail

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
  std::vector<layer_shape> shapes;  ///< for the engine mapping
  double total_ops = 0;
  double total_weights = 0;
  double total_activations = 0;
  double peak_live = 0;             ///< activation elements live at once (the working set)
  double input_elements = 0;        ///< of the network's inputs, per input
  double output_elements = 0;       ///< of its outputs (nodes no other node reads)

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
  p.shapes.resize(n);
  std::vector<std::uint64_t> out(n);
  std::vector<bool> read(n, false);
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
    p.shapes[i] = detail::shape_of(nodes, nodes[i]);
    for (std::size_t in : nodes[i].inputs) read[in] = true;
    if (std::holds_alternative<input_layer>(nodes[i].op)) p.input_elements += static_cast<double>(k.activations_out);
  }
  for (std::size_t i = 0; i < n; ++i)
    if (!read[i]) p.output_elements += static_cast<double>(out[i]);
  p.total_ops = static_cast<double>(total.ops);
  p.total_weights = static_cast<double>(total.weights);
  p.peak_live = static_cast<double>(peak_live<std::uint64_t>(lifetimes(t), out));
  return p;
}

}  // namespace qutibench
