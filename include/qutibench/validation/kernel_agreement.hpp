// Predictions against measurements (thesis Section 7.2, Table 7.1): efficiency, error,
// Pearson and Spearman correlation, and an efficiency model calibrated by least squares
// and reported out-of-fold only.
#pragma once

#include <algorithm>
#include <cmath>
#include <numeric>
#include <span>
#include <stdexcept>
#include <vector>

#include <Eigen/Dense>

#include "qutibench/measure/record.hpp"
#include "qutibench/validation/statistics.hpp"
#include "qutibench/topology.hpp"

namespace qutibench {

/// Agreement of predicted and measured latencies over a set of kernels.
struct agreement {
  std::size_t n = 0;
  double pearson = std::nan("");            ///< of predicted and measured latency
  double spearman = std::nan("");           ///< of their ranks (ties averaged)
  double median_abs_rel_error = std::nan("");  ///< median |predicted - measured| / measured
  double efficiency_median = std::nan("");  ///< efficiency = predicted / measured latency
  double efficiency_q1 = std::nan(""), efficiency_q3 = std::nan("");
  double efficiency_min = std::nan(""), efficiency_max = std::nan("");
};

/// The agreement figures in output order (see predict/fields.hpp for the convention).
template <class F>
void fields(const agreement& a, F&& field) {
  field("n", a.n);
  field("pearson", a.pearson);
  field("spearman", a.spearman);
  field("median_abs_rel_error", a.median_abs_rel_error);
  field("efficiency_median", a.efficiency_median);
  field("efficiency_q1", a.efficiency_q1);
  field("efficiency_q3", a.efficiency_q3);
  field("efficiency_min", a.efficiency_min);
  field("efficiency_max", a.efficiency_max);
}

/// Compares predicted and measured latencies (seconds, one pair per kernel).
inline agreement compare(std::span<const double> predicted, std::span<const double> measured) {
  if (predicted.size() != measured.size()) throw std::invalid_argument("compare: predicted and measured differ in length");
  agreement a;
  a.n = predicted.size();
  if (a.n == 0) return a;
  std::vector<double> err, eff;
  for (std::size_t i = 0; i < a.n; ++i) {
    err.push_back(std::abs(predicted[i] - measured[i]) / measured[i]);
    eff.push_back(predicted[i] / measured[i]);
  }
  const five_numbers e = quantiles(eff);
  a.median_abs_rel_error = quantiles(err).median;
  a.efficiency_median = e.median;
  a.efficiency_q1 = e.q1;
  a.efficiency_q3 = e.q3;
  a.efficiency_min = e.min;
  a.efficiency_max = e.max;
  if (a.n >= 2) {
    a.pearson = pearson(predicted, measured);
    const std::vector<double> rp = ranks(predicted), rm = ranks(measured);
    a.spearman = pearson(rp, rm);
  }
  return a;
}

/// Features of a kernel for the calibrated model, each a time-like term a GEMM engine
/// spends (in units that keep them of similar size): the roofline's predicted time, the
/// GEMM's outputs M x N (requantisation), its right-hand side K x N (im2col, packing),
/// its left-hand side M x K (weight packing) and a constant per call. M = output
/// channels, K = depth, N = output pixels x batch, of the node with the most MACs.
inline Eigen::VectorXd kernel_features(const topology& t, std::span<const std::size_t> nodes, std::uint64_t batch,
                                       double predicted_s) {
  const node* main = nullptr;
  for (std::size_t i : nodes)
    if (!main || t.nodes()[i].cost.macs > main->cost.macs) main = &t.nodes()[i];
  const tensor_shape& out = main->cost.out;
  const double m = static_cast<double>(out.rank == 3 ? out[0] : out.back());
  const double elements = static_cast<double>(out.elements());
  const double n = elements / m * static_cast<double>(batch);
  const double k = std::max(1.0, static_cast<double>(main->cost.macs) / elements);
  Eigen::VectorXd f(5);
  f << predicted_s, m * n * 1e-9, k * n * 1e-9, m * k * 1e-9, 1e-6;
  return f;
}

/// Out-of-fold calibrated predictions: measured time is fitted as a linear combination
/// of the features by least squares weighted for relative error, on the kernels of the
/// other folds (kernel i is in fold i mod k), and applied to each held-out kernel, so no
/// kernel's own measurement shapes its prediction.
inline std::vector<double> calibrate_out_of_fold(const std::vector<Eigen::VectorXd>& features,
                                                 std::span<const double> predicted, std::span<const double> measured,
                                                 std::size_t folds = 5) {
  const std::size_t n = predicted.size();
  std::vector<double> out(n, std::nan(""));
  if (n < 2 * folds) folds = std::max<std::size_t>(2, n / 2);
  if (n < 4) return out;
  const Eigen::Index p = features.front().size();
  for (std::size_t fold = 0; fold < folds; ++fold) {
    std::vector<std::size_t> train;
    for (std::size_t i = 0; i < n; ++i)
      if (i % folds != fold) train.push_back(i);
    Eigen::MatrixXd x(static_cast<Eigen::Index>(train.size()), p);
    Eigen::VectorXd y = Eigen::VectorXd::Ones(static_cast<Eigen::Index>(train.size()));
    for (std::size_t r = 0; r < train.size(); ++r)
      x.row(static_cast<Eigen::Index>(r)) = features[train[r]].transpose() / measured[train[r]];
    // A little ridge keeps the fit sane when a fold's features are nearly collinear.
    const Eigen::MatrixXd a = x.transpose() * x + 1e-6 * Eigen::MatrixXd::Identity(p, p);
    const Eigen::VectorXd beta = a.ldlt().solve(x.transpose() * y);
    // A held-out kernel unlike any trained on could come out negative: never below a tenth
    // of the roofline.
    for (std::size_t i = fold; i < n; i += folds) out[i] = std::max(features[i].dot(beta), 0.1 * predicted[i]);
  }
  return out;
}

}  // namespace qutibench
