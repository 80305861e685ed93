// Compute and memory requirements of a topology for a precision and a batch, per
// layer and in total (thesis eqs. 2.2, 2.4, 2.5), and for training (eq. 2.6).
#pragma once

#include <algorithm>
#include <cstdint>
#include <span>
#include <type_traits>
#include <string_view>
#include <vector>

#include "qutibench/datatype.hpp"
#include "qutibench/precision.hpp"
#include "qutibench/topology.hpp"
#include "qutibench/units.hpp"

namespace qutibench {

/// Number of inputs processed together.
struct batch_size {
  std::uint64_t n = 1;
};

/// Requirements of one node for a batch. Element counts are exact; bytes follow from
/// the node's datatypes (sub-byte types packed).
struct layer_requirements {
  std::string_view name;  ///< refers into the topology, which must outlive this
  std::string_view kind;
  tensor_shape out;
  layer_precision types;
  op_count ops;             ///< 2 x MACs x batch (thesis eq. 2.2, 2.4)
  op_count other_ops;       ///< element-wise work x batch (docs/conventions.md)
  element_count weights;    ///< W_i, independent of batch
  element_count biases;
  element_count activations_in;   ///< T_i x batch
  element_count activations_out;  ///< x batch
  element_count state;            ///< x batch
  bytes weight_bytes;             ///< weights and biases
  bytes activation_in_bytes;
  bytes activation_out_bytes;
  bytes state_bytes;
  bool is_view = false;  ///< flatten/reshape: no data moves, excluded from T_total
};

/// Network totals (thesis eq. 2.5) plus what the thesis names as a gap: the peak of
/// activation memory live at once over the schedule, honouring skip connections.
struct requirement_totals {
  op_count ops;
  op_count other_ops;
  element_count weights;      ///< W_total: the thesis's model size
  element_count biases;
  element_count activations;  ///< T_total: input activations of every layer but inputs, views, fused ops
  element_count state;
  bytes weight_bytes;         ///< weights only, at each layer's weight datatype
  bytes bias_bytes;
  bytes activation_bytes;
  bytes state_bytes;
  element_count peak_live;    ///< largest sum of simultaneously live activation elements
  bytes peak_live_bytes;      ///< largest sum of simultaneously live activation bytes (its own maximum)
};

struct network_requirements {
  std::uint64_t batch = 1;
  std::vector<layer_requirements> layers;
  requirement_totals total;

