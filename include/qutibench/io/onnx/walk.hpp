// The walk over an ONNX graph: window attributes checked, inputs' batch fixed to 1, each
// node's shapes inferred and the node folded (constants), mapped or listed as unsupported,
// gated activations fused, and the topology built with its quantized precision.
#pragma once

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "qutibench/io/onnx/map_node.hpp"
#include "qutibench/io/onnx/patterns.hpp"
#include "qutibench/precision.hpp"
#include "qutibench/topology.hpp"

namespace qutibench::onnx {

/// What to do with an operator the importer cannot map: fail listing them all, or count
/// each as element-wise work on its outputs (with a warning).
enum class unknown_operators : std::uint8_t { error, elementwise };

/// "error" or "elementwise" (the CLI's --unknown-ops, Python's unknown_ops); spec_error 503
/// otherwise.
inline unknown_operators parse_unknown_ops(std::string_view text) {
  if (text == "error") return unknown_operators::error;
  if (text == "elementwise") return unknown_operators::elementwise;
  throw spec_error(error_id::invalid_value, "unknown_ops", "must be error or elementwise, got '" + std::string(text) + "'");
}

/// How to import: the topology's name, the size of symbolic dimensions, unknown operators.
struct import_options {
  std::string name;                             ///< empty: the file's stem, else the graph's name
  std::optional<std::int64_t> sequence_length;  ///< every symbolic dimension other than the batch (1..2^31)
  unknown_operators unknown_ops = unknown_operators::error;
};

/// An imported network; `precision` is set for a quantized (QDQ) model: the datatypes
/// of its quantized nodes over an fp32 fallback.
struct imported_model {
  qutibench::topology topology;
  std::optional<qutibench::precision> precision;
  std::vector<std::string> warnings;  ///< operators counted as element-wise work (unknown_operators::elementwise)
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
                     "DequantizeLinear", "Where", "Equal", "Less", "Greater", "Max", "Min", "Not", "Sqrt", "Exp", "Log", "Neg",
                     "Abs", "Reciprocal"});
}

/// Operators map_node handles in some form: one downstream of an unsupported operator is
/// not listed again.
inline bool supported(const std::string& op) {
  return foldable(op) || one_of(op, {"Split", "Dropout", "Conv", "Gemm", "MatMul", "MaxPool", "AveragePool", "GlobalAveragePool", "GlobalMaxPool",
                                     "ReduceMean", "ReduceSum", "ReduceMax", "ReduceMin", "ReduceProd", "ReduceL1", "ReduceL2",
                                     "ReduceSumSquare", "ReduceLogSum", "ReduceLogSumExp", "Resize", "Upsample", "QLinearConv",
                                     "ConvInteger", "QLinearMatMul", "MatMulInteger", "Relu", "LeakyRelu", "Sigmoid", "Tanh", "HardSwish", "Gelu", "Clip", "HardSigmoid",
                                     "Erf", "BatchNormalization", "LayerNormalization", "Softmax", "LogSoftmax", "LSTM", "GRU"});
}

/// "Sin x2, TopK x1": operators by count, most frequent first.
inline std::string listed_counts(const std::map<std::string, std::uint64_t>& counts) {
  std::vector<std::pair<std::string, std::uint64_t>> listed(counts.begin(), counts.end());
  std::stable_sort(listed.begin(), listed.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  std::string text;
  for (std::size_t i = 0; i < listed.size(); ++i) text += (i ? ", " : "") + listed[i].first + " x" + std::to_string(listed[i].second);
  return text;
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
  std::map<std::string, std::uint64_t> counted;  // operators counted as element-wise work
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
            if (d < 0 || d > max_dimension) site.fail(error_id::invalid_value, "output shape " + shown(*out[k].shape) + " has a dimension outside 0..2^31");
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
    const std::string node_name = w.unique(label);
    if (known && map_node(w, site, node_name)) continue;
    if (options.unknown_ops == unknown_operators::error) {
      poison();
      continue;
    }
    // Counted as element-wise work (one operation per element of its largest tensor) on
    // its activation inputs; an output whose shape the importer cannot infer takes its
    // first activation input's.
    std::vector<std::string> from;
    const dims* like = nullptr;
    for (const std::string& t : n.inputs)
      if (!t.empty() && w.producer.count(t)) {
        from.push_back(w.node_of(t, label).name);
        if (!like && w.values.count(t) && w.values.at(t).shape) like = &*w.values.at(t).shape;
      }
    if (from.empty() || !like) {
      poison();  // no activation to work on: still an error
      continue;
    }
    ++counted[n.op_type];
    for (std::size_t k = 0; k < n.outputs.size(); ++k) {
      if (n.outputs[k].empty()) continue;
      value& v = w.values[n.outputs[k]];
      if (!known || !v.shape) v.shape = *like;
      w.add(k == 0 ? node_name : w.unique(label + "_" + std::to_string(k)), elementwise{w.without_batch(*v.shape, label)}, from, n.outputs[k]);
    }
  }
  fuse_gates(w);
  if (!w.unknown_ops.empty()) throw unsupported(source, "unsupported ONNX operators: " + listed_counts(w.unknown_ops));
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
  std::vector<std::string> warnings;
  if (!counted.empty()) warnings.push_back("counted as element-wise work on their outputs (--unknown-ops elementwise): " + listed_counts(counted));
  return {b.build(), p.overrides.empty() ? std::nullopt : std::optional<precision>(p), warnings};
}

}  // namespace qutibench::onnx
