// BERT-base and GPT-2 small against closed forms derived by hand from the papers'
// hyper-parameters (Devlin et al. 2019; Radford et al. 2019), and against the published
// parameter counts. The closed forms below are written from the architecture, not from
// the library's per-layer formulas: for one block of width D, FFN width F and a sequence
// of L new tokens attending to S keys, the matrices are Q, K, V, O (4 D^2) and the FFN
// (2 D F); MACs are the projections (4 L D^2), scores and weighted values (2 L S D) and
// the FFN (2 L D F); ops = 2 x MACs.
#include <catch2/catch.hpp>

#include <cstdint>

#include "qutibench/error.hpp"
#include "qutibench/requirements.hpp"
#include "qutibench/zoo/transformer.hpp"

namespace {

using u64 = std::uint64_t;

constexpr u64 D = 768;     // hidden width of both models
constexpr u64 F = 3072;    // FFN width
constexpr u64 N = 12;      // blocks
constexpr u64 bert_vocab = 30522, bert_positions = 512, bert_segments = 2;
constexpr u64 gpt2_vocab = 50257, gpt2_positions = 1024;

// Weight matrices of one block: Q, K, V, O and the two FFN matrices.
constexpr u64 block_weights = 4 * D * D + 2 * D * F;
// Biases of one block: 4 projection biases, the two FFN biases, two layer norms (scale, shift).
constexpr u64 block_biases = 4 * D + (F + D) + 2 * (2 * D);

// MACs of one block for L new tokens attending to S keys.
constexpr u64 block_macs(u64 L, u64 S) { return 4 * L * D * D + 2 * L * S * D + 2 * L * D * F; }

constexpr u64 bert_ops(u64 L) { return 2 * (N * block_macs(L, L)); }
// The LM head: one D x vocabulary product per token.
constexpr u64 gpt2_ops(u64 new_tokens, u64 keys) {
  return 2 * (N * block_macs(new_tokens, keys) + new_tokens * D * gpt2_vocab);
}

u64 total_params(const qutibench::network_requirements& r) { return r.total.weights.value() + r.total.biases.value(); }

}  // namespace

TEST_CASE("zoo: bert-base weights equal the closed-form count", "[zoo]") {
  const auto net = qutibench::zoo::bert_base();
  CHECK(net.name() == "bert-base");
  const auto r = qutibench::requirements(net);
  const u64 embeddings = bert_vocab * D + bert_positions * D + bert_segments * D;
  CHECK(r.total.weights.value() == embeddings + N * block_weights);
  CHECK(r.total.weights.value() == 108'770'304);
  // The embedding layer norm plus every block's biases and layer norms.
  CHECK(r.total.biases.value() == 2 * D + N * block_biases);
  // Without the pooler (not modelled): 108,891,648. With its 768 x 768 + 768 parameters
  // this is 109,482,240, the count of the released bert-base-uncased checkpoint, which
  // Devlin et al. (2019, Section 3) round to "110M".
  CHECK(total_params(r) == 108'891'648);
  CHECK(total_params(r) + D * D + D == 109'482'240);
  CHECK(total_params(r) > 105'000'000);
  CHECK(total_params(r) < 115'000'000);
  // Weights do not depend on the sequence length.
  CHECK(qutibench::requirements(qutibench::zoo::bert_base(512)).total.weights == r.total.weights);
}

