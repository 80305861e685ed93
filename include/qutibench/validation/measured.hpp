// What a measured dataset shows without a prediction: the measured pareto points of a
// task (thesis Section 4.5.5), the orthogonality of pruning and quantization (Section
// 8.3.2) and latency against throughput over batch (Section 7.5).
#pragma once

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "qutibench/accuracy.hpp"
#include "qutibench/error.hpp"
#include "qutibench/measure/record.hpp"
#include "qutibench/predict/pareto.hpp"
#include "qutibench/zoo.hpp"

namespace qutibench {

/// A measured point of a pareto graph (thesis Section 4.5.5, Figures 7.9-7.11): one
/// (platform, mode, topology, datatype) with its best compute throughput and lowest compute
/// latency over the recorded batches, and its accuracy (as measured, else published).
struct measured_point {
  std::string platform, mode, topology;
  datatype type;
  double top1_pct = std::nan("");
  double inputs_per_s = 0;
  double latency_s = INFINITY;
  std::optional<watts> full_power;  ///< at the best-throughput row, where measured

  /// Inputs per second per watt, NaN without a power figure.
  double inputs_per_s_per_w() const { return full_power ? inputs_per_s / full_power->value() : std::nan(""); }
};

/// A measured point's figure of merit, as `figure(heatmap_cell, x)` gives a predicted one.
inline double figure(const measured_point& p, figure_of_merit x) {
  switch (x) {
    case figure_of_merit::latency: return p.latency_s;
    case figure_of_merit::efficiency: return p.inputs_per_s_per_w();
    case figure_of_merit::throughput: break;
  }
  return p.inputs_per_s;
}

/// A measured point's figures; inputs/s/W is NaN without a power figure.
template <class F>
void fields(const measured_point& p, F&& field) {
  field("platform", p.platform);
  field("mode", p.mode);
  field("topology", p.topology);
  field("datatype", p.type.name());
  field("accuracy_top1", p.top1_pct);
  field("inputs_per_s", p.inputs_per_s);
  field("latency_s", p.latency_s);
  field("full_power_w", p.full_power ? std::optional(p.full_power->value()) : std::nullopt);
  field("inputs_per_s_per_w", p.inputs_per_s_per_w());
}

/// The measured points of `task` (one of `accuracy_tasks`, spec_error 301 otherwise);
/// accuracy from the rows' top1, else from `accuracy` (same topology and datatype);
/// points with neither are left out.
inline std::vector<measured_point> measured_pareto_points(std::span<const recorded_measurement> rows, std::string_view task,
                                                          std::span<const accuracy_record> accuracy) {
  check_task(task);
  std::vector<measured_point> out;
  for (const recorded_measurement& r : rows) {
    const measurement& m = r.record;
    if (zoo::find(m.what.topology).task != task || std::isnan(r.compute_inputs_per_s())) continue;  // no compute figure
    auto it = std::find_if(out.begin(), out.end(), [&](const measured_point& p) {
      return p.platform == m.platform && p.mode == m.mode && p.topology == m.what.topology && p.type == m.what.type;
    });
    if (it == out.end()) {
      out.push_back({m.platform, m.mode, m.what.topology, m.what.type, std::nan(""), 0, INFINITY, std::nullopt});
      it = out.end() - 1;
    }
    if (m.top1_pct) it->top1_pct = *m.top1_pct;
    const double fps = r.compute_inputs_per_s();
    if (fps > it->inputs_per_s) {
      it->inputs_per_s = fps;
      it->full_power = m.full_power;
    }
    it->latency_s = std::min(it->latency_s, m.compute.median.value());
  }
  for (measured_point& p : out)
    if (std::isnan(p.top1_pct))
      for (const accuracy_record& a : accuracy)
        if (a.topology == p.topology && a.type == p.type) p.top1_pct = a.top1_pct;
  std::erase_if(out, [](const measured_point& p) { return std::isnan(p.top1_pct); });
  return out;
}

/// Orthogonality of quantization and pruning (thesis Section 8.3.2) from the throughput
/// of A (original), B (quantized), C (pruned), D (both): first-degree gains p1 = B/A
/// (quantization) and q1 = C/A (pruning), second-degree p2 = D/C and q2 = D/B.
struct orthogonality {
  double p1, q1, p2, q2;
  /// D beats both single optimizations.
  bool complementary() const { return p2 > 1 && q2 > 1; }
  /// p2/p1 (= q2/q1 = A D / (B C)): 1 when perfectly orthogonal.
  double interaction() const { return p2 / p1; }
  /// |log10 of the interaction|: 0 when perfectly orthogonal.
  double distance() const { return std::abs(std::log10(interaction())); }
};

/// Throws spec_error 503 unless every throughput is a positive finite number: a gain of a
/// zero or negative throughput is no gain, and its log would print NaN.
inline orthogonality orthogonality_of(double a, double b, double c, double d) {
  const std::pair<const char*, double> given[] = {{"original", a}, {"quantized", b}, {"pruned", c}, {"both", d}};
  for (const auto& [name, x] : given)
    if (!(x > 0) || !std::isfinite(x))
      throw spec_error(error_id::invalid_value, std::string("orthogonality: ") + name,
                       "must be a positive finite throughput, got " + shown_number(x));
  return {b / a, c / a, d / c, d / b};
}

/// The gains and how they combine (see predict/fields.hpp for the convention).
template <class F>
void fields(const orthogonality& o, F&& field) {
  field("p1", o.p1);
  field("q1", o.q1);
  field("p2", o.p2);
  field("q2", o.q2);
  field("complementary", o.complementary());
  field("interaction", o.interaction());
  field("distance_log10", o.distance());
}

/// Latency against throughput over batch, and what the system adds to compute, for one
/// setting (thesis Section 7.5).
struct batch_summary {
  std::string platform, mode, topology;
  datatype type;
  std::vector<std::uint64_t> batches;
  double best_inputs_per_s = 0;       ///< best compute throughput (published fps)
  std::uint64_t best_batch = 1;
  double latency_at_best_s = 0;       ///< compute latency at that batch
  double min_latency_s = 0;           ///< smallest compute latency (usually batch 1)
  double overhead_median = std::nan("");  ///< system / compute latency, median over batches
  double overhead_max = std::nan("");
};

/// A batch summary's figures.
template <class F>
void fields(const batch_summary& s, F&& field) {
  field("platform", s.platform);
  field("mode", s.mode);
  field("topology", s.topology);
  field("datatype", s.type.name());
  field("batches", s.batches);
  field("best_inputs_per_s", s.best_inputs_per_s);
  field("best_batch", s.best_batch);
  field("latency_at_best_s", s.latency_at_best_s);
  field("min_latency_s", s.min_latency_s);
  field("overhead_median", s.overhead_median);
  field("overhead_max", s.overhead_max);
}

inline std::vector<batch_summary> batch_summaries(std::span<const recorded_measurement> rows) {
  std::vector<batch_summary> out;
  std::vector<std::vector<double>> overheads;
  for (const recorded_measurement& r : rows) {
    const measurement& m = r.record;
    // Over batch, each row needs its batch and compute latency (published tables may lack either).
    if (m.what.batch == 0 || std::isnan(m.compute.median.value())) continue;
    auto it = std::find_if(out.begin(), out.end(), [&](const batch_summary& s) {
      return s.platform == m.platform && s.mode == m.mode && s.topology == m.what.topology && s.type == m.what.type;
    });
    if (it == out.end()) {
      out.push_back({m.platform, m.mode, m.what.topology, m.what.type, {}, 0, 1, 0, INFINITY});
      overheads.emplace_back();
      it = out.end() - 1;
    }
    batch_summary& s = *it;
    s.batches.push_back(m.what.batch);
    const double fps = r.compute_inputs_per_s();
    if (fps > s.best_inputs_per_s) {
      s.best_inputs_per_s = fps;
      s.best_batch = m.what.batch;
      s.latency_at_best_s = m.compute.median.value();
    }
    s.min_latency_s = std::min(s.min_latency_s, m.compute.median.value());
    if (!std::isnan(m.system.median.value()))
      overheads[static_cast<std::size_t>(it - out.begin())].push_back(m.system.median.value() / m.compute.median.value());
  }
  for (std::size_t i = 0; i < out.size(); ++i) {
    const five_numbers q = quantiles(overheads[i]);
    out[i].overhead_median = q.median;
    out[i].overhead_max = q.max;
  }
  return out;
}

}  // namespace qutibench
