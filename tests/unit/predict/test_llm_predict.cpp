// LLM request predictions on a platform against the roofline worked by hand (H100 SXM:
// 989.4 dense FP16 TFLOPS, 3.35 TB/s, 80 GB, 700 W; data/platforms/h100-sxm.json).
#include <catch2/catch.hpp>

#include <algorithm>
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
  // Dispatches per step: 8 operations in each of the 32 blocks (norms, attn_qkv, rotary,
  // kv_write, attention, attn_out, mlp_gate_up, mlp_down), then the lookup, the final norm
  // and the LM head; the prefill runs the same kernels on more rows, tensor parallelism
  // runs them on every device at once.
  CHECK(p.decode.dispatches == 8 * 32 + 3);
  CHECK(p.prefill.dispatches == 8 * 32 + 3);
  const request_prediction tp2 = predict(find_decoder("llama-2-7b", data_dir), f16(), {.batch = 1, .prompt = 1, .output = 1, .tp = 2},
                                         h100.spec, h100.spec.mode(), prediction_model::plain);
  REQUIRE(tp2.status == request_status::ok);
  CHECK(tp2.decode.dispatches == 8 * 32 + 3);
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
  CHECK_THAT(none.reason, Contains("ultra96-dpu has no peak for fp16, the activations' datatype"));
  // The A100 runs the fp16 weights but has no FP8 peak (A100 whitepaper): only fp8 is named.
  const platform_ref a100 = find_platform("a100-sxm", data_dir);
  const tensor_formats fp8_activations{find_format("f16"), datatype::parse("fp8_e4m3"), find_format("f16")};
  const request_prediction fp8 = predict(find_decoder("gpt2", data_dir), fp8_activations, {}, a100.spec, a100.spec.mode());
  CHECK(fp8.status == request_status::unsupported);
  CHECK(fp8.reason == "a100-sxm has no peak for fp8_e4m3, the activations' datatype");
  CHECK_THROWS_AS(predict(find_decoder("gpt2", data_dir), f16(), {.batch = 0}, h100.spec, h100.spec.mode()), spec_error);
}

TEST_CASE("a request past a learned position table is unsupported; rotary positions extend", "[llm]") {
  const platform_ref h100 = find_platform("h100-sxm", data_dir);
  // GPT-2's config: n_positions 1024. Prompt tokens take positions 0..P-1 and the fed-back
  // outputs P..P+O-2 (the last output is never read), so P + O - 1 <= 1024 is the limit.
  const decoder gpt2 = find_decoder("gpt2", data_dir);
  CHECK(predict(gpt2, f16(), {.prompt = 1000, .output = 25}, h100.spec, h100.spec.mode()).status == request_status::ok);
  const request_prediction past = predict(gpt2, f16(), {.prompt = 1000, .output = 26}, h100.spec, h100.spec.mode());
  CHECK(past.status == request_status::unsupported);
  CHECK(std::isnan(past.tpot_s));
  CHECK(past.reason == "prompt + output - 1 tokens exceed the model's 1024 learned positions");
  // Llama-2's 4096 positions are rotary: a longer context is predicted (speed does not
  // depend on whether the model was trained for it).
  CHECK(predict(find_decoder("llama-2-7b", data_dir), f16(), {.prompt = 8000, .output = 128}, h100.spec, h100.spec.mode()).status ==
        request_status::ok);
  // A sweep says so per point: contexts 512 and 2048 at 128 outputs.
  const request_sweep s = sweep(gpt2, f16(), {.batches = {1}, .contexts = {512, 2048}, .devices = {1}}, h100.spec, h100.spec.mode());
  CHECK(s.status[s.index(0, 0, 0)] == request_status::ok);
  CHECK(s.status[s.index(0, 1, 0)] == request_status::unsupported);
  CHECK(s.reason(s.index(0, 1, 0)) == past.reason);
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
    const auto all_reduce = *std::find_if(p.decode.operations.begin(), p.decode.operations.end(),
                                          [](const operation_time& o) { return o.name == "all_reduce"; });
    CHECK(all_reduce.link_s == Approx(160 * 2 * (tp - 1) / tp * 8192 * 2 / 450e9));
    CHECK(all_reduce.time_s == all_reduce.link_s);
  }
  CHECK_THROWS_WITH(predict(l70, f16(), {.tp = 3}, h100.spec, h100.spec.mode()), Contains("tp 3 does not divide the model's 64 attention heads"));
  // Qwen2.5-7B: 28 query heads, 4 key/value heads (its config.json); 7 devices would split
  // the 4 key/value heads unevenly, 2 and 28 hold whole ones.
  const decoder qwen = find_decoder("qwen2.5-7b", data_dir);
  CHECK_THROWS_WITH(predict(qwen, f16(), {.tp = 7}, h100.spec, h100.spec.mode()),
                    Contains("tp 7 and the model's 4 key/value heads: one must divide the other"));
  CHECK(predict(qwen, f16(), {.tp = 2}, h100.spec, h100.spec.mode()).status == request_status::ok);
  CHECK(predict(qwen, f16(), {.tp = 28}, h100.spec, h100.spec.mode()).status == request_status::ok);
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
            CHECK(s.reason(i) == "tp 3 does not divide the model's 32 attention heads");
            continue;
          }
          const request_prediction p = predict(d, f16(), {.batch = axes.batches[b], .prompt = axes.contexts[c], .output = 64, .tp = axes.devices[n]},
                                               h100.spec, h100.spec.mode(), model);
          CHECK(s.status[i] == p.status);
          CHECK(s.reason(i) == p.reason);
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
  // A device without the activations' datatype or an interconnect: every point unsupported,
  // each reason kept once ("" and three texts), each point's as predict() words it.
  const platform_ref dpu = find_platform("ultra96-dpu", data_dir);
  const request_sweep none = sweep(d, f16(), axes, dpu.spec, dpu.spec.mode());
  CHECK(none.reasons.size() == 4);
  for (std::size_t i = 0; i < none.size(); ++i) {
    CHECK(none.status[i] == request_status::unsupported);
    const std::string expected[] = {"ultra96-dpu has no peak for fp16, the activations' datatype",
                                    "ultra96-dpu has no interconnect in its spec (more than one device needs one)",
                                    "tp 3 does not divide the model's 32 attention heads"};
    CHECK(none.reason(i) == expected[i % 3]);
  }
}

