// LLM steps (prefill, decode), storage formats and capacity against hand counts from the
// models' configs (docs/llm.md) and published figures.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "qutibench/io/llm_config.hpp"
#include "qutibench/llm/capacity.hpp"

using namespace qutibench;
using namespace qutibench::llm;
using Catch::Matchers::Contains;

namespace {

const std::filesystem::path data_dir = QUTIBENCH_DATA_DIR;

tensor_formats formats(const std::string& weights, const std::string& kv = "f16") {
  return {find_format(weights), datatypes::fp16, find_format(kv)};
}

double op(const step_requirements& r, const std::string& name, double operation::*field) {
  for (const operation& o : r.operations)
    if (o.name == name) return o.*field;
  FAIL("no operation " << name);
  return 0;
}

}  // namespace

TEST_CASE("formats carry their scales' bits", "[llm]") {
  CHECK(find_format("q4_0").bits == 18.0 * 8 / 32);   // fp16 scale + 16 bytes per 32 values
  CHECK(find_format("q8_0").bits == 34.0 * 8 / 32);   // fp16 scale + 32 bytes
  CHECK(find_format("int4-g128").bits == 4 + 20.0 / 128);  // fp16 scale + 4-bit zero per 128
  CHECK(find_format("mxfp4").bits == 4 + 8.0 / 32);    // E8M0 scale per 32
  CHECK(find_format("nvfp4").bits == 4 + 8.0 / 16);    // E4M3 scale per 16
  CHECK_FALSE(find_format("q4_0").native.has_value());  // weight-only: products in the activations' datatype
  try {
    find_format("q3_k");
    FAIL("found");
  } catch (const spec_error& e) {
    CHECK(e.id() == error_id::unknown_datatype);
    CHECK_THAT(std::string(e.what()), Contains("format 'q3_k': not a storage format; valid: f16, bf16, fp8"));
  }
  // llama.cpp keeps attn_v and ffn_down wider in the first and last eighth of 32 layers
  // and every third layer between: 0-3, 6, 9, ..., 27, 28-31.
  std::vector<std::int64_t> wide;
  for (std::int64_t l = 0; l < 32; ++l)
    if (more_bits_layer(l, 32)) wide.push_back(l);
  CHECK(wide == std::vector<std::int64_t>{0, 1, 2, 3, 6, 9, 12, 15, 18, 21, 24, 27, 28, 29, 30, 31});
  // The sum over blocks is counted in closed form; the naive sum of each layer's bits agrees.
  const storage_format& mix = find_format("q4_k_m");
  for (std::int64_t layers = 1; layers <= 200; ++layers) {
    double naive = 0;
    for (std::int64_t l = 0; l < layers; ++l) naive += weight_bits(mix, tensor_role::mlp_down, l, layers);
    CHECK(llm::detail::bits_over_blocks(mix, tensor_role::mlp_down, layers) == naive);
  }
}

