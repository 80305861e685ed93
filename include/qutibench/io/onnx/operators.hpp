// Mapping each ONNX operator onto qutibench layers: what costs nothing at inference
// (constant bias and scale operands, views, Dropout, Identity, Q/DQ pairs) folds away,
// quantized tensors give the nodes their datatypes, and an operator or form qutibench
// cannot represent returns false (listed by the importer) or throws naming the node.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "qutibench/io/onnx/mapping.hpp"

namespace qutibench::onnx {

namespace detail {

inline std::int64_t square(const walk_state& w, const std::string& name, const char* what, const dims& v) {
  if (v.size() != 2 || v[0] != v[1])
    throw unsupported(w.at(name), std::string(what) + " " + shown(v) + " is not square (qutibench has square 2-D kernels, strides and dilations)");
  return v[0];
}

/// One symmetric padding for both spatial axes, from pads or auto_pad.
inline std::int64_t padding(const walk_state& w, const shape_site& s, const std::string& name, const tensor_shape& in,
                            std::int64_t kernel, const dims& strides, const dims& dilations) {
  const attribute* autopad = s.n.find("auto_pad");
  const std::string mode = autopad ? autopad->s : "NOTSET";
  dims pads = s.integers("pads", {0, 0, 0, 0});
  if (mode == "VALID") pads = {0, 0, 0, 0};
  if (mode == "SAME_UPPER" || mode == "SAME_LOWER") {
    const dims total = total_pads(s, {in[1], in[2]}, {kernel, kernel}, strides, dilations);
    pads = {total[0] / 2, total[1] / 2, total[0] - total[0] / 2, total[1] - total[1] / 2};
  }
  if (std::adjacent_find(pads.begin(), pads.end(), std::not_equal_to<>()) != pads.end())
    throw unsupported(w.at(name), "pads " + shown(pads) + " are asymmetric or differ between H and W (qutibench pads every side equally)");
  return pads.empty() ? 0 : pads[0];
}

inline void conv(walk_state& w, const shape_site& s, const std::string& name) {
  const node& n = s.n;
  built_node& x = w.node_of(n.inputs[0], name);
  if (!w.is_const(n.inputs[1])) throw unsupported(w.at(name), "the convolution's weight is not a constant");
  const dims& wt = w.shape(n.inputs[1], name);
  if (wt.size() != 4) throw unsupported(w.at(name), "only 2-D convolutions are supported, weight shape " + shown(wt));
  // qutibench counts the weights from the input's channels and the kernel: both must
  // agree with the weight tensor, or the count is not what the model holds.
  const dims& in = w.shape(n.inputs[0], name);
  const std::int64_t groups = s.integer("group", 1);
  if (wt[1] * groups != in[1])
    throw spec_error(error_id::shape_mismatch, w.at(name),
                     "weight " + shown(wt) + " takes " + std::to_string(wt[1]) + " x " + std::to_string(groups) + " (group) = " +
                         std::to_string(wt[1] * groups) + " input channels, but the input " + shown(in) + " has " + std::to_string(in[1]));
  if (n.find("kernel_shape") && s.integers("kernel_shape") != dims(wt.begin() + 2, wt.end()))
    throw spec_error(error_id::shape_mismatch, w.at(name), "kernel_shape " + shown(s.integers("kernel_shape")) + " disagrees with the weight " + shown(wt));
  const bool bias = n.inputs.size() > 2 && !n.inputs[2].empty();
  if (bias && w.is_const(n.inputs[2]) && w.shape(n.inputs[2], name) != dims{wt[0]})
    throw spec_error(error_id::shape_mismatch, w.at(name),
                     "bias " + shown(w.shape(n.inputs[2], name)) + " is not one value per output channel of the weight " + shown(wt));
  const std::int64_t kernel = square(w, name, "kernel", {wt[2], wt[3]});
  const dims strides = s.integers("strides", {1, 1}), dilations = s.integers("dilations", {1, 1});
  const conv2d layer{.out_channels = wt[0], .kernel = kernel, .stride = square(w, name, "strides", strides),
                     .padding = padding(w, s, name, x.shape, kernel, strides, dilations),
                     .dilation = square(w, name, "dilations", dilations), .groups = groups, .bias = bias};
  const std::string source = x.name;
  built_node& c = w.add(name, layer, {source}, n.outputs[0]);
  c.weights = quantized_datatype(w.of(n.inputs[1], name).quantized);
}

inline void gemm(walk_state& w, const shape_site& s, const std::string& name) {
  const node& n = s.n;
  if (s.integer("transA", 0)) throw unsupported(w.at(name), "Gemm with transA is not supported");
  const bool transpose = s.integer("transB", 0) != 0;
  const std::string& left = n.inputs[0];
  const std::string& right = n.inputs[1];
  const std::string source = w.node_of(left, name).name;
  if (!w.is_const(right)) {
    w.add(name, matmul{transpose}, {source, w.node_of(right, name).name}, n.outputs[0]);
    return;
  }
  const dims& wt = w.shape(right, name);
  if (wt.size() != 2) throw unsupported(w.at(name), "weight of shape " + shown(wt) + " (a dense layer needs a matrix)");
  // Shape inference has checked that the input has the weight's input features.
  const bool bias = n.op_type == "Gemm" && n.inputs.size() > 2 && !n.inputs[2].empty();
  built_node& d = w.add(name, dense{.out_features = transpose ? wt[0] : wt[1], .bias = bias}, {source}, n.outputs[0]);
  d.weights = quantized_datatype(w.of(right, name).quantized);
}

/// Add/Mul/Sub/Div. A constant operand is a bias, a scale or a normalization constant,
/// folded into the neighbouring layer by every inference engine; right after a bias-free
/// dense or conv layer it is that layer's bias (one value per output channel).
inline bool eltwise(walk_state& w, const shape_site& s, const std::string& name, const std::vector<std::string>& acts) {
  const node& n = s.n;
  if (acts.size() == 1) {
    built_node& from = w.node_of(acts[0], name);
    const std::string& other = n.inputs[acts[0] == n.inputs[0] ? 1 : 0];
    const std::uint64_t size = element_count(w.shape(other, name), "operand");
    auto* d = std::get_if<dense>(&from.op);
    auto* c = std::get_if<conv2d>(&from.op);
    const std::int64_t width = d ? d->out_features : c ? c->out_channels : -1;
    if (n.op_type == "Add" && (d || c) && !(d ? d->bias : c->bias) && static_cast<std::int64_t>(size) == width &&
        w.consumers[acts[0]] == 1 && !w.outputs.count(acts[0]))
      (d ? d->bias : c->bias) = true;
    w.pass(n.outputs[0], acts[0], name);
    return true;
  }
  std::vector<std::string> inputs;
  std::size_t rank = 0;
  for (const std::string& t : acts) {
    inputs.push_back(w.node_of(t, name).name);
    if (rank && w.shape(t, name).size() != rank)
      throw unsupported(w.at(name), "operands of different rank (qutibench broadcasts equal ranks only)");
    rank = w.shape(t, name).size();
  }
  if (n.op_type == "Sub" || n.op_type == "Div")
    w.add(name, qutibench::elementwise{w.without_batch(w.shape(n.outputs[0], name), name)}, inputs, n.outputs[0]);
  else
    w.add(name, qutibench::eltwise{n.op_type == "Add" ? eltwise_kind::add : eltwise_kind::mul}, inputs, n.outputs[0]);
  return true;
}

/// Flatten, Reshape, Squeeze, Unsqueeze: a flatten, a reshape or nothing.
inline void view(walk_state& w, const shape_site& s, const std::string& name) {
  const node& n = s.n;
  const built_node& x = w.node_of(n.inputs[0], name);
  const dims& out = w.shape(n.outputs[0], name);
  const tensor_shape per_input = w.without_batch(out, name);
  const dims target(per_input.dims.begin(), per_input.dims.begin() + per_input.rank);
  const dims current(x.shape.dims.begin(), x.shape.dims.begin() + x.shape.rank);
  auto product = [&](const dims& d) { return element_count(d, w.at(name)); };
  auto non_unit = [](const dims& d) { dims r; for (std::int64_t v : d) if (v != 1) r.push_back(v); return r; };
  const std::string source = x.name;
  if (product(target) == product(current)) {
    if (target == current) w.pass(n.outputs[0], n.inputs[0], name);
    else if (target.size() == 1) w.add(name, qutibench::flatten{}, {source}, n.outputs[0]);
    else w.add(name, qutibench::reshape{per_input}, {source}, n.outputs[0]);
  } else if (non_unit(out) == non_unit(current)) {
    w.pass(n.outputs[0], n.inputs[0], name);  // the batch is not the first axis (recurrent layouts): only unit axes move
  } else {
    throw unsupported(w.at(name), "cannot map " + n.op_type + " of " + shown(current) + " to " + shown(out) + " with batch 1");
  }
}

}  // namespace detail

}  // namespace qutibench::onnx
