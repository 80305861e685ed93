// Measurement records (thesis Sections 4.4, 5.3, Table 4.2): what was run (a kernel at a
// level), how often and how long it took, with the statistics the thesis reports.
#pragma once

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "qutibench/datatype.hpp"
#include "qutibench/error.hpp"
#include "qutibench/platform.hpp"
#include "qutibench/units.hpp"

namespace qutibench {

/// The thesis's benchmark levels: 1 = a single layer (compute pattern), 2 = a stack of 2
/// or 4 consecutive layers (data movement between them), 3 = a whole network.
enum class measure_level : int { layer = 1, stack = 2, network = 3 };

/// The level a user gives (the CLI's --level, Python's `level`): the one check of both.
/// spec_error 503 for anything but 1, 2 or 3.
inline measure_level parse_measure_level(std::int64_t level) {
  if (level < 1 || level > 3)
    throw spec_error(error_id::invalid_value, "level",
                     "must be 1 (layers), 2 (stacks) or 3 (whole network), got " + std::to_string(level));
  return static_cast<measure_level>(level);
}

/// The most threads one measurement runs: each is an OS thread in the kernels' pools (and
/// the triad's), and 1024 is above the hardware threads of the hosts the executor's SIMD
/// paths target, so a larger count only measures oversubscription, or fails to spawn.
inline constexpr std::int64_t max_measure_threads = 1024;

/// A thread count a user gives (--threads, `threads`): the one check of the CLI and
/// Python. spec_error 503 outside 1..max_measure_threads.
inline unsigned parse_measure_threads(std::int64_t threads) {
  if (threads < 1 || threads > max_measure_threads)
    throw spec_error(error_id::invalid_value, "threads",
                     "must be 1.." + std::to_string(max_measure_threads) + ", got " + std::to_string(threads));
  return static_cast<unsigned>(threads);
}

/// What to measure: layers of a topology (level 1: one node; level 2: consecutive nodes;
/// level 3: none listed = the whole network), a datatype, a batch and a thread count.
struct kernel {
  std::string topology;
  measure_level level = measure_level::network;
  std::vector<std::string> layers;
  datatype type = datatypes::int8;
  std::uint64_t batch = 1;
  unsigned threads = 1;

  /// "resnet50", "resnet50/conv1", "resnet50/layer1.0.conv1+layer1.0.bn1".
  std::string name() const {
    std::string out = topology;
    for (std::size_t i = 0; i < layers.size(); ++i) out += (i ? "+" : "/") + layers[i];
    return out;
  }
};

/// Latency statistics of repeated runs (seconds per batch): median and spread.
struct latency_stats {
  seconds median = seconds::from_value(std::nan(""));
  seconds min = median, max = median, q1 = median, q3 = median;
  std::size_t runs = 0;

  seconds iqr() const { return q3 - q1; }
};

/// Five-number summary of plain numbers: quartiles by linear interpolation between order
/// statistics. All NaN for no samples.
struct five_numbers {
  double min = std::nan(""), q1 = min, median = min, q3 = min, max = min;
};
inline five_numbers quantiles(std::vector<double> v) {
  five_numbers out;
  if (v.empty()) return out;
  std::sort(v.begin(), v.end());
  auto at = [&](double q) {
    const double pos = q * static_cast<double>(v.size() - 1);
    const std::size_t lo = static_cast<std::size_t>(pos);
    const std::size_t hi = std::min(lo + 1, v.size() - 1);
    return v[lo] + (pos - static_cast<double>(lo)) * (v[hi] - v[lo]);
  };
  return {v.front(), at(0.25), at(0.5), at(0.75), v.back()};
}

/// Median, quartiles, min and max of latency samples in seconds.
inline latency_stats summarize(std::vector<double> samples_s) {
  latency_stats out;
  out.runs = samples_s.size();
  const five_numbers q = quantiles(std::move(samples_s));
  out.min = seconds::from_value(q.min);
  out.q1 = seconds::from_value(q.q1);
  out.median = seconds::from_value(q.median);
  out.q3 = seconds::from_value(q.q3);
  out.max = seconds::from_value(q.max);
  return out;
}

/// Half the width of the distribution-free 95 % confidence interval of the median of `v`,
/// relative to the median: the order statistics of ranks n/2 -/+ 1.96 sqrt(n)/2 (Conover,
/// Practical Nonparametric Statistics, 3rd ed., 1999, Section 3.2). NaN below 8 samples,
/// where those ranks fall outside the sample.
inline double median_ci_relative(std::vector<double> v) {
  const double n = static_cast<double>(v.size()), half = 1.96 * std::sqrt(n) / 2;
  const double lo = std::floor(n / 2 - half), hi = std::ceil(1 + n / 2 + half);  // 1-based ranks
  if (lo < 1 || hi > n) return std::numeric_limits<double>::quiet_NaN();
  std::sort(v.begin(), v.end());
  const double median = quantiles(v).median;
  return (v[static_cast<std::size_t>(hi) - 1] - v[static_cast<std::size_t>(lo) - 1]) / (2 * median);
}

/// How to repeat a measurement (thesis Section 5.3: deployment settings swept, results
/// never cherry-picked): discard `warmup` runs, then run at least `min_runs` times and
/// for at least `min_duration`, at most `max_runs` times; with `median_ci` > 0, go on
/// until the 95 % confidence interval of the median is within +/- median_ci of it
/// (`median_ci_relative`), for at most `max_duration` in all.
struct repeat_options {
  std::size_t warmup = 2;
  std::size_t min_runs = 5;
  std::size_t max_runs = 1000;
  seconds min_duration = seconds::from_value(0.05);
  double median_ci = 0;
  seconds max_duration = seconds::from_value(0);