TEST_CASE("a decode step reads every weight once and the whole KV cache", "[llm]") {
  const decoder d = find_decoder("llama-2-7b", data_dir);
  const step_requirements r = requirements(d, formats("f16"), {.batch = 1, .tokens = 1, .context = 1000});
  // All parameters but the 32000 x 4096 token table at 2 bytes, and the one row looked up.
  CHECK(r.weight_bytes == 2.0 * (6'738'415'616 - 32000 * 4096) + 2 * 4096);
  // Keys and values of 1001 tokens: 32 layers x 2 x 4096 x 2 bytes each; the new token's written.
  CHECK(r.kv_read_bytes == 32.0 * 1001 * 2 * 4096 * 2);
  CHECK(r.kv_write_bytes == 32.0 * 2 * 4096 * 2);
  // Weight products: 4 H^2 + 3 H I per layer, and the LM head.
  CHECK(r.weight_macs == 32.0 * (4.0 * 4096 * 4096 + 3.0 * 4096 * 11008) + 4096.0 * 32000);
  CHECK(op(r, "attention", &operation::macs) == 32.0 * 2 * 32 * 128 * 1001);
  // Batch 8: weights once per step, KV per sequence.
  const step_requirements r8 = requirements(d, formats("f16"), {.batch = 8, .tokens = 1, .context = 1000});
  CHECK(r8.weight_bytes == r.weight_bytes + 7 * 2 * 4096);
  CHECK(r8.kv_read_bytes == 8 * r.kv_read_bytes);
}

TEST_CASE("a prefill counts attention under the causal mask and one token's logits", "[llm]") {
  const decoder d = find_decoder("llama-3-8b", data_dir);
  const step_requirements r = requirements(d, formats("bf16"), {.batch = 2, .tokens = 512, .context = 0});
  CHECK(op(r, "attention", &operation::macs) == 32.0 * 2 * 2 * 32 * 128 * (512.0 * 513 / 2));
  CHECK(op(r, "lm_head", &operation::macs) == 2.0 * 4096 * 128256);
  CHECK(op(r, "attn_qkv", &operation::macs) == 32.0 * 1024 * 4096 * (4096 + 2 * 1024));
  // Unfused attention writes and reads back the scores: 3 passes of 2-byte scores.
  const step_requirements unfused = requirements(d, formats("bf16"), {.batch = 2, .tokens = 512, .context = 0, .fused_attention = false});
  CHECK(op(unfused, "attention", &operation::activation_bytes) == 3 * 2 * (32.0 * 2 * 32 * (512.0 * 513 / 2)));
  CHECK_THROWS_AS(requirements(d, formats("bf16"), {.batch = 0}), spec_error);
}

TEST_CASE("Q4_K_M Llama-3-8B stores as many bytes as its published GGUF file", "[llm]") {
  // llama-bench reports the Meta-Llama-3-8B Q4_K_M file as 4.58 GiB (shared/reference:
  // XiongjieDai/GPU-Benchmarks-on-LLM-Inference); the file adds metadata and the tokenizer.
  const double bytes = weight_storage_bytes(find_decoder("llama-3-8b", data_dir), formats("q4_k_m"));
  CHECK(bytes / (4.58 * 1024 * 1024 * 1024) == Approx(1).epsilon(0.01));
}

TEST_CASE("capacity: what fits in 80 GB", "[llm]") {
  constexpr double gb80 = 80e9;
  // Llama-2-70B in FP16: 68,976,648,192 parameters x 2 bytes = 138 GB of weights alone.
  const decoder l70 = find_decoder("llama-2-70b", data_dir);
  const memory_fit big = fit(l70, formats("f16"), {.batch = 1, .tokens = 1, .context = 0}, gb80);
  CHECK_FALSE(big.fits());
  CHECK(big.weights == Approx(2.0 * 68'976'648'192).epsilon(1e-9));
  // Llama-3-8B FP16 at batch 64 and context 8192: 16.06 GB of weights, and a KV cache of
  // 64 x 8192 x 2 x 1024 x 32 layers x 2 bytes = 68.7 GB.
  const decoder l8 = find_decoder("llama-3-8b", data_dir);
  const memory_fit crowded = fit(l8, formats("f16"), {.batch = 64, .tokens = 1, .context = 8191}, gb80);
  CHECK(crowded.kv_cache == 64.0 * 8192 * 2 * 1024 * 32 * 2);
  CHECK_FALSE(crowded.fits());
  CHECK(crowded.shortfall() > 4e9);
  // At context 8192 a 80 GB device holds the weights and (80 - 16.06) GB / 1.07 GB per
  // sequence: its KV cache and a decode step's activations (residual, its norm and the
  // gate and up projections, 2 x 4096 + 2 x 14336 values at 2 bytes).
  const double per_sequence = 8192.0 * 2 * 1024 * 32 * 2 + (2 * 4096 + 2 * 14336) * 2;
  const auto batch = max_batch(l8, formats("f16"), 8192, gb80);
  REQUIRE(batch.has_value());
  CHECK(*batch == std::floor((gb80 - 2.0 * 8'030'261'248) / per_sequence));
  CHECK_FALSE(max_batch(l70, formats("f16"), 8192, gb80).has_value());
  // Mixtral reads the 2 experts one token routes to, all 8 once many tokens are in flight.
  const decoder mix = find_decoder("mixtral-8x7b", data_dir);
  CHECK(experts_touched(mix, 1) == 2);
  CHECK(experts_touched(mix, 1000) == Approx(8));
}

TEST_CASE("each operation carries its tensor-parallel share and its lookup and MLP marks", "[llm]") {
  // Megatron-LM's split, by hand: Q/K/V, attention's heads, the KV cache written, the MLP's
  // up projection and the LM head split their outputs (columns); the output and down
  // projections their reduction (depth); lookups, norms, rotary and the router run whole on
  // every device. The embeddings read table rows; the MLP's projections are a MoE's expert work.
  struct expected {
    tp_share share;
    bool lookup, mlp;
  };
  const std::vector<std::pair<std::string, expected>> marks = {
      {"embedding", {tp_share::whole, true, false}},       {"position_embedding", {tp_share::whole, true, false}},
      {"norms", {tp_share::whole, false, false}},          {"attn_qkv", {tp_share::columns, false, false}},
      {"rotary", {tp_share::whole, false, false}},         {"kv_write", {tp_share::columns, false, false}},
      {"attention", {tp_share::columns, false, false}},    {"attn_out", {tp_share::depth, false, false}},
      {"router", {tp_share::whole, false, false}},         {"mlp_gate_up", {tp_share::columns, false, true}},
      {"mlp_up", {tp_share::columns, false, true}},        {"mlp_down", {tp_share::depth, false, true}},
      {"final_norm", {tp_share::whole, false, false}},     {"lm_head", {tp_share::columns, false, false}}};
  std::vector<std::string> seen;
  // Llama-2-7B (rotary, gated MLP), GPT-2 (learned positions, plain MLP), Mixtral (a router).
  for (const char* model : {"llama-2-7b", "gpt2", "mixtral-8x7b"})
    for (const operation& o : requirements(find_decoder(model, data_dir), formats("f16"), {.batch = 2, .tokens = 8}).operations) {
      const auto it = std::find_if(marks.begin(), marks.end(), [&](const auto& m) { return m.first == o.name; });
      REQUIRE(it != marks.end());
      INFO(model << " " << o.name);
      CHECK(o.share == it->second.share);
      CHECK(o.lookup == it->second.lookup);
      CHECK(o.mlp == it->second.mlp);
      seen.emplace_back(o.name);
    }
  for (const auto& [name, mark] : marks) CHECK(std::find(seen.begin(), seen.end(), name) != seen.end());  // every kind checked
}
