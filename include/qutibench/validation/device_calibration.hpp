// A prediction calibrated on the user's own measurements of the device (`predict
// --calibrate`, Python's `predict(..., calibrate=)`): the few-shot factors of few_shot.hpp
// fitted on the device's rows of a measurement file and applied to the realistic model.
// Also the argument checks that the LLM form (llm_calibration.hpp) shares.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "qutibench/error.hpp"
#include "qutibench/io/catalogue.hpp"
#include "qutibench/measure/record.hpp"
#include "qutibench/platform.hpp"
#include "qutibench/predict/profile.hpp"
#include "qutibench/predict/realistic.hpp"
#include "qutibench/predict/roofline.hpp"
#include "qutibench/validation/dataset.hpp"
#include "qutibench/validation/few_shot.hpp"

namespace qutibench {

/// The model a calibrated prediction runs (`predict` and `llm` with `--calibrate`, and
/// Python's `calibrate=`; the one check of all of them): the realistic one, which the
/// factors sit on, where the user names it or none. spec_error 503 naming "calibrate"
/// where the user names another model, or asks per layer (the factors scale the whole
/// prediction).
inline prediction_model calibrated_model(std::optional<std::string_view> model, bool per_layer) {
  if (model && parse_prediction_model(*model) != prediction_model::realistic)
    throw spec_error(error_id::invalid_value, "calibrate", "fits on the realistic model; give model realistic or none");
  if (per_layer) throw spec_error(error_id::invalid_value, "calibrate", "scales the whole prediction; drop per-layer");
  return prediction_model::realistic;
}

/// `path` where it names a file; spec_error 503 naming "calibrate" for an empty name,
/// which the loaders would report as a file that cannot open without a name to show.
inline const std::string& calibration_file(const std::string& path) {
  if (path.empty()) throw spec_error(error_id::invalid_value, "calibrate", "give a measurement CSV, got an empty file name");
  return path;
}

/// A device's factors and what fitted them.
struct device_calibration {
  few_shot_factors factors;
  std::size_t settings = 0;      ///< measured settings fitted: the best row per network, datatype, mode and batch
  std::size_t networks = 0;      ///< distinct networks among them (two or more fit a dispatch time)
  std::size_t skipped_rows = 0;  ///< rows of the device with the metric that could not fit
  std::string skipped;           ///< why, per reason ("" when none were)
};

template <class F>
void fields(const device_calibration& c, F&& field) {
  field("calibration_efficiency", c.factors.efficiency);
  field("calibration_dispatch_s", c.factors.dispatch_s);
  field("calibration_settings", c.settings);
  field("calibration_networks", c.networks);
  field("calibration_skipped_rows", c.skipped_rows);
  field("calibration_skipped", c.skipped);
}

/// The factors of `pf` fitted (`fit_few_shot`) on its rows of `rows` (by id or alias)
/// with a `metric` throughput: per setting (network, datatype, mode, batch) the best row,
/// as validate's few-shot takes it, at the row's own mode and batch. Rows are skipped, and
/// counted with their reason, where their batch is unstated (a published table's best
/// figure at an unknown batch would be fitted as batch 1), their mode is not in the spec,
/// or the realistic model cannot run their datatype there. spec_error 503 naming `file`
/// where none is left, with the reasons, and the other metric where it has rows.
inline device_calibration fit_device_calibration(std::span<const recorded_measurement> rows, const platform& pf,
                                                 validation_metric metric, const std::string& file) {
  const bool compute = metric == validation_metric::compute;
  std::size_t other_metric = 0, no_batch = 0;
  std::map<std::string, std::size_t> missing_modes, unrun_types;
  std::vector<recorded_measurement> usable;
  for (const recorded_measurement& r : rows) {
    if (!names(pf, r.record.platform)) continue;
    if (std::isnan(detail::measured_inputs_per_s(r, metric))) {
      other_metric += std::isnan(detail::measured_inputs_per_s(r, compute ? validation_metric::system : validation_metric::compute)) ? 0 : 1;
      continue;
    }
    if (r.record.what.batch == 0) ++no_batch;
    else if (!r.record.mode.empty() && std::ranges::none_of(pf.modes, [&](const operating_mode& m) { return m.name == r.record.mode; }))
      ++missing_modes[r.record.mode];
    else usable.push_back(r);
  }
  const std::vector<validation_point> points = validation_points(usable, std::span(&pf, 1), metric, false);
  // validation_points leaves out the settings the models cannot predict: a usable row
  // whose setting has no point is one of them (files run to 100k rows: a set, not a scan).
  using setting = std::tuple<std::string, std::string, std::string, std::uint64_t>;
  std::set<setting> predicted;
  for (const validation_point& p : points) predicted.emplace(p.topology, p.type.name(), p.mode, p.batch);
  for (const recorded_measurement& r : usable)
    if (!predicted.contains({r.record.what.topology, r.record.what.type.name(), r.record.mode, r.record.what.batch}))
      ++unrun_types[r.record.what.type.name()];
  device_calibration c;
  const auto reason = [&](std::size_t n, const std::string& why) {
    if (n == 0) return;
    c.skipped += (c.skipped.empty() ? "" : "; ") + std::to_string(n) + " " + why;
    c.skipped_rows += n;
  };
  reason(no_batch, "with no batch");
  for (const auto& [mode, n] : missing_modes) reason(n, "in mode '" + mode + "', which the spec lacks");
  for (const auto& [type, n] : unrun_types) reason(n, "of " + type + ", which the realistic model cannot run on " + pf.id);
  if (points.empty()) {
    const std::string name = compute ? "compute" : "system", other = compute ? "system" : "compute";
    throw spec_error(error_id::invalid_value, file,
                     "has no usable " + name + " throughput measured on " + pf.id + (c.skipped.empty() ? "" : " (rows skipped: " + c.skipped + ")") +
                         (other_metric ? "; it has " + other + " figures: give metric " + other : std::string()));
  }
  std::vector<const validation_point*> train;
  std::vector<std::string> nets;
  for (const validation_point& p : points) {
    train.push_back(&p);
    if (std::ranges::find(nets, p.topology) == nets.end()) nets.push_back(p.topology);
  }
  c.factors = fit_few_shot(train);
  c.settings = points.size();
  c.networks = nets.size();
  return c;
}

/// The factors of `pf` from measurement file `file` (`fit_device_calibration`): the CLI's
/// and Python's one entry. The metric ("compute", "system") is checked before the file
/// is read; rows may name `pf` even where it is the user's own spec file.
inline device_calibration load_device_calibration(const std::string& file, const platform& pf, std::string_view metric,
                                                  const std::filesystem::path& data_dir) {
  const validation_metric m = parse_validation_metric(metric);
  return fit_device_calibration(load_measurements(calibration_file(file), data_dir, std::span(&pf, 1)), pf, m, file);
}

/// `p`, a realistic prediction at `dispatches` layer dispatches per input
/// (`dispatches_per_input`), as factors `f` predict it: time per input = efficiency x the
/// realistic time + dispatch_s x the dispatches; the batch's latency and the attained
/// ops/s follow. Peak, bandwidth, traffic and bound stay the realistic model's.
inline prediction calibrated(prediction p, const few_shot_factors& f, double dispatches) {
  if (!p.ok()) return p;
  const double per_input = f.seconds_per_input(p.throughput.value(), dispatches);
  p.throughput = inputs_per_s::from_value(1 / per_input);
  p.latency = seconds::from_value(per_input * static_cast<double>(p.batch));
  p.attainable = ops_per_s::from_value(p.work.value() / p.latency.value());
  return p;
}

/// The realistic prediction of `p` on mode `m` of `pf` for `s`, calibrated by `c`.
inline prediction predict_calibrated(const network_profile& p, const platform& pf, const operating_mode& m, const scenario& s,
                                     const device_calibration& c) {
  return calibrated(predict_realistic(p, pf, m, s).network, c.factors,
                    dispatches_per_input(p, design_of(m), static_cast<double>(s.batch.n)));
}

}  // namespace qutibench