  /// Whether to run again after `samples` taking `spent` seconds. The interval is checked
  /// each time the sample grows by an eighth, so the sorting stays a small share.
  bool again(const std::vector<double>& samples, double spent) const {
    const std::size_t n = samples.size();
    if (n >= max_runs) return false;
    if (n < min_runs || spent < min_duration.value()) return true;
    if (!(median_ci > 0) || spent >= max_duration.value()) return false;
    if (n % std::max<std::size_t>(8, n / 8) != 0) return true;  // the interval is checked now and then
    return !(median_ci_relative(samples) <= median_ci);
  }
};

/// The precision `measure_repeats` asks of a median, and the time it may take beyond
/// min_time to reach it.
inline constexpr double measure_median_ci = 0.02;
inline constexpr double measure_ci_extra_s = 2;

/// Bounds of the repeats a user asks for: more runs than `measure` takes at most would be
/// cut silently, and an hour is the longest one kernel may be timed, so that no argument
/// (min_time = inf, repeats = 2^62) makes a measurement that never returns.
inline constexpr std::size_t max_measure_runs = 100000;
inline constexpr double max_measure_min_time_s = 3600;

/// How `measure` repeats each kernel (the CLI's --repeats and --min-time, Python's `repeats`
/// and `min_time`; both call this): 2 warm-up runs, then at least `repeats` runs and
/// `min_time_s` seconds, then on until the median's 95 % confidence interval is within
/// +/- 2 % (measure_median_ci) or measure_ci_extra_s more seconds have passed, at most
/// max_measure_runs runs. spec_error 503 for repeats outside
/// 1..max_measure_runs or min_time outside 0..max_measure_min_time_s (NaN included).
inline repeat_options measure_repeats(std::int64_t repeats, double min_time_s) {
  if (repeats < 1 || repeats > static_cast<std::int64_t>(max_measure_runs))
    throw spec_error(error_id::invalid_value, "repeats",
                     "must be 1.." + std::to_string(max_measure_runs) + ", got " + std::to_string(repeats));
  if (!(min_time_s >= 0 && min_time_s <= max_measure_min_time_s))
    throw spec_error(error_id::invalid_value, "min_time",
                     "must be 0.." + std::to_string(static_cast<int>(max_measure_min_time_s)) + " seconds, got " +
                         shown_number(min_time_s));
  return {2, static_cast<std::size_t>(repeats), max_measure_runs, seconds::from_value(min_time_s), measure_median_ci,
          seconds::from_value(min_time_s + measure_ci_extra_s)};
}

/// One measurement record: the kernel, what ran it, and the figures of merit of Table 4.2
/// for its level. Compute latency covers the kernels only; system latency adds what a
/// deployment pays around them (quantising inputs, im2col buffers, copies).
struct measurement {
  kernel what;
  std::string platform;          ///< "host" or a device id
  std::string mode;              ///< operating mode, "" if none
  datatype carrier = datatypes::int8;  ///< the datatype the hardware computed in
  std::string kernel_path;       ///< e.g. "gemmlowp AVX2 (x86-64)", "Eigen fp32"
  std::string host;              ///< description of the machine (CPU, cores, compiler)
  ops work;                      ///< ops per batch (2 x MACs, level-0 counting)
  latency_stats compute;         ///< per batch
  latency_stats system;          ///< per batch
  std::optional<double> top1_pct, top5_pct;                 ///< level 3, where known
  std::optional<watts> base_power, idle_power, full_power;  ///< level 3, where measured

