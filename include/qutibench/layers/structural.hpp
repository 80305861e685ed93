// Shape inference of the layers that only route or relabel data: network inputs,
// concatenations, views (flatten, reshape, slice) and networks known only by their totals.
#pragma once

#include <cstdint>
#include <limits>
#include <string>

#include "qutibench/layers/inputs.hpp"
#include "qutibench/layers/kinds.hpp"

namespace qutibench::shape_inference {

constexpr layer_cost cost_of(const input_layer& l, const layer_inputs& in) {
  in.arity(0, 0);
  in.positive(l.shape, "input shape");
  layer_cost c;
  c.out = l.shape;
  return c;
}

constexpr layer_cost cost_of(const concat& l, const layer_inputs& in) {
  in.arity(1, 64);
  layer_cost c;
  c.out = in[0];
  if (l.axis < 0 || l.axis >= c.out.rank) in.fail(error_id::rank_mismatch, "axis " + std::to_string(l.axis) + " outside rank of " + in.str());
  for (std::size_t i = 1; i < in.size(); ++i) {
    const tensor_shape& s = in[i];
    bool same = s.rank == c.out.rank;
    for (int d = 0; same && d < s.rank; ++d) same = d == l.axis || s[d] == c.out[d];
    if (!same) in.fail(error_id::shape_mismatch, "inputs " + in.str() + " differ outside axis " + std::to_string(l.axis));
    c.out[l.axis] = in.signed_add(c.out[l.axis], s[l.axis]);
  }
  return c;
}

/// A view: the output's extent must fit a signed dimension.
constexpr layer_cost cost_of(const flatten&, const layer_inputs& in) {
  in.arity(1, 1);
  layer_cost c;
  const std::uint64_t n = in.elements(in[0]);
  if (n > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) in.fail(error_id::count_overflow, "flattened size exceeds 63 bits");
  c.out = {static_cast<std::int64_t>(n)};
  c.is_view = true;
  return c;
}

constexpr layer_cost cost_of(const reshape& l, const layer_inputs& in) {
  layer_cost c = in.given(l.shape, 1);
  if (in.elements(l.shape) != in.elements(in[0]))
    in.fail(error_id::shape_mismatch, "cannot reshape " + in[0].str() + " to " + l.shape.str());
  c.is_view = true;
  return c;
}

constexpr layer_cost cost_of(const slice& l, const layer_inputs& in) {
  layer_cost c = in.given(l.shape, 1);
  if (in.elements(l.shape) > in.elements(in[0]))
    in.fail(error_id::shape_mismatch, "a slice " + l.shape.str() + " larger than its input " + in[0].str());
  c.is_view = true;
  return c;
}

constexpr layer_cost cost_of(const summary& l, const layer_inputs& in) {
  in.arity(1, 1);
  in.positive(l.out, "out");
  layer_cost c;
  c.out = l.out;
  c.macs = l.macs;
  c.weights = l.weights;
  return c;
}

}  // namespace qutibench::shape_inference
