// Few-shot calibration: a device's measurements of k networks fit a few factors on top of
// the realistic prediction, which then predict the device's other networks. Reports the
// error on those other networks per device and k, as a user with k networks measured on a
// new device would see it.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include <Eigen/Dense>

#include "qutibench/error.hpp"
#include "qutibench/measure/record.hpp"
#include "qutibench/validation/dataset.hpp"

namespace qutibench {

/// The largest k: beyond a handful of networks a device is no longer "few-shot", and the
/// number of subsets tried (n choose k) grows quickly.
inline constexpr std::int64_t max_few_shot_networks = 5;

/// The network counts `ks` checked: each 1..max_few_shot_networks, at least one, no repeats;
/// spec_error 503 (invalid_value) naming "few_shot" otherwise. The CLI and Python share it.
inline std::vector<std::size_t> parse_few_shot_networks(std::span<const std::int64_t> ks) {
  if (ks.empty()) throw spec_error(error_id::invalid_value, "few_shot", "give at least one network count");
  std::vector<std::size_t> out;
  for (const std::int64_t k : ks) {
    if (k < 1 || k > max_few_shot_networks)
      throw spec_error(error_id::invalid_value, "few_shot",
                       "network counts must be 1.." + std::to_string(max_few_shot_networks) + ", got " + std::to_string(k));
    if (std::ranges::find(out, static_cast<std::size_t>(k)) != out.end())
      throw spec_error(error_id::invalid_value, "few_shot", "network count " + std::to_string(k) + " given twice");
    out.push_back(static_cast<std::size_t>(k));
  }
  return out;
}

/// The factors fitted on a device's training rows. Time per input = efficiency x the realistic
/// prediction's time per input + dispatch_s x the layer dispatches per input: how much
/// slower than its realistic model the device runs, and a fixed time per layer dispatch
/// (kernel launch, synchronisation of the threads, firmware per stage) that many-layer
/// networks and small batches feel most. The realistic model's own per-layer cost is the
/// spec's, where its documentation states one; this one is the device's as measured.
struct few_shot_factors {
  double efficiency = 1;
  double dispatch_s = 0;

