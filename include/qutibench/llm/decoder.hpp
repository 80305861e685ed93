// A decoder-only language model (Llama, Mistral, Mixtral, Qwen2, GPT-2, GPT-J, GPT-NeoX,
// Phi) as the facts its Hugging Face config.json gives and its architecture fixes, and
// its exact parameter counts. io/llm_config.hpp reads a config.json into one; the zoo's
// LLM ids are config files under data/llm/ (docs/llm.md).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "qutibench/checked.hpp"

namespace qutibench::llm {

/// RMSNorm holds a scale per feature; LayerNorm a scale and a shift.
enum class norm_kind { rms, layer };
/// Gated (SwiGLU, GeGLU: gate, up and down projections) or plain (up, activation, down).
enum class mlp_kind { gated, plain };
/// Rotary embeddings (no parameters) or a learned table of positions (GPT-2).
enum class position_kind { rotary, learned };

/// The shape of a decoder. Attention has `heads` query heads and `kv_heads` key/value
/// heads of `head_dim` each (MHA: equal; GQA: fewer; MQA: one). With `experts` > 1 each
/// block's MLP is a mixture of experts of `intermediate` width each, `experts_per_token`
/// of them run per token, chosen by a bias-free router (Mixtral).
struct decoder {
  std::string family;  ///< config.json's model_type: llama, mistral, mixtral, qwen2, gpt2, gptj, gpt_neox, phi, phi3
  std::int64_t hidden = 0;
  std::int64_t intermediate = 0;  ///< the MLP's inner width (per expert)
  std::int64_t layers = 0;
  std::int64_t heads = 0;
  std::int64_t kv_heads = 0;
  std::int64_t head_dim = 0;
  std::int64_t vocabulary = 0;
  std::int64_t max_positions = 0;  ///< the longest context it was trained for
  norm_kind norm = norm_kind::rms;
  int norms_per_block = 2;  ///< 2 (before attention and before the MLP); 1 where both read one norm (GPT-J, Phi-2)
  mlp_kind mlp = mlp_kind::gated;
  position_kind position = position_kind::rotary;
  std::int64_t rotary_dim = 0;  ///< dims per head that rotate: head_dim, or fewer (GPT-J 64 of 256)
  bool parallel_block = false;  ///< attention and MLP read the same input and add to one residual (GPT-J, NeoX, Phi-2)
  bool qkv_bias = false;        ///< biases on the query, key and value projections (Qwen2, GPT-2, NeoX, Phi-2)
  bool out_bias = false;        ///< a bias on the attention's output projection
  bool mlp_bias = false;
  bool lm_head_bias = false;
  bool tied_embeddings = false;  ///< the LM head is the token table, stored (and counted) once
  std::int64_t experts = 1;
  std::int64_t experts_per_token = 1;
};

/// Parameters by part; `total` is what the checkpoint stores (tied tables once, every
/// expert), `active` what one token's forward pass reads (experts_per_token experts).
struct parameter_counts {
  std::uint64_t embedding = 0;  ///< token table, and the position table if learned
  std::uint64_t attention = 0;  ///< all blocks: projections and their biases
  std::uint64_t mlp = 0;        ///< all blocks: every expert, and the routers
  std::uint64_t norms = 0;      ///< all blocks' norms and the final one
  std::uint64_t lm_head = 0;    ///< 0 when tied
  std::uint64_t total = 0;
  std::uint64_t active = 0;
};

/// One block's MLP parameters for `experts` experts (and a router when there is a choice).
constexpr std::uint64_t mlp_parameters(const decoder& d, std::uint64_t experts, std::string_view where) {
  const auto h = static_cast<std::uint64_t>(d.hidden), i = static_cast<std::uint64_t>(d.intermediate);
  const std::uint64_t matrices = d.mlp == mlp_kind::gated ? 3 : 2;
  std::uint64_t one = checked_mul({matrices, h, i}, where);
  if (d.mlp_bias) one = checked_add(one, checked_add(checked_mul(matrices - 1, i, where), h, where), where);
  const std::uint64_t router = d.experts > 1 ? checked_mul(h, static_cast<std::uint64_t>(d.experts), where) : 0;
  return checked_add(checked_mul(one, experts, where), router, where);
}

/// Exact counts from the shape: every projection is a matrix (in x out), biases and norm
/// parameters included; throws spec_error 206 if a count passes 64 bits.
constexpr parameter_counts parameters(const decoder& d) {
  const std::string_view where = "decoder";
  const auto h = static_cast<std::uint64_t>(d.hidden), v = static_cast<std::uint64_t>(d.vocabulary);
  const auto q = checked_mul(static_cast<std::uint64_t>(d.heads), static_cast<std::uint64_t>(d.head_dim), where);
  const auto kv = checked_mul(static_cast<std::uint64_t>(d.kv_heads), static_cast<std::uint64_t>(d.head_dim), where);
  const auto layers = static_cast<std::uint64_t>(d.layers);
  const std::uint64_t norm = d.norm == norm_kind::layer ? checked_mul(2, h, where) : h;

  parameter_counts p;
  p.embedding = checked_mul(v, h, where);
  if (d.position == position_kind::learned)
    p.embedding = checked_add(p.embedding, checked_mul(static_cast<std::uint64_t>(d.max_positions), h, where), where);
  // Q (h x q), K and V (h x kv each), output (q x h).
  std::uint64_t attention = checked_add(checked_mul({2, h, q}, where), checked_mul({2, h, kv}, where), where);
  if (d.qkv_bias) attention = checked_add(attention, checked_add(q, checked_mul(2, kv, where), where), where);
  if (d.out_bias) attention = checked_add(attention, h, where);
  p.attention = checked_mul(attention, layers, where);
  p.mlp = checked_mul(mlp_parameters(d, static_cast<std::uint64_t>(d.experts), where), layers, where);
  p.norms = checked_add(checked_mul({static_cast<std::uint64_t>(d.norms_per_block), norm, layers}, where), norm, where);
  p.lm_head = d.tied_embeddings ? 0 : checked_mul(v, h, where);
  if (d.lm_head_bias) p.lm_head = checked_add(p.lm_head, v, where);
  for (std::uint64_t part : {p.embedding, p.attention, p.mlp, p.norms, p.lm_head}) p.total = checked_add(p.total, part, where);
  const std::uint64_t active_mlp = checked_mul(mlp_parameters(d, static_cast<std::uint64_t>(d.experts_per_token), where), layers, where);
  p.active = p.total - p.mlp + active_mlp;
  return p;
}

}  // namespace qutibench::llm
