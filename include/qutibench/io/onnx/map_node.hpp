// The one switch from an ONNX operator to its mapping (operators.hpp holds the longer ones).
#pragma once

#include <string>
#include <vector>

#include "qutibench/io/onnx/operators.hpp"

namespace qutibench::onnx {

namespace detail {

inline void recurrent_layer(walk_state& w, const shape_site& s, const std::string& name) {
  const node& n = s.n;
  if (n.inputs.size() < 3) throw unsupported(w.at(name), n.op_type + " needs its inputs X, W and R");
  const attribute* direction = n.find("direction");
  if (direction && direction->s == "bidirectional")
    throw unsupported(w.at(name), "bidirectional " + n.op_type + " is not supported (two layers: forward, reverse)");
  const built_node& x = w.node_of(n.inputs[0], name);
  const std::int64_t hidden = s.integer("hidden_size", 0);
  // qutibench counts the weights from the input's features and hidden_size: W, R and B
  // (those that are constants) must have the shapes these imply.
  const dims& in = w.shape(n.inputs[0], name);
  const std::int64_t rows = (n.op_type == "LSTM" ? 4 : 3) * hidden;
  const char* roles[] = {"W", "R", "B"};
  const dims expected[] = {{1, rows, in.back()}, {1, rows, hidden}, {1, 2 * rows}};
  for (std::size_t i = 1; i <= 3; ++i) {
    if (n.inputs.size() <= i || !w.is_const(n.inputs[i])) continue;
    if (w.shape(n.inputs[i], name) != expected[i - 1])
      throw spec_error(error_id::shape_mismatch, w.at(name),
                       std::string(roles[i - 1]) + " " + shown(w.shape(n.inputs[i], name)) + " should be " + shown(expected[i - 1]) +
                           " for hidden_size " + std::to_string(hidden) + " and the input " + shown(in));
  }
  std::vector<std::size_t> used;
  for (std::size_t i = 0; i < n.outputs.size(); ++i)
    if (!n.outputs[i].empty() && (w.consumers[n.outputs[i]] || w.outputs.count(n.outputs[i]))) used.push_back(i);
  const bool sequence = used.empty() || used == std::vector<std::size_t>{0};
  if (!sequence && used.size() > 1)
    throw unsupported(w.at(name), "more than one of the sequence and the final states of " + n.op_type + " are used");
  const tensor_shape shape = sequence ? tensor_shape{x.shape[0], hidden} : tensor_shape{hidden};
  const recurrent layer{.cell = n.op_type == "LSTM" ? recurrent_cell::lstm : recurrent_cell::gru, .hidden = hidden,
                        .return_sequences = sequence, .bias = n.inputs.size() > 3 && !n.inputs[3].empty()};
  const std::string source = x.name;
  built_node& r = w.add(name, layer, {source}, n.outputs[sequence ? 0 : used.front()], shape);
  r.weights = quantized_datatype(w.of(n.inputs[1], name).quantized);
}

/// A ReduceMean over H and W is a global average pool (keepdims=0: and a flatten); false
/// for another reduction.
inline bool spatial_mean(walk_state& w, const shape_site& s, const std::string& name) {
  const node& n = s.n;
  const dims& x = w.shape(n.inputs[0], name);
  if (x.size() != 4) return false;
  dims axes = s.integers("axes");
  if (!n.find("axes") && n.inputs.size() > 1 && !n.inputs[1].empty()) {
    const value& v = w.of(n.inputs[1], name);
    if (!v.values) return false;
    for (double a : *v.values) axes.push_back(as_index(a));
  }
  for (std::int64_t& a : axes) a = (a + 4) % 4;
  std::sort(axes.begin(), axes.end());
  if (axes != dims{2, 3}) return false;
  // Copies, not references: add() may move the nodes.
  const std::int64_t channels = w.node_of(n.inputs[0], name).shape[0];
  const std::string source = w.node_of(n.inputs[0], name).name;
  const std::string& out = n.outputs[0];
  w.add(name, global_pool{pool_kind::avg}, {source}, out, tensor_shape{channels, 1, 1});
  if (s.integer("keepdims", 1) == 0) w.add(w.unique(name + "_flatten"), qutibench::flatten{}, {name}, out, tensor_shape{channels});
  return true;
}

/// QLinearConv, ConvInteger, QLinearMatMul, MatMulInteger: the float operator on the same
/// data and weight (engines fold the scales and zero points into the requantization),
/// the weight's integer type and a QLinear output's as the node's datatypes.
inline void integer_product(walk_state& w, const shape_site& s, const std::string& name) {
  const node& n = s.n;
  const bool qlinear = n.op_type.starts_with("QLinear"), convolution = n.op_type.ends_with("Conv") || n.op_type == "ConvInteger";
  const std::size_t weight = qlinear ? 3 : 1;
  if (n.inputs.size() <= weight || n.inputs[weight].empty()) throw unsupported(w.at(name), n.op_type + " without its second operand");
  node plain = n;
  plain.op_type = convolution ? "Conv" : "MatMul";
  plain.inputs = {n.inputs[0], n.inputs[weight]};
  if (qlinear && convolution && n.inputs.size() > 8) plain.inputs.push_back(n.inputs[8]);
  const shape_site site{plain, s.where, s.opset};
  if (convolution) conv(w, site, name);
  else gemm(w, site, name);
  built_node& b = w.node_of(n.outputs[0], name);
  if (w.is_const(n.inputs[weight])) b.weights = quantized_datatype(w.of(n.inputs[weight], name).type);
  if (qlinear) b.activations = quantized_datatype(w.of(n.outputs[0], name).type);
}

inline activation_kind activation_of(const std::string& op) {
  if (op == "Sigmoid") return activation_kind::sigmoid;
  if (op == "Tanh") return activation_kind::tanh;
  if (op == "HardSwish") return activation_kind::hard_swish;
  if (op == "Gelu") return activation_kind::gelu;
  return activation_kind::relu;  // Relu, and LeakyRelu: one operation per element, fused by engines
}

}  // namespace detail

/// Adds the node(s) for ONNX node `s.n`, named `name`; false if its operator (or this form
/// of it) is not supported.
inline bool map_node(walk_state& w, const shape_site& s, const std::string& name) {
  using namespace detail;
  const node& n = s.n;
  const std::string& op = n.op_type;
  std::vector<std::string> acts;
  for (const std::string& t : n.inputs)
    if (!t.empty() && !w.is_const(t)) acts.push_back(t);
  const std::string& out = n.outputs.at(0);
  auto single = [&](qutibench::layer layer) -> built_node& {
    const std::string source = w.node_of(n.inputs.at(0), name).name;
    return w.add(name, layer, {source}, out);
  };
  if (op == "Dropout" || op == "Identity" || op == "Cast" || op == "DequantizeLinear") {
    w.pass(out, n.inputs[0], name);
  } else if (op == "QuantizeLinear") {
    w.pass(out, n.inputs[0], name);
    w.node_of(n.inputs[0], name).activations = quantized_datatype(w.of(out, name).type);
  } else if (op == "Conv") {
    conv(w, s, name);
  } else if (op == "Gemm" || op == "MatMul") {
    gemm(w, s, name);
  } else if (op == "QLinearConv" || op == "ConvInteger" || op == "QLinearMatMul" || op == "MatMulInteger") {
    integer_product(w, s, name);
  } else if (op == "MaxPool" || op == "AveragePool") {
    const std::int64_t kernel = square(w, name, "kernel_shape", s.integers("kernel_shape"));
    for (std::int64_t d : s.integers("dilations", {1, 1}))
      if (d != 1) throw unsupported(w.at(name), "dilated pooling is not supported");
    const dims strides = s.integers("strides", {1, 1});
    const tensor_shape& in = w.node_of(n.inputs[0], name).shape;
    single(pool2d{.kind = op == "MaxPool" ? pool_kind::max : pool_kind::avg, .kernel = kernel, .stride = square(w, name, "strides", strides),
                  .padding = padding(w, s, name, in, kernel, strides, {1, 1}), .ceil_mode = s.integer("ceil_mode", 0) != 0});
  } else if (op == "GlobalAveragePool" || op == "GlobalMaxPool") {
    single(global_pool{op == "GlobalAveragePool" ? pool_kind::avg : pool_kind::max});
  } else if (op == "ReduceMean" && spatial_mean(w, s, name)) {
  } else if (op == "Add" || op == "Mul" || op == "Sub" || op == "Div") {
    return eltwise(w, s, name, acts);
  } else if (op == "Concat") {
    std::vector<std::string> inputs;
    for (const std::string& t : n.inputs) inputs.push_back(w.node_of(t, name).name);
    // The axis of the per-input shape: past the batch (an input's first unit axis, if
    // any) it moves down by one.
    const dims& shape = w.shape(n.inputs[0], name);
    const std::int64_t axis = s.axis(s.integer("axis", 0), shape.size());
    const auto batch = std::find(shape.begin(), shape.end(), 1) - shape.begin();
    const bool has_batch = batch < static_cast<std::ptrdiff_t>(shape.size());
    if (has_batch && axis == batch) throw unsupported(w.at(name), "concatenation along the batch axis");
    w.add(name, qutibench::concat{static_cast<int>(has_batch && axis > batch ? axis - 1 : axis)}, inputs, out);
  } else if (op == "Relu" || op == "LeakyRelu" || op == "Sigmoid" || op == "Tanh" || op == "HardSwish" || op == "Gelu") {
    single(activation{activation_of(op)}).gate = op == "Sigmoid" ? built_node::gate_kind::sigmoid : built_node::gate_kind::none;
  } else if (op == "Clip") {
    auto bound = [&](std::size_t i, const char* key) -> std::optional<double> {
      if (n.inputs.size() > i && !n.inputs[i].empty()) {
        const value& v = w.of(n.inputs[i], name);
        if (!v.values || v.values->size() != 1) throw unsupported(w.at(name), std::string("Clip's ") + key + " is not a constant scalar");
        return v.values->front();
      }
      const attribute* a = n.find(key);
      return a ? std::optional<double>(a->f) : std::nullopt;
    };
    const bool six = bound(1, "min") == 0.0 && bound(2, "max") == 6.0;
    single(activation{six ? activation_kind::relu6 : activation_kind::relu});
  } else if (op == "HardSigmoid" || op == "Erf") {
    // Provisional: a gate of its own input becomes hard_swish or gelu; a lone hard
    // sigmoid costs a sigmoid; a lone erf has no qutibench counterpart.
    single(activation{activation_kind::sigmoid}).gate = op == "Erf" ? built_node::gate_kind::erf : built_node::gate_kind::hard_sigmoid;
  } else if (op == "BatchNormalization") {
    single(batch_norm{});
  } else if (op == "LayerNormalization") {
    single(layer_norm{});
  } else if (op == "Softmax" || op == "LogSoftmax") {  // the same exp, sum and divide per element
    single(softmax{});
  } else if (op == "Flatten" || op == "Reshape" || op == "Squeeze" || op == "Unsqueeze") {
    view(w, s, name);
  } else if (op == "Transpose") {
    // A transpose that only moves unit axes (the batch, a recurrent layout) moves no data;
    // another changes the layout, which engines fold into the neighbouring matrix
    // products (attention's split into heads): a view, as a reshape is.
    dims before = w.shape(n.inputs[0], name), after = w.shape(out, name);
    std::erase(before, 1);
    std::erase(after, 1);
    if (before == after) w.pass(out, n.inputs[0], name);
    else single(qutibench::reshape{w.without_batch(w.shape(out, name), name)});
  } else if ((op == "Slice" || op == "Split" || op == "Gather") && !w.is_const(n.inputs[0]) && (op != "Gather" || w.is_const(n.inputs[1]))) {
    // Part of an activation (packed QKV, one token): a slice, read in place.
    const std::string source = w.node_of(n.inputs[0], name).name;
    for (std::size_t k = 0; k < n.outputs.size(); ++k) {
      if (n.outputs[k].empty()) continue;
      const tensor_shape part = w.without_batch(w.shape(n.outputs[k], name), name);
      if (part == w.node_of(n.inputs[0], name).shape) w.pass(n.outputs[k], n.inputs[0], name);
      else w.add(k == 0 ? name : w.unique(name + "_" + std::to_string(k)), qutibench::slice{part}, {source}, n.outputs[k]);
    }
  } else if (op == "Pow" || op == "Sqrt" || op == "Exp" || op == "Log" || op == "Neg" || op == "Abs" || op == "Reciprocal" ||
             op == "Where" || op == "Equal" || op == "Less" || op == "Greater" || op == "Max" || op == "Min" || op == "Not" ||
             op == "Resize" || op == "Upsample" || op == "Expand" || op.starts_with("Reduce")) {
    // Element-wise work with no kind of its own, on the activations among the inputs
    // (a constant operand is read where it lies): an interpolation or a broadcast copy
    // per output element, a reduction per input element.
    std::vector<std::string> from;
    for (const std::string& t : acts) from.push_back(w.node_of(t, name).name);
    w.add(name, elementwise{w.without_batch(w.shape(out, name), name)}, from, out);
  } else if (op == "LSTM" || op == "GRU") {
    recurrent_layer(w, s, name);
  } else if (op == "Gather" && w.is_const(n.inputs[0]) && s.integer("axis", 0) == 0 && acts.size() == 1) {
    const dims& table = w.shape(n.inputs[0], name);
    if (table.size() != 2) return false;
    const std::string source = w.node_of(n.inputs[1], name).name;
    w.add(name, embedding{.vocabulary = table[0], .dim = table[1]}, {source}, out).weights =
        quantized_datatype(w.of(n.inputs[0], name).quantized);
  } else {
    return false;
  }
  return true;
}

}  // namespace qutibench::onnx