  /// Seconds per input where the realistic model predicts `realistic` inputs/s with
  /// `dispatches` layer dispatches per input.
  double seconds_per_input(double realistic, double dispatches) const { return efficiency / realistic + dispatch_s * dispatches; }
  double predict(const validation_point& p) const { return 1 / seconds_per_input(p.realistic, p.dispatches); }
};

/// Fits the factors on `train` (measured rows of the k training networks): with rows of
/// one network only, the efficiency alone (geometric mean of measured / realistic time, the
/// least-squares fit in log space); with two networks or more, both factors by least
/// squares of relative error, falling back to the efficiency alone where the fit is not
/// physical (a factor <= 0 or a negative dispatch time).
inline few_shot_factors fit_few_shot(std::span<const validation_point* const> train) {
  double log_sum = 0;
  for (const validation_point* p : train) log_sum += std::log(p->realistic) - std::log(p->measured);  // no overflow of the ratio
  const few_shot_factors one{std::exp(log_sum / static_cast<double>(train.size())), 0};
  const bool several = std::ranges::any_of(train, [&](const validation_point* p) { return p->topology != train.front()->topology; });
  if (!several) return one;
  // measured inputs/s x (a / realistic + c x dispatches) = 1 for a perfect fit: relative errors.
  Eigen::MatrixXd x(static_cast<Eigen::Index>(train.size()), 2);
  for (std::size_t i = 0; i < train.size(); ++i)
    x.row(static_cast<Eigen::Index>(i)) << train[i]->measured / train[i]->realistic, train[i]->measured * train[i]->dispatches;
  const Eigen::VectorXd y = Eigen::VectorXd::Ones(x.rows());
  const Eigen::Vector2d beta = x.colPivHouseholderQr().solve(y);
  if (!(beta[0] > 0) || !(beta[1] >= 0) || !std::isfinite(beta[0]) || !std::isfinite(beta[1])) return one;
  return {beta[0], beta[1]};
}

/// A measured point given directly rather than read from a measurement file (an LLM's
/// tokens/s, a kernel of the user's own): `platform` the device the factors belong to,
/// `network` what k counts (a model, a model in a weight format), rates per unit of work
/// (inputs, tokens), `dispatches` per unit under the realistic model. Each rate must be
/// from 1e-9 to 1e12 per second and the dispatches from 0 to 1e9 (beyond any device, and
/// within what the fit's products hold); spec_error 503 (invalid_value) naming `where` and
/// the field otherwise, or `where` for an empty platform or network.
inline validation_point few_shot_point(const std::string& where, std::string platform, std::string network, double measured,
                                       double realistic, double plain, double dispatches) {
  for (const auto& [name, v] : {std::pair{"measured", measured}, std::pair{"realistic", realistic}, std::pair{"plain", plain}})
    if (!plausible_rate(v))
      throw spec_error(error_id::invalid_value, where + "." + name, "must be a rate from 1e-9 to 1e12, got " + shown_number(v));
  if (!(dispatches >= 0 && dispatches <= 1e9))
    throw spec_error(error_id::invalid_value, where + ".dispatches", "must be from 0 to 1e9, got " + shown_number(dispatches));
  if (platform.empty() || network.empty()) throw spec_error(error_id::invalid_value, where, "platform and network must not be empty");
  validation_point p;
  p.platform = std::move(platform), p.topology = std::move(network);
  p.measured = measured, p.realistic = realistic, p.plain = plain, p.dispatches = dispatches;
  return p;
}

/// One device's few-shot figures at one k.
struct few_shot_result {
  std::string platform;
  std::size_t k = 0;
  std::size_t networks = 0;     ///< networks measured on the device
  std::size_t trials = 0;       ///< training sets tried: every k of the networks
  std::size_t predictions = 0;  ///< held-out points predicted over all trials
  double median_abs_log10_error = std::nan("");        ///< few-shot, over all predictions
  double plain_median_abs_log10_error = std::nan("");  ///< the plain model on the same points
  /// |log10(predicted / measured)| of each prediction, the median's sample. Not a printed
  /// field: it lets a caller pool devices (a family's median over its devices' predictions).
  std::vector<double> errors;
};

template <class F>
void fields(const few_shot_result& r, F&& field) {
  field("platform", r.platform);
  field("k", r.k);
  field("networks", r.networks);
  field("trials", r.trials);
  field("predictions", r.predictions);
  field("median_abs_log10_error", r.median_abs_log10_error);
  field("plain_median_abs_log10_error", r.plain_median_abs_log10_error);
}

/// Per device (in order of appearance in `best`) and per k of `ks`: every set of k of the
/// device's networks in turn is measured (its rows in `all` that state their batch, every
/// batch and mode), the
/// factors fitted on them (`fit_few_shot`), and the device's other networks predicted
/// (their points in `best`); the error is |log10(predicted / measured)| over every trial's
/// predictions (`for_each_training_set`). A device with k networks or fewer has nothing
/// to predict at that k and is left out of it.
inline std::vector<few_shot_result> few_shot_calibration(std::span<const validation_point> best, std::span<const validation_point> all,
                                                         std::span<const std::size_t> ks) {
  std::vector<few_shot_result> out;
  std::vector<std::string> order;  // devices in order of appearance, then k
  for (const validation_point& p : best)
    if (std::ranges::find(order, p.platform) == order.end()) order.push_back(p.platform);
  for (const std::string& pf : order) {
    std::vector<validation_point> mine;
    for (const validation_point& p : best)
      if (p.platform == pf) mine.push_back(p);
    for (const std::size_t k : ks) {
      std::vector<double> errors, plain_errors;
      few_shot_result r;
      r.platform = pf, r.k = k;
      for_each_training_set(mine, all, [&](std::size_t n) {
        r.networks = n;  // the device's network count, which the loop learns first
        return k;
      }, [&](std::span<const validation_point* const> train, std::span<const std::size_t> held) {
        const few_shot_factors f = fit_few_shot(train);
        ++r.trials;
        for (const std::size_t i : held) {
          errors.push_back(std::abs(std::log10(f.predict(mine[i]) / mine[i].measured)));
          plain_errors.push_back(std::abs(std::log10(mine[i].plain / mine[i].measured)));
        }
      });
      if (r.trials == 0) continue;
      r.predictions = errors.size();
      r.median_abs_log10_error = quantiles(errors).median;
      r.errors = std::move(errors);
      r.plain_median_abs_log10_error = quantiles(std::move(plain_errors)).median;
      out.push_back(std::move(r));
    }
  }
  return out;
}

}  // namespace qutibench