  /// Inputs per second from the median latency; NaN where it or the batch is unknown (a
  /// published row may leave the batch unstated: batch 0).
  inputs_per_s compute_throughput() const { return per_batch(compute); }
  inputs_per_s system_throughput() const { return per_batch(system); }
  /// Ops per second from the median compute latency.
  ops_per_s compute_ops_per_s() const { return work / compute.median; }

 private:
  inputs_per_s per_batch(const latency_stats& l) const {
    return inputs_per_s::from_value(what.batch == 0 ? std::numeric_limits<double>::quiet_NaN()
                                                    : static_cast<double>(what.batch) / l.median.value());
  }
};

/// A measurement's figures in output order (see predict/fields.hpp for the convention);
/// what was not measured is NaN or none.
template <class F>
void fields(const measurement& m, F&& field) {
  auto watts_of = [](const std::optional<watts>& w) { return w ? std::optional(w->value()) : std::nullopt; };
  field("topology", m.what.topology);
  field("kernel", m.what.name());
  field("level", static_cast<int>(m.what.level));
  field("layers", m.what.layers);
  field("platform", m.platform);
  field("mode", m.mode);
  field("datatype", m.what.type.name());
  field("carrier", m.carrier.name());
  field("batch", m.what.batch);
  field("threads", m.what.threads);
  field("ops", m.work.value());
  field("compute_median_s", m.compute.median.value());
  field("compute_min_s", m.compute.min.value());
  field("compute_max_s", m.compute.max.value());
  field("compute_q1_s", m.compute.q1.value());
  field("compute_q3_s", m.compute.q3.value());
  field("compute_iqr_s", m.compute.iqr().value());
  field("runs", m.compute.runs);
  field("system_median_s", m.system.median.value());
  field("inputs_per_s", m.compute_throughput().value());
  field("ops_per_s", m.compute_ops_per_s().value());
  field("top1_pct", m.top1_pct);
  field("top5_pct", m.top5_pct);
  field("base_power_w", watts_of(m.base_power));
  field("idle_power_w", watts_of(m.idle_power));
  field("full_power_w", watts_of(m.full_power));
  field("kernel_path", m.kernel_path);
  field("host", m.host);
}

/// The rates a measured figure may state (inputs/s, tokens/s): beyond any device either
/// way, and within what the few-shot fit's products hold. Measurement files and few-shot
/// points refuse others as a unit error.
inline constexpr double min_measured_rate = 1e-9, max_measured_rate = 1e12;
inline bool plausible_rate(double per_s) { return per_s >= min_measured_rate && per_s <= max_measured_rate; }

/// A measurement row of a QuTiBench CSV: the record, the figures published beside it, and
/// every column beyond the schema's, kept as read (so a file survives a round trip).
struct recorded_measurement {
  measurement record;
  std::optional<double> fps_comp;   ///< published compute throughput (inputs/s)
  std::optional<double> fps_sys;    ///< published system throughput, where given
  std::vector<std::pair<std::string, std::string>> extra;  ///< further columns: name, value
  // The thesis file's provenance columns, parsed where present:
  std::string source_table;  ///< the thesis table, e.g. "A.7"
  int source_line = 0;       ///< the line of the thesis source the row was extracted from
  bool repaired = false;     ///< damaged source text was repaired (repair_notes say how)

  /// The published compute throughput, else batch / median compute latency (NaN where unknown).
  double compute_inputs_per_s() const { return fps_comp ? *fps_comp : record.compute_throughput().value(); }
  /// The published system throughput, else batch / median system latency (NaN where unknown).
  double system_inputs_per_s() const { return fps_sys ? *fps_sys : record.system_throughput().value(); }
};

}  // namespace qutibench
