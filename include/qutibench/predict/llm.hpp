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
#include <utility>

#include <boost/container/static_vector.hpp>

#include "qutibench/llm/capacity.hpp"
#include "qutibench/platform.hpp"
#include "qutibench/predict/realistic.hpp"

namespace qutibench::llm {

/// `batch` sequences of `prompt` tokens each, generating `output` tokens each, on `tp`
/// devices in tensor parallelism (Megatron-LM's split: attention heads and MLP columns
/// across the devices, two all-reduces of the activations per block).
struct request {
  double batch = 1;
  double prompt = 512;
  double output = 128;
  bool fused_attention = true;
  double tp = 1;
};

/// A ring all-reduce of `bytes` on each of `devices` (the bandwidth-optimal ring: each
/// device sends and receives 2 (N - 1) / N of the data in 2 (N - 1) messages; Patarasuk
/// and Yuan, J. Parallel Distrib. Comput. 69(2), 2009).
inline double ring_all_reduce_seconds(double bytes, double devices, double bandwidth, double latency) {
  if (devices <= 1) return 0;
  return 2 * (devices - 1) / devices * bytes / bandwidth + 2 * (devices - 1) * latency;
}

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

/// One device's share of an operation under tensor parallelism over `tp` devices: the
/// projections, attention and LM head split (their MACs, weights and activations); the
/// KV cache over min(tp, kv_heads) devices (key/value heads are replicated beyond that);
/// the lookups, norms and rotary repeated on every device.
inline operation shard(operation o, const decoder& d, double tp) {
  if (tp <= 1) return o;
  const bool split = o.name == "attn_qkv" || o.name == "attention" || o.name == "attn_out" || o.name == "mlp_gate_up" ||
                     o.name == "mlp_up" || o.name == "mlp_down" || o.name == "lm_head" || o.name == "kv_write";
  if (!split) return o;
  // Column-parallel products split their outputs, row-parallel ones (the output
  // projection, the MLP's down projection) their depth.
  const bool row_parallel = o.name == "attn_out" || o.name == "mlp_down";
  const double kv_split = std::min(tp, static_cast<double>(d.kv_heads));
  o.macs /= tp, o.other_ops /= tp, o.weight_bytes /= tp, o.activation_bytes /= tp;
  (row_parallel ? o.depth : o.columns) /= tp;
  o.kv_read_bytes /= kv_split, o.kv_write_bytes /= kv_split;
  return o;
}

/// One phase's time on one of `tp` devices: its operations (each device's share) one after
/// another, each at the slower of its compute (weight products at `weight_peak`, attention
/// at `attention_peak`; under the realistic model the engine's fill of the product's shape,
/// or `vector_peak`) and its off-chip bytes at the bandwidth; the realistic model adds the
/// design's per-layer dispatch cost for each block's operation and its per-inference cost
/// once per step.
inline phase_prediction time_phase(const step_requirements& req, const decoder& d, double tp, double weight_peak, double attention_peak,
                                   double vector_peak, double bandwidth, const std::optional<deployed_design>& design) {
  phase_prediction p;
  p.seconds = 0;
  for (const operation& whole : req.operations) {
    const operation o = shard(whole, d, tp);
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
    if (design && (t.ops > 0 || t.bytes > 0)) t.time_s += static_cast<double>(o.blocks) * design->per_layer.value();
    t.bound = t.compute_s > t.memory_s ? bound_kind::compute : bound_kind::memory;
    p.seconds += t.time_s;
  }
  if (design) p.seconds += design->per_inference.value();
  return p;
}

/// Tensor parallelism's communication in a phase: after each block's attention and MLP
/// an all-reduce of the step's activations (rows x hidden) over the link; one per block
/// where attention and MLP read the same input and their outputs add before it (GPT-J,
/// NeoX, Phi-2).
inline void add_all_reduces(phase_prediction& p, const decoder& d, const step& s, const tensor_formats& f, double tp, const interconnect& link) {
  const double message = s.batch * s.tokens * static_cast<double>(d.hidden) * static_cast<double>(f.activations.bits) / 8;
  const double count = (d.parallel_block ? 1 : 2) * static_cast<double>(d.layers);
  operation_time t{.name = "all_reduce", .bytes = count * 2 * (tp - 1) / tp * message};
  t.link_s = count * ring_all_reduce_seconds(message, tp, link.bandwidth.value(), link.latency.value());
  t.time_s = t.link_s;
  p.seconds += t.time_s;
  p.operations.push_back(std::move(t));
}

}  // namespace detail

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
  if (!weights || !attention) {
    e.unsupported = pf.id + " has no peak for " + f.activations.name() + (f.weights.native ? " or " + f.weights.native->name() : "");
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

/// The steps of request `r`: the prefill's logits give the first output token; each of
/// the other output - 1 comes from a decode step, at contexts prompt .. prompt + output - 2.
inline step prefill_step(const request& r) { return {.batch = r.batch, .tokens = r.prompt, .context = 0, .fused_attention = r.fused_attention}; }
inline step decode_step(const request& r) {
  return {.batch = r.batch, .tokens = 1, .context = r.prompt + std::max(0.0, r.output - 2) / 2, .fused_attention = r.fused_attention};
}

/// Request `r` on engine `e`, given its steps' requirements and the stored weights' bytes
/// (both independent of the device count, so a sweep computes them once per batch and
/// context). `r.tp` is checked by the caller.
inline request_prediction finish(const decoder& d, const tensor_formats& f, const request& r, const llm_engine& e,
                                 const step_requirements& prefill, const step_requirements& decode, double weight_bytes) {
  request_prediction out;
  // Per device: the weights over the devices (the norms, replicated, are a few thousandths
  // of them), the KV cache as shard() splits its traffic; the activations whole on each
  // (the residual stream is replicated). The KV cache holds prompt + output - 1 tokens
  // when the last is produced; activations peak in the prefill or in that last step.
  const step last{.batch = r.batch, .tokens = 1, .context = r.prompt + r.output - 1, .fused_attention = r.fused_attention};
  out.memory = {.weights = weight_bytes / r.tp,
                .kv_cache = kv_cache_bytes(d, f, r.batch, r.prompt + r.output) / std::min(r.tp, static_cast<double>(d.kv_heads)),
                .activations = std::max(peak_activation_bytes(d, f, last), peak_activation_bytes(d, f, prefill_step(r))),
                .capacity = e.capacity};
  if (r.tp > 1 && !e.link) {
    out.reason = e.platform_id + " has no interconnect in its spec (tensor parallelism needs one)";
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
  out.prefill = time_phase(prefill, d, r.tp, e.weight_peak, e.attention_peak, e.vector_peak, e.bandwidth, e.design);
  out.decode = time_phase(decode, d, r.tp, e.weight_peak, e.attention_peak, e.vector_peak, e.bandwidth, e.design);
  if (r.tp > 1) {
    add_all_reduces(out.prefill, d, prefill_step(r), f, r.tp, *e.link);
    add_all_reduces(out.decode, d, decode_step(r), f, r.tp, *e.link);
  }
  out.status = request_status::ok;
  out.ttft_s = out.prefill.seconds;
  out.tpot_s = out.decode.seconds;
  out.prefill_tokens_per_s = r.prompt / out.ttft_s;
  out.decode_tokens_per_s = 1 / out.tpot_s;
  out.latency_s = out.ttft_s + (r.output - 1) * out.tpot_s;
  out.throughput_tokens_per_s = r.batch * r.output / out.latency_s;
  if (e.power) out.energy_per_token_j = r.tp * *e.power * out.latency_s / (r.batch * r.output);  // every device of the group
  return out;
}

/// Whether `tp` devices can split model `d` (whole, and dividing its attention heads);
/// the reason when not.
inline std::string tp_problem(const decoder& d, double tp) {
  if (!(tp >= 1 && tp <= 1024 && tp == std::floor(tp))) return "tp must be a whole number from 1 to 1024, got " + shown_number(tp);
  if (d.heads % static_cast<std::int64_t>(tp) != 0)
    return "tp " + shown_number(tp) + " does not divide the model's " + std::to_string(d.heads) + " attention heads";
  return {};
}

}  // namespace detail

/// The prediction of request `r` for model `d` in formats `f` on mode `m` of `pf`.
inline request_prediction predict(const decoder& d, const tensor_formats& f, const request& r, const platform& pf,
                                  const operating_mode& m, prediction_model model = prediction_model::realistic) {
  for (const auto& [name, v] : {std::pair{"batch", r.batch}, std::pair{"prompt", r.prompt}, std::pair{"output", r.output}})
    if (!(v >= 1 && v <= 1e9)) throw spec_error(error_id::invalid_value, "LLM request", std::string(name) + " must be from 1 to 1e9, got " + shown_number(v));
  if (std::string problem = detail::tp_problem(d, r.tp); !problem.empty()) throw spec_error(error_id::invalid_value, "LLM request", problem);
  return detail::finish(d, f, r, detail::engine_for(f, pf, m, model), requirements(d, f, detail::prefill_step(r)), requirements(d, f, detail::decode_step(r)),
                        weight_storage_bytes(d, f));
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
