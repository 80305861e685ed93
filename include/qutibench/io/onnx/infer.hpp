// Per-operator output shapes (and folded values of small constants) for the operators
// the importer maps or folds; an operator it does not know leaves its outputs unknown.
#pragma once

#include <cmath>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "qutibench/io/onnx/infer_views.hpp"

namespace qutibench::onnx {

/// The output type of an integer product: int32 accumulators (ConvInteger, MatMulInteger),
/// or the output zero point's type (QLinear*, uint8 without one).
inline std::int32_t quantized_output(const operands& a) {
  if (!a.site.n.op_type.starts_with("QLinear")) return int32;
  return a.has(7) ? a.in[7]->type : uint8;
}

/// Sets `out` (one value per output of the node) from its inputs (nullptr: an omitted
/// optional input); false if the operator is not one the importer knows.
inline bool infer(const shape_site& s, const std::vector<const value*>& in, std::vector<value>& out) {
  const std::string& op = s.n.op_type;
  const operands a{s, in};
  auto has = [&](std::size_t i) { return a.has(i); };
  auto shape = [&](std::size_t i) -> const dims& { return a.shape(i); };
  bool constant = !in.empty();
  for (const value* v : in) constant = constant && (v == nullptr || v->constant);
  for (value& o : out) o = value{};
  value& y = out.at(0);
  y.constant = constant;
  y.type = has(0) ? in[0]->type : 0;
  const dims x = has(0) && in[0]->shape ? *in[0]->shape : dims{};
  auto same = [&] { y.shape = shape(0); };
  if (op == "Identity" || op == "Dropout" || op == "Cast" || op == "QuantizeLinear" || op == "DequantizeLinear") {
    same();
    if (op == "Cast") y.type = static_cast<std::int32_t>(s.integer("to", y.type));
    if (op == "QuantizeLinear") y.type = has(2) ? in[2]->type : uint8;
    if (op == "DequantizeLinear") {
      y.type = float32;
      if (constant && is_integer_type(in[0]->type)) y.quantized = in[0]->type;
    }
    if (op == "Identity" || op == "Dropout" || op == "Cast") y.values = in[0]->values;
    if (y.values && op == "Cast" && is_integer_type(y.type))
      for (double& v : *y.values) v = std::trunc(v);
    if (op == "Dropout" && out.size() > 1) out[1].shape = y.shape;
  } else if (op == "Relu" || op == "Sigmoid" || op == "Tanh" || op == "HardSwish" || op == "Gelu" || op == "LeakyRelu" ||
             op == "Clip" || op == "HardSigmoid" || op == "Erf" || op == "Sqrt" || op == "Neg" || op == "Exp" ||
             op == "Reciprocal" || op == "Log" || op == "Abs" || op == "Not" || op == "BatchNormalization" || op == "LayerNormalization" || op == "Softmax" ||
             op == "LogSoftmax") {
    same();
  } else if (op == "Add" || op == "Sub" || op == "Mul" || op == "Div" || op == "Pow") {
    y.shape = broadcast(shape(0), shape(1), s);
    if (constant && in[0]->values && in[1]->values && element_count(*y.shape, "fold") <= max_folded_elements) {
      const bool integer = is_integer_type(y.type);
      y.values = broadcast_values(*in[0], *in[1], *y.shape, [&](double a, double b) {
        if (op == "Add") return a + b;
        if (op == "Sub") return a - b;
        if (op == "Mul") return a * b;
        if (op == "Pow") return std::pow(a, b);
        return integer ? (b == 0 ? 0.0 : std::trunc(a / b)) : a / b;
      });
    }
  } else if (op == "Where" || op == "Equal" || op == "Less" || op == "Greater" || op == "Max" || op == "Min") {
    dims r = shape(0);
    for (std::size_t i = 1; i < in.size(); ++i) r = broadcast(r, shape(i), s);
    y.shape = r;
    if (op == "Where") y.type = has(1) ? in[1]->type : 0;
    if (op == "Equal" || op == "Less" || op == "Greater") y.type = boolean;
  } else if (op == "Conv" || op == "ConvInteger" || op == "QLinearConv") {
    const dims& w = shape(op == "QLinearConv" ? 3 : 1);
    if (w.size() < 3) s.fail(error_id::rank_mismatch, "weight " + shown(w) + " has no spatial axes");
    y.shape = window_shape(s, shape(0), w[0], dims(w.begin() + 2, w.end()));
    if (op != "Conv") y.type = quantized_output(a);
  } else if (op == "MaxPool" || op == "AveragePool") {
    y.shape = window_shape(s, shape(0), shape(0).size() > 1 ? x[1] : 0, s.integers("kernel_shape"));
    if (out.size() > 1) out[1].shape = y.shape;
  } else if (op == "GlobalAveragePool" || op == "GlobalMaxPool") {
    if (shape(0).size() < 3) s.fail(error_id::rank_mismatch, "input " + shown(x) + " has no spatial axes");
    y.shape = dims{x[0], x[1]};
    y.shape->resize(x.size(), 1);
  } else if (op == "Gemm") {
    dims a = shape(0), b = shape(1);
    if (a.size() != 2 || b.size() != 2) s.fail(error_id::rank_mismatch, "Gemm of " + shown(a) + " and " + shown(b) + " (needs matrices)");
    const bool ta = s.integer("transA", 0) != 0, tb = s.integer("transB", 0) != 0;
    if (ta) std::swap(a[0], a[1]);
    if (tb) std::swap(b[0], b[1]);
    if (a[1] != b[0]) s.fail(error_id::shape_mismatch, inner_mismatch(shape(0), ta, shape(1), tb));
    y.shape = dims{a[0], b[1]};
  } else if (op == "MatMul" || op == "MatMulInteger" || op == "QLinearMatMul") {
    y.shape = matmul_shape(shape(0), shape(op == "QLinearMatMul" ? 3 : 1), s);
    if (op != "MatMul") y.type = quantized_output(a);
  } else if (op == "Concat") {
    const std::int64_t axis = s.axis(s.integer("axis", 0), shape(0).size());
    dims r = x;
    r[axis] = 0;
    bool folded = true;
    for (std::size_t i = 0; i < in.size(); ++i) {
      if (!has(i)) continue;
      const dims& d = shape(i);
      if (d.size() != x.size()) s.fail(error_id::shape_mismatch, "Concat of " + shown(x) + " and " + shown(d));
      for (std::size_t k = 0; k < d.size(); ++k)
        if (static_cast<std::int64_t>(k) != axis && d[k] != x[k]) s.fail(error_id::shape_mismatch, "Concat of " + shown(x) + " and " + shown(d));
      r[axis] += d[axis];
      folded = folded && in[i]->values;
    }
    y.shape = r;
    if (folded && constant && element_count(r, "fold") == 0) {
      y.values = std::vector<double>{};
    } else if (folded && constant && element_count(r, "fold") <= max_folded_elements) {
      // Concatenation as a gather: the output coordinate along the axis picks the input.
      std::vector<double> v;
      const std::uint64_t outer = element_count(dims(r.begin(), r.begin() + axis), "fold");
      for (std::uint64_t o = 0; o < outer; ++o)
        for (const value* p : in) {
          if (!p) continue;
          const std::uint64_t chunk = element_count(dims(p->shape->begin() + axis, p->shape->end()), "fold");
          v.insert(v.end(), p->values->begin() + static_cast<std::ptrdiff_t>(o * chunk),
                   p->values->begin() + static_cast<std::ptrdiff_t>((o + 1) * chunk));
        }
      y.values = v;
    }
  } else if (op == "Flatten") {
    const auto rank = static_cast<std::int64_t>(shape(0).size());
    std::int64_t axis = s.integer("axis", 1);
    if (axis < -rank || axis > rank) s.fail(error_id::invalid_value, "axis " + std::to_string(axis) + " outside a rank-" + std::to_string(rank) + " tensor");
    if (axis < 0) axis += rank;
    const dims head(x.begin(), x.begin() + axis), tail(x.begin() + axis, x.end());
    y.shape = dims{static_cast<std::int64_t>(element_count(head, "Flatten")), static_cast<std::int64_t>(element_count(tail, "Flatten"))};
    y.values = in[0]->values;
  } else {
    return infer_views(a, y, out);
  }
  return true;
}

}  // namespace qutibench::onnx
