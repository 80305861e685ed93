// The empirical roofline of the host (in the spirit of the Empirical Roofline Toolkit):
// attainable INT8 (gemmlowp) and FP32 (Eigen) GEMM rates and a STREAM-like triad
// bandwidth per thread count, as a platform the predictors take like any other.
// Opt-in: link qutibench::executor.
#pragma once

#include <algorithm>
#include <chrono>
#include <ctime>
#include <fstream>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "qutibench/measure/executor.hpp"
#include "qutibench/measure/host_cpu.hpp"
#include "qutibench/platform.hpp"

namespace qutibench {

struct host_roofline_options {
  /// One operating mode per count ("1t", "2t", ...): at least one, each distinct and in
  /// 1..max_measure_threads. Signed, so that a front end hands over what the user typed.
  std::vector<std::int64_t> threads = {1};
  std::int64_t gemm_size = 1024;            ///< square GEMM of this size (2 n^3 ops)
  std::size_t stream_bytes = 192u << 20;    ///< triad working set, well beyond the caches
  /// 1 warm-up, then 3 runs and 0.2 s, then on until the median is known to +/- 2 % (at
  /// most 1 s, 50 runs): the best time of a noisy run moves between runs.
  repeat_options repeat{1, 3, 50, seconds::from_value(0.2), 0.02, seconds::from_value(1)};
  /// Called between runs and before each GEMM step; throws to abandon the measurement.
  std::function<void()> interruption_point;
};

/// The thread counts of `o`, checked: the one check of the CLI's and Python's counts.
/// spec_error 503 for none, one outside 1..max_measure_threads (a zero divides the triad's
/// work by zero) or one given twice (two modes of one name).
inline std::vector<unsigned> host_roofline_threads(const host_roofline_options& o) {
  if (o.threads.empty()) throw spec_error(error_id::invalid_value, "threads", "needs at least one thread count");
  std::vector<unsigned> out;
  for (std::int64_t th : o.threads) {
    const unsigned n = parse_measure_threads(th);
    if (std::find(out.begin(), out.end(), n) != out.end())
      throw spec_error(error_id::invalid_value, "threads", std::to_string(n) + " given twice");
    out.push_back(n);
  }
  return out;
}

namespace detail {
/// Best (lowest) time of repeated calls of `f`.
template <class F>
double best_seconds(const host_roofline_options& o, F&& f) {
  using clock = std::chrono::steady_clock;
  const repeat_options& r = o.repeat;
  auto interruption_point = [&] {
    if (o.interruption_point) o.interruption_point();
  };
  for (std::size_t i = 0; i < r.warmup; ++i) {
    interruption_point();
    f();
  }
  std::vector<double> times;
  double spent = 0;
  do {  // at least one timed run, whatever the options say
    interruption_point();
    const auto t0 = clock::now();
    f();
    times.push_back(std::chrono::duration<double>(clock::now() - t0).count());
    spent += times.back();
  } while (r.again(times, spent));
  return *std::ranges::min_element(times);
}

/// Attainable GEMM rate (ops/s) of the executor at datatype `t`: a dense layer of n x n
/// weights on a batch of n inputs is an n x n x n GEMM.
inline double gemm_rate(datatype t, unsigned threads, const host_roofline_options& r) {
  const std::int64_t n = r.gemm_size;
  const topology net = topology::builder("gemm", {n}).dense("gemm", {.out_features = n, .bias = false}).build();
  executor_options o;
  o.threads = threads;
  o.verify = false;  // a naive n^3 loop would dominate; the executor's tests cover the kernel
  o.interruption_point = r.interruption_point;
  executor ex(net, t, static_cast<std::uint64_t>(n), {}, o);
  double best = 1e300;
  best_seconds(r, [&] { best = std::min(best, ex.run().compute_s); });
  return ex.work() / best;
}

/// Triad a = b + s c over three float arrays split across `threads`: bytes/s counting the
/// two reads and one write per element, as STREAM does.
inline double triad_rate(unsigned threads, const host_roofline_options& r) {
  const std::size_t n = r.stream_bytes / (3 * sizeof(float));
  std::vector<float> a(n, 0.0f), b(n, 1.0f), c(n, 2.0f);
  const float s = 3.0f;
  auto part = [&](unsigned k) {
    const std::size_t lo = n * k / threads, hi = n * (k + 1) / threads;
    for (std::size_t i = lo; i < hi; ++i) a[i] = b[i] + s * c[i];
  };
  const double t = best_seconds(r, [&] {
    // jthreads: joined when the run ends, also when spawning one fails part-way.
    std::vector<std::jthread> pool;
    for (unsigned k = 1; k < threads; ++k) pool.emplace_back(part, k);
    part(0);
  });
  return 3.0 * static_cast<double>(n * sizeof(float)) / t;
}

/// Bytes of a cache level from sysfs ("1024K" -> 1048576); 0 if absent.
inline double cache_bytes(int index) {
  std::ifstream in("/sys/devices/system/cpu/cpu0/cache/index" + std::to_string(index) + "/size");
  std::string text;
  if (!(in >> text) || text.empty()) return 0;
  const double scale = text.back() == 'K' ? 1024.0 : text.back() == 'M' ? 1024.0 * 1024 : 1.0;
  return std::stod(text) * scale;
}
}  // namespace detail

/// Measures the host's roofline: one mode per thread count (most threads first, so the
/// first mode is the fastest), each with its INT8 and FP32 peaks and triad bandwidth.
/// spec_error 503 for thread counts host_roofline_threads refuses, before measuring.
/// On-chip memory: the last two cache levels of one core (sysfs). Carrier emulation is
/// on: INT2/INT4 run in gemmlowp's uint8, FP16 in FP32.
inline platform measure_host_roofline(const host_roofline_options& o) {
  std::vector<unsigned> threads = host_roofline_threads(o);
  platform p;
  p.id = "host";
  p.name = host_description();
  p.kind = platform_kind::cpu;
  const std::time_t now = std::time(nullptr);
  char date[32];
  std::strftime(date, sizeof date, "%Y-%m-%d", std::gmtime(&now));
  p.source = std::string("measured on this machine by qutibench host-roofline on ") + date + ": " +
             std::string(gemmlowp_kernel_path()) + " and " + std::string(eigen_kernel_path()) + " GEMMs of size " +
             std::to_string(o.gemm_size) + ", float triad over " + std::to_string(o.stream_bytes >> 20) + " MiB";
  p.carrier_emulation = true;
  // gemmlowp's x86 kernels are often slower than Eigen's fp32 FMA path: measured INT8 may
  // well fall below FP32.
  p.peaks_rise_with_width = true;
  p.on_chip = bytes::from_value(detail::cache_bytes(2) + detail::cache_bytes(3));
  std::sort(threads.begin(), threads.end(), std::greater<>());
  for (unsigned th : threads) {
    operating_mode m;
    m.name = std::to_string(th) + "t";
    m.peaks.push_back({datatypes::int8, ops_per_s::from_value(detail::gemm_rate(datatypes::int8, th, o))});
    m.peaks.push_back({datatypes::fp32, ops_per_s::from_value(detail::gemm_rate(datatypes::fp32, th, o))});
    m.bandwidth = bytes_per_s::from_value(detail::triad_rate(th, o));
    p.modes.push_back(std::move(m));
  }
  return p;
}

}  // namespace qutibench
