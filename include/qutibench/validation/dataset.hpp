// Measured datasets against level-0 predictions (thesis Chapter 7): best measured
// throughput per setting joined to plain, refined and calibrated predictions, reports per
// platform and task, measured pareto points, orthogonality of pruning and quantization
// (Section 8.3.2), and system-vs-compute overheads over batch (Section 7.5).
#pragma once

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <Eigen/Dense>

#include "qutibench/accuracy.hpp"
#include "qutibench/io/catalogue.hpp"
#include "qutibench/measure/record.hpp"
#include "qutibench/platform.hpp"
#include "qutibench/predict/profile.hpp"
#include "qutibench/predict/realistic.hpp"
#include "qutibench/predict/roofline.hpp"
#include "qutibench/validation/kernel_agreement.hpp"
#include "qutibench/validation/statistics.hpp"
#include "qutibench/zoo.hpp"

namespace qutibench {

/// plain: the thesis's level-0 (batch 1, weights off-chip, full-device peaks); refined:
/// the first and third refinements (on-chip-if-fits memory, the measurement's own batch,
/// peak x the FPGA utilization a spec states); calibrated: refined x an efficiency fitted
/// per platform, leave-one-topology-out; realistic: the realistic model at the
/// measurement's batch (predict/realistic.hpp).
enum class validation_model { plain, refined, calibrated, realistic };
/// Which measured throughput: compute (accelerator only) or system (with pre-processing
/// and copies).
enum class validation_metric { compute, system };

/// One setting (platform, topology, datatype): its best measured throughput over the
/// deployment settings (batch sizes, thread counts, stream sizes, operating modes; the
/// thesis's Table 7.1 method and Table 5.8) and the predictions of the three models at
/// the best row's mode (and, refined, its batch), all in inputs/s.
struct validation_point {
  std::string platform, mode, task, topology;
  datatype type;
  std::uint64_t batch = 1;  ///< of the best measured row (1 where it states none)
  bool batch_stated = true; ///< the row states its batch: only such rows train a calibration
  double measured = 0;
  double plain = 0, refined = 0, calibrated = 0, realistic = 0;
  double ops_per_input = 0, weights = 0;  ///< level-0 features of the topology
  double activations = 0;                 ///< elements read and written per input, all layers
  double peak = 0, bandwidth = 0;  ///< of the best row's mode and datatype
  double element_bytes = 0;        ///< of the datatype the measurement ran in (its carrier)
  double dispatches = 0;           ///< layer dispatches per input in the realistic model (`dispatches_per_input`)

