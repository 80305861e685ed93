// The cost model shared by requirements() and the prediction profile: what each node of
// a topology costs for a batch, in exact counts checked against overflow, which nodes
// move data, and which activation buffers are live at once. Datatypes come on top
// (requirements.hpp); the profile flattens these counts into doubles for fast sweeps.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <type_traits>
#include <variant>
#include <vector>

#include "qutibench/checked.hpp"
#include "qutibench/layer.hpp"
#include "qutibench/topology.hpp"

namespace qutibench {

/// Batch norms and activations: element-wise layers that inference engines fuse into the
/// layer producing their input.
constexpr bool fused(const layer& l) {
  return std::holds_alternative<batch_norm>(l) || std::holds_alternative<activation>(l);
}

/// Whether a node's activations count as moved data (T_total, predicted activation
/// traffic): the thesis's layers only, not network inputs (nothing computes them), views
/// (they alias their input) or batch norms and activations (fused into their producer).
constexpr bool moves_data(const node& n) {
  return !n.cost.is_view && !fused(n.op) && !std::holds_alternative<input_layer>(n.op);
}

/// What one node costs for a batch (thesis eqs. 2.2, 2.4): element and op counts, weights
/// and biases independent of the batch, the rest scaled by it.
struct node_counts {
  std::uint64_t ops = 0;        ///< 2 x MACs x batch
  std::uint64_t other_ops = 0;  ///< element-wise work x batch (docs/conventions.md)
  std::uint64_t weights = 0;
  std::uint64_t biases = 0;
  std::uint64_t activations_in = 0;   ///< T_i x batch, all inputs
  std::uint64_t activations_out = 0;  ///< x batch
  std::uint64_t state = 0;            ///< x batch
  bool moves_data = false;            ///< see `moves_data(const node&)`
};

/// The counts of `n` for `batch` inputs; throws spec_error 206 naming the node if a count
/// exceeds 64 bits.
constexpr node_counts counts_of(const node& n, std::uint64_t batch) {
  const layer_cost& c = n.cost;
  const std::string_view where = n.name;
  return {checked_mul({2, c.macs, batch}, where), checked_mul(c.other_ops, batch, where), c.weights, c.biases,
          checked_mul(c.act_in, batch, where),    checked_mul(c.act_out, batch, where),  checked_mul(c.state, batch, where),
          moves_data(n)};
}

/// Network sums of node counts (thesis eq. 2.5), checked like the counts.
struct count_totals {
  std::uint64_t ops = 0;
  std::uint64_t other_ops = 0;
  std::uint64_t weights = 0;  ///< W_total: the thesis's model size
  std::uint64_t biases = 0;
  std::uint64_t state = 0;
  std::uint64_t activations = 0;  ///< T_total: the inputs of the nodes that move data

  /// Adds the counts of the node called `where`.
  constexpr void add(const node_counts& n, std::string_view where) {
    ops = checked_add(ops, n.ops, where);
    other_ops = checked_add(other_ops, n.other_ops, where);
    weights = checked_add(weights, n.weights, where);
    biases = checked_add(biases, n.biases, where);
    state = checked_add(state, n.state, where);
    if (n.moves_data) activations = checked_add(activations, n.activations_in, where);
  }
};

/// Activation buffers over the schedule. A view aliases its input's buffer, and so does a
/// fused batch norm or activation whose input nothing else reads (it runs in place); each
/// buffer has a root node and lives from the root's step to the last step that reads it
/// or an alias of it (`death`); a network output lives to the end (death = size).
struct buffer_lifetimes {
  std::vector<std::size_t> root, death;
};

/// The buffer lifetimes of `t`'s schedule.
constexpr buffer_lifetimes lifetimes(const topology& t) {
  const auto nodes = t.nodes();
  const std::size_t n = nodes.size();
  buffer_lifetimes lt{std::vector<std::size_t>(n), std::vector<std::size_t>(n)};
  std::vector<std::size_t> readers(n, 0);
  for (const node& nd : nodes)
    for (std::size_t src : nd.inputs) ++readers[src];
  for (std::size_t i = 0; i < n; ++i) {
    const node& nd = nodes[i];
    const bool aliases = nd.cost.is_view || (fused(nd.op) && readers[nd.inputs.front()] == 1);
    lt.root[i] = aliases ? lt.root[nd.inputs.front()] : i;
    lt.death[i] = i;
  }
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t src : nodes[i].inputs) lt.death[lt.root[src]] = std::max(lt.death[lt.root[src]], i);
  for (std::size_t o : t.outputs()) lt.death[lt.root[o]] = n;
  return lt;
}

/// The largest sum of sizes of simultaneously live buffers, `size[i]` being the output of
/// node i. One sweep of the schedule: a buffer joins the live set at its root's step and
/// leaves after its death step (linear, not a scan of every buffer at every step).
/// Integer sizes are checked against overflow (spec_error 206).
template <class T>
constexpr T peak_live(const buffer_lifetimes& lt, std::span<const T> size) {
  const std::size_t n = size.size();
  std::vector<T> leaving(n + 1, T{});
  for (std::size_t i = 0; i < n; ++i)
    if (lt.root[i] == i && lt.death[i] < n) leaving[lt.death[i] + 1] += size[i];
  T live{}, peak{};
  for (std::size_t step = 0; step < n; ++step) {
    live -= leaving[step];
    if (lt.root[step] == step) {
      if constexpr (std::is_integral_v<T>) live = checked_add(live, size[step], "peak live activations");
      else live += size[step];
    }
    peak = std::max(peak, live);
  }
  return peak;
}

}  // namespace qutibench
