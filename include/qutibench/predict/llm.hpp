// A decoder LLM request on a platform: time to first token (the prefill of the prompt),
// time per output token (a decode step at the request's mean context), throughputs,
// latency, memory against the device's capacity and energy per token; each phase per
// operation. The plain model is the roofline per operation (thesis eq. 4.2 layer by
// layer); the realistic model adds the deployed design's engine fill and fixed costs
// (predict/realistic.hpp). Conventions in docs/llm.md.
#pragma once

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>

#include <boost/container/static_vector.hpp>

#include "qutibench/llm/capacity.hpp"
#include "qutibench/llm/parallel.hpp"
#include "qutibench/platform.hpp"
#include "qutibench/predict/realistic.hpp"

namespace qutibench::llm {

/// `batch` sequences of `prompt` tokens each, generating `output` tokens each, on tp x pp
/// x ep devices (llm/parallel.hpp): tensor parallelism splits heads and MLP columns,
/// pipeline parallelism the blocks into pp stages that `micro_batches` pass through, expert
/// parallelism a mixture of experts' experts.
struct request {
  double batch = 1;
  double prompt = 512;
  double output = 128;
  bool fused_attention = true;
  double tp = 1;
  double pp = 1;
  double ep = 1;
  double micro_batches = 1;
  parallelism split() const { return {.tp = tp, .pp = pp, .ep = ep, .micro_batches = micro_batches}; }
};

enum class request_status { ok, does_not_fit, unsupported };

constexpr std::string_view status_name(request_status s) {
  return s == request_status::ok ? "ok" : s == request_status::does_not_fit ? "does-not-fit" : "unsupported";
}

struct operation_time {
  std::string_view name;
  double ops = 0, bytes = 0;  ///< 2 x MACs; off-chip bytes
  double compute_s = 0, memory_s = 0, time_s = 0;
  double link_s = 0;  ///< time on the interconnect (tensor parallelism's all-reduces)
  bound_kind bound = bound_kind::memory;
};

struct phase_prediction {
  boost::container::static_vector<operation_time, max_operations + 1> operations;  ///< and tensor parallelism's all-reduces
  double seconds = std::numeric_limits<double>::quiet_NaN();
  /// Dispatches on a step's path under either model: each block's operation that computes
  /// or moves bytes (a block's norms count as one), once per block, for a micro-batch; a
  /// pipeline's path passes (prefill) m + pp - 1 or (decode) max(m, pp) stages of 1/pp of
  /// them each. Llama-2-7B's decode step: 8 operations x 32 blocks, the lookup, the final
  /// norm and the LM head. A fixed cost per dispatch (a design's per_layer_us, or one fitted
  /// to a device's measurements: validation/llm_calibration.hpp) multiplies it.
  double dispatches = std::numeric_limits<double>::quiet_NaN();
};

/// Times are NaN unless the status is ok; `reason` says why not.
struct request_prediction {
  request_status status = request_status::unsupported;
  std::string reason;
  phase_prediction prefill, decode;
  double ttft_s = std::numeric_limits<double>::quiet_NaN();
  double tpot_s = std::numeric_limits<double>::quiet_NaN();
  double prefill_tokens_per_s = std::numeric_limits<double>::quiet_NaN();     ///< per sequence
  double decode_tokens_per_s = std::numeric_limits<double>::quiet_NaN();      ///< per sequence
  double throughput_tokens_per_s = std::numeric_limits<double>::quiet_NaN();  ///< batch x output over the request
  double latency_s = std::numeric_limits<double>::quiet_NaN();
  memory_fit memory;                         ///< per device; capacity NaN when the spec states none
  std::optional<double> energy_per_token_j;  ///< where the platform has a power figure
};

namespace detail {

/// One phase's time on a device of split `p`: its operations (the device's share) one after
/// another, each at the slower of its compute (weight products at `weight_peak`, attention
/// at `attention_peak`; under the realistic model the engine's fill of the product's shape,
/// or `vector_peak`) and its off-chip bytes at the bandwidth; the realistic model adds the
/// design's per-layer dispatch cost for each block's operation and its per-inference cost
/// once per step.
inline phase_prediction time_phase(const step_requirements& req, const decoder& d, const parallelism& split, double weight_peak, double attention_peak,
                                   double vector_peak, double bandwidth, const std::optional<deployed_design>& design) {
  phase_prediction p;
  p.seconds = 0, p.dispatches = 0;
  for (const operation& whole : req.operations) {
    const operation o = shard(whole, d, split);
    operation_time& t = p.operations.emplace_back();
    t.name = o.name, t.ops = 2 * o.macs, t.bytes = o.weight_bytes + o.kv_read_bytes + o.kv_write_bytes + o.activation_bytes;
    double peak = o.weight_product ? weight_peak : attention_peak;
    // A product of few rows leaves most of a tile empty; engines then run it on their
    // vector units instead (matrix-vector kernels), whichever is faster.
    if (design && o.weight_product && o.macs > 0)
      peak = std::max(peak * utilization({.pixels = o.rows, .in_channels = o.depth, .out_channels = o.columns}, *design, 1), vector_peak);
    t.compute_s = t.ops > 0 ? t.ops / peak : 0;
    t.memory_s = t.bytes / bandwidth;
    t.time_s = std::max(t.compute_s, t.memory_s);
    if (o.macs > 0 || o.other_ops > 0 || t.bytes > 0) {  // a kernel runs (rotary: other ops in place, no bytes)
      p.dispatches += static_cast<double>(o.blocks);
      if (design) t.time_s += static_cast<double>(o.blocks) * design->per_layer.value();
    }
    t.bound = t.compute_s > t.memory_s ? bound_kind::compute : bound_kind::memory;
    p.seconds += t.time_s;
  }
  if (design) p.seconds += design->per_inference.value();
  return p;
}

/// Time on the links in a phase, each collective a row: under tensor parallelism, after
/// each block's attention and MLP an all-reduce of the device's rows x hidden activations
/// (one per block where attention and MLP read the same input and add their outputs:
/// GPT-J, NeoX, Phi-2), by ring or tree, whichever is faster for the message (as NCCL
/// chooses by size), and an all-gather of the LM head's logits; under expert parallelism,
/// per block an all-to-all sending each token to its experts' devices and one bringing the
/// results back.
inline void add_collectives(phase_prediction& p, const decoder& d, const step& s, const tensor_formats& f, const parallelism& split,
                            const interconnect& link) {
  const double act = static_cast<double>(f.activations.bits) / 8, bw = link.bandwidth.value(), lat = link.latency.value();
  const double rows = s.batch / split.ep * s.tokens, h = static_cast<double>(d.hidden), layers = static_cast<double>(d.layers);
  const auto add = [&](std::string_view name, double count, double bytes, double seconds) {
    operation_time& t = p.operations.emplace_back();
    t.name = name, t.bytes = count * bytes, t.link_s = count * seconds, t.time_s = t.link_s;
    p.seconds += t.time_s;
  };
  if (split.tp > 1) {
    const double message = rows * h * act, tp = split.tp;
    add("all_reduce", (d.parallel_block ? 1 : 2) * layers, 2 * (tp - 1) / tp * message,
        std::min(ring_all_reduce_seconds(message, tp, bw, lat), tree_all_reduce_seconds(message, tp, bw, lat)));
    const double logits = s.batch / split.ep * static_cast<double>(d.vocabulary) * act;  // one token per sequence
    add("all_gather", 1, (tp - 1) / tp * logits, all_gather_seconds(logits, tp, bw, lat));
  }
  if (split.ep > 1) {
    const double message = rows * static_cast<double>(d.experts_per_token) * h * act, ep = split.ep;
    add("all_to_all", 2 * layers, (ep - 1) / ep * message, all_to_all_seconds(message, ep, bw, lat));
  }
}

}  // namespace detail

/// The request's times and rates from its prefill's and a decode step's seconds (the
/// models' and a calibration's: validation/llm_calibration.hpp).
inline void set_step_times(request_prediction& out, const request& r, double prefill_s, double decode_step_s) {
  out.ttft_s = prefill_s;
  out.tpot_s = decode_step_s;
  out.prefill_tokens_per_s = r.prompt / out.ttft_s;
  out.decode_tokens_per_s = 1 / out.tpot_s;
  out.latency_s = out.ttft_s + (r.output - 1) * out.tpot_s;
  out.throughput_tokens_per_s = r.batch * r.output / out.latency_s;
}

namespace detail {

/// What a platform mode offers a model in given formats, resolved once for a request or a
/// whole sweep: the peaks its products and attention run at, the bandwidth, the realistic
/// model's design, and why it cannot run them (empty when it can).
struct llm_engine {
  double weight_peak = 0, attention_peak = 0, vector_peak = 0, bandwidth = 0;
  double capacity = std::numeric_limits<double>::quiet_NaN();  ///< bytes; NaN when the spec states none
  std::optional<deployed_design> design;
  std::optional<interconnect> link;
  std::optional<double> power;  ///< watts
  std::string platform_id, unsupported;
};

inline llm_engine engine_for(const tensor_formats& f, const platform& pf, const operating_mode& m, prediction_model model) {
  llm_engine e;
  e.platform_id = pf.id;
  if (pf.memory_capacity) e.capacity = pf.memory_capacity->value();
  e.link = pf.link;
  if (const std::optional<watts> power = m.power.budget()) e.power = power->value();
  // A weight format without a native datatype on this device is dequantized and
  // multiplied in the activations' datatype.
  std::optional<execution> weights = f.weights.native ? pf.run(m, *f.weights.native) : std::nullopt;
  if (!weights) weights = pf.run(m, f.activations);
  const std::optional<execution> attention = pf.run(m, f.activations);
  if (!weights || !attention) {  // both fail only with the activations' datatype: weights fall back to it
    e.unsupported = pf.id + " has no peak for " + f.activations.name() + ", the activations' datatype";
    return e;
  }
  e.weight_peak = weights->peak.value(), e.attention_peak = attention->peak.value(), e.bandwidth = m.bandwidth.value();
  if (model == prediction_model::realistic) {
    e.design = design_of(m);
    e.weight_peak = design_peak(pf, m, *e.design, *weights);
    e.attention_peak = design_peak(pf, m, *e.design, *attention);
    if (const auto& outer = e.design->levels.back().bandwidth) e.bandwidth = outer->value();
    // The fp32 rate: what a GPU's CUDA cores (not its tensor cores) or a CPU's vector units reach.
    if (const std::optional<ops_per_s> fp32 = m.native_peak(datatypes::fp32)) e.vector_peak = std::min(fp32->value(), e.weight_peak);
  }
  return e;
}

/// The steps of request `r`, each for one micro-batch: the prefill's logits give the first
/// output token; each of the other output - 1 comes from a decode step, at contexts
/// prompt .. prompt + output - 2.
inline step prefill_step(const request& r) {
  return {.batch = r.batch / r.micro_batches, .tokens = r.prompt, .context = 0, .fused_attention = r.fused_attention};
}
inline step decode_step(const request& r) {
  return {.batch = r.batch / r.micro_batches, .tokens = 1, .context = r.prompt + std::max(0.0, r.output - 2) / 2,
          .fused_attention = r.fused_attention};
}

/// The stored weights' bytes, all and the MLPs' (what expert parallelism splits).
struct stored_weights {
  double total = 0, experts = 0;
};

inline stored_weights stored(const decoder& d, const tensor_formats& f) {
  return {weight_storage_bytes(d, f), d.experts > 1 ? mlp_weight_bytes(d, f) : 0};
}

/// A pipeline of pp stages (the blocks split evenly) that m micro-batches pass through,
/// one stage taking 1/pp of a micro-batch's step. A prefill is one pass: (m + pp - 1)
/// stage times (GPipe's fill and drain; Huang et al., NeurIPS 2019). Decode steps follow
/// each other: a micro-batch's next token starts when its last left the last stage, so a
/// step of all micro-batches takes max(m, pp) stage times. Each micro-batch's activations
/// cross pp - 1 stage boundaries on its way (a send of rows x hidden values each).
inline void add_pipeline(phase_prediction& p, const decoder& d, const step& s, const tensor_formats& f, const request& r, bool prefill,
                         const interconnect* link) {
  const double m = r.micro_batches, pp = r.pp;
  if (m == 1 && pp == 1) return;
  const double stage = p.seconds / pp, stages = prefill ? m + pp - 1 : std::max(m, pp);
  p.dispatches *= stages / pp;  // a stage runs 1/pp of them; the step's path passes `stages` stages
  // Its stages repeat the step's operations: bound as most of their time is.
  double compute_s = 0;
  for (const operation_time& o : p.operations) compute_s += o.bound == bound_kind::compute ? o.time_s - o.link_s : 0;
  operation_time& t = p.operations.emplace_back();
  t.name = "pipeline";
  t.bound = 2 * compute_s > p.seconds ? bound_kind::compute : bound_kind::memory;
  if (pp > 1) {
    const double message = s.batch / r.ep * s.tokens * static_cast<double>(d.hidden) * static_cast<double>(f.activations.bits) / 8;
    t.bytes = (pp - 1) * message;
    t.link_s = (pp - 1) * (message / link->bandwidth.value() + link->latency.value());
  }
  t.time_s = stages * stage - p.seconds + t.link_s;  // the other micro-batches' stages and the bubble, then the sends
  p.seconds += t.time_s;
}

/// Request `r` on engine `e`, given its steps' requirements and the stored weights (both
/// independent of the device count, so a sweep computes them once per batch and context).
/// The caller checks `r.split()`.
inline request_prediction finish(const decoder& d, const tensor_formats& f, const request& r, const llm_engine& e,
                                 const step_requirements& prefill, const step_requirements& decode, const stored_weights& weights) {
  request_prediction out;
  const parallelism split = r.split();
  // Per device: the weights over the tensor-parallel devices and pipeline stages, the
  // experts also over the expert-parallel ones (the replicated norms are a few
  // thousandths of them); the KV cache as shard() splits its traffic, over the stages; the
  // activations of a micro-batch whole on each (the residual stream is replicated). The KV
  // cache holds prompt + output - 1 tokens when the last is produced; activations peak in
  // the prefill or in that last step.
  const step last{.batch = r.batch / r.micro_batches, .tokens = 1, .context = r.prompt + r.output - 1, .fused_attention = r.fused_attention};
  const step first = prefill_step(r);
  const double kv_split = std::min(r.tp, static_cast<double>(d.kv_heads)) * r.pp * r.ep;
  out.memory = {.weights = ((weights.total - weights.experts) / r.tp + weights.experts / (r.tp * r.ep)) / r.pp,
                .kv_cache = kv_cache_bytes(d, f, r.batch, r.prompt + r.output) / kv_split,
                .activations = std::max(peak_activation_bytes(d, f, {.batch = last.batch / r.ep, .tokens = 1, .context = last.context,
                                                                     .fused_attention = r.fused_attention}),
                                        peak_activation_bytes(d, f, {.batch = first.batch / r.ep, .tokens = first.tokens, .context = 0,
                                                                     .fused_attention = r.fused_attention})),
                .capacity = e.capacity};
  // A learned position table has no row past its end (rotary positions extend, at the
  // model's quality risk but not its speed's). The last output token is never read back.
  if (d.position == position_kind::learned && r.prompt + r.output - 1 > static_cast<double>(d.max_positions)) {
    out.reason = "prompt + output - 1 tokens exceed the model's " + std::to_string(d.max_positions) + " learned positions";
    return out;
  }
  if (split.devices() > 1 && !e.link) {
    out.reason = e.platform_id + " has no interconnect in its spec (more than one device needs one)";
    return out;
  }
  if (!e.unsupported.empty()) {
    out.reason = e.unsupported;
    return out;
  }
  if (std::isfinite(e.capacity) && !out.memory.fits()) {
    out.status = request_status::does_not_fit;
    out.reason = "needs " + shown_number(out.memory.total() / 1e9) + " GB of " + shown_number(e.capacity / 1e9) + " GB";
    return out;
  }
  const interconnect* link = e.link ? &*e.link : nullptr;
  for (const auto& [phase, req, s, is_prefill] : {std::tuple{&out.prefill, &prefill, first, true}, std::tuple{&out.decode, &decode, decode_step(r), false}}) {
    *phase = time_phase(*req, d, split, e.weight_peak, e.attention_peak, e.vector_peak, e.bandwidth, e.design);
    if (link) add_collectives(*phase, d, s, f, split, *link);
    add_pipeline(*phase, d, s, f, r, is_prefill, link);
  }
  out.status = request_status::ok;
  set_step_times(out, r, out.prefill.seconds, out.decode.seconds);
  if (e.power) out.energy_per_token_j = split.devices() * *e.power * out.latency_s / (r.batch * r.output);  // every device of the group
  return out;
}

}  // namespace detail

/// The prediction of request `r` for model `d` in formats `f` on mode `m` of `pf`.
inline request_prediction predict(const decoder& d, const tensor_formats& f, const request& r, const platform& pf,
                                  const operating_mode& m, prediction_model model = prediction_model::realistic) {
  for (const auto& [name, v] : {std::pair{"batch", r.batch}, std::pair{"prompt", r.prompt}, std::pair{"output", r.output}})
    if (!(v >= 1 && v <= 1e9)) throw spec_error(error_id::invalid_value, "LLM request", std::string(name) + " must be from 1 to 1e9, got " + shown_number(v));
  if (std::string problem = parallelism_problem(d, r.split(), r.batch); !problem.empty())
    throw spec_error(error_id::invalid_value, "LLM request", problem);
  return detail::finish(d, f, r, detail::engine_for(f, pf, m, model), requirements(d, f, detail::prefill_step(r)),
                        requirements(d, f, detail::decode_step(r)), detail::stored(d, f));
}

}  // namespace qutibench::llm

