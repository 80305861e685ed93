// Shape inference and costs of the linear layers: fully connected, the product of two
// activations, and table lookups.
#pragma once

#include <string>

#include "qutibench/layers/inputs.hpp"
#include "qutibench/layers/kinds.hpp"

namespace qutibench::shape_inference {

/// Thesis eq. 2.2 over the last dimension; a (L, D) input applies it to each of L rows.
constexpr layer_cost cost_of(const dense& l, const layer_inputs& in) {
  in.arity(1, 1);
  const tensor_shape& x = in[0];
  if (x.rank < 1 || x.rank > 2) in.fail(error_id::rank_mismatch, "dense needs a (N) or (L, D) input, got " + x.str() + "; flatten first");
  in.positive(l.out_features, "out_features");
  layer_cost c;
  c.out = x;
  c.out[x.rank - 1] = l.out_features;
  const std::uint64_t rows = x.rank == 2 ? u(x[0]) : 1;
  c.weights = in.mul({u(x.back()), u(l.out_features)});
  c.macs = in.mul(rows, c.weights);
  if (l.bias) {
    c.biases = u(l.out_features);
    c.other_ops = in.mul(rows, u(l.out_features));
  }
  return c;
}

/// Both operands are activations, so the MACs come with no weights.
constexpr layer_cost cost_of(const matmul& l, const layer_inputs& in) {
  in.arity(2, 2);
  const tensor_shape& a = in[0];
  const tensor_shape& b = in[1];
  if (a.rank != b.rank || a.rank < 2 || a.rank > 3) in.fail(error_id::rank_mismatch, "matmul needs two rank-2 or rank-3 inputs, got " + in.str());
  const int r = a.rank;
  const std::int64_t k_b = l.transpose_b ? b[r - 1] : b[r - 2];
  const std::int64_t n = l.transpose_b ? b[r - 2] : b[r - 1];
  if (a[r - 1] != k_b || (r == 3 && a[0] != b[0])) in.fail(error_id::shape_mismatch, "inputs " + in.str() + " do not multiply");
  layer_cost c;
  c.out = a;
  c.out[r - 1] = n;
  c.macs = in.mul({u(r == 3 ? a[0] : 1), u(a[r - 2]), u(a[r - 1]), u(n)});
  return c;
}

/// A lookup: the whole table counts as weights, but no MACs.
constexpr layer_cost cost_of(const embedding& l, const layer_inputs& in) {
  in.arity(1, 1);
  if (in[0].rank != 1) in.fail(error_id::rank_mismatch, "embedding needs (L) token ids, got " + in[0].str());
  in.positive(l.vocabulary, "vocabulary");
  in.positive(l.dim, "dim");
  layer_cost c;
  c.out = {in[0][0], l.dim};
  c.weights = in.mul(u(l.vocabulary), u(l.dim));
  return c;
}

}  // namespace qutibench::shape_inference
