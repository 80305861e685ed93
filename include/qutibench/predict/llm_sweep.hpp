// Many LLM requests in one call: a model over batch sizes x contexts (prompt lengths) x
// device counts (tensor parallelism), for plots, capacity maps and searches over
// deployments. Each point is predict()'s figure for that request; the platform's peaks
// and design, the stored weights and each (batch, context)'s step requirements are
// worked out once, the requirements shared by the device counts.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <unordered_map>
#include <vector>

#include "qutibench/predict/llm.hpp"

namespace qutibench::llm {

struct sweep_axes {
  std::vector<double> batches{1};
  std::vector<double> contexts{512};  ///< prompt tokens per sequence: the context decoding starts from
  std::vector<double> devices{1};     ///< devices in tensor parallelism
  double output = 128;
  bool fused_attention = true;
};

/// Figures of every point, batch-major: index(b, c, n). A device count that does not
/// split the model's heads evenly (parallelism_problem) is `unsupported` there, as are all points on a
/// platform that cannot run the formats; times are NaN unless the status is ok, and `reason`
/// says why, as a single request's does.
struct request_sweep {
  std::size_t batches = 0, contexts = 0, devices = 0;
  std::vector<request_status> status;
  std::vector<double> ttft_s, tpot_s, decode_tokens_per_s, throughput_tokens_per_s, latency_s, memory_bytes, energy_per_token_j;
  /// Why a point's status is not ok: the distinct texts once each ("" first, for ok), and
  /// each point's index among them. Half a sweep's points may share one reason (a device
  /// count that does not split the heads); a string each was half its time.
  std::vector<std::string> reasons{std::string()};
  std::vector<std::uint32_t> reason_of;

  std::size_t size() const { return batches * contexts * devices; }
  const std::string& reason(std::size_t i) const { return reasons[reason_of[i]]; }
  std::size_t index(std::size_t b, std::size_t c, std::size_t n) const { return (b * contexts + c) * devices + n; }
};

/// A sweep's points as the model predicts them (no calibration).
struct as_predicted {
  void operator()(request_prediction&, const request&) const {}
};

/// `adjust(prediction, request)` changes each point's prediction in place before its
/// figures are stored: a calibration on the device's measurements
/// (validation/llm_calibration.hpp), which this layer cannot name. In place, because a
/// prediction holds its operations in place (kilobytes a point to copy).
template <class Adjust = as_predicted>
request_sweep sweep(const decoder& d, const tensor_formats& f, const sweep_axes& axes, const platform& pf, const operating_mode& m,
                    prediction_model model = prediction_model::realistic, const Adjust& adjust = {}) {
  const auto check = [](const char* name, double v, double most) {
    if (!(v >= 1 && v <= most && v == std::floor(v)))
      throw spec_error(error_id::invalid_value, "LLM sweep", std::string(name) + " must be whole numbers from 1 to " + shown_number(most) +
                                                                 ", got " + shown_number(v));
  };
  for (double b : axes.batches) check("batches (batch)", b, 1e9);
  for (double c : axes.contexts) check("contexts (prompt tokens)", c, 1e9);
  for (double n : axes.devices) check("devices (tp)", n, 1024);
  check("output", axes.output, 1e9);
  if (axes.batches.empty() || axes.contexts.empty() || axes.devices.empty())
    throw spec_error(error_id::invalid_value, "LLM sweep", "batches, contexts and devices need a value each at least");

  request_sweep out;
  out.batches = axes.batches.size(), out.contexts = axes.contexts.size(), out.devices = axes.devices.size();
  const std::size_t points = out.size();
  constexpr double nan = std::numeric_limits<double>::quiet_NaN();
  out.status.assign(points, request_status::unsupported);
  out.reason_of.assign(points, 0);
  std::unordered_map<std::string, std::uint32_t> kept;
  const auto keep = [&](std::string why) {  // the index of `why` among the texts, kept once
    if (why.empty()) return std::uint32_t{0};
    const auto [at, added] = kept.try_emplace(why, static_cast<std::uint32_t>(out.reasons.size()));
    if (added) out.reasons.push_back(std::move(why));
    return at->second;
  };
  for (auto* v : {&out.ttft_s, &out.tpot_s, &out.decode_tokens_per_s, &out.throughput_tokens_per_s, &out.latency_s, &out.memory_bytes,
                  &out.energy_per_token_j})
    v->assign(points, nan);

  const detail::llm_engine e = detail::engine_for(f, pf, m, model);
  const detail::stored_weights weights = detail::stored(d, f);
  // A sweep leaves pp, ep and micro-batches at 1, so whether a point's split runs depends on
  // its device count alone: checked once per count, not per point (the check words a reason).
  std::vector<std::uint32_t> problem_of(out.devices);
  for (std::size_t n = 0; n < out.devices; ++n) problem_of[n] = keep(parallelism_problem(d, {.tp = axes.devices[n]}, 1));
  for (std::size_t b = 0; b < out.batches; ++b)
    for (std::size_t c = 0; c < out.contexts; ++c) {
      request r{.batch = axes.batches[b], .prompt = axes.contexts[c], .output = axes.output, .fused_attention = axes.fused_attention};
      const step_requirements prefill = requirements(d, f, detail::prefill_step(r)), decode = requirements(d, f, detail::decode_step(r));
      for (std::size_t n = 0; n < out.devices; ++n) {
        const std::size_t i = out.index(b, c, n);
        if (problem_of[n] != 0) {
          out.reason_of[i] = problem_of[n];
          continue;
        }
        r.tp = axes.devices[n];
        request_prediction p = detail::finish(d, f, r, e, prefill, decode, weights);
        adjust(p, r);
        out.status[i] = p.status;
        out.reason_of[i] = keep(std::move(p.reason));
        out.memory_bytes[i] = p.memory.total();
        out.ttft_s[i] = p.ttft_s, out.tpot_s[i] = p.tpot_s, out.decode_tokens_per_s[i] = p.decode_tokens_per_s;
        out.throughput_tokens_per_s[i] = p.throughput_tokens_per_s, out.latency_s[i] = p.latency_s;
        if (p.energy_per_token_j) out.energy_per_token_j[i] = *p.energy_per_token_j;
      }
    }
  return out;
}

}  // namespace qutibench::llm
