// What one forward step of a decoder LLM requires, per operation: a prefill of P prompt
// tokens, or a decode step of one token per sequence against a KV cache. The counts are
// level-0 requirements in the thesis's sense (compute and memory per datatype), for the
// step's batch, ready for a roofline over a platform's peaks and bandwidth. Conventions
// in docs/llm.md.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>

#include <boost/container/static_vector.hpp>

#include "qutibench/datatype.hpp"
#include "qutibench/error.hpp"
#include "qutibench/llm/decoder.hpp"
#include "qutibench/llm/formats.hpp"

namespace qutibench::llm {

/// The formats of a model's tensors: weights (stored, and multiplied natively or after
/// dequantization), activations (the datatype products run in when the weights' format
/// has none), and the KV cache.
struct tensor_formats {
  storage_format weights = storage_formats[0];
  datatype activations = datatypes::fp16;
  storage_format kv = storage_formats[0];
};

/// One step: `batch` sequences, each adding `tokens` tokens after `context` cached ones.
/// A prefill is tokens = P, context = 0; a decode step tokens = 1. `context` may be
/// fractional: the attention costs are linear in it, so a decode of O tokens after a
/// prompt of P costs O - 1 steps (the prefill gives the first) at the mean context
/// P + (O - 2) / 2.
struct step {
  double batch = 1;
  double tokens = 1;
  double context = 0;
  bool fused_attention = true;  ///< scores stay on chip (FlashAttention-style); otherwise written and read back
};

/// An operation's share under tensor parallelism (Megatron-LM): `whole` on every device
/// (lookups, norms, rotary, the router), `columns` split by its outputs (the Q/K/V and MLP
/// up projections, attention's heads, the KV cache written, the LM head), `depth` by its
/// reduction (the row-parallel output and down projections).
enum class tp_share : std::uint8_t { whole, columns, depth };

/// Requirements of one operation summed over the blocks that repeat it. Counts are doubles:
/// bytes come from fractional bits per element (4.5), and a mean context is fractional.
struct operation {
  std::string_view name;        ///< a literal: steps are evaluated millions of times in sweeps
  std::int64_t blocks = 1;      ///< 1, or the layers that each run it
  double macs = 0;              ///< multiply-accumulates (ops = 2 x MACs)
  bool weight_product = false;  ///< the MACs multiply weights (weights' format) rather than two activations
  /// A weight product as one block's GEMM (rows of tokens x depth x columns of outputs),
  /// the shape an engine's tiles fill.
  double rows = 0, depth = 0, columns = 0;
  double other_ops = 0;         ///< element-wise work (norms, rotary, softmax, gating, residuals)
  double weight_bytes = 0;      ///< weights read in this step
  double kv_read_bytes = 0;
  double kv_write_bytes = 0;
  double activation_bytes = 0;  ///< activations read and written off chip
  /// How tensor parallelism shares it (llm/parallel.hpp's shard): marked where the
  /// operation is made, so that a sweep's millions of shards compare no names.
  tp_share share = tp_share::whole;
  bool lookup = false;  ///< reads table rows per token (the embeddings)
  bool mlp = false;     ///< the MLP's projections: a mixture of experts' expert work
};

/// A step has at most 12 operations (a MoE with learned positions); held in place, so a
/// sweep's millions of steps allocate nothing.
inline constexpr std::size_t max_operations = 16;

struct step_requirements {
  boost::container::static_vector<operation, max_operations> operations;
  double macs = 0, weight_macs = 0, other_ops = 0;
  double weight_bytes = 0, kv_read_bytes = 0, kv_write_bytes = 0, activation_bytes = 0;
  double bytes() const { return weight_bytes + kv_read_bytes + kv_write_bytes + activation_bytes; }
};

namespace detail {

inline void check_step(const decoder& d, const step& s) {
  const std::string where = "LLM step";
  if (!(s.batch >= 1 && s.batch <= 1e9)) throw spec_error(error_id::invalid_value, where, "batch must be from 1 to 1e9, got " + shown_number(s.batch));
  if (!(s.tokens >= 1 && s.tokens <= 1e9)) throw spec_error(error_id::invalid_value, where, "tokens must be from 1 to 1e9, got " + shown_number(s.tokens));
  // A request's prompt and output are each up to 1e9 tokens: its last step sees both.
  if (!(s.context >= 0 && s.context <= 2e9)) throw spec_error(error_id::invalid_value, where, "context must be from 0 to 2e9, got " + shown_number(s.context));
  if (d.layers <= 0 || d.hidden <= 0 || d.heads <= 0 || d.kv_heads <= 0 || d.head_dim <= 0 || d.intermediate <= 0 || d.vocabulary <= 0)
    throw spec_error(error_id::nonpositive_dimension, where, "the decoder's dimensions must be positive");
}

/// Bits of a weight of `role` summed over all blocks (a K-quant mix differs per block),
/// counted in closed form: a config may claim 2^31 layers.
inline double bits_over_blocks(const storage_format& f, tensor_role role, std::int64_t layers) {
  const auto n = static_cast<double>(layers);
  if (f.more_bits == 0 || (role != tensor_role::attn_v && role != tensor_role::mlp_down)) return n * weight_bits(f, role, 0, layers);
  // more_bits_layer: the first eighth, the last eighth, every third layer between.
  const std::int64_t first = layers / 8, last = 7 * layers / 8;
  const auto wide = static_cast<double>(first + (layers - last) + (last - first) / 3);
  return wide * f.more_bits + (n - wide) * f.bits;
}

}  // namespace detail

/// The expected number of distinct experts `rows` tokens route to, each picking k of E
/// uniformly: E (1 - (1 - k/E)^rows). A decode step reads only those experts' weights.
inline double experts_touched(const decoder& d, double rows) {
  if (d.experts <= 1) return 1;
  const auto e = static_cast<double>(d.experts), k = static_cast<double>(d.experts_per_token);
  return e * (1 - std::pow(1 - k / e, rows));
}

/// The operations of one step, in execution order, with the blocks' operations summed over
/// the blocks. The LM head runs for one token per sequence (engines compute the next
/// token's logits only); norm parameters are read in the activations' datatype.
inline step_requirements requirements(const decoder& d, const tensor_formats& f, const step& s) {
  detail::check_step(d, s);
  const double b = s.batch, t = s.tokens, rows = b * t;
  const auto h = static_cast<double>(d.hidden), layers = static_cast<double>(d.layers);
  const double q = static_cast<double>(d.heads * d.head_dim), kv = static_cast<double>(d.kv_heads * d.head_dim);
  const double i = static_cast<double>(d.intermediate), v = static_cast<double>(d.vocabulary);
  const double act = static_cast<double>(f.activations.bits) / 8, kv_bytes = f.kv.bits / 8;
  const std::int64_t n = d.layers;
  auto wbytes = [&](tensor_role r, double elements_per_block) { return elements_per_block * detail::bits_over_blocks(f.weights, r, n) / 8; };
  // Keys each new token attends to under the causal mask: token k (0-based) sees context + k + 1.
  const double keys = t * s.context + t * (t + 1) / 2;
  const double norm_ops = d.norm == norm_kind::layer ? 5 : 3;  // LayerNorm as conventions.md; RMSNorm: square-sum, scale, multiply
  const double norm_params = d.norm == norm_kind::layer ? 2 * h : h;

  step_requirements r;
  auto add = [&](operation o) { r.operations.push_back(std::move(o)); };
  add({.name = "embedding", .weight_bytes = rows * h * weight_bits(f.weights, tensor_role::embedding, 0, n) / 8,
       .activation_bytes = rows * h * act, .lookup = true});
  if (d.position == position_kind::learned)  // a row of the position table per token, added to the token's
    add({.name = "position_embedding", .other_ops = rows * h, .weight_bytes = rows * h * weight_bits(f.weights, tensor_role::embedding, 0, n) / 8,
         .activation_bytes = rows * h * act, .lookup = true});
  const double norms = static_cast<double>(d.norms_per_block);
  add({.name = "norms", .blocks = n, .other_ops = layers * norms * norm_ops * rows * h, .weight_bytes = layers * norms * norm_params * act,
       .activation_bytes = layers * norms * 2 * rows * h * act});
  const double qkv_bias = d.qkv_bias ? q + 2 * kv : 0;
  add({.name = "attn_qkv", .blocks = n, .macs = layers * rows * h * (q + 2 * kv), .weight_product = true, .rows = rows, .depth = h,
       .columns = q + 2 * kv,
       .other_ops = layers * rows * qkv_bias,
       .weight_bytes = wbytes(tensor_role::attn_q, h * q) + wbytes(tensor_role::attn_k, h * kv) + wbytes(tensor_role::attn_v, h * kv) +
                       layers * qkv_bias * act,
       .activation_bytes = layers * rows * (h + q + 2 * kv) * act, .share = tp_share::columns});
  if (d.position == position_kind::rotary)  // a rotation per pair: two multiplies and an add per element
    add({.name = "rotary", .blocks = n,
         .other_ops = layers * 3 * rows * (static_cast<double>(d.heads) + static_cast<double>(d.kv_heads)) * static_cast<double>(d.rotary_dim)});
  add({.name = "kv_write", .blocks = n, .kv_write_bytes = layers * rows * 2 * kv * kv_bytes, .share = tp_share::columns});
  // Scores Q K^T and context P V: head_dim MACs per head per key each; softmax 3 per score.
  const double scores = layers * b * static_cast<double>(d.heads) * keys;
  add({.name = "attention", .blocks = n, .macs = 2 * scores * static_cast<double>(d.head_dim), .other_ops = 3 * scores,
       .kv_read_bytes = layers * b * (s.context + t) * 2 * kv * kv_bytes,
       .activation_bytes = s.fused_attention ? 0 : 3 * scores * act, .share = tp_share::columns});
  add({.name = "attn_out", .blocks = n, .macs = layers * rows * q * h, .weight_product = true, .rows = rows, .depth = q, .columns = h,
       .other_ops = layers * rows * (d.out_bias ? h : 0) + layers * rows * h,  // bias, residual add
       .weight_bytes = wbytes(tensor_role::attn_o, q * h) + (d.out_bias ? layers * h * act : 0),
       .activation_bytes = layers * rows * (q + 2 * h) * act, .share = tp_share::depth});
  // The MLP: per token experts_per_token experts; the step reads the experts it touches.
  const double k = static_cast<double>(d.experts_per_token), touched = experts_touched(d, rows);
  if (d.experts > 1)
    add({.name = "router", .blocks = n, .macs = layers * rows * h * static_cast<double>(d.experts), .weight_product = true, .rows = rows,
         .depth = h, .columns = static_cast<double>(d.experts),
         .other_ops = layers * rows * static_cast<double>(d.experts) * 3,  // softmax over the experts (top-k selection folded in)
         .weight_bytes = layers * h * static_cast<double>(d.experts) * weight_bits(f.weights, tensor_role::router, 0, n) / 8});
  const bool gated = d.mlp == mlp_kind::gated;
  const double up_rows = gated ? 2 : 1;
  const double up_bits = gated ? detail::bits_over_blocks(f.weights, tensor_role::mlp_gate, n) + detail::bits_over_blocks(f.weights, tensor_role::mlp_up, n)
                               : detail::bits_over_blocks(f.weights, tensor_role::mlp_up, n);
  // Each expert's GEMM takes the rows routed to it: rows x k spread over those touched.
  const double expert_rows = rows * k / touched;
  add({.name = gated ? "mlp_gate_up" : "mlp_up", .blocks = n, .macs = layers * rows * k * up_rows * h * i, .weight_product = true,
       .rows = expert_rows, .depth = h, .columns = up_rows * i,
       .other_ops = layers * rows * k * (i * (gated ? 2 : 1) + (d.mlp_bias ? up_rows * i : 0)),  // activation (and gating multiply), bias
       .weight_bytes = touched * h * i * up_bits / 8 + (d.mlp_bias ? touched * layers * up_rows * i * act : 0),
       .activation_bytes = layers * rows * (h + k * up_rows * i) * act, .share = tp_share::columns, .mlp = true});
  add({.name = "mlp_down", .blocks = n, .macs = layers * rows * k * i * h, .weight_product = true, .rows = expert_rows, .depth = i,
       .columns = h,
       .other_ops = layers * rows * (k * (d.mlp_bias ? h : 0) + (k - 1) * h + h),  // bias, expert mix, residual add
       .weight_bytes = touched * wbytes(tensor_role::mlp_down, i * h) + (d.mlp_bias ? touched * layers * h * act : 0),
       .activation_bytes = layers * rows * (k * i + 2 * h) * act, .share = tp_share::depth, .mlp = true});
  add({.name = "final_norm", .other_ops = norm_ops * b * h, .weight_bytes = norm_params * act, .activation_bytes = 2 * b * h * act});
  add({.name = "lm_head", .macs = b * h * v, .weight_product = true, .rows = b, .depth = h, .columns = v, .other_ops = d.lm_head_bias ? b * v : 0,
       .weight_bytes = h * v * weight_bits(f.weights, d.tied_embeddings ? tensor_role::embedding : tensor_role::lm_head, 0, n) / 8 +
                       (d.lm_head_bias ? v * act : 0),
       .activation_bytes = b * (h + v) * act, .share = tp_share::columns});
  for (const operation& o : r.operations) {
    r.macs += o.macs;
    if (o.weight_product) r.weight_macs += o.macs;
    r.other_ops += o.other_ops;
    r.weight_bytes += o.weight_bytes;
    r.kv_read_bytes += o.kv_read_bytes;
    r.kv_write_bytes += o.kv_write_bytes;
    r.activation_bytes += o.activation_bytes;
  }
  return r;
}

}  // namespace qutibench::llm
