// The roofline predictor (thesis Section 4.3.1, eqs. 4.1 and 4.2): attainable
// performance, throughput and latency of a network on a platform, for the whole network
// and layer by layer, under a memory placement policy and an efficiency model.
#pragma once

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <string_view>
#include <vector>

#include "qutibench/datatype.hpp"
#include "qutibench/memory_model.hpp"
#include "qutibench/platform.hpp"
#include "qutibench/predict/efficiency.hpp"
#include "qutibench/predict/profile.hpp"
#include "qutibench/requirements.hpp"
#include "qutibench/units.hpp"

namespace qutibench {

/// ok; unsupported: the platform cannot run the datatype; invalid: nothing sensible to
/// predict (a peak, bandwidth or efficiency that is not a positive finite number, a
/// network with neither ops nor traffic).
enum class prediction_status { ok, unsupported, invalid };
enum class bound_kind { compute, memory };

constexpr std::string_view status_name(prediction_status s) {
  return s == prediction_status::ok ? "ok" : s == prediction_status::unsupported ? "unsupported" : "invalid";
}
constexpr std::string_view bound_name(bound_kind b) { return b == bound_kind::compute ? "compute" : "memory"; }

/// What to predict: the datatype of weights and activations, the batch, where data lives
/// and how efficiently the platform runs it. Defaults: the thesis's model at batch 1.
/// `threads` is the realistic model's (predict/realistic.hpp: the runtime threads that
/// drive a design's units); none takes the design's own, else keeps every unit busy.
struct scenario {
  datatype type = datatypes::int8;
  batch_size batch{};
  memory_model memory = memory_model::thesis();
  efficiency_model efficiency{};
  std::optional<std::uint64_t> threads{};
};

/// A prediction for one batch. With status `unsupported` (the platform cannot run the
/// datatype, natively or through a carrier) or `invalid`, every number is NaN: division
/// by zero cannot happen.
struct prediction {
  prediction_status status = prediction_status::unsupported;
  datatype type;               ///< the requested datatype (memory stays packed at its width)
  datatype carrier;            ///< the datatype the platform computes in (== type if native)
  std::uint64_t batch = 1;
  placement where;             ///< off-chip shares chosen by the memory model
  ops_per_s peak;              ///< carrier peak x compute efficiency
  bytes_per_s bandwidth;       ///< external bandwidth x memory efficiency
  ops work;                    ///< ops for the batch
  bytes traffic;               ///< off-chip bytes for the batch
  ops_per_byte operational_intensity;  ///< work / traffic (infinite with no traffic)
  ops_per_byte ridge_point;            ///< peak / bandwidth
  ops_per_s attainable;        ///< eq. 4.1: min(peak, bandwidth x OI)
  inputs_per_s throughput;     ///< eq. 4.2: attainable / ops per input
  seconds latency;             ///< for the whole batch
  std::optional<bound_kind> bound;  ///< none unless ok: nothing ran, nothing bounds it

