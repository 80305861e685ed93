// Catch2 (v2) matchers for unit tests of platform specs and predictions: a user's own
// tests can assert what `qutibench check-platform` checks, and what the model predicts.
// Opt-in: needs <catch2/catch.hpp> and, for loading specs, qutibench::json.
#pragma once

#include <cmath>
#include <sstream>
#include <string>

#include <catch2/catch.hpp>

#include "qutibench/platform.hpp"
#include "qutibench/predict/roofline.hpp"

namespace qutibench::testing {

/// Matches a platform that passes every consistency check of `check()`; the description
/// lists the problems found.
class consistent_platform : public Catch::MatcherBase<platform> {
 public:
  bool match(const platform& p) const override {
    problems_ = check(p, p.id);
    return problems_.empty();
  }
  std::string describe() const override {
    std::string out = "is a consistent platform spec";
    for (const spec_problem& p : problems_) out += "\n  " + std::string(p.to_error().what());
    return out;
  }

 private:
  mutable std::vector<spec_problem> problems_;
};
inline consistent_platform IsConsistent() { return {}; }

/// Matches a platform whose mode `mode` ("" = first) runs datatype `t` at `peak`
/// (natively or through a carrier), within a relative tolerance.
class runs_at : public Catch::MatcherBase<platform> {
 public:
  runs_at(datatype t, ops_per_s peak, std::string mode, double rel) : t_(t), peak_(peak), mode_(std::move(mode)), rel_(rel) {}
  bool match(const platform& p) const override {
    const auto run = p.run(p.mode(mode_), t_);
    return run && std::abs(run->peak.value() - peak_.value()) <= rel_ * std::abs(peak_.value());
  }
  std::string describe() const override {
    std::ostringstream s;
    s << "runs " << t_.name() << (mode_.empty() ? "" : " in mode " + mode_) << " at " << peak_.value() / 1e12
      << " TOP/s (relative tolerance " << rel_ << ")";
    return s.str();
  }

 private:
  datatype t_;
  ops_per_s peak_;
  std::string mode_;
  double rel_;
};
inline runs_at RunsAt(datatype t, ops_per_s peak, std::string mode = {}, double rel = 1e-6) {
  return {t, peak, std::move(mode), rel};
}

/// Matches a supported prediction with the given bound.
class bound_by : public Catch::MatcherBase<prediction> {
 public:
  explicit bound_by(bound_kind b) : b_(b) {}
  bool match(const prediction& p) const override { return p.ok() && p.bound == b_; }
  std::string describe() const override { return "is a " + std::string(bound_name(b_)) + "-bound prediction"; }

 private:
  bound_kind b_;
};
inline bound_by IsBoundBy(bound_kind b) { return bound_by(b); }

/// Matches a supported prediction whose throughput is within `rel` of `expected`.
class throughput_near : public Catch::MatcherBase<prediction> {
 public:
  throughput_near(inputs_per_s expected, double rel) : expected_(expected), rel_(rel) {}
  bool match(const prediction& p) const override {
    return p.ok() && std::abs(p.throughput.value() - expected_.value()) <= rel_ * expected_.value();
  }
  std::string describe() const override {
    std::ostringstream s;
    s << "predicts " << expected_.value() << " inputs/s (relative tolerance " << rel_ << ")";
    return s.str();
  }

 private:
  inputs_per_s expected_;
  double rel_;
};
inline throughput_near PredictsThroughput(inputs_per_s expected, double rel = 0.01) { return {expected, rel}; }

/// Matches a prediction for a datatype the platform cannot run.
class unsupported_prediction : public Catch::MatcherBase<prediction> {
 public:
  bool match(const prediction& p) const override { return p.status == prediction_status::unsupported; }
  std::string describe() const override { return "is unsupported"; }
};
inline unsupported_prediction IsUnsupported() { return {}; }

}  // namespace qutibench::testing

namespace Catch {
/// Prints a platform in matcher failures as its id.
template <>
struct StringMaker<qutibench::platform> {
  static std::string convert(const qutibench::platform& p) { return "platform '" + p.id + "'"; }
};
/// Prints a prediction in matcher failures as status, throughput and bound.
template <>
struct StringMaker<qutibench::prediction> {
  static std::string convert(const qutibench::prediction& p) {
    if (!p.ok()) return "prediction (unsupported " + p.type.name() + ")";
    std::ostringstream s;
    s << "prediction (" << p.throughput.value() << " inputs/s, " << qutibench::bound_name(*p.bound) << " bound, "
      << p.type.name() << " in " << p.carrier.name() << ")";
    return s.str();
  }
};
}  // namespace Catch
