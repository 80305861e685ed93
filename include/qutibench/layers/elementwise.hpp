// Shape inference and costs of the element-wise layers: they keep their input's shape
// (or broadcast it) and cost no MACs, only element-wise work (docs/conventions.md).
#pragma once

#include <algorithm>

#include "qutibench/layers/inputs.hpp"
#include "qutibench/layers/kinds.hpp"

namespace qutibench::shape_inference {

/// Dimensions of size 1 broadcast; one op per output element and extra input.
constexpr layer_cost cost_of(const eltwise&, const layer_inputs& in) {
  in.arity(2, 64);
  layer_cost c;
  c.out = in[0];
  for (const tensor_shape& s : in.shapes()) {
    if (s.rank != c.out.rank) in.fail(error_id::shape_mismatch, "inputs " + in.str() + " differ in rank");
    for (int d = 0; d < s.rank; ++d) {
      if (s[d] == c.out[d] || s[d] == 1) continue;
      if (c.out[d] != 1) in.fail(error_id::shape_mismatch, "inputs " + in.str() + " do not broadcast");
      c.out[d] = s[d];
    }
  }
  c.other_ops = in.mul(in.elements(c.out), in.size() - 1);
  return c;
}

/// One operation per element of its largest tensor: the output of a broadcasting
/// operation, the input of a reduction (ReduceL2, ReduceSum: every input element is
/// visited once). The inputs' shapes are not checked against `shape`: the operator's
/// own rules gave it.
constexpr layer_cost cost_of(const elementwise& l, const layer_inputs& in) {
  layer_cost c = in.given(l.shape, 64);
  c.other_ops = in.elements(l.shape);
  for (const tensor_shape& s : in.shapes()) c.other_ops = std::max(c.other_ops, in.elements(s));
  return c;
}

/// Inference form: a scale and a shift per channel (the first dimension).
constexpr layer_cost cost_of(const batch_norm&, const layer_inputs& in) {
  in.arity(1, 1);
  layer_cost c;
  c.out = in[0];
  c.biases = in.mul(2, u(in[0][0]));
  c.other_ops = in.mul(2, in.elements(in[0]));
  return c;
}

constexpr layer_cost cost_of(const activation&, const layer_inputs& in) {
  in.arity(1, 1);
  layer_cost c;
  c.out = in[0];
  c.other_ops = in.elements(in[0]);
  return c;
}

constexpr layer_cost cost_of(const softmax&, const layer_inputs& in) {
  in.arity(1, 1);
  layer_cost c;
  c.out = in[0];
  c.other_ops = in.mul(3, in.elements(in[0]));  // exp, sum, divide per element
  return c;
}

constexpr layer_cost cost_of(const layer_norm&, const layer_inputs& in) {
  in.arity(1, 1);
  layer_cost c;
  c.out = in[0];
  c.biases = in.mul(2, u(in[0].back()));
  c.other_ops = in.mul(5, in.elements(in[0]));  // mean, variance, normalize, scale, shift
  return c;
}

}  // namespace qutibench::shape_inference