TEST_CASE("the collectives' costs are the standard formulas", "[llm]") {
  // 1 KB over 4 devices, 450 GB/s, 5 us per message: the ring pays 6 latencies, the tree
  // (binomial reduce + broadcast, 2 x log2 4 rounds of the whole message) 4.
  CHECK(tree_all_reduce_seconds(1e3, 4, 450e9, 5e-6) == Approx(4 * (5e-6 + 1e3 / 450e9)));
  CHECK(tree_all_reduce_seconds(1e3, 4, 450e9, 5e-6) < ring_all_reduce_seconds(1e3, 4, 450e9, 5e-6));
  CHECK(tree_all_reduce_seconds(1e3, 5, 450e9, 5e-6) == Approx(6 * (5e-6 + 1e3 / 450e9)));  // ceil(log2 5) = 3
  CHECK(all_gather_seconds(8e6, 8, 450e9, 5e-6) == Approx(7.0 / 8 * 8e6 / 450e9 + 7 * 5e-6));
  CHECK(all_to_all_seconds(8e6, 8, 450e9, 5e-6) == Approx(7.0 / 8 * 8e6 / 450e9 + 7 * 5e-6));
  CHECK(all_gather_seconds(8e6, 1, 450e9, 5e-6) == 0);
}

namespace {

double link_of(const phase_prediction& p, std::string_view name) {
  for (const operation_time& o : p.operations)
    if (o.name == name) return o.link_s;
  return -1;
}

}  // namespace

