// Transformer networks: the BERT-base encoder and GPT-2 small, the latter both as a
// prefill over a prompt and as one decode step against a KV cache.
//
//   J. Devlin, M.-W. Chang, K. Lee, K. Toutanova, "BERT: Pre-training of Deep
//   Bidirectional Transformers for Language Understanding", NAACL 2019.
//   A. Radford, J. Wu, R. Child, D. Luan, D. Amodei, I. Sutskever, "Language Models
//   are Unsupervised Multitask Learners", OpenAI technical report, 2019.
//   A. Vaswani et al., "Attention Is All You Need", NeurIPS 2017 (the block itself).
//
// Counting conventions are the library's (layer.hpp): `attention` holds the Q, K, V and
// output projections (4 D^2 weights, 4 D biases) and costs 4 L D^2 + 2 L S D MACs with
// S = L + kv_cache; every score is counted (no causal halving in a prefill); its state is
// the 2 S D keys and values it leaves behind. Layer-norm scales and shifts, and all
// biases, count as biases, not as weights, so a published parameter count corresponds to
// total.weights + total.biases.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "qutibench/error.hpp"
#include "qutibench/topology.hpp"

namespace qutibench::zoo {

namespace transformer_detail {

/// Hyper-parameters shared by the two 12-layer, 768-wide models below.
inline constexpr std::int64_t base_width = 768;
inline constexpr std::int64_t base_ffn = 3072;
inline constexpr std::uint64_t base_layers = 12;
inline constexpr std::int64_t base_heads = 12;

/// One post-layer-norm encoder block (BERT, as in Vaswani et al.): the sub-layer's
/// output is added to its input and the sum normalized. Appends to `b` after the node
/// `in` and returns the name of the block's output.
constexpr std::string post_ln_block(topology::builder& b, std::uint64_t i, std::string_view in) {
  const std::string x(in);
  b.attention(numbered("attn", i), {.heads = base_heads}, {x})
      .add(numbered("attn_add", i), {x, numbered("attn", i)})
      .layer_norm(numbered("attn_ln", i));
  const std::string y = b.last();
  b.dense(numbered("ffn_up", i), {.out_features = base_ffn})
      .activation(numbered("ffn_gelu", i), activation_kind::gelu)
      .dense(numbered("ffn_down", i), {.out_features = base_width})
      .add(numbered("ffn_add", i), {y, numbered("ffn_down", i)})
      .layer_norm(numbered("ffn_ln", i));
  return b.last();
}

/// One pre-layer-norm decoder block (GPT-2, Radford et al. Section 2.3: the layer norm
/// moved to the input of each sub-block); the residual path itself is never normalized.
/// `kv_cache` earlier tokens are attended to as well. Returns the block's output name.
constexpr std::string pre_ln_block(topology::builder& b, std::uint64_t i, std::string_view in, std::int64_t kv_cache) {
  const std::string x(in);
  b.layer_norm(numbered("ln_attn", i), {x})
      .attention(numbered("attn", i), {.heads = base_heads, .kv_cache = kv_cache})
      .add(numbered("attn_add", i), {x, numbered("attn", i)});
  const std::string y = b.last();
  b.layer_norm(numbered("ln_ffn", i))
      .dense(numbered("ffn_up", i), {.out_features = base_ffn})
      .activation(numbered("ffn_gelu", i), activation_kind::gelu)
      .dense(numbered("ffn_down", i), {.out_features = base_width})
      .add(numbered("ffn_add", i), {y, numbered("ffn_down", i)});
  return b.last();
}

/// GPT-2 small over `tokens` new tokens of which the first sits at position `kv_cache`
/// (0 for a prefill): token ids and their position ids are the two inputs.
constexpr topology gpt2_small(std::string_view name, std::int64_t tokens, std::int64_t kv_cache) {
  constexpr std::int64_t vocabulary = 50257, positions = 1024;
  // The learned position table has 1024 rows: a longer context has no position to look up.
  // (Written without tokens + kv_cache, which could overflow; nonpositive sizes are left
  // to the layers' own checks.)
  if (tokens > 0 && kv_cache >= 0 && kv_cache > positions - tokens)
    throw spec_error(error_id::shape_mismatch, "topology '" + std::string(name) + "'",
                     numbered("", static_cast<std::uint64_t>(tokens)) + " tokens after " +
                         numbered("", static_cast<std::uint64_t>(kv_cache)) +
                         " cached ones exceed GPT-2's 1024 learned positions");
  topology::builder b(name, {tokens}, "tokens");
  b.input("positions", {tokens})
      .embedding("token_embedding", {.vocabulary = vocabulary, .dim = base_width}, {"tokens"})
      .embedding("position_embedding", {.vocabulary = positions, .dim = base_width}, {"positions"})
      .add("embedding_sum", {"token_embedding", "position_embedding"});
  std::string x = b.last();
  for (std::uint64_t i = 1; i <= base_layers; ++i) x = pre_ln_block(b, i, x, kv_cache);
  // LM head. In the released model its matrix is the token embedding, transposed
  // (weight tying). The library has no notion of shared weights, so the head is an
  // ordinary bias-free dense layer and its 50257 x 768 matrix IS counted a second time
  // in total.weights: that is the matrix the head streams in per step, and its MACs are
  // real, but the model's stored unique parameters are total.weights + total.biases
  // minus 50257 x 768 (= 124,439,808, the "124M" checkpoint).
  b.layer_norm("final_ln", {x}).dense("lm_head", {.out_features = vocabulary, .bias = false});
  return b.build();
}

}  // namespace transformer_detail

/// BERT-base (Devlin et al. 2019, Section 3 and Appendix A.2: L=12, H=768, A=12, FFN
/// 4H = 3072, GELU) over `sequence` tokens. Inputs: token ids "tokens", position ids "positions" and segment
/// (token-type) ids "segments", each (sequence); the sum of the three embeddings is
/// layer-normalized and fed through 12 post-layer-norm blocks; output (sequence, 768).
/// The pooler (dense 768 + tanh on the [CLS] token) and the pre-training heads are NOT
/// modelled: the library has no layer that selects one token out of (L, D), and a dense
/// over all L tokens would charge L times the pooler's MACs. Its 768 x 768 weights and
/// 768 biases (590,592 parameters) are the difference to the published 110M.
constexpr topology bert_base(std::int64_t sequence = 128) {
  constexpr std::int64_t vocabulary = 30522, positions = 512, segments = 2;
  // BERT learned 512 position embeddings: longer sequences have no position to look up.
  if (sequence > positions)
    throw spec_error(error_id::shape_mismatch, "topology 'bert-base'",
                     "sequence of " + numbered("", static_cast<std::uint64_t>(sequence)) +
                         " tokens exceeds BERT's 512 learned positions");
  topology::builder b("bert-base", {sequence}, "tokens");
  b.input("positions", {sequence})
      .input("segments", {sequence})
      .embedding("token_embedding", {.vocabulary = vocabulary, .dim = transformer_detail::base_width}, {"tokens"})
      .embedding("position_embedding", {.vocabulary = positions, .dim = transformer_detail::base_width}, {"positions"})
      .embedding("segment_embedding", {.vocabulary = segments, .dim = transformer_detail::base_width}, {"segments"})
      .add("embedding_sum", {"token_embedding", "position_embedding", "segment_embedding"})
      .layer_norm("embedding_ln");
  std::string x = b.last();
  for (std::uint64_t i = 1; i <= transformer_detail::base_layers; ++i) x = transformer_detail::post_ln_block(b, i, x);
  return b.build();
}

/// GPT-2 small (Radford et al. 2019, the 12-layer, 768-wide model; vocabulary 50257,
/// 1024 positions) processing a prompt of `tokens` tokens in one pass (prefill): every
/// token attends to every token (the causal mask is not exploited in the count), and the
/// LM head produces logits for every position, output (tokens, 50257). The attention
/// layers' state is the KV cache the prompt leaves for decoding.
constexpr topology gpt2_small_prefill(std::int64_t tokens = 128) {
  return transformer_detail::gpt2_small("gpt2-small-prefill", tokens, 0);
}

/// One GPT-2 small decode step: a single new token (L = 1, at position `context`)
/// attending to itself and `context` cached tokens, output (1, 50257). Weights are the
/// prefill's; MACs are per token, so a step is about `context` times cheaper than a
/// prefill of the same context, and each attention layer's state is the 2 (context + 1)
/// x 768 keys and values of the grown cache.
constexpr topology gpt2_small_decode(std::int64_t context = 128) {
  return transformer_detail::gpt2_small("gpt2-small-decode", 1, context);
}

}  // namespace qutibench::zoo