  double predicted(validation_model m) const {
    switch (m) {
      case validation_model::plain: return plain;
      case validation_model::refined: return refined;
      case validation_model::calibrated: return calibrated;
      case validation_model::realistic: return realistic;
    }
    return plain;
  }
};

/// A point's setting and its measured and predicted inputs/s.
template <class F>
void fields(const validation_point& p, F&& field) {
  field("platform", p.platform);
  field("mode", p.mode);
  field("task", p.task);
  field("topology", p.topology);
  field("datatype", p.type.name());
  field("batch", p.batch);
  field("measured", p.measured);
  field("plain", p.plain);
  field("refined", p.refined);
  field("calibrated", p.calibrated);
  field("realistic", p.realistic);
}

/// The model called `name` ("plain", "refined", "calibrated", "realistic"); spec_error
/// 301 otherwise.
inline validation_model parse_validation_model(std::string_view name) {
  if (name == "plain") return validation_model::plain;
  if (name == "refined") return validation_model::refined;
  if (name == "calibrated") return validation_model::calibrated;
  if (name == "realistic") return validation_model::realistic;
  throw spec_error(error_id::unknown_id, "model '" + std::string(name) + "'", "valid: plain, refined, calibrated, realistic");
}

/// The metric called `name` ("compute", "system"); spec_error 301 otherwise.
inline validation_metric parse_validation_metric(std::string_view name) {
  if (name == "compute") return validation_metric::compute;
  if (name == "system") return validation_metric::system;
  throw spec_error(error_id::unknown_id, "metric '" + std::string(name) + "'", "valid: compute, system");
}

namespace detail {
inline double measured_inputs_per_s(const recorded_measurement& r, validation_metric metric) {
  return metric == validation_metric::compute ? r.compute_inputs_per_s() : r.system_inputs_per_s();
}
}  // namespace detail

/// Best measured row per setting (with `best_only`; else every row, as its own setting),
/// joined to plain and refined predictions on the spec of its platform (`platforms` by
/// id or alias; a point carries the spec's id) at the row's mode (the fastest where the
/// row states none) and batch (1 where the row states none). Settings whose platform has no spec, whose mode the spec lacks, or that the
/// spec cannot run, are left out.
/// `calibrated` is filled by `calibrate_leave_one_topology_out`.
inline std::vector<validation_point> validation_points(std::span<const recorded_measurement> rows,
                                                       std::span<const platform> platforms, validation_metric metric,
                                                       bool best_only = true) {
  const auto spec_of = [&](const std::string& name) -> const platform* {
    const auto pf = std::ranges::find_if(platforms, [&](const platform& p) { return names(p, name); });
    return pf == platforms.end() ? nullptr : &*pf;
  };
  std::map<std::tuple<std::string, std::string, std::string, std::string>, const recorded_measurement*> best;
  std::vector<std::tuple<std::string, std::string, std::string, std::string>> order;
  for (const recorded_measurement& r : rows) {
    const double v = detail::measured_inputs_per_s(r, metric);
    if (std::isnan(v)) continue;
    const measurement& m = r.record;
    const platform* spec = spec_of(m.platform);  // rows naming one spec by id and alias are one setting
    const auto key = std::make_tuple(spec ? spec->id : m.platform, m.what.topology, m.what.type.name(),
                                     best_only ? std::string() : m.mode + "/" + std::to_string(m.what.batch));
    auto it = best.find(key);
    if (it == best.end()) {
      best.emplace(key, &r);
      order.push_back(key);
    } else if (v > detail::measured_inputs_per_s(*it->second, metric)) {
      it->second = &r;
    }
  }
  std::map<std::string, std::pair<topology, network_profile>> nets;
  std::vector<validation_point> out;
  for (const auto& key : order) {
    const recorded_measurement& r = *best.at(key);
    const measurement& m = r.record;
    const platform* pf = spec_of(m.platform);
    if (!pf || (!m.mode.empty() && std::ranges::none_of(pf->modes, [&](const operating_mode& o) {
                                    return o.name == m.mode;
                                  })))
      continue;
    auto net = nets.find(m.what.topology);
    if (net == nets.end()) {
      net = nets.emplace(m.what.topology, std::make_pair(zoo::get(m.what.topology), network_profile{})).first;
      net->second.second = profile(net->second.first);
    }
    const network_profile& prof = net->second.second;
    const operating_mode& mode = pf->mode(m.mode);
    const std::uint64_t batch = std::max<std::uint64_t>(m.what.batch, 1);  // an unstated batch (0) counts as 1
    const prediction plain = predict(prof, *pf, mode, {m.what.type, {1}, memory_model::thesis(), {}});
    const double utilization = pf->fpga ? pf->fpga->utilization : 1.0;
    const prediction refined = predict(prof, *pf, mode,
                                       {m.what.type, {batch}, memory_model::onchip_if_fits(),
                                        efficiency_model::constant(utilization, 1)});
    const prediction realistic = predict_realistic(prof, *pf, mode, {m.what.type, {batch}, {}, {}}).network;
    if (!plain.ok() || !refined.ok() || !realistic.ok()) continue;
    validation_point p;
    p.platform = pf->id;
    p.mode = m.mode;
    p.task = std::string(zoo::find(m.what.topology).task);
    p.topology = m.what.topology;
    p.type = m.what.type;
    p.batch = batch;
    p.batch_stated = m.what.batch != 0;
    p.measured = detail::measured_inputs_per_s(r, metric);
    p.plain = plain.throughput.value();
    p.refined = refined.throughput.value();
    p.calibrated = p.refined;
    p.realistic = realistic.throughput.value();
    p.ops_per_input = prof.total_ops;
    p.weights = prof.total_weights;
    p.activations = prof.total_activations;
    p.dispatches = dispatches_per_input(prof, design_of(mode), static_cast<double>(batch));
    p.peak = plain.peak.value();
    p.bandwidth = plain.bandwidth.value();
    p.element_bytes = m.carrier.size().value();  // what the hardware stored: INT8 for INT2/INT4 through gemmlowp
    out.push_back(std::move(p));
  }
  return out;
}

namespace detail {
/// Time-like terms of a point, per input (seconds): the roofline's compute time, its
/// weight-transfer time spread over the batch and unspread, activation-transfer time, a
/// constant per input and a constant per batch. Measured time per input is modelled as
/// their weighted sum: an efficiency for each roofline term plus fixed overheads.
inline Eigen::VectorXd calibration_terms(const validation_point& p) {
  const double compute = p.ops_per_input / p.peak;
  const double weights = p.weights * p.element_bytes / p.bandwidth;
  const double activations = p.activations * p.element_bytes / p.bandwidth;
  const double b = static_cast<double>(p.batch);
  Eigen::VectorXd f(6);
  f << compute, weights / b, weights, activations, 1e-5, 1e-5 / b;  // 10 us units keep the terms comparable
  return f;
}
}  // namespace detail

/// Held-out calibration, the one loop behind few-shot and leave-one-topology-out: per
/// device (in order of appearance in `best`) with n networks, every set of k = k_of(n)
/// of them in turn (none where k is 0 or not below n) is the training set: `visit(train,
/// held)` gets the device's rows of those networks in `all` (every batch and mode; rows of
/// a network with no point in `best` are left out, as are rows that state no batch: a
/// published best figure at an unknown batch would train as batch 1) and the indices in
/// `best` of its points of the other networks, which the fit then predicts.
template <class KOf, class Visit>
void for_each_training_set(std::span<const validation_point> best, std::span<const validation_point> all, KOf&& k_of,
                           Visit&& visit) {
  std::vector<std::string> platforms;
  for (const validation_point& p : best)
    if (std::ranges::find(platforms, p.platform) == platforms.end()) platforms.push_back(p.platform);
  for (const std::string& pf : platforms) {
    std::vector<std::string> nets;
    for (const validation_point& p : best)
      if (p.platform == pf && std::ranges::find(nets, p.topology) == nets.end()) nets.push_back(p.topology);
    const std::size_t k = k_of(nets.size());
    if (k == 0 || k >= nets.size()) continue;
    // Every k-subset of the networks, as a mask over `nets` (few-shot k <= 5; k = n - 1 is n sets).
    std::vector<bool> chosen(nets.size(), false);
    std::fill(chosen.end() - static_cast<std::ptrdiff_t>(k), chosen.end(), true);
    do {
      auto in_training = [&](const std::string& t) {  // rows of a network without a best point never train
        const auto it = std::ranges::find(nets, t);
        return it != nets.end() && chosen[static_cast<std::size_t>(it - nets.begin())];
      };
      std::vector<const validation_point*> train;
      for (const validation_point& p : all)
        if (p.platform == pf && p.batch_stated && in_training(p.topology)) train.push_back(&p);
      std::vector<std::size_t> held;
      for (std::size_t i = 0; i < best.size(); ++i)
        if (best[i].platform == pf && !in_training(best[i].topology)) held.push_back(i);
      if (!train.empty()) visit(std::span<const validation_point* const>(train), std::span<const std::size_t>(held));
    } while (std::next_permutation(chosen.begin(), chosen.end()));
  }
}

/// Fills `calibrated` of every point of `best`: per platform, measured time per input is
/// fitted as a weighted sum of `detail::calibration_terms` (least squares weighted for
/// relative error) over every measured row in `all` of the platform's *other* topologies,
/// and evaluated for the held-out topology's points: a topology's measurements never
/// shape its own prediction. Leave-one-topology-out is held-out calibration with k = n - 1
/// (`for_each_training_set`) and this richer fit; few-shot (few_shot.hpp) is the same
/// loop at small k with fewer factors. With no other topology on the platform,
/// calibrated = refined.
inline void calibrate_leave_one_topology_out(std::vector<validation_point>& best, std::span<const validation_point> all) {
  for (validation_point& p : best) p.calibrated = p.refined;
  for_each_training_set(best, all, [](std::size_t n) { return n - 1; },
                        [&](std::span<const validation_point* const> train, std::span<const std::size_t> held) {
    const Eigen::Index k = detail::calibration_terms(*train.front()).size();
    Eigen::MatrixXd x(static_cast<Eigen::Index>(train.size()), k);
    for (std::size_t i = 0; i < train.size(); ++i)
      x.row(static_cast<Eigen::Index>(i)) = detail::calibration_terms(*train[i]).transpose() * train[i]->measured;
    const Eigen::VectorXd y = Eigen::VectorXd::Ones(x.rows());  // time x throughput = 1 for a perfect fit
    const Eigen::MatrixXd a = x.transpose() * x + 1e-9 * Eigen::MatrixXd::Identity(k, k);
    const Eigen::VectorXd beta = a.ldlt().solve(x.transpose() * y);
    for (const std::size_t i : held) {
      // A held-out topology far outside the training range could come out non-positive:
      // the refined prediction stays there.
      const double seconds_per_input = detail::calibration_terms(best[i]).dot(beta);
      if (seconds_per_input > 0) best[i].calibrated = 1 / seconds_per_input;
    }
  });
}

/// The agreement of one model with the measurements over a group of points.
struct model_agreement {
  std::size_t n = 0;
  double pearson = std::nan(""), spearman = std::nan("");  ///< of predicted and measured inputs/s
  double median_abs_log10_error = std::nan(""), max_abs_log10_error = std::nan("");
  double efficiency_median = std::nan(""), efficiency_min = std::nan(""), efficiency_max = std::nan("");  ///< measured / predicted
};

/// The agreement figures, in output order (see predict/fields.hpp for the convention).
template <class F>
void fields(const model_agreement& a, F&& field) {
  field("n", a.n);
  field("pearson", a.pearson);
  field("spearman", a.spearman);
  field("median_abs_log10_error", a.median_abs_log10_error);
  field("max_abs_log10_error", a.max_abs_log10_error);
  field("efficiency_median", a.efficiency_median);
  field("efficiency_min", a.efficiency_min);
  field("efficiency_max", a.efficiency_max);
}

inline model_agreement agreement_of(std::span<const validation_point* const> points, validation_model model) {
  model_agreement a;
  a.n = points.size();
  if (a.n == 0) return a;
  std::vector<double> predicted, measured, err, eff;
  for (const validation_point* p : points) {
    predicted.push_back(p->predicted(model));
    measured.push_back(p->measured);
    err.push_back(std::abs(std::log10(p->predicted(model) / p->measured)));
    eff.push_back(p->measured / p->predicted(model));
  }
  if (a.n >= 2) {
    a.pearson = pearson(predicted, measured);
    const std::vector<double> rp = ranks(predicted), rm = ranks(measured);
    a.spearman = pearson(rp, rm);
  }
  const five_numbers e = quantiles(err), f = quantiles(eff);
  a.median_abs_log10_error = e.median;
  a.max_abs_log10_error = e.max;
  a.efficiency_median = f.median;
  a.efficiency_min = f.min;
  a.efficiency_max = f.max;
  return a;
}

/// A report group: points of one platform and task ("all" for every task of a platform,
/// and platform "all" for everything).
struct validation_group {
  std::string platform, task;
  model_agreement model, plain;
};

/// Groups per (platform, task) in order of appearance, then per platform over its tasks
/// where it has more than one, then everything.
inline std::vector<validation_group> validation_report(const std::vector<validation_point>& points, validation_model model) {
  std::vector<std::pair<std::string, std::string>> keys;
  for (const validation_point& p : points)
    if (std::find(keys.begin(), keys.end(), std::make_pair(p.platform, p.task)) == keys.end()) keys.emplace_back(p.platform, p.task);
  std::vector<std::string> platforms;
  for (const auto& [pf, task] : keys)
    if (std::find(platforms.begin(), platforms.end(), pf) == platforms.end()) platforms.push_back(pf);
  std::vector<validation_group> out;
  auto add = [&](const std::string& pf, const std::string& task) {
    std::vector<const validation_point*> sel;
    for (const validation_point& p : points)
      if ((pf == "all" || p.platform == pf) && (task == "all" || p.task == task)) sel.push_back(&p);
    out.push_back({pf, task, agreement_of(sel, model), agreement_of(sel, validation_model::plain)});
  };
  for (const auto& [pf, task] : keys) add(pf, task);
  for (const std::string& pf : platforms)
    if (std::count_if(keys.begin(), keys.end(), [&](const auto& k) { return k.first == pf; }) > 1) add(pf, "all");
  add("all", "all");
  return out;
}

}  // namespace qutibench
