// Whether a decoder LLM fits a device's memory: its stored weights, the KV cache of a
// batch at a context, and the peak live activations of a step, against the capacity; and
// the largest batch for a context or context for a batch that fit.
#pragma once

#include <algorithm>
#include <cmath>
#include <optional>

#include "qutibench/llm/decoder.hpp"
#include "qutibench/llm/formats.hpp"
#include "qutibench/llm/phases.hpp"

namespace qutibench::llm {

/// Bytes of the MLPs' matrices over the blocks, every expert's (what expert parallelism
/// splits in a mixture of experts).
inline double mlp_weight_bytes(const decoder& d, const tensor_formats& f) {
  const auto h = static_cast<double>(d.hidden), i = static_cast<double>(d.intermediate), e = static_cast<double>(d.experts);
  const auto over_blocks = [&](tensor_role r) { return h * i * detail::bits_over_blocks(f.weights, r, d.layers) / 8; };
  return e * (over_blocks(tensor_role::mlp_up) + over_blocks(tensor_role::mlp_down) + (d.mlp == mlp_kind::gated ? over_blocks(tensor_role::mlp_gate) : 0));
}

/// Bytes of the stored weights: every parameter at its format's bits per element (a
/// K-quant mix per tensor), every expert, a tied table once; norms and biases in the
/// activations' datatype.
inline double weight_storage_bytes(const decoder& d, const tensor_formats& f) {
  const parameter_counts p = parameters(d);
  const std::int64_t n = d.layers;
  const auto h = static_cast<double>(d.hidden), i = static_cast<double>(d.intermediate), v = static_cast<double>(d.vocabulary);
  const double q = static_cast<double>(d.heads * d.head_dim), kv = static_cast<double>(d.kv_heads * d.head_dim);
  const double e = static_cast<double>(d.experts), act = static_cast<double>(f.activations.bits) / 8;
  auto over_blocks = [&](tensor_role r, double elements) { return elements * detail::bits_over_blocks(f.weights, r, n) / 8; };
  double matrices = over_blocks(tensor_role::attn_q, h * q) + over_blocks(tensor_role::attn_k, h * kv) +
                    over_blocks(tensor_role::attn_v, h * kv) + over_blocks(tensor_role::attn_o, q * h) + mlp_weight_bytes(d, f);
  if (d.experts > 1) matrices += over_blocks(tensor_role::router, h * e);
  const double table = v * h * weight_bits(f.weights, tensor_role::embedding, 0, n) / 8;
  const double positions = d.position == position_kind::learned ? static_cast<double>(d.max_positions) * h * weight_bits(f.weights, tensor_role::embedding, 0, n) / 8 : 0;
  const double head = d.tied_embeddings ? 0 : v * h * weight_bits(f.weights, tensor_role::lm_head, 0, n) / 8;
  // What remains of the parameter count is norms and biases.
  const double weights_counted = static_cast<double>(n) * (2 * h * q + 2 * h * kv + e * (d.mlp == mlp_kind::gated ? 3 : 2) * h * i +
                                                           (d.experts > 1 ? h * e : 0)) +
                                 v * h + (d.position == position_kind::learned ? static_cast<double>(d.max_positions) * h : 0) +
                                 (d.tied_embeddings ? 0 : v * h);
  const double small = std::max(0.0, static_cast<double>(p.total) - weights_counted) * act;
  return matrices + table + positions + head + small;
}

/// The KV cache of `batch` sequences of `context` tokens each.
inline double kv_cache_bytes(const decoder& d, const tensor_formats& f, double batch, double context) {
  return batch * context * 2 * static_cast<double>(d.kv_heads * d.head_dim) * static_cast<double>(d.layers) * f.kv.bits / 8;
}

/// The activations live at once in a step's widest operation: the residual stream and
/// its normalized copy beside the widest projection's output (QKV, or the MLP's up
/// projections), plus one block's scores when attention is not fused.
inline double peak_activation_bytes(const decoder& d, const tensor_formats& f, const step& s) {
  const double rows = s.batch * s.tokens, act = static_cast<double>(f.activations.bits) / 8;
  const auto h = static_cast<double>(d.hidden), i = static_cast<double>(d.intermediate);
  const double qkv = (static_cast<double>(d.heads) + 2 * static_cast<double>(d.kv_heads)) * static_cast<double>(d.head_dim);
  const double up = static_cast<double>(d.experts_per_token) * (d.mlp == mlp_kind::gated ? 2 : 1) * i;
  double bytes = rows * (2 * h + std::max(qkv, up)) * act;
  if (!s.fused_attention) bytes += s.batch * static_cast<double>(d.heads) * s.tokens * (s.context + s.tokens) * act;
  return bytes;
}

/// A step's memory against `capacity` bytes: the KV cache holds context + tokens per sequence.
struct memory_fit {
  double weights = 0, kv_cache = 0, activations = 0, capacity = 0;
  double total() const { return weights + kv_cache + activations; }
  bool fits() const { return total() <= capacity; }
  double shortfall() const { return std::max(0.0, total() - capacity); }
};

inline memory_fit fit(const decoder& d, const tensor_formats& f, const step& s, double capacity) {
  return {weight_storage_bytes(d, f), kv_cache_bytes(d, f, s.batch, s.context + s.tokens), peak_activation_bytes(d, f, s), capacity};
}

/// The largest batch whose KV cache at `context` tokens and decode activations fit beside
/// the weights; none if even one sequence does not.
inline std::optional<double> max_batch(const decoder& d, const tensor_formats& f, double context, double capacity) {
  const double room = capacity - weight_storage_bytes(d, f);
  const double per_sequence = kv_cache_bytes(d, f, 1, context) + peak_activation_bytes(d, f, {.batch = 1, .tokens = 1, .context = context});
  if (!(room >= per_sequence)) return std::nullopt;
  return std::floor(room / per_sequence);
}

/// The longest context (tokens per sequence) whose KV cache for `batch` sequences fits
/// beside the weights and one decode step's activations; none if no token fits.
inline std::optional<double> max_context(const decoder& d, const tensor_formats& f, double batch, double capacity) {
  const double room = capacity - weight_storage_bytes(d, f) - peak_activation_bytes(d, f, {.batch = batch, .tokens = 1, .context = 0});
  const double per_token = kv_cache_bytes(d, f, batch, 1);
  if (!(room >= per_token)) return std::nullopt;
  return std::floor(room / per_token);
}

}  // namespace qutibench::llm
