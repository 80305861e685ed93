// Compute and memory requirements of a topology for a precision and a batch, per
// layer and in total (thesis eqs. 2.2, 2.4, 2.5), and for training (eq. 2.6).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "qutibench/checked.hpp"
#include "qutibench/cost_model.hpp"
#include "qutibench/datatype.hpp"
#include "qutibench/precision.hpp"
#include "qutibench/topology.hpp"
#include "qutibench/units.hpp"

namespace qutibench {

/// Number of inputs processed together.
struct batch_size {
  std::uint64_t n = 1;
};

/// The largest batch taken: 2^40 inputs, far past any deployment, keeps batch x a
/// large model's per-input counts (10^11 ops) well inside 64 bits.
inline constexpr std::uint64_t max_batch = std::uint64_t{1} << 40;

/// `n` as a batch; throws spec_error 503 naming `where` (the argument) outside
/// 1..max_batch. The CLI's --batch options and Python's batch arguments all end here.
/// Signed, so that a negative argument is shown as given, not as its 64-bit wrap.
constexpr batch_size checked_batch(std::int64_t n, std::string_view where = "batch") {
  if (n < 1 || n > static_cast<std::int64_t>(max_batch))
    throw spec_error(error_id::invalid_value, std::string(where), "must be an integer from 1 to 2^40, got " + std::to_string(n));
  return {static_cast<std::uint64_t>(n)};
}

/// Requirements of one node for a batch. Element counts are exact; bytes follow from
/// the node's datatypes (sub-byte types packed).
struct layer_requirements {
  std::string name;  ///< a copy: requirements outlive the topology they came from (a temporary, often)
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
  bool is_view = false;  ///< flatten/reshape/slice: no data moves, excluded from T_total
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

/// A layer's requirements in output order (see predict/fields.hpp for the convention).
template <class F>
void fields(const layer_requirements& l, F&& field) {
  field("name", l.name);
  field("kind", l.kind);
  field("out_shape", l.out);
  field("weight_datatype", l.types.weights.name());
  field("activation_datatype", l.types.activations.name());
  field("ops", l.ops.value());
  field("other_ops", l.other_ops.value());
  field("weights", l.weights.value());
  field("biases", l.biases.value());
  field("activations_in", l.activations_in.value());
  field("activations_out", l.activations_out.value());
  field("state", l.state.value());
  field("weight_bytes", l.weight_bytes.value());
  field("activation_in_bytes", l.activation_in_bytes.value());
  field("activation_out_bytes", l.activation_out_bytes.value());
  field("state_bytes", l.state_bytes.value());
  field("is_view", l.is_view);
}

/// The network totals in output order.
template <class F>
void fields(const requirement_totals& t, F&& field) {
  field("ops", t.ops.value());
  field("other_ops", t.other_ops.value());
  field("weights", t.weights.value());
  field("biases", t.biases.value());
  field("activations", t.activations.value());
  field("state", t.state.value());
  field("weight_bytes", t.weight_bytes.value());
  field("bias_bytes", t.bias_bytes.value());
  field("activation_bytes", t.activation_bytes.value());
  field("state_bytes", t.state_bytes.value());
  field("peak_live", t.peak_live.value());
  field("peak_live_bytes", t.peak_live_bytes.value());
}

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

/// The requirements of node `n` from its counts `k` at datatypes `types`; the bytes read
/// depend on the producers' datatypes, so `activation_in_bytes` is left for the caller.
constexpr layer_requirements with_bytes(const node& n, const node_counts& k, layer_precision types) {
  const element_count weights = make_elements(k.weights), biases = make_elements(k.biases);
  const element_count out = make_elements(k.activations_out), state = make_elements(k.state);
  return {.name = n.name, .kind = kind_name(n.op), .out = n.cost.out, .types = types,
          .ops = make_ops(k.ops), .other_ops = make_ops(k.other_ops), .weights = weights, .biases = biases,
          .activations_in = make_elements(k.activations_in), .activations_out = out, .state = state,
          .weight_bytes = types.weights.size_of(weights) + types.weights.size_of(biases),
          .activation_in_bytes = bytes::from_value(0.0), .activation_out_bytes = types.activations.size_of(out),
          .state_bytes = types.activations.size_of(state), .is_view = n.cost.is_view};
}

namespace detail {

constexpr network_requirements requirements_of(const topology& t, const precision& p, batch_size b) {
  network_requirements r;
  r.batch = b.n;
  const auto nodes = t.nodes();
  r.layers.reserve(nodes.size());
  requirement_totals& tot = r.total;
  count_totals counted;
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    const node& n = nodes[i];
    const node_counts k = counts_of(n, b.n);
    counted.add(k, n.name);
    layer_requirements& l = r.layers.emplace_back(with_bytes(n, k, p.of(n.name)));
    for (std::size_t src : n.inputs)
      l.activation_in_bytes += r.layers[src].types.activations.size_of(r.layers[src].activations_out);
    tot.weight_bytes += l.types.weights.size_of(l.weights);
    tot.bias_bytes += l.types.weights.size_of(l.biases);
    tot.state_bytes += l.state_bytes;
    if (k.moves_data) tot.activation_bytes += l.activation_in_bytes;
  }
  tot.ops = make_ops(counted.ops);
  tot.other_ops = make_ops(counted.other_ops);
  tot.weights = make_elements(counted.weights);
  tot.biases = make_elements(counted.biases);
  tot.activations = make_elements(counted.activations);
  tot.state = make_elements(counted.state);

  const buffer_lifetimes lt = lifetimes(t);
  std::vector<std::uint64_t> out_elements(nodes.size());
  std::vector<double> out_bytes(nodes.size());
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    out_elements[i] = r.layers[i].activations_out.value();
    out_bytes[i] = r.layers[i].activation_out_bytes.value();
  }
  tot.peak_live = make_elements(peak_live<std::uint64_t>(lt, out_elements));
  tot.peak_live_bytes = bytes::from_value(peak_live<double>(lt, out_bytes));
  return r;
}

}  // namespace detail

/// Requirements of `t` at precision `p` for `b` inputs; throws spec_error 206 if a
/// count exceeds 64 bits (naming the topology, the node or total, and the batch), 301 if
/// an override of `p` names no node of `t`.
constexpr network_requirements requirements(const topology& t, const precision& p = {}, batch_size b = {}) {
  p.check_overrides(t);
  try {
    return detail::requirements_of(t, p, b);
  } catch (const spec_error& e) {
    // The count's own WHERE names only a node or a total: the topology and the batch
    // that multiplied it make it findable.
    if (e.id() != error_id::count_overflow) throw;
    throw spec_error(e.id(), "topology '" + t.name() + "', " + e.where(), e.reason() + " at batch " + std::to_string(b.n));
  }
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
  t.ops_per_batch = make_ops(checked_add(checked_mul(3, r.total.ops.value(), "training"), r.total.weights.value(), "training"));
  const std::uint64_t per_input = r.total.ops.value() / r.batch;
  const std::uint64_t batches = (inputs_per_epoch + r.batch - 1) / r.batch;
  t.ops_total = make_ops(checked_mul(epochs, checked_add(checked_mul({3, per_input, inputs_per_epoch}, "training"),
                                                          checked_mul(batches, r.total.weights.value(), "training"), "training"), "training"));
  return t;
}

}  // namespace qutibench