  /// Operational intensity under the thesis's defaults (Section 4.3.1): weights read
  /// from off-chip memory once per batch, activations on chip: ops / weight bytes.
  constexpr ops_per_byte operational_intensity() const {
    return to_real(total.ops) / total.weight_bytes;
  }
};

/// Batch norms and activations: element-wise layers that inference engines fuse into the
/// layer producing their input.
constexpr bool fused(const layer& l) {
  return std::holds_alternative<batch_norm>(l) || std::holds_alternative<activation>(l);
}

namespace detail {
/// Activation buffers over the schedule. A view aliases its input's buffer, and so does a
/// fused batch norm or activation whose input nothing else reads (it runs in place); each
/// buffer has a root node and lives from the root's step to the last step that reads it
/// or an alias of it (`death`); a network output lives to the end (death = size).
struct lifetimes {
  std::vector<std::size_t> root, death;
};

constexpr lifetimes buffer_lifetimes(const topology& t) {
  const auto nodes = t.nodes();
  const std::size_t n = nodes.size();
  lifetimes lt{std::vector<std::size_t>(n), std::vector<std::size_t>(n)};
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
constexpr T peak_live(const lifetimes& lt, std::span<const T> size) {
  const std::size_t n = size.size();
  std::vector<T> leaving(n + 1, T{});
  for (std::size_t i = 0; i < n; ++i)
    if (lt.root[i] == i && lt.death[i] < n) leaving[lt.death[i] + 1] += size[i];
  T live{}, peak{};
  for (std::size_t step = 0; step < n; ++step) {
    live -= leaving[step];
    if (lt.root[step] == step) {
      if constexpr (std::is_integral_v<T>) live = add(live, size[step], "peak live activations");
      else live += size[step];
    }
    peak = std::max(peak, live);
  }
  return peak;
}
}  // namespace detail

/// Requirements of `t` at precision `p` for `b` inputs; throws spec_error 206 if a
/// count exceeds 64 bits.
constexpr network_requirements requirements(const topology& t, const precision& p = {}, batch_size b = {}) {
  network_requirements r;
  r.batch = b.n;
  const auto nodes = t.nodes();
  r.layers.reserve(nodes.size());
  requirement_totals& tot = r.total;
  std::vector<layer_precision> types(nodes.size());
  for (std::size_t i = 0; i < nodes.size(); ++i) types[i] = p.of(nodes[i].name);

  for (std::size_t i = 0; i < nodes.size(); ++i) {
    const node& n = nodes[i];
    const layer_cost& c = n.cost;
    const std::string_view where = n.name;
    layer_requirements l;
    l.name = n.name;
    l.kind = kind_name(n.op);
    l.out = c.out;
    l.types = types[i];
    l.is_view = c.is_view;
    l.ops = make_ops(detail::mul({2, c.macs, b.n}, where));
    l.other_ops = make_ops(detail::mul(c.other_ops, b.n, where));
    l.weights = make_elements(c.weights);
    l.biases = make_elements(c.biases);
    l.activations_in = make_elements(detail::mul(c.act_in, b.n, where));
    l.activations_out = make_elements(detail::mul(c.act_out, b.n, where));
    l.state = make_elements(detail::mul(c.state, b.n, where));
    l.weight_bytes = l.types.weights.size_of(l.weights) + l.types.weights.size_of(l.biases);
    l.activation_in_bytes = bytes::from_value(0.0);
    for (std::size_t src : n.inputs)
      l.activation_in_bytes += types[src].activations.size_of(make_elements(detail::mul(nodes[src].cost.act_out, b.n, where)));
    l.activation_out_bytes = l.types.activations.size_of(l.activations_out);
    l.state_bytes = l.types.activations.size_of(l.state);

    tot.ops = make_ops(detail::add(tot.ops.value(), l.ops.value(), where));
    tot.other_ops = make_ops(detail::add(tot.other_ops.value(), l.other_ops.value(), where));
    tot.weights = make_elements(detail::add(tot.weights.value(), l.weights.value(), where));
    tot.biases = make_elements(detail::add(tot.biases.value(), l.biases.value(), where));
    tot.state = make_elements(detail::add(tot.state.value(), l.state.value(), where));
    tot.weight_bytes += l.types.weights.size_of(l.weights);
    tot.bias_bytes += l.types.weights.size_of(l.biases);
    tot.state_bytes += l.state_bytes;
    // T_total counts the inputs of the thesis's layers: not of network inputs, of views
    // (no data moves) or of batch norms and activations (fused into their producer).
    if (!l.is_view && !fused(n.op) && !std::holds_alternative<input_layer>(n.op)) {
      tot.activations = make_elements(detail::add(tot.activations.value(), l.activations_in.value(), where));
      tot.activation_bytes += l.activation_in_bytes;
    }
    r.layers.push_back(l);
  }

  const detail::lifetimes lt = detail::buffer_lifetimes(t);
  std::vector<std::uint64_t> out_elements(nodes.size());
  std::vector<double> out_bytes(nodes.size());
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    out_elements[i] = r.layers[i].activations_out.value();
    out_bytes[i] = r.layers[i].activation_out_bytes.value();
  }
  tot.peak_live = make_elements(detail::peak_live<std::uint64_t>(lt, out_elements));
  tot.peak_live_bytes = bytes::from_value(detail::peak_live<double>(lt, out_bytes));
  return r;
}

/// Training requirements (thesis eq. 2.6, Table 2.2): the forward pass plus backpropagation
/// costs about 3x the inference ops per input, and each weight is updated once per batch.
struct training_requirements {
  element_count weight_gradients;      ///< WG = W
  element_count weight_updates;        ///< WU = W
  element_count activation_gradients;  ///< G mirrors T, per batch
  op_count ops_per_batch;              ///< 3 x inference ops x batch + one op per weight
  op_count ops_total;                  ///< over `epochs` of `inputs_per_epoch` (last batch may be partial)
};

/// Training cost of the network whose batch requirements are `r`.
constexpr training_requirements training(const network_requirements& r, std::uint64_t inputs_per_epoch, std::uint64_t epochs) {
  training_requirements t;
  t.weight_gradients = r.total.weights;
  t.weight_updates = r.total.weights;
  t.activation_gradients = r.total.activations;
  t.ops_per_batch = make_ops(detail::add(detail::mul(3, r.total.ops.value(), "training"), r.total.weights.value(), "training"));
  const std::uint64_t per_input = r.total.ops.value() / r.batch;
  const std::uint64_t batches = (inputs_per_epoch + r.batch - 1) / r.batch;
  t.ops_total = make_ops(detail::mul(epochs, detail::add(detail::mul({3, per_input, inputs_per_epoch}, "training"),
                                                          detail::mul(batches, r.total.weights.value(), "training"), "training"), "training"));
  return t;
}

}  // namespace qutibench
