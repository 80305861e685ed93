// LLM request predictions on a platform against the roofline worked by hand (H100 SXM:
// 989.4 dense FP16 TFLOPS, 3.35 TB/s, 80 GB, 700 W; data/platforms/h100-sxm.json).
#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <string>

#include "qutibench/io/catalogue.hpp"
#include "qutibench/io/llm_config.hpp"
#include "qutibench/predict/llm.hpp"
#include "qutibench/predict/llm_sweep.hpp"

using namespace qutibench;
using namespace qutibench::llm;
using Catch::Matchers::Contains;

namespace {

const std::filesystem::path data_dir = QUTIBENCH_DATA_DIR;
constexpr double peak = 989.4e12, bandwidth = 3.35e12;

tensor_formats f16() { return {find_format("f16"), datatypes::fp16, find_format("f16")}; }

}  // namespace

TEST_CASE("a batch-1 decode step takes the weights' bytes over the bandwidth", "[llm]") {
  const platform_ref h100 = find_platform("h100-sxm", data_dir);
  const request_prediction p = predict(find_decoder("llama-2-7b", data_dir), f16(), {.batch = 1, .prompt = 1, .output = 1},
                                       h100.spec, h100.spec.mode(), prediction_model::plain);
  REQUIRE(p.status == request_status::ok);
  // 13.2 GB of FP16 weights (all but the token table) read once; the KV cache of two
  // tokens and the activations add under 0.1 %.
  CHECK(p.tpot_s == Approx(2.0 * (6'738'415'616 - 32000.0 * 4096) / bandwidth).epsilon(0.001));
  CHECK(p.decode_tokens_per_s == Approx(1 / p.tpot_s));
  // One output token comes from the prefill's logits: the latency is the prefill; 700 W over it.
  CHECK(p.latency_s == p.ttft_s);
  REQUIRE(p.energy_per_token_j.has_value());
  CHECK(*p.energy_per_token_j == Approx(700 * p.latency_s));
}

TEST_CASE("a long prefill is compute-bound except its lookups, norms and LM head", "[llm]") {
  const platform_ref h100 = find_platform("h100-sxm", data_dir);
  const request_prediction p = predict(find_decoder("llama-2-7b", data_dir), f16(), {.batch = 4, .prompt = 2048, .output = 1},
                                       h100.spec, h100.spec.mode(), prediction_model::plain);
  REQUIRE(p.status == request_status::ok);
  constexpr double h = 4096, v = 32000, rows = 4 * 2048;
  // Compute-bound: the blocks' projections (4 H^2 + 3 H I MACs per token per layer) and
  // causal attention (2 x 128 MACs per head per key, 2048 x 2049 / 2 keys per sequence).
  const double block_macs = 32 * (4 * h * h + 3 * h * 11008) * rows;
  const double attention_macs = 32 * 2 * 32 * 128 * 4 * (2048.0 * 2049 / 2);
  const double compute = 2 * (block_macs + attention_macs) / peak;
  // Memory-bound, at 2 bytes per value: the embedding rows read and written, two RMSNorms
  // per layer (their scales, each row read and written), the KV written, the final norm
  // on one token per sequence, and the LM head's table with its input and logits.
  const double memory = (2 * rows * h + 32 * 2 * (h + 2 * rows * h) + 32 * rows * 2 * h + (h + 2 * 4 * h) + (h * v + 4 * (h + v))) * 2 /
                        bandwidth;
  CHECK(p.ttft_s == Approx(compute + memory).epsilon(1e-9));
  CHECK(p.prefill_tokens_per_s == Approx(2048 / p.ttft_s));
  // The realistic model only adds (tile fill, fixed costs): never faster than the roofline.
  const request_prediction r = predict(find_decoder("llama-2-7b", data_dir), f16(), {.batch = 4, .prompt = 2048, .output = 1},
                                       h100.spec, h100.spec.mode(), prediction_model::realistic);
  CHECK(r.ttft_s >= p.ttft_s);
}

TEST_CASE("an LLM that does not fit, or a device without the datatype, has no times", "[llm]") {
  const platform_ref h100 = find_platform("h100-sxm", data_dir);
  const request_prediction big = predict(find_decoder("llama-2-70b", data_dir), f16(), {}, h100.spec, h100.spec.mode());
  CHECK(big.status == request_status::does_not_fit);
  CHECK(std::isnan(big.ttft_s));
  CHECK(big.memory.shortfall() > 2.0 * 68'976'648'192 - 80e9);
  CHECK_THAT(big.reason, Contains("of 80 GB"));
  const platform_ref dpu = find_platform("ultra96-dpu", data_dir);
  const request_prediction none = predict(find_decoder("gpt2", data_dir), f16(), {}, dpu.spec, dpu.spec.mode());
  CHECK(none.status == request_status::unsupported);
  CHECK_THAT(none.reason, Contains("ultra96-dpu has no peak for fp16"));
  CHECK_THROWS_AS(predict(find_decoder("gpt2", data_dir), f16(), {.batch = 0}, h100.spec, h100.spec.mode()), spec_error);
}

TEST_CASE("tensor parallelism splits the model and pays ring all-reduces", "[llm]") {
  // 1 GB over 4 devices on 450 GB/s links, 5 us per message: 2 x 3/4 of the data each
  // way and 2 x 3 messages.
  CHECK(ring_all_reduce_seconds(1e9, 4, 450e9, 5e-6) == Approx(2.0 * 3 / 4 * 1e9 / 450e9 + 2 * 3 * 5e-6));
  CHECK(ring_all_reduce_seconds(1e9, 1, 450e9, 5e-6) == 0);
  const platform_ref h100 = find_platform("h100-sxm", data_dir);
  const decoder l70 = find_decoder("llama-2-70b", data_dir);
  CHECK(predict(l70, f16(), {.batch = 1, .prompt = 128, .output = 128}, h100.spec, h100.spec.mode()).status == request_status::does_not_fit);
  for (const double tp : {2.0, 4.0}) {
    const request_prediction p = predict(l70, f16(), {.batch = 1, .prompt = 128, .output = 128, .tp = tp}, h100.spec, h100.spec.mode(),
                                         prediction_model::plain);
    REQUIRE(p.status == request_status::ok);  // 138 GB of FP16 weights over 2 (or 4) 80 GB devices
    CHECK(p.memory.weights == Approx(2.0 * 68'976'648'192 / tp).epsilon(1e-9));
    // Decode: after each of the 80 blocks' attention and MLP, an all-reduce of one
    // token's 8192 values at 2 bytes over NVLink's 450 GB/s per direction.
    const operation_time& all_reduce = p.decode.operations.back();
    CHECK(all_reduce.name == "all_reduce");
    CHECK(all_reduce.link_s == Approx(160 * 2 * (tp - 1) / tp * 8192 * 2 / 450e9));
    CHECK(all_reduce.time_s == all_reduce.link_s);
  }
  CHECK_THROWS_WITH(predict(l70, f16(), {.tp = 3}, h100.spec, h100.spec.mode()), Contains("tp 3 does not divide the model's 64 attention heads"));
  const platform_ref lone = find_platform("jetson-agx-orin", data_dir);
  const request_prediction none = predict(find_decoder("llama-2-7b", data_dir), f16(), {.tp = 2}, lone.spec, lone.spec.mode());
  CHECK(none.status == request_status::unsupported);
  CHECK_THAT(none.reason, Contains("has no interconnect in its spec"));
}

TEST_CASE("an interconnect needs a bandwidth a link can have", "[llm]") {
  const std::string spec = R"({"id": "x", "name": "x", "kind": "gpu", "source": "s", "memory": {"bandwidth_gb_per_s": 100},
                               "peak_tera_ops_per_s": {"fp16": 10}, "interconnect": {"name": "l", "bandwidth_gb_per_s": 5e-324}})";
  try {
    spec_from_text<platform>(spec, "x.json", &read_platform);
    FAIL("a 5e-324 GB/s link was accepted");
  } catch (const spec_error& e) {
    CHECK(e.id() == error_id::invalid_value);
    CHECK_THAT(std::string(e.what()), Contains("x.json: /interconnect/bandwidth_gb_per_s"));
  }
}

TEST_CASE("a sweep's points are predict()'s, one request at a time", "[llm]") {
  // The naive reference: each point through predict(); a device count that does not
  // divide Llama-3-8B's 32 heads (3) is unsupported there, and 64 sequences of 8192 tokens
  // (64 GB of FP16 KV cache beside 16 GB of weights) do not fit one 80 GB H100.
  const platform_ref h100 = find_platform("h100-sxm", data_dir);
  const decoder d = find_decoder("llama-3-8b", data_dir);
  const sweep_axes axes{.batches = {1, 64}, .contexts = {512, 8192}, .devices = {1, 2, 3}, .output = 64};
  for (prediction_model model : {prediction_model::plain, prediction_model::realistic}) {
    const request_sweep s = sweep(d, f16(), axes, h100.spec, h100.spec.mode(), model);
    REQUIRE(s.size() == 12);
    CHECK(s.status[s.index(1, 1, 0)] == request_status::does_not_fit);
    CHECK(s.memory_bytes[s.index(1, 1, 0)] > 64.0 * 8192 * 2 * 8 * 128 * 32 * 2);
    for (std::size_t b = 0; b < 2; ++b)
      for (std::size_t c = 0; c < 2; ++c)
        for (std::size_t n = 0; n < 3; ++n) {
          const std::size_t i = s.index(b, c, n);
          if (axes.devices[n] == 3) {
            CHECK(s.status[i] == request_status::unsupported);
            CHECK(std::isnan(s.tpot_s[i]));
            continue;
          }
          const request_prediction p = predict(d, f16(), {.batch = axes.batches[b], .prompt = axes.contexts[c], .output = 64, .tp = axes.devices[n]},
                                               h100.spec, h100.spec.mode(), model);
          CHECK(s.status[i] == p.status);
          CHECK(s.memory_bytes[i] == p.memory.total());
          if (p.status != request_status::ok) continue;
          CHECK(s.ttft_s[i] == p.ttft_s);
          CHECK(s.tpot_s[i] == p.tpot_s);
          CHECK(s.throughput_tokens_per_s[i] == p.throughput_tokens_per_s);
          CHECK(s.latency_s[i] == p.latency_s);
          CHECK(s.energy_per_token_j[i] == *p.energy_per_token_j);
        }
  }
  CHECK_THROWS_WITH(sweep(d, f16(), {.batches = {1, 0}}, h100.spec, h100.spec.mode()), Contains("batches (batch) must be whole numbers from 1 to 1e+09, got 0"));
  CHECK_THROWS_WITH(sweep(d, f16(), {.devices = {2.5}}, h100.spec, h100.spec.mode()), Contains("devices (tp) must be whole numbers from 1 to 1024, got 2.5"));
  CHECK_THROWS_WITH(sweep(d, f16(), {.contexts = {}}, h100.spec, h100.spec.mode()), Contains("need a value each"));
}