TEST_CASE("pipeline stages hold a share of the blocks and pass micro-batches", "[llm]") {
  const platform_ref h100 = find_platform("h100-sxm", data_dir);
  const decoder l70 = find_decoder("llama-2-70b", data_dir);
  const auto run = [&](double batch, double pp, double m) {
    return predict(l70, f16(), {.batch = batch, .prompt = 256, .output = 64, .pp = pp, .micro_batches = m}, h100.spec, h100.spec.mode(),
                   prediction_model::plain);
  };
  // Two stages: 138 GB of FP16 weights, 69 GB each.
  const request_prediction one = run(2, 2, 1);
  REQUIRE(one.status == request_status::ok);
  CHECK(one.memory.weights == Approx(2.0 * 68'976'648'192 / 2).epsilon(1e-9));
  // A micro-batch of 2 sequences crosses one stage boundary: 2 x 256 tokens x 8192 values
  // x 2 bytes in the prefill, 2 x 8192 x 2 per decode step, over 450 GB/s.
  const double prefill_send = 2.0 * 256 * 8192 * 2 / 450e9, decode_send = 2.0 * 8192 * 2 / 450e9;
  CHECK(link_of(one.prefill, "pipeline") == Approx(prefill_send));
  CHECK(link_of(one.decode, "pipeline") == Approx(decode_send));
  // The same micro-batch's work without the sends is one device's step T: the stages run
  // it one after another. Four micro-batches of 2 (batch 8) through 2 stages: a prefill of
  // (4 + 2 - 1) stage times of T / 2, decode steps of max(4, 2) stage times.
  const double t_prefill = one.ttft_s - prefill_send, t_decode = one.tpot_s - decode_send;
  const request_prediction four = run(8, 2, 4);
  REQUIRE(four.status == request_status::ok);
  CHECK(four.ttft_s == Approx(5 * t_prefill / 2 + prefill_send));
  CHECK(four.tpot_s == Approx(4 * t_decode / 2 + decode_send));
  CHECK_THROWS_WITH(run(8, 2, 3), Contains("micro_batches must be a whole number dividing the batch 8, got 3"));

  // Micro-batches without stages run one after another, the row "pipeline" carrying the
  // others, bound as their operations are: a prefill micro-batch of Llama-3-8B (2 x 512
  // tokens) does 2 x 1024 ops per 2-byte FP16 weight, past the H100's ridge of
  // 989.4e12 / 3350e9 = 295 ops/B; a decode step (2 tokens) is far below it.
  const decoder l8 = find_decoder("llama-3-8b", data_dir);
  const request_prediction serial = predict(l8, f16(), {.batch = 8, .prompt = 512, .output = 16, .micro_batches = 4}, h100.spec,
                                            h100.spec.mode(), prediction_model::plain);
  REQUIRE(serial.status == request_status::ok);
  auto bound_of = [](const phase_prediction& p) {
    for (const operation_time& o : p.operations)
      if (o.name == "pipeline") return std::string(bound_name(o.bound)) + (o.link_s > 0 ? " and link" : "");
    return std::string("none");
  };
  CHECK(bound_of(serial.prefill) == "compute");
  CHECK(bound_of(serial.decode) == "memory");
  CHECK_THROWS_WITH(run(1, 81, 1), Contains("pp 81 is more stages than the model's 80 blocks"));
}

TEST_CASE("expert parallelism splits a mixture of experts and pays all-to-alls", "[llm]") {
  const platform_ref h100 = find_platform("h100-sxm", data_dir);
  const decoder mixtral = find_decoder("mixtral-8x7b", data_dir);
  // 46,702,792,704 parameters, of which the experts' MLPs are 32 blocks x 8 experts x 3 x
  // 4096 x 14336 = 45,097,156,608: in FP16 93.4 GB do not fit one 80 GB H100; over 2 devices
  // each holds the rest and half the experts.
  CHECK(predict(mixtral, f16(), {.batch = 2}, h100.spec, h100.spec.mode()).status == request_status::does_not_fit);
  const request_prediction p = predict(mixtral, f16(), {.batch = 2, .prompt = 128, .output = 16, .ep = 2}, h100.spec, h100.spec.mode(),
                                       prediction_model::plain);
  REQUIRE(p.status == request_status::ok);
  CHECK(p.memory.weights == Approx(2 * (1'605'636'096 + 45'097'156'608 / 2.0)).epsilon(1e-9));
  // Each device decodes one of the two sequences: per block its token goes to 2 experts
  // and comes back, 2 x 4096 values x 2 bytes each way, half of it to the other device.
  CHECK(link_of(p.decode, "all_to_all") == Approx(2 * 32 * 0.5 * (2 * 4096 * 2) / 450e9));
  CHECK(link_of(p.decode, "all_reduce") == -1);
  CHECK_THROWS_WITH(predict(mixtral, f16(), {.batch = 2, .ep = 3}, h100.spec, h100.spec.mode()), Contains("ep 3 does not divide the model's experts (8)"));
  CHECK_THROWS_WITH(predict(find_decoder("llama-2-7b", data_dir), f16(), {.ep = 2}, h100.spec, h100.spec.mode()),
                    Contains("ep 2 does not divide the model's experts (1)"));
}

TEST_CASE("a design's time per dispatch is paid on every dispatch of a step, a pipeline's path included", "[llm]") {
  const platform_ref h100 = find_platform("h100-sxm", data_dir);
  platform pf = h100.spec;
  REQUIRE(pf.modes.front().design.has_value());
  const decoder d = find_decoder("llama-2-7b", data_dir);
  const request one{.batch = 1, .prompt = 64, .output = 16};
  pf.modes.front().design->per_layer = seconds::from_value(0);
  const request_prediction without = predict(d, f16(), one, pf, pf.mode(), prediction_model::realistic);
  pf.modes.front().design->per_layer = seconds::from_value(10e-6);
  const request_prediction with = predict(d, f16(), one, pf, pf.mode(), prediction_model::realistic);
  // 8 operations in each of 32 blocks (the rotary's kernel too: it computes in place) and 3 others.
  CHECK(with.tpot_s - without.tpot_s == Approx(259 * 10e-6));
  CHECK(with.ttft_s - without.ttft_s == Approx(259 * 10e-6));
  // Two stages and four micro-batches: a stage runs half the dispatches; a prefill's path
  // passes 4 + 2 - 1 stages, a decode step's max(4, 2).
  const request_prediction piped = predict(d, f16(), {.batch = 8, .prompt = 64, .output = 16, .pp = 2, .micro_batches = 4}, h100.spec,
                                           h100.spec.mode(), prediction_model::plain);
  REQUIRE(piped.status == request_status::ok);
  CHECK(piped.prefill.dispatches == Approx(5 * 259 / 2.0));
  CHECK(piped.decode.dispatches == Approx(4 * 259 / 2.0));
}