namespace qutibench::llm {

/// A request's figures (fields of predict/fields.hpp's kind); NaN where the status leaves
/// them unknown, none for a platform without a capacity or power figure.
template <class F>
void fields(const request_prediction& p, F&& field) {
  const auto known = [](double v) { return std::isfinite(v) ? std::optional<double>(v) : std::nullopt; };
  field("status", status_name(p.status));
  field("reason", p.reason);
  field("ttft_s", p.ttft_s);
  field("tpot_s", p.tpot_s);
  field("prefill_tokens_per_s", p.prefill_tokens_per_s);
  field("decode_tokens_per_s", p.decode_tokens_per_s);
  field("throughput_tokens_per_s", p.throughput_tokens_per_s);
  field("latency_s", p.latency_s);
  field("prefill_dispatches", p.prefill.dispatches);
  field("decode_dispatches", p.decode.dispatches);
  field("memory_bytes", p.memory.total());
  field("weight_bytes", p.memory.weights);
  field("kv_cache_bytes", p.memory.kv_cache);
  field("capacity_bytes", known(p.memory.capacity));
  field("shortfall_bytes", known(p.memory.capacity) ? known(p.memory.shortfall()) : std::nullopt);
  field("energy_per_token_j", p.energy_per_token_j);
}

/// One operation of a phase.
template <class F>
void fields(const operation_time& o, F&& field) {
  field("operation", o.name);
  field("ops", o.ops);
  field("traffic_bytes", o.bytes);
  field("compute_time_s", o.compute_s);
  field("memory_time_s", o.memory_s);
  field("link_time_s", o.link_s);
  field("time_s", o.time_s);
  field("bound", o.link_s > 0 ? std::string_view("link") : bound_name(o.bound));
}

}  // namespace qutibench::llm
