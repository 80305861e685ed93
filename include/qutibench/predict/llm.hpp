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
#include <vector>

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
  std::string name;
  double ops = 0, bytes = 0;  ///< 2 x MACs; off-chip bytes
  double compute_s = 0, memory_s = 0, time_s = 0;
  double link_s = 0;  ///< time on the interconnect (tensor parallelism's all-reduces)
  bound_kind bound = bound_kind::memory;
};

struct phase_prediction {
  step_requirements requirements;
  std::vector<operation_time> operations;
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

/// One phase's time: its operations one after another, each at the slower of its compute
/// (weight products at `weight_peak`, attention at `attention_peak`; under the realistic
/// model the engine's fill of the product's shape, or `vector_peak`) and its off-chip bytes
/// at the bandwidth; the realistic model adds the design's per-layer dispatch cost for
/// each block's operation and its per-inference cost once per step.
inline phase_prediction time_phase(step_requirements req, double weight_peak, double attention_peak, double vector_peak,
                                   double bandwidth, const std::optional<deployed_design>& design) {
  phase_prediction p;
  p.seconds = 0;
  for (const operation& o : req.operations) {
    operation_time t{.name = o.name, .ops = 2 * o.macs, .bytes = o.weight_bytes + o.kv_read_bytes + o.kv_write_bytes + o.activation_bytes};
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
    p.operations.push_back(std::move(t));
  }
  if (design) p.seconds += design->per_inference.value();
  p.requirements = std::move(req);
  return p;
}

/// One device's share of a step under tensor parallelism over `tp` devices: the
/// projections, attention and LM head split (their MACs, weights and activations); the
/// KV cache over min(tp, kv_heads) devices (key/value heads are replicated beyond that);
/// the lookups, norms and rotary repeated on every device.
inline step_requirements shard(step_requirements r, const decoder& d, double tp) {
  if (tp <= 1) return r;
  const double kv_split = std::min(tp, static_cast<double>(d.kv_heads));
  step_requirements out;
  for (operation o : r.operations) {
    const bool split = o.name == "attn_qkv" || o.name == "attention" || o.name == "attn_out" || o.name == "mlp_gate_up" ||
                       o.name == "mlp_up" || o.name == "mlp_down" || o.name == "lm_head" || o.name == "kv_write";
    if (split) {
      // Column-parallel products split their outputs, row-parallel ones (the output
      // projection, the MLP's down projection) their depth.
      const bool row_parallel = o.name == "attn_out" || o.name == "mlp_down";
      o.macs /= tp, o.other_ops /= tp, o.weight_bytes /= tp, o.activation_bytes /= tp;
      (row_parallel ? o.depth : o.columns) /= tp;
      o.kv_read_bytes /= kv_split, o.kv_write_bytes /= kv_split;
    }
    out.macs += o.macs, out.weight_macs += o.weight_product ? o.macs : 0, out.other_ops += o.other_ops;
    out.weight_bytes += o.weight_bytes, out.kv_read_bytes += o.kv_read_bytes, out.kv_write_bytes += o.kv_write_bytes;
    out.activation_bytes += o.activation_bytes;
    out.operations.push_back(std::move(o));
  }
  return out;
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

/// The prediction of request `r` for model `d` in formats `f` on mode `m` of `pf`.
inline request_prediction predict(const decoder& d, const tensor_formats& f, const request& r, const platform& pf,
                                  const operating_mode& m, prediction_model model = prediction_model::realistic) {
  for (const auto& [name, v] : {std::pair{"batch", r.batch}, std::pair{"prompt", r.prompt}, std::pair{"output", r.output}})
    if (!(v >= 1 && v <= 1e9)) throw spec_error(error_id::invalid_value, "LLM request", std::string(name) + " must be from 1 to 1e9, got " + shown_number(v));
  if (!(r.tp >= 1 && r.tp <= 1024 && r.tp == std::floor(r.tp)))
    throw spec_error(error_id::invalid_value, "LLM request", "tp must be a whole number from 1 to 1024, got " + shown_number(r.tp));
  if (d.heads % static_cast<std::int64_t>(r.tp) != 0)
    throw spec_error(error_id::invalid_value, "LLM request",
                     "tp " + shown_number(r.tp) + " does not divide the model's " + std::to_string(d.heads) + " attention heads");
  request_prediction out;
  const double capacity = pf.memory_capacity ? pf.memory_capacity->value() : std::numeric_limits<double>::quiet_NaN();
  out.memory = fit(d, f, {.batch = r.batch, .tokens = 1, .context = r.prompt + r.output - 1, .fused_attention = r.fused_attention}, capacity);
  const memory_fit at_prefill = fit(d, f, {.batch = r.batch, .tokens = r.prompt, .context = 0, .fused_attention = r.fused_attention}, capacity);
  out.memory.activations = std::max(out.memory.activations, at_prefill.activations);
  // Per device: the weights over the devices (the norms, replicated, are a few thousandths
  // of them), the KV cache as shard() splits its traffic; the activations whole on each
  // (the residual stream is replicated).
  out.memory.weights /= r.tp;
  out.memory.kv_cache /= std::min(r.tp, static_cast<double>(d.kv_heads));
  if (r.tp > 1 && !pf.link) {
    out.reason = pf.id + " has no interconnect in its spec (tensor parallelism needs one)";
    return out;
  }
  // A weight format without a native datatype on this device is dequantized and
  // multiplied in the activations' datatype.
  std::optional<execution> weights = f.weights.native ? pf.run(m, *f.weights.native) : std::nullopt;
  if (!weights) weights = pf.run(m, f.activations);
  const std::optional<execution> attention = pf.run(m, f.activations);
  if (!weights || !attention) {
    out.reason = pf.id + " has no peak for " + f.activations.name() + (f.weights.native ? " or " + f.weights.native->name() : "");
    return out;
  }
  if (pf.memory_capacity && !out.memory.fits()) {
    out.status = request_status::does_not_fit;
    out.reason = "needs " + shown_number(out.memory.total() / 1e9) + " GB of " + shown_number(capacity / 1e9) + " GB";
    return out;
  }
  std::optional<deployed_design> design;
  double weight_peak = weights->peak.value(), attention_peak = attention->peak.value(), bandwidth = m.bandwidth.value();
  double vector_peak = 0;  // the fp32 rate: what a GPU's CUDA cores (not its tensor cores) or a CPU's vector units reach
  if (model == prediction_model::realistic) {
    design = design_of(m);
    weight_peak = design_peak(pf, m, *design, *weights);
    attention_peak = design_peak(pf, m, *design, *attention);
    if (const auto& outer = design->levels.back().bandwidth) bandwidth = outer->value();
    if (const std::optional<ops_per_s> fp32 = m.native_peak(datatypes::fp32)) vector_peak = std::min(fp32->value(), weight_peak);
  }
  const step prefill{.batch = r.batch, .tokens = r.prompt, .context = 0, .fused_attention = r.fused_attention};
  // The prefill's logits give the first output token; each of the other output - 1 comes
  // from a decode step, at contexts prompt .. prompt + output - 2.
  const step decode{.batch = r.batch, .tokens = 1, .context = r.prompt + std::max(0.0, r.output - 2) / 2, .fused_attention = r.fused_attention};
  out.prefill = detail::time_phase(detail::shard(requirements(d, f, prefill), d, r.tp), weight_peak, attention_peak, vector_peak, bandwidth, design);
  out.decode = detail::time_phase(detail::shard(requirements(d, f, decode), d, r.tp), weight_peak, attention_peak, vector_peak, bandwidth, design);
  if (r.tp > 1) {
    detail::add_all_reduces(out.prefill, d, prefill, f, r.tp, *pf.link);
    detail::add_all_reduces(out.decode, d, decode, f, r.tp, *pf.link);
  }
  out.status = request_status::ok;
  out.ttft_s = out.prefill.seconds;
  out.tpot_s = out.decode.seconds;
  out.prefill_tokens_per_s = r.prompt / out.ttft_s;
  out.decode_tokens_per_s = 1 / out.tpot_s;
  out.latency_s = out.ttft_s + (r.output - 1) * out.tpot_s;
  out.throughput_tokens_per_s = r.batch * r.output / out.latency_s;
  if (const std::optional<watts> power = m.power.budget())
    out.energy_per_token_j = r.tp * power->value() * out.latency_s / (r.batch * r.output);  // every device of the group
  return out;
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
