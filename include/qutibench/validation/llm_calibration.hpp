// Few-shot calibration of LLM requests: rows measured on one device (io/llm_measurements.hpp)
// fit, per phase, the few-shot factors of validation/few_shot.hpp on top of the realistic
// model (an efficiency, and a time per dispatch once two networks are measured), which
// then predict the device's other requests. The software's share of a step (kernels below
// the bandwidth and the tensor peak, launches and synchronisation per token) is what no
// datasheet gives and the device's own measurements do. docs/llm.md.
#pragma once

#include <array>
#include <cstddef>
#include <filesystem>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "qutibench/error.hpp"
#include "qutibench/io/llm_measurements.hpp"
#include "qutibench/platform.hpp"
#include "qutibench/predict/llm.hpp"
#include "qutibench/predict/llm_sweep.hpp"
#include "qutibench/validation/device_calibration.hpp"
#include "qutibench/validation/few_shot.hpp"

namespace qutibench::llm {

/// The factors per phase; a phase without measured rows keeps the realistic model
/// (efficiency 1, no time per dispatch).
struct calibration {
  few_shot_factors prefill, decode;
  std::size_t prefill_rows = 0, decode_rows = 0;
};

template <class F>
void fields(const calibration& c, F&& field) {
  field("prefill_efficiency", c.prefill.efficiency);
  field("prefill_dispatch_s", c.prefill.dispatch_s);
  field("prefill_calibration_rows", c.prefill_rows);
  field("decode_efficiency", c.decode.efficiency);
  field("decode_dispatch_s", c.decode.dispatch_s);
  field("decode_calibration_rows", c.decode_rows);
}

/// A measured row as a few-shot point per token: its phase ("prefill", "decode") as the
/// device, the model in its weight format as the network, tokens/s over the batch and the
/// dispatches per token (a decode step makes one token per sequence, a prefill the prompt's).
/// A row the model cannot predict on `pf` (does not fit, unsupported, a bad split) is
/// spec_error 503 at the row.
inline validation_point calibration_point(const measured_request& m, const platform& pf, const operating_mode& mode) {
  std::array<request_prediction, 2> p;  // realistic, plain
  try {
    p = {predict(m.model, m.formats, m.req, pf, mode, prediction_model::realistic),
         predict(m.model, m.formats, m.req, pf, mode, prediction_model::plain)};
  } catch (const spec_error& e) {
    throw spec_error(e.id(), m.where + " " + e.where(), e.reason());
  }
  for (const request_prediction& q : p)
    if (q.status != request_status::ok)
      throw spec_error(error_id::invalid_value, m.where, "cannot calibrate on a request whose status is " + std::string(status_name(q.status)) +
                                                         " on " + pf.id + ": " + q.reason);
  const bool decode = m.phase == measured_phase::decode;
  const double tokens_per_step = decode ? m.req.batch : m.req.batch * m.req.prompt;
  const auto rate = [&](const request_prediction& q) { return m.req.batch * (decode ? q.decode_tokens_per_s : q.prefill_tokens_per_s); };
  return few_shot_point(m.where, decode ? "decode" : "prefill", m.topology + " " + m.weights, m.req.batch * m.tokens_per_s, rate(p[0]),
                        rate(p[1]), (decode ? p[0].decode.dispatches : p[0].prefill.dispatches) / tokens_per_step);
}

/// Every row's point (calibration_point): what the fit and the held-out loop of
/// few_shot_calibration take, each phase as a device.
inline std::vector<validation_point> calibration_points(std::span<const measured_request> rows, const platform& pf,
                                                       const operating_mode& mode) {
  std::vector<validation_point> points;
  for (const measured_request& m : rows) points.push_back(calibration_point(m, pf, mode));
  return points;
}

/// The factors of each phase fitted on all its rows (`fit_few_shot`: the efficiency alone
/// while they measure one network, both factors from two on).
inline calibration fit_calibration(std::span<const measured_request> rows, const platform& pf, const operating_mode& mode) {
  const std::vector<validation_point> points = calibration_points(rows, pf, mode);
  calibration c;
  for (auto [phase, factors, count] :
       {std::tuple{"prefill", &c.prefill, &c.prefill_rows}, std::tuple{"decode", &c.decode, &c.decode_rows}}) {
    std::vector<const validation_point*> train;
    for (const validation_point& p : points)
      if (p.platform == phase) train.push_back(&p);
    *count = train.size();
    if (!train.empty()) *factors = fit_few_shot(train);
  }
  return c;
}

/// The points of the rows of file `path` (`load_measured_requests`, `calibration_points`):
/// what `llm --few-shot` and Python's llm_few_shot score.
inline std::vector<validation_point> load_calibration_points(const std::string& path, const platform& pf, const operating_mode& mode,
                                                            const std::filesystem::path& data_dir) {
  return calibration_points(load_measured_requests(calibration_file(path), data_dir), pf, mode);
}

/// The factors fitted on the rows of file `path` (`fit_calibration`): the CLI's and
/// Python's one entry.
inline calibration load_calibration(const std::string& path, const platform& pf, const operating_mode& mode,
                                    const std::filesystem::path& data_dir) {
  return fit_calibration(load_measured_requests(calibration_file(path), data_dir), pf, mode);
}

/// Makes `p`, a realistic prediction of request `r`, what calibration `c` predicts: each
/// step takes efficiency x its time + dispatch_s x its dispatches, the rates and latency
/// follow (set_step_times), energy per token in proportion to the latency. The operations
/// keep the realistic model's times.
inline void calibrate(request_prediction& p, const request& r, const calibration& c) {
  if (p.status != request_status::ok) return;
  const double latency = p.latency_s;
  p.prefill.seconds = c.prefill.efficiency * p.prefill.seconds + c.prefill.dispatch_s * p.prefill.dispatches;
  p.decode.seconds = c.decode.efficiency * p.decode.seconds + c.decode.dispatch_s * p.decode.dispatches;
  set_step_times(p, r, p.prefill.seconds, p.decode.seconds);
  if (p.energy_per_token_j) *p.energy_per_token_j *= p.latency_s / latency;
}

/// `p` calibrated (`calibrate`), as a copy.
inline request_prediction calibrated(request_prediction p, const request& r, const calibration& c) {
  calibrate(p, r, c);
  return p;
}

/// `sweep` on the realistic model with every point calibrated by `c` (`calibrated`): what
/// a calibrated request would give at each batch, context and device count.
inline request_sweep calibrated_sweep(const decoder& d, const tensor_formats& f, const sweep_axes& axes, const platform& pf,
                                      const operating_mode& m, const calibration& c) {
  return sweep(d, f, axes, pf, m, prediction_model::realistic, [&](request_prediction& p, const request& r) { calibrate(p, r, c); });
}

}  // namespace qutibench::llm