  bool ok() const { return status == prediction_status::ok; }
};

/// One layer of a layer-by-layer prediction.
struct layer_prediction {
  std::string_view name, kind;
  ops work;
  bytes traffic;
  ops_per_byte operational_intensity;
  seconds compute_time, memory_time, time;  ///< time = max(compute, memory)
  bound_kind bound = bound_kind::compute;
};

/// Layer by layer: the network's latency is the sum over layers of max(compute time,
/// memory time); `network` holds that latency, the throughput batch / latency, and the
/// bound of the layers that take most of the time.
struct layerwise_prediction {
  prediction network;
  std::vector<layer_prediction> layers;
};

/// A scenario resolved on one platform mode for a profile, once per prediction: plain SI
/// doubles for the inner loops of predictions and sweeps.
struct resolved_scenario {
  execution exec;
  placement where;
  double weight_bytes_per_element;      ///< datatype size x off-chip share of weights
  double activation_bytes_per_element;  ///< datatype size x off-chip share of activations
  double batch;
};

/// Resolves `s` on mode `m` of `pf` for `p`: the carrier and peak, and the placement the
/// memory model chooses; none if the platform cannot run the datatype.
inline std::optional<resolved_scenario> resolve(const network_profile& p, const platform& pf, const operating_mode& m,
                                                const scenario& s) {
  const std::optional<execution> exec = pf.run(m, s.type);
  if (!exec) return std::nullopt;
  const double size = s.type.size().value();
  const double batch = static_cast<double>(s.batch.n);
  const placement where = s.memory({bytes::from_value(p.total_weights * size),
                                    bytes::from_value(p.peak_live * size * batch), pf.on_chip});
  return resolved_scenario{*exec, where, size * where.weights_off_chip, size * where.activations_off_chip, batch};
}

/// The roofline time of one piece of work: max(compute time, memory time) (eq. 4.2).
inline double roofline_seconds(double work, double traffic, double peak, double bandwidth) {
  return std::max(work / peak, traffic / bandwidth);
}

namespace detail {
inline constexpr double nan = std::numeric_limits<double>::quiet_NaN();

/// Off-chip bytes of a layer (or network) for a batch: weights once, activations per input.
inline double traffic(double weights, double activations, const resolved_scenario& r) {
  return weights * r.weight_bytes_per_element + activations * r.activation_bytes_per_element * r.batch;
}

inline bool positive_finite(double x) { return x > 0 && std::isfinite(x); }

inline prediction unsupported(const scenario& s, prediction_status status = prediction_status::unsupported) {
  prediction out;
  out.status = status;
  out.type = s.type;
  out.carrier = s.type;
  out.batch = s.batch.n;
  out.where = {nan, nan};
  out.peak = ops_per_s::from_value(nan);
  out.bandwidth = bytes_per_s::from_value(nan);
  out.work = ops::from_value(nan);
  out.traffic = bytes::from_value(nan);
  out.operational_intensity = ops_per_byte::from_value(nan);
  out.ridge_point = ops_per_byte::from_value(nan);
  out.attainable = ops_per_s::from_value(nan);
  out.throughput = inputs_per_s::from_value(nan);
  out.latency = seconds::from_value(nan);
  return out;
}

/// A prediction from a total work and traffic and the time they take.
inline prediction finish(const scenario& s, const resolved_scenario& r, double work, double traffic, double peak,
                         double bandwidth, double latency, bound_kind bound) {
  prediction out;
  out.status = prediction_status::ok;
  out.type = s.type;
  out.carrier = r.exec.carrier;
  out.batch = s.batch.n;
  out.where = r.where;
  out.peak = ops_per_s::from_value(peak);
  out.bandwidth = bytes_per_s::from_value(bandwidth);
  out.work = ops::from_value(work);
  out.traffic = bytes::from_value(traffic);
  out.operational_intensity = ops_per_byte::from_value(traffic > 0 ? work / traffic : std::numeric_limits<double>::infinity());
  out.ridge_point = ops_per_byte::from_value(peak / bandwidth);
  out.attainable = ops_per_s::from_value(work / latency);
  out.throughput = inputs_per_s::from_value(r.batch / latency);
  out.latency = seconds::from_value(latency);
  out.bound = bound;
  return out;
}
}  // namespace detail

/// The whole network's work and off-chip traffic for a batch, and the peak and bandwidth
/// its efficiency leaves, in SI doubles.
struct network_rates {
  double work, traffic, peak, bandwidth;
};

/// The whole-network rates of `p` under `r`; none when there is nothing sensible to
/// predict (prediction_status::invalid).
inline std::optional<network_rates> whole_network(const network_profile& p, const operating_mode& m, const scenario& s,
                                                 const resolved_scenario& r) {
  const double work = p.total_ops * r.batch;
  const double traffic = detail::traffic(p.total_weights, p.total_activations, r);
  const efficiency_factors e = s.efficiency({ops::from_value(work), bytes::from_value(traffic)});
  const double peak = r.exec.peak.value() * e.compute, bandwidth = m.bandwidth.value() * e.memory;
  if (!detail::positive_finite(peak) || !detail::positive_finite(bandwidth) || !(work > 0 || traffic > 0)) return std::nullopt;
  return network_rates{work, traffic, peak, bandwidth};
}

/// Whole-network roofline (eqs. 4.1, 4.2): throughput = min(peak / ops per input,
/// bandwidth / off-chip bytes per input); the batch's latency = batch / throughput.
inline prediction predict(const network_profile& p, const platform& pf, const operating_mode& m, const scenario& s = {}) {
  const std::optional<resolved_scenario> r = resolve(p, pf, m, s);
  if (!r) return detail::unsupported(s);
  const std::optional<network_rates> q = whole_network(p, m, s, *r);
  if (!q) return detail::unsupported(s, prediction_status::invalid);
  const double compute = q->work / q->peak, memory = q->traffic / q->bandwidth;
  // A peak or bandwidth so small that the time overflows a double: no number to print.
  if (!std::isfinite(std::max(compute, memory))) return detail::unsupported(s, prediction_status::invalid);
  return detail::finish(s, *r, q->work, q->traffic, q->peak, q->bandwidth, std::max(compute, memory),
                        compute >= memory ? bound_kind::compute : bound_kind::memory);
}

/// Layer-by-layer roofline: each layer at its own operational intensity; the network's
/// latency is the sum of the layers' max(compute time, memory time). The efficiency model
/// sees each layer's own workload.
inline layerwise_prediction predict_layers(const network_profile& p, const platform& pf, const operating_mode& m,
                                           const scenario& s = {}) {
  layerwise_prediction out;
  const std::optional<resolved_scenario> r = resolve(p, pf, m, s);
  if (!r) {
    out.network = detail::unsupported(s);
    return out;
  }
  out.layers.resize(p.size());
  double work = 0, traffic = 0, latency = 0, compute_bound_time = 0;
  for (std::size_t i = 0; i < p.size(); ++i) {
    const double w = p.ops[i] * r->batch;
    const double t = detail::traffic(p.weights[i], p.activations[i], *r);
    const efficiency_factors e = s.efficiency({ops::from_value(w), bytes::from_value(t)});
    const double peak = r->exec.peak.value() * e.compute, bandwidth = m.bandwidth.value() * e.memory;
    if (!detail::positive_finite(peak) || !detail::positive_finite(bandwidth)) {
      out.layers.clear();
      out.network = detail::unsupported(s, prediction_status::invalid);
      return out;
    }
    const double compute = w / peak;
    const double memory = t / bandwidth;
    layer_prediction& l = out.layers[i];
    l.name = p.names[i];
    l.kind = p.kinds[i];
    l.work = ops::from_value(w);
    l.traffic = bytes::from_value(t);
    l.operational_intensity = ops_per_byte::from_value(t > 0 ? w / t : std::numeric_limits<double>::infinity());
    l.compute_time = seconds::from_value(compute);
    l.memory_time = seconds::from_value(memory);
    l.time = seconds::from_value(std::max(compute, memory));
    l.bound = compute >= memory ? bound_kind::compute : bound_kind::memory;
    work += w;
    traffic += t;
    latency += l.time.value();
    if (l.bound == bound_kind::compute) compute_bound_time += l.time.value();
  }
  const efficiency_factors e = s.efficiency({ops::from_value(work), bytes::from_value(traffic)});
  if (!(latency > 0) || !std::isfinite(latency)) {
    out.layers.clear();
    out.network = detail::unsupported(s, prediction_status::invalid);
    return out;
  }
  out.network = detail::finish(s, *r, work, traffic, r->exec.peak.value() * e.compute, m.bandwidth.value() * e.memory,
                               latency, 2 * compute_bound_time >= latency ? bound_kind::compute : bound_kind::memory);
  return out;
}

}  // namespace qutibench