TEST_CASE("zoo: bert-base ops equal the closed-form count", "[zoo]") {
  for (u64 L : {u64{1}, u64{128}, u64{384}, u64{512}}) {
    const auto r = qutibench::requirements(qutibench::zoo::bert_base(static_cast<std::int64_t>(L)));
    INFO("sequence " << L);
    CHECK(r.total.ops.value() == bert_ops(L));
  }
  // About 22.3 GOPs (11.2 GMACs) at 128 tokens.
  CHECK(qutibench::requirements(qutibench::zoo::bert_base()).total.ops.value() == 22'347'251'712);
}

TEST_CASE("zoo: bert-base shapes, state and sequence limit", "[zoo]") {
  const auto net = qutibench::zoo::bert_base(64);
  const auto outs = net.outputs();
  REQUIRE(outs.size() == 1);
  CHECK(net.nodes()[outs[0]].cost.out == qutibench::tensor_shape{64, 768});
  CHECK(net.at("positions").cost.out == qutibench::tensor_shape{64});
  CHECK(net.at("segments").cost.out == qutibench::tensor_shape{64});
  // Library convention: attention reports the keys and values it produces (2 L D per
  // block), even though an encoder keeps nothing between inputs.
  CHECK(qutibench::requirements(net).total.state.value() == N * 2 * 64 * D);
  CHECK_THROWS_AS(qutibench::zoo::bert_base(513), qutibench::spec_error);
  CHECK_THROWS_AS(qutibench::zoo::bert_base(0), qutibench::spec_error);
}

TEST_CASE("zoo: gpt2-small-prefill weights equal the closed-form count", "[zoo]") {
  const auto net = qutibench::zoo::gpt2_small_prefill();
  CHECK(net.name() == "gpt2-small-prefill");
  const auto r = qutibench::requirements(net);
  const u64 embeddings = gpt2_vocab * D + gpt2_positions * D;
  const u64 lm_head = D * gpt2_vocab;  // tied to the token embedding in the real model, counted here
  CHECK(r.total.weights.value() == embeddings + N * block_weights + lm_head);
  CHECK(r.total.weights.value() == 162'915'840);
  // Every block's biases and layer norms plus the final layer norm; the head has no bias.
  CHECK(r.total.biases.value() == N * block_biases + 2 * D);
  // Counting the tied matrix once gives the released checkpoint's 124,439,808 parameters
  // ("124M"; Radford et al. 2019, Table 2, printed 117M for this model).
  CHECK(total_params(r) - lm_head == 124'439'808);
  CHECK(total_params(r) - lm_head > 117'000'000);
  CHECK(total_params(r) - lm_head < 125'000'000);
}

TEST_CASE("zoo: gpt2-small-prefill ops equal the closed-form count", "[zoo]") {
  for (u64 L : {u64{1}, u64{128}, u64{1024}}) {
    const auto net = qutibench::zoo::gpt2_small_prefill(static_cast<std::int64_t>(L));
    const auto r = qutibench::requirements(net);
    INFO("tokens " << L);
    CHECK(r.total.ops.value() == gpt2_ops(L, L));
    // The prompt leaves 2 L D keys and values in each block's cache.
    CHECK(r.total.state.value() == N * 2 * L * D);
    const auto outs = net.outputs();
    REQUIRE(outs.size() == 1);
    CHECK(net.nodes()[outs[0]].cost.out == qutibench::tensor_shape{static_cast<std::int64_t>(L), 50257});
  }
  CHECK(qutibench::requirements(qutibench::zoo::gpt2_small_prefill()).total.ops.value() == 32'228'179'968);
  CHECK_THROWS_AS(qutibench::zoo::gpt2_small_prefill(1025), qutibench::spec_error);
}

TEST_CASE("zoo: gpt2-small-decode ops and KV cache equal the closed-form count", "[zoo]") {
  for (u64 C : {u64{0}, u64{1}, u64{128}, u64{1023}}) {
    const auto net = qutibench::zoo::gpt2_small_decode(static_cast<std::int64_t>(C));
    const auto r = qutibench::requirements(net);
    INFO("context " << C);
    CHECK(net.name() == "gpt2-small-decode");
    // One new token attending to itself and the C cached ones.
    CHECK(r.total.ops.value() == gpt2_ops(1, C + 1));
    // Each block's cache holds keys and values of C + 1 tokens after the step.
    u64 attention_layers = 0;
    for (const auto& l : r.layers) {
      if (l.kind != "attention") continue;
      ++attention_layers;
      CHECK(l.state.value() == 2 * (C + 1) * D);
    }
    CHECK(attention_layers == N);
    CHECK(r.total.state.value() == N * 2 * (C + 1) * D);
    // Same weights as the prefill: a decode step reads the whole model for one token.
    CHECK(r.total.weights == qutibench::requirements(qutibench::zoo::gpt2_small_prefill()).total.weights);
    const auto outs = net.outputs();
    REQUIRE(outs.size() == 1);
    CHECK(net.nodes()[outs[0]].cost.out == qutibench::tensor_shape{1, 50257});
  }
  CHECK(qutibench::requirements(qutibench::zoo::gpt2_small_decode()).total.ops.value() == 251'819'520);
  CHECK_THROWS_AS(qutibench::zoo::gpt2_small_decode(1024), qutibench::spec_error);
  CHECK_THROWS_AS(qutibench::zoo::gpt2_small_decode(-1), qutibench::spec_error);
}

TEST_CASE("zoo: gpt2 decode step is far cheaper than a prefill of the same context", "[zoo]") {
  for (std::int64_t C : {16, 128, 512}) {
    const auto decode = qutibench::requirements(qutibench::zoo::gpt2_small_decode(C));
    const auto prefill = qutibench::requirements(qutibench::zoo::gpt2_small_prefill(C + 1));
    INFO("context " << C);
    // Per token the two do the same projections, FFN and head; a prefill does them for
    // C + 1 tokens, so it costs more than (C + 1) / 2 decode steps for any context.
    CHECK(decode.total.ops.value() * static_cast<u64>(C + 1) / 2 < prefill.total.ops.value());
    // Both leave the same cache behind: C + 1 tokens' keys and values per block.
    CHECK(decode.total.state == prefill.total.state);
  }
  // At the default context of 128 the step is over 100x cheaper.
  CHECK(qutibench::requirements(qutibench::zoo::gpt2_small_decode(128)).total.ops.value() * 100 <
        qutibench::requirements(qutibench::zoo::gpt2_small_prefill(129)).total.ops.value());
}
