// Shape inference and costs of the sequence layers on (L, D): recurrent cells and
// multi-head self-attention, the layers that keep state between steps.
#pragma once

#include <string>

#include "qutibench/layers/inputs.hpp"
#include "qutibench/layers/kinds.hpp"

namespace qutibench::shape_inference {

constexpr layer_cost cost_of(const recurrent& l, const layer_inputs& in) {
  in.arity(1, 1);
  const tensor_shape& x = in[0];
  if (x.rank != 2) in.fail(error_id::rank_mismatch, "recurrent layers need an (L, D) sequence, got " + x.str());
  in.positive(l.hidden, "hidden");
  const std::uint64_t gates = l.cell == recurrent_cell::lstm ? 4 : 3;
  const std::uint64_t h = u(l.hidden);
  layer_cost c;
  c.out = l.return_sequences ? tensor_shape{x[0], l.hidden} : tensor_shape{l.hidden};
  c.weights = in.mul(in.mul(gates, h), in.add(u(x[1]), h));
  c.macs = in.mul(u(x[0]), c.weights);
  if (l.bias) c.biases = in.mul(gates, h);
  c.state = l.cell == recurrent_cell::lstm ? in.mul(2, h) : h;  // (h, c) or h
  // per step: one nonlinearity per gate value plus the cell update (LSTM 3H, GRU 3H)
  c.other_ops = in.mul(u(x[0]), in.mul(gates + 3, h));
  return c;
}

constexpr layer_cost cost_of(const attention& l, const layer_inputs& in) {
  in.arity(1, 1);
  const tensor_shape& x = in[0];
  if (x.rank != 2) in.fail(error_id::rank_mismatch, "attention needs an (L, D) sequence, got " + x.str());
  in.positive(l.heads, "heads");
  if (l.kv_cache < 0) in.fail(error_id::nonpositive_dimension, "kv_cache must be >= 0");
  if (x[1] % l.heads != 0) in.fail(error_id::shape_mismatch, "heads " + std::to_string(l.heads) + " must divide width " + std::to_string(x[1]));
  const std::uint64_t len = u(x[0]), d = u(x[1]), keys = in.add(len, u(l.kv_cache));
  layer_cost c;
  c.out = x;
  c.weights = in.mul({4, d, d});                 // Q, K, V, output projections
  c.macs = in.add(in.mul(len, c.weights),        // projections of the new tokens
                  in.mul({2, len, keys, d}));    // Q.K^T scores and scores.V over all heads
  if (l.bias) c.biases = in.mul(4, d);
  c.state = in.mul({2, keys, d});                // the KV cache after this step
  c.other_ops = in.mul({3, u(l.heads), len, keys});  // softmax over every score
  return c;
}

}  // namespace qutibench::shape_inference
