// Counts that cannot wrap silently: a GPT-3-sized decoder at batch 1024 gets exact totals,
// and a count beyond 64 bits is a clear error (spec_error 206).
#include <catch2/catch.hpp>

#include "qutibench/requirements.hpp"
#include "qutibench/topology.hpp"

using namespace qutibench;

namespace {
// GPT-3 175B (Brown et al. 2020, Table 2.1): 96 pre-layer-norm blocks, d_model 12288,
// 96 heads, FFN 4 x d_model, context 2048, vocabulary 50257 (GPT-2's BPE).
constexpr std::uint64_t layers = 96, d = 12288, ffn = 4 * d, seq = 2048, vocab = 50257;

topology gpt3() {
  topology::builder b("gpt3-175b", {static_cast<std::int64_t>(seq)}, "tokens");
  b.input("positions", {static_cast<std::int64_t>(seq)})
      .embedding("token_embedding", {.vocabulary = vocab, .dim = d}, {"tokens"})
      .embedding("position_embedding", {.vocabulary = seq, .dim = d}, {"positions"})
      .add("embedding_sum", {"token_embedding", "position_embedding"});
  std::string x = b.last();
  for (std::uint64_t i = 1; i <= layers; ++i) {
    b.layer_norm(numbered("ln_attn", i), {x})
        .attention(numbered("attn", i), {.heads = 96})
        .add(numbered("attn_add", i), {x, numbered("attn", i)});
    const std::string y = b.last();
    b.layer_norm(numbered("ln_ffn", i))
        .dense(numbered("ffn_up", i), {.out_features = static_cast<std::int64_t>(ffn)})
        .activation(numbered("ffn_gelu", i), activation_kind::gelu)
        .dense(numbered("ffn_down", i), {.out_features = static_cast<std::int64_t>(d)})
        .add(numbered("ffn_add", i), {y, numbered("ffn_down", i)});
    x = b.last();
  }
  b.layer_norm("final_ln", {x}).dense("lm_head", {.out_features = static_cast<std::int64_t>(vocab), .bias = false});
  return b.build();
}
}  // namespace

TEST_CASE("large models: GPT-3 175B at batch 1024 and sequence 2048 has exact totals", "[requirements][overflow]") {
  const topology net = gpt3();
  const std::uint64_t batch = 1024;
  const network_requirements r = requirements(net, precision::uniform(datatypes::fp16), batch_size{batch});
  // Closed form (docs/conventions.md): per block 4 d^2 attention + 2 d ffn weights; two
  // embedding tables and the untied LM head.
  const std::uint64_t weights = layers * (4 * d * d + 2 * d * ffn) + vocab * d + seq * d + d * vocab;
  CHECK(weights == 175'206'457'344ULL);  // "175B"
  CHECK(r.total.weights.value() == weights);
  // Biases: attention 4 d, two layer norms 2 x 2 d, FFN ffn + d per block; the final layer norm 2 d.
  CHECK(r.total.biases.value() == layers * (4 * d + 4 * d + ffn + d) + 2 * d);
  // MACs per input: projections L x 4 d^2, scores and context 2 L^2 d, FFN 2 L d ffn per
  // block, and the head L d V; ops = 2 x MACs x batch = 7.52e17, within 64 bits.
  const std::uint64_t macs = layers * (seq * 4 * d * d + 2 * seq * seq * d + 2 * seq * d * ffn) + seq * d * vocab;
  CHECK(r.total.ops.value() == 2 * macs * batch);
  CHECK(r.total.ops.value() == 752'439'564'013'928'448ULL);  // 2 x 367,402,130,866,176 x 1024
  // The KV cache every attention layer keeps: 2 x L x d per input.
  CHECK(r.total.state.value() == layers * 2 * seq * d * batch);
  CHECK(r.total.weight_bytes.value() == 2.0 * static_cast<double>(weights));
}

TEST_CASE("large models: a count beyond 64 bits is a clear error, not a wrapped number", "[requirements][overflow]") {
  const topology net = gpt3();
  // 2 x 3.66e14 MACs x 2^25 inputs = 2.5e22 > 1.8e19.
  try {
    (void)requirements(net, precision::uniform(datatypes::fp16), batch_size{1ULL << 25});
    FAIL("no overflow reported");
  } catch (const spec_error& e) {
    CHECK(e.id() == error_id::count_overflow);
    CHECK_THAT(e.what(), Catch::Contains("count exceeds 64 bits"));
  }
}
