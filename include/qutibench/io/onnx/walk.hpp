// The walk over an ONNX graph: window attributes checked, inputs' batch fixed to 1, each
// node's shapes inferred and the node folded (constants), mapped or listed as unsupported,
// gated activations fused, and the topology built with its quantized precision.
#pragma once

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "qutibench/io/onnx/map_node.hpp"
#include "qutibench/precision.hpp"
#include "qutibench/topology.hpp"

namespace qutibench::onnx {

/// How to import: the topology's name, and the size of symbolic dimensions.
struct import_options {
  std::string name;                             ///< empty: the file's stem, else the graph's name
  std::optional<std::int64_t> sequence_length;  ///< every symbolic dimension other than the batch (1..2^31)
};

/// An imported network; `precision` is set for a quantized (QDQ) model: the datatypes
/// of its quantized nodes over an fp32 fallback.
struct imported_model {
  qutibench::topology topology;
  std::optional<qutibench::precision> precision;
};

namespace detail {

inline bool one_of(const std::string& op, std::initializer_list<const char*> ops) {
  return std::any_of(ops.begin(), ops.end(), [&](const char* o) { return op == o; });
}

/// Operators evaluated when all their inputs are constants (shape arithmetic around
/// Reshape and Flatten, constant weight preprocessing).
inline bool foldable(const std::string& op) {
  return one_of(op, {"Constant", "Shape", "Gather", "Unsqueeze", "Squeeze", "Concat", "Cast", "Reshape", "Add", "Sub", "Mul", "Div",
                     "Pow", "Identity", "Slice", "Expand", "ConstantOfShape", "Range", "Transpose", "Flatten", "QuantizeLinear",
                     "DequantizeLinear"});
}

/// Operators map_node handles in some form: one downstream of an unsupported operator is
/// not listed again.
inline bool supported(const std::string& op) {
  return foldable(op) || one_of(op, {"Split", "Dropout", "Conv", "Gemm", "MatMul", "MaxPool", "AveragePool", "GlobalAveragePool", "GlobalMaxPool",
                                     "ReduceMean", "Relu", "LeakyRelu", "Sigmoid", "Tanh", "HardSwish", "Gelu", "Clip", "HardSigmoid",
                                     "Erf", "BatchNormalization", "LayerNormalization", "Softmax", "LogSoftmax", "LSTM", "GRU"});
}

/// The window attributes of a Conv or pool are ONNX-valid (kernel_shape on a pool;
/// positive kernel, strides, dilations and group; non-negative pads; one value per
/// spatial axis, two for pads), and a graph input it reads directly has the rank its
/// window implies. Checked before shape inference divides by the strides.
inline void check_window(const walk_state& w, const node& n, const std::string& label, const graph& g) {
  const bool pool = n.op_type == "MaxPool" || n.op_type == "AveragePool" || n.op_type == "LpPool";
  const std::size_t weight = n.op_type == "QLinearConv" ? 3 : 1;
  if (!pool && !one_of(n.op_type, {"Conv", "ConvInteger", "QLinearConv"})) return;
  const std::string where = w.at(label);
  const attribute* kernel = n.find("kernel_shape");
  if (pool && !kernel) throw spec_error(error_id::missing_field, where, n.op_type + " needs the attribute kernel_shape");
  std::optional<std::size_t> spatial;
  if (kernel) spatial = kernel->ints.size();
  else if (n.inputs.size() > weight)
    for (const tensor& t : g.initializers)
      if (t.name == n.inputs[weight] && t.dims.size() >= 2) spatial = t.dims.size() - 2;
  struct rule {
    const char* key;
    std::int64_t low;
    std::size_t per_axis;
  };
  for (const rule r : {rule{"kernel_shape", 1, 1}, rule{"strides", 1, 1}, rule{"dilations", 1, 1}, rule{"pads", 0, 2}}) {
    const auto& [key, low, per_axis] = r;
    const attribute* a = n.find(key);
    if (!a) continue;
    const bool counted = !spatial || a->ints.size() == per_axis * *spatial;
    if (a->type != attribute_type::integers || !counted ||
        std::any_of(a->ints.begin(), a->ints.end(), [&r](std::int64_t v) { return v < r.low || v > max_dimension; }))
      throw spec_error(error_id::invalid_value, where,
                       std::string(key) + " " + shown(a->ints) + ": must be " + (spatial ? std::to_string(per_axis * *spatial) + " " : "") +
                           "integers >= " + std::to_string(low) + (per_axis == 2 ? " (begin and end of each spatial axis)" : ""));
  }
  if (!pool) {
    const attribute* group = n.find("group");
    if (group && (group->type != attribute_type::integer || group->i < 1 || group->i > max_dimension))
      throw spec_error(error_id::invalid_value, where, "group " + std::to_string(group->i) + ": must be an integer >= 1");
  }
  for (const value_info& v : g.inputs)
    if (spatial && !n.inputs.empty() && v.name == n.inputs[0] && v.shape && v.shape->size() != *spatial + 2) {
      std::string declared = "[";
      for (const dimension& d : *v.shape) declared += (declared.size() > 1 ? ", " : "") + (d.value ? std::to_string(*d.value) : d.param);
      throw spec_error(error_id::rank_mismatch, w.source + ": input '" + v.name + "'",
                       "shape " + declared + "] has rank " + std::to_string(v.shape->size()) + ", but node '" + label + "' (" + n.op_type +
                           ") takes " + (*spatial == 2 ? "[N, C, H, W]" : "[N, C] and " + std::to_string(*spatial) + " spatial dimensions") +
                           "; is the batch dimension missing? (export it as 1 or symbolic)");
    }
}

/// Each graph input (not an initializer) with its batch fixed to 1 and its other symbolic
/// dimensions bound to the sequence length; returns their names. The batch is the first
/// dimension that is symbolic or 1: [N, C, H, W], [N, L] token ids, or [L, N, D] in
/// sequence-first layouts (recurrent layers, torch's TransformerEncoder).
inline std::vector<std::string> fix_inputs(walk_state& w, const graph& g, const std::optional<std::int64_t>& sequence_length) {
  std::set<std::string> initialized;
  for (const tensor& t : g.initializers) initialized.insert(t.name);
  std::vector<std::string> names;
  for (const value_info& v : g.inputs) {
    if (initialized.count(v.name)) continue;
    const std::string where = w.source + ": input '" + v.name + "'";
    if (!v.shape || v.shape->empty()) throw unsupported(where, "no shape (a scalar input cannot be a network input)");
    std::string declared = "[";
    for (const dimension& d : *v.shape) declared += (declared.size() > 1 ? ", " : "") + (d.value ? std::to_string(*d.value) : d.param);
    declared += "]";
    const auto found = std::find_if(v.shape->begin(), v.shape->end(), [](const dimension& d) { return !d.value || *d.value == 1; });
    const auto batch = static_cast<std::size_t>(found - v.shape->begin());
    if (found == v.shape->end())
      throw unsupported(where, "shape " + declared + " has batch " + std::to_string(*v.shape->front().value) + " in dimension 0" +
                                   "; qutibench reads an input as [N, ...] (an image as [N, C, H, W], a recurrent layer's input as "
                                   "[L, N, D]) with N symbolic or 1: export with batch 1 or a symbolic batch (qutibench applies the "
                                   "batch at prediction time), or add the missing batch dimension");
    dims shape;
    for (std::size_t i = 0; i < v.shape->size(); ++i) {
      const dimension& d = (*v.shape)[i];
      if (i != batch && !d.value && !sequence_length)
        throw unsupported(where, "dimension " + std::to_string(i) + " ('" + d.param + "') of " + declared +
                                     " is symbolic: give its size as the sequence length (--sequence-length; Python: sequence_length=)");
      const std::int64_t size = i == batch ? 1 : d.value.value_or(sequence_length.value_or(0));
      if (size <= 0 || size > max_dimension) throw unsupported(where, "dimensions must be 1..2^31, got " + declared);
      shape.push_back(size);
    }
    value& in = w.values[v.name];
    in.shape = shape;
    in.type = v.type;
    names.push_back(v.name);
  }
  if (names.empty()) throw unsupported(w.source, "the graph has no (non-initializer) inputs");
  return names;
}

/// The nodes of a layer normalization decomposed into its arithmetic, as exporters write
/// it before opset 17: mean = ReduceMean(x), d = x - mean, var = ReduceMean(d^2),
/// y = d / Sqrt(var + eps), the mean and variance over the last axis; `nodes` are the
/// seven from the first ReduceMean to the Div, `out` the normalized tensor.
struct layer_norm_match {
  std::vector<std::size_t> nodes;
  std::string out;
};

inline std::optional<layer_norm_match> match_layer_norm(const walk_state& w, const graph& g,
                                                        const std::map<std::string, std::vector<std::size_t>>& readers, std::size_t first) {
  auto only = [&](const std::string& t, const char* op) -> const node* {
    const auto it = readers.find(t);
    if (it == readers.end() || it->second.size() != 1 || w.outputs.count(t)) return nullptr;
    const node& n = g.nodes[it->second.front()];
    return n.op_type == op && !n.outputs.empty() ? &n : nullptr;
  };
  auto index = [&](const node* n) { return static_cast<std::size_t>(n - g.nodes.data()); };
  // Over the last axis of a tensor of x's rank (the later nodes are not walked yet).
  auto last_axis_mean = [&](const node& n, std::int64_t rank) {
    dims axes = n.find("axes") ? n.find("axes")->ints : dims{};
    if (!n.find("axes") && n.inputs.size() > 1 && w.values.count(n.inputs[1]) && w.values.at(n.inputs[1]).values)
      for (double a : *w.values.at(n.inputs[1]).values) axes.push_back(as_index(a));
    const attribute* keep = n.find("keepdims");
    return axes.size() == 1 && (axes[0] == -1 || axes[0] == rank - 1) && (!keep || keep->i == 1);
  };
  // The exponent and epsilon: constants, possibly from Constant nodes not yet walked.
  auto constant = [&](const std::string& t) {
    if (w.is_const(t)) return true;
    return std::any_of(g.nodes.begin() + static_cast<std::ptrdiff_t>(first), g.nodes.end(), [&](const node& n) {
      return n.op_type == "Constant" && !n.outputs.empty() && n.outputs[0] == t;
    });
  };
  const node& mean = g.nodes[first];
  if (mean.inputs.empty() || w.is_const(mean.inputs[0]) || !w.values.count(mean.inputs[0]) || !w.values.at(mean.inputs[0]).shape)
    return std::nullopt;
  const std::string& x = mean.inputs[0];
  const auto rank = static_cast<std::int64_t>(w.values.at(x).shape->size());
  if (!last_axis_mean(mean, rank)) return std::nullopt;
  const node* sub = only(mean.outputs[0], "Sub");
  if (!sub || sub->inputs.size() != 2 || sub->inputs[0] != x || sub->inputs[1] != mean.outputs[0]) return std::nullopt;
  const std::string& d = sub->outputs[0];
  const auto d_readers = readers.find(d);
  if (d_readers == readers.end() || d_readers->second.size() != 2 || w.outputs.count(d)) return std::nullopt;
  const node* square = nullptr;
  const node* div = nullptr;
  for (std::size_t r : d_readers->second) {
    const node& n = g.nodes[r];
    if ((n.op_type == "Pow" && n.inputs.size() == 2 && n.inputs[0] == d && constant(n.inputs[1])) ||
        (n.op_type == "Mul" && n.inputs.size() == 2 && n.inputs[0] == d && n.inputs[1] == d))
      square = &n;
    if (n.op_type == "Div" && n.inputs.size() == 2 && n.inputs[0] == d) div = &n;
  }
  if (!square || !div || square->outputs.empty() || div->outputs.empty()) return std::nullopt;
  const node* variance = only(square->outputs[0], "ReduceMean");
  if (!variance || !last_axis_mean(*variance, rank)) return std::nullopt;
  const node* eps = only(variance->outputs[0], "Add");
  if (!eps || eps->inputs.size() != 2 || !(constant(eps->inputs[0]) || constant(eps->inputs[1]))) return std::nullopt;
  const node* root = only(eps->outputs[0], "Sqrt");
  if (!root || only(root->outputs[0], "Div") != div || div->inputs[1] != root->outputs[0]) return std::nullopt;
  return layer_norm_match{{first, index(sub), index(square), index(variance), index(eps), index(root), index(div)}, div->outputs[0]};
}

/// x * g(x), with g used nowhere else, becomes one gated activation (swish, hard_swish,
/// gelu); returns how many erf nodes are left (no qutibench counterpart).
inline std::uint64_t fuse_gates(walk_state& w) {
  std::map<std::string, std::uint64_t> readers;
  for (const built_node& n : w.nodes)
    for (const std::string& i : n.inputs) ++readers[i];
  std::set<std::string> escaping;
  for (const std::string& t : w.outputs)
    if (w.producer.count(t)) escaping.insert(w.producer.at(t));
  for (built_node& n : w.nodes) {
    const auto* e = std::get_if<qutibench::eltwise>(&n.op);
    if (!e || e->kind != eltwise_kind::mul || n.inputs.size() != 2) continue;
    for (const auto& [gate_name, other] : {std::pair{n.inputs[0], n.inputs[1]}, std::pair{n.inputs[1], n.inputs[0]}}) {
      built_node& gate = w.nodes[w.by_name.at(gate_name)];
      if (gate.gate == built_node::gate_kind::none || gate.inputs != std::vector<std::string>{other} || readers[gate_name] != 1 ||
          escaping.count(gate_name))
        continue;
      n.op = activation{gate.gate == built_node::gate_kind::sigmoid ? activation_kind::swish
                        : gate.gate == built_node::gate_kind::hard_sigmoid ? activation_kind::hard_swish : activation_kind::gelu};
      n.inputs = {other};
      if (!n.activations) n.activations = gate.activations;
      gate.removed = true;
      break;
    }
  }
  return static_cast<std::uint64_t>(std::count_if(w.nodes.begin(), w.nodes.end(), [](const built_node& n) {
    return !n.removed && n.gate == built_node::gate_kind::erf;
  }));
}

}  // namespace detail

inline imported_model walk(const model& m, const std::string& source, const std::string& name, const import_options& options) {
  using namespace detail;
  const graph& g = m.graph;
  walk_state w;
  w.source = source;
  w.opset = m.opset;
  for (std::size_t i = 0; i < g.nodes.size(); ++i)
    check_window(w, g.nodes[i], g.nodes[i].name.empty() ? numbered(g.nodes[i].op_type, i) : g.nodes[i].name, g);
  for (const tensor& t : g.initializers) w.values[t.name] = constant_value(t);
  const std::vector<std::string> inputs = fix_inputs(w, g, options.sequence_length);
  for (const std::string& in : inputs) {
    w.taken.insert(in);
    w.add(in, input_layer{w.without_batch(*w.values.at(in).shape, in)}, {}, in);
  }
  std::map<std::string, std::vector<std::size_t>> readers;  // tensor -> the nodes reading it, once each
  for (std::size_t i = 0; i < g.nodes.size(); ++i)
    for (const std::string& t : g.nodes[i].inputs) {
      ++w.consumers[t];
      if (readers[t].empty() || readers[t].back() != i) readers[t].push_back(i);
    }
  std::vector<bool> folded_into(g.nodes.size(), false);  // part of a pattern mapped as one layer
  for (const value_info& o : g.outputs) w.outputs.insert(o.name);
  std::set<std::string> poisoned;  // tensors downstream of an unsupported operator
  const value unknown;
  for (std::size_t index = 0; index < g.nodes.size(); ++index) {
    const node& n = g.nodes[index];
    if (folded_into[index]) continue;
    auto poison = [&] {
      ++w.unknown_ops[n.op_type];
      poisoned.insert(n.outputs.begin(), n.outputs.end());
    };
    if (std::any_of(n.inputs.begin(), n.inputs.end(), [&](const std::string& t) { return poisoned.count(t); })) {
      // It cannot be mapped, but an operator that is never supported is still listed.
      if (!supported(n.op_type)) ++w.unknown_ops[n.op_type];
      poisoned.insert(n.outputs.begin(), n.outputs.end());
      continue;
    }
    if (n.outputs.empty()) continue;
    const std::string label = n.name.empty() ? numbered(n.op_type, index) : n.name;
    const shape_site site{n, w.at(label), w.opset};
    std::vector<const value*> in;
    bool constant = true;
    for (const std::string& t : n.inputs) {
      const auto it = w.values.find(t);
      in.push_back(t.empty() ? nullptr : it == w.values.end() ? &unknown : &it->second);
      constant = constant && (t.empty() || w.is_const(t));
    }
    std::vector<value> out(n.outputs.size());
    const bool known = (n.domain.empty() || n.domain == "ai.onnx") && infer(site, in, out);
    if (known)
      for (std::size_t k = 0; k < out.size(); ++k) {
        if (out[k].shape)
          for (std::int64_t d : *out[k].shape)
            if (d > max_dimension) site.fail(error_id::invalid_value, "output shape " + shown(*out[k].shape) + " has a dimension above 2^31");
        if (!n.outputs[k].empty()) w.values[n.outputs[k]] = std::move(out[k]);
      }
    if (known && ((foldable(n.op_type) && constant) || n.op_type == "Shape")) continue;
    if (n.op_type == "ReduceMean" && known)
      if (const auto ln = match_layer_norm(w, g, readers, index)) {
        for (std::size_t k : ln->nodes) folded_into[k] = true;
        w.values[ln->out] = value{w.values.at(n.inputs[0]).shape, float32, false, std::nullopt, 0};
        const std::string source = w.node_of(n.inputs[0], label).name;
        w.add(w.unique(label), qutibench::layer_norm{}, {source}, ln->out);
        continue;
      }
    if (!known || !map_node(w, site, w.unique(label))) poison();
  }
  if (const std::uint64_t erfs = fuse_gates(w)) w.unknown_ops["Erf"] += erfs;
  if (!w.unknown_ops.empty()) {
    std::vector<std::pair<std::string, std::uint64_t>> listed(w.unknown_ops.begin(), w.unknown_ops.end());
    std::stable_sort(listed.begin(), listed.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
    std::string text = "unsupported ONNX operators: ";
    for (std::size_t i = 0; i < listed.size(); ++i) text += (i ? ", " : "") + listed[i].first + " x" + std::to_string(listed[i].second);
    throw unsupported(source, text);
  }
  const built_node& first = w.nodes.front();
  topology::builder b(name, first.shape, first.name);
  precision p;
  for (const built_node& n : w.nodes) {
    if (n.removed) continue;
    if (&n != &first) {
      if (const auto* i = std::get_if<input_layer>(&n.op)) b.input(n.name, i->shape);
      else b.node(n.name, n.op, n.inputs);
    }
    if (n.weights || n.activations) p.set(n.name, {n.weights.value_or(datatypes::fp32), n.activations.value_or(datatypes::fp32)});
  }
  return {b.build(), p.overrides.empty() ? std::nullopt : std::optional<precision>(p)};
}

}  // namespace qutibench::onnx
