// The realistic model (docs/prediction.md): the plain roofline's ceiling turned into an
// estimate by the deployed design of a mode (design.hpp). Per layer, time = max(compute
// time at the utilization its dimensions leave on the engine, the transfer time on each
// memory level it touches) + a dispatch cost; per inference, the host link's transfer of
// inputs and outputs and the host's own work. The plain thesis model stays the ceiling.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "qutibench/platform.hpp"
#include "qutibench/predict/profile.hpp"
#include "qutibench/predict/roofline.hpp"

namespace qutibench {

/// plain: the thesis's roofline (a ceiling); realistic: this header's estimate.
enum class prediction_model { plain, realistic };

/// The model called `name` ("plain", "realistic"); spec_error 301 otherwise.
inline prediction_model parse_prediction_model(std::string_view name) {
  if (name == "plain") return prediction_model::plain;
  if (name == "realistic") return prediction_model::realistic;
  throw spec_error(error_id::unknown_id, "model '" + std::string(name) + "'", "valid: plain, realistic");
}

/// What a whole-network prediction's `model` and `memory_model` outputs say, from the CLI
/// and Python alike: model `network` (plain), `per-layer` (plain, layer by layer),
/// `realistic` or `calibrated` (the realistic model with fitted factors); memory_model the
/// scenario's, or `design` where the realistic model places data on the design's levels.
struct model_labels {
  std::string model, memory_model;
};
inline model_labels labels_of(prediction_model m, bool per_layer, bool calibrated, const memory_model& memory) {
  const bool realistic = m == prediction_model::realistic;
  return {calibrated ? "calibrated" : realistic ? "realistic" : per_layer ? "per-layer" : "network",
          realistic ? "design" : memory.name};
}

/// Threads a user gives (the CLI's --threads, Python's `threads`; both call this): none
/// takes the design's own (`threaded`); otherwise 1..max_prediction_threads, and only for
/// the realistic model, which alone maps work onto units. spec_error 503 otherwise.
inline std::optional<std::uint64_t> checked_threads(std::optional<std::int64_t> threads, prediction_model model) {
  if (!threads) return std::nullopt;
  if (*threads < 1 || *threads > max_prediction_threads)
    throw spec_error(error_id::invalid_value, "threads",
                     "must be 1.." + std::to_string(max_prediction_threads) + ", got " + std::to_string(*threads));
  if (model != prediction_model::realistic)
    throw spec_error(error_id::invalid_value, "threads", "applies to the realistic model only (the plain model has no units)");
  return static_cast<std::uint64_t>(*threads);
}

namespace detail {
/// The share of an engine dimension of size `t` that a layer dimension of size `x` keeps
/// busy: x over x rounded up to a multiple of t (ceil quantization).
inline double fill(double x, double t) { return x <= 0 || t <= 1 ? 1.0 : x / (std::ceil(x / t) * t); }
}  // namespace detail

/// The design a mode runs: the one its spec states, else the thesis's level-0 placement
/// at the scenario's batch (one unit with no tiling, activations on chip, weights from the
/// external memory once per batch, no fixed costs): a spec without a design predicts what
/// the plain model predicts at that batch, at the FPGA utilization the spec states.
inline deployed_design design_of(const operating_mode& m) {
  if (m.design) return *m.design;
  deployed_design d;
  d.source = "the spec's peaks and external memory (no deployed design stated)";
  d.levels.push_back({"on-chip", std::nullopt, std::nullopt, level_holds::activations});
  d.levels.push_back({"external", std::nullopt, m.bandwidth, level_holds::both});
  return d;
}

/// `d` as `threads` runtime threads run it on platform kind `k` (none: the design's own
/// runtime threads, where it states them): each thread drives one unit of an `inputs`
/// engine (a Vitis AI runner thread per DPU core) or one core of a CPU, so min(threads,
/// units) units stay busy and the peak shrinks with them; the units of other `tiles`
/// engines (a GPU's SMs, an accelerator's tiles) split every layer whatever the host's threads.
inline deployed_design threaded(deployed_design d, platform_kind k, std::optional<std::uint64_t> threads) {
  if (!threads) threads = d.threads;
  if (threads && (d.sharing == unit_sharing::inputs || k == platform_kind::cpu))
    d.units = std::min(static_cast<double>(*threads), d.units);
  return d;
}

/// The share of the engine's peak that a layer of shape `l` attains at `batch`: each
/// dimension's fill of the MAC array (`inputs` engines: pixels, input and output channels
/// per input; `tiles` engines: the im2col GEMM's rows = pixels x batch, depth = channels x
/// window, columns = output channels) times, for `tiles`, the fill of the last wave of
/// tiles over the units. Depthwise layers get the design's depthwise share where stated.
inline double utilization(const layer_shape& l, const deployed_design& d, double batch) {
  if (l.pixels <= 0) return 1;
  if (l.depthwise() && d.depthwise_share) return *d.depthwise_share;
  if (!d.array) return 1;
  const mac_array& a = *d.array;
  if (d.sharing == unit_sharing::inputs)
    return detail::fill(l.pixels, a.pixels) * detail::fill(l.in_channels, a.in_channels) *
           detail::fill(l.out_channels, a.out_channels);
  const double rows = l.pixels * batch, depth = l.in_channels * l.window, cols = l.out_channels;
  const double tiles = l.groups * std::ceil(rows / a.pixels) * std::ceil(cols / a.out_channels);
  const double waves = std::ceil(tiles / d.units);
  return detail::fill(rows, a.pixels) * detail::fill(depth, a.in_channels) * detail::fill(cols, a.out_channels) *
         tiles / (waves * d.units);
}

/// Whether layer `i` of `p` runs on the engine, and so pays a dispatch: it computes or
/// moves data (nodes that only rename their input do neither).
inline bool dispatched(const network_profile& p, std::size_t i) { return p.ops[i] > 0 || p.activations[i] > 0; }

/// Layer dispatches per input under design `d` at `batch`: every dispatched layer once per
/// run, a run being the batch, or one input where the design's layers run per input.
inline double dispatches_per_input(const network_profile& p, const deployed_design& d, double batch) {
  double layers = 0;
  for (std::size_t i = 0; i < p.size(); ++i) layers += dispatched(p, i) ? 1 : 0;
  return d.runs == layer_runs::per_input ? layers : layers / batch;
}

/// The peak of `exec` under design `d`: scaled by the array's stated peak over the mode's
/// peak of the array's datatype (the deployed design, not the device maximum), or on an
/// FPGA design with a clock and no array by that clock over the LUT clock the peaks
/// assume, else by the FPGA utilization a spec without a design states.
inline double design_peak(const platform& pf, const operating_mode& m, const deployed_design& d, const execution& exec) {
  const double peak = exec.peak.value();
  if (const std::optional<double> stated = d.array_peak())
    if (const std::optional<ops_per_s> device = m.native_peak(d.array->type)) return peak * *stated / device->value();
  if (d.clock_hz && !d.array && pf.fpga) return peak * *d.clock_hz / pf.fpga->lut_clock.value();
  if (!m.design && pf.fpga) return peak * pf.fpga->utilization;
  return peak;
}

/// The realistic prediction of `p` on mode `m` of `pf` for `s.type`, `s.batch` and
/// `s.threads` (`threaded`; the scenario's memory and efficiency models are the plain
/// model's and are not used).
/// Weights take the first weight-holding level with room left for the whole layer, in
/// layer order, and stream from there once per batch (once per input where the design's
/// layers run per input); a layer's activations take the first level that holds one
/// run's (the batch's, or one input's) beside all cached weights. Off chip (`where`,
/// traffic) means the last level, if it has a bandwidth; the bound is that of the layers.
/// Layer times add up (layers run one after another; an `inputs` engine's units run
/// different inputs side by side at the device's peak and bandwidth together); the batch
/// adds per-input host link and host costs.
inline layerwise_prediction predict_realistic(const network_profile& p, const platform& pf, const operating_mode& m,
                                              const scenario& s = {}) {
  layerwise_prediction out;
  const std::optional<execution> exec = pf.run(m, s.type);
  if (!exec) {
    out.network = detail::unsupported(s);
    return out;
  }
  const deployed_design full = design_of(m), d = threaded(full, pf.kind, s.threads);
  const double peak = design_peak(pf, m, full, *exec) * d.units / full.units;  // the busy units' share
  const double size = s.type.size().value(), batch = static_cast<double>(s.batch.n);
  if (!detail::positive_finite(peak) || d.levels.empty() || !(batch >= 1)) {
    out.network = detail::unsupported(s, prediction_status::invalid);
    return out;
  }
  // A design whose layers run once per input reads uncached weights, fills the engine
  // and pays the dispatch cost once per input; otherwise once per batch.
  const bool per_input = d.runs == layer_runs::per_input;
  const double runs = per_input ? batch : 1;
  const std::size_t last = d.levels.size() - 1;
  std::vector<double> room(d.levels.size());
  for (std::size_t k = 0; k < d.levels.size(); ++k)
    room[k] = d.levels[k].capacity ? d.levels[k].capacity->value() : std::numeric_limits<double>::infinity();
  // Weights first, all layers: what a level caches stays there across inferences, so the
  // activations see the room the whole network's weights leave.
  std::vector<std::size_t> weight_level(p.size(), last);
  for (std::size_t i = 0; i < p.size(); ++i) {
    const double wb = p.weights[i] * size;
    for (std::size_t k = 0; k < last && wb > 0; ++k)
      if (d.levels[k].can_hold_weights() && room[k] >= wb) {
        room[k] -= wb;
        weight_level[i] = k;
        break;
      }
  }
  // Off chip: the last level, unless it has no bandwidth (on-chip memory that holds all).
  const bool last_off_chip = d.levels[last].bandwidth.has_value();
  out.layers.resize(p.size());
  double work = 0, off_chip = 0, layer_time = 0, compute_bound_time = 0;
  double weights_off = 0, activations_off = 0;
  std::vector<double> level_bytes(d.levels.size());
  for (std::size_t i = 0; i < p.size(); ++i) {
    const double w = p.ops[i] * batch, wb = p.weights[i] * size, ab = p.activations[i] * size * batch;
    const std::size_t wl = weight_level[i];
    std::size_t al = last;
    for (std::size_t k = 0; k < last && ab > 0; ++k)
      if (d.levels[k].can_hold_activations() && room[k] >= ab / runs) {  // one run's share
        al = k;
        break;
      }
    std::fill(level_bytes.begin(), level_bytes.end(), 0.0);
    level_bytes[wl] += wb * runs;
    level_bytes[al] += ab;
    double memory = 0;
    for (std::size_t k = 0; k < d.levels.size(); ++k)
      if (d.levels[k].bandwidth) memory = std::max(memory, level_bytes[k] / d.levels[k].bandwidth->value());
    const double compute = w > 0 ? w / (peak * utilization(p.shapes[i], d, per_input ? 1 : batch)) : 0;
    layer_prediction& l = out.layers[i];
    l.name = p.names[i];
    l.kind = p.kinds[i];
    l.work = ops::from_value(w);
    l.traffic = bytes::from_value(wb * runs + ab);
    l.operational_intensity =
        ops_per_byte::from_value(wb + ab > 0 ? w / (wb * runs + ab) : std::numeric_limits<double>::infinity());
    l.compute_time = seconds::from_value(compute);
    l.memory_time = seconds::from_value(memory);
    l.time = seconds::from_value(std::max(compute, memory) + (dispatched(p, i) ? d.per_layer.value() * runs : 0.0));
    l.bound = compute >= memory ? bound_kind::compute : bound_kind::memory;
    work += w;
    if (last_off_chip) {
      off_chip += level_bytes[last];
      weights_off += wl == last ? wb : 0;
      activations_off += al == last ? ab : 0;
    }
    layer_time += l.time.value();
    if (l.bound == bound_kind::compute) compute_bound_time += l.time.value();
  }
  const double host_link = d.host_link ? (p.input_elements + p.output_elements) * size / d.host_link->value() : 0;
  const double latency = layer_time + batch * (host_link + d.per_inference.value());
  if (!(latency > 0) || !std::isfinite(latency)) {
    out.layers.clear();
    out.network = detail::unsupported(s, prediction_status::invalid);
    return out;
  }
  const double weight_bytes = p.total_weights * size, activation_bytes = p.total_activations * size * batch;
  const placement where{weight_bytes > 0 ? weights_off / weight_bytes : 0,
                        activation_bytes > 0 ? activations_off / activation_bytes : 0};
  const resolved_scenario r{*exec, where, size * where.weights_off_chip, size * where.activations_off_chip, batch};
  const bytes_per_s outer = d.levels[last].bandwidth.value_or(m.bandwidth);
  out.network = detail::finish(s, r, work, off_chip, peak, outer.value(), latency,
                               2 * compute_bound_time >= layer_time ? bound_kind::compute : bound_kind::memory);
  return out;
}

/// The whole-network prediction of `model`: the plain roofline (eq. 4.2) or the realistic
/// estimate; what heatmaps, pareto and orthogonality use.
inline prediction predict_with(prediction_model model, const network_profile& p, const platform& pf,
                               const operating_mode& m, const scenario& s) {
  return model == prediction_model::realistic ? predict_realistic(p, pf, m, s).network : predict(p, pf, m, s);
}

}  // namespace qutibench
