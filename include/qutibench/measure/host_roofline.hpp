// The empirical roofline of the host (in the spirit of the Empirical Roofline Toolkit):
// attainable INT8 (gemmlowp) and FP32 (Eigen) GEMM rates and a STREAM-like triad
// bandwidth per thread count, as a platform the predictors take like any other.
// Opt-in: link qutibench::executor.
#pragma once

#include <algorithm>
#include <chrono>
#include <ctime>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "qutibench/measure/executor.hpp"
#include "qutibench/measure/host_cpu.hpp"
#include "qutibench/platform.hpp"

namespace qutibench {

struct host_roofline_options {
  std::vector<unsigned> threads = {1};      ///< one operating mode per count ("1t", "2t", ...)
  std::int64_t gemm_size = 1024;            ///< square GEMM of this size (2 n^3 ops)
  std::size_t stream_bytes = 192u << 20;    ///< triad working set, well beyond the caches
  repeat_options repeat{1, 3, 50, seconds::from_value(0.2)};
};

namespace detail {
/// Best (lowest) time of repeated calls of `f`.
template <class F>
double best_seconds(const repeat_options& r, F&& f) {
  using clock = std::chrono::steady_clock;
  for (std::size_t i = 0; i < r.warmup; ++i) f();
  double best = 1e300, spent = 0;
  for (std::size_t n = 0; n < r.max_runs && (n < r.min_runs || spent < r.min_duration.value()); ++n) {
    const auto t0 = clock::now();
    f();
    const double s = std::chrono::duration<double>(clock::now() - t0).count();
    best = std::min(best, s);
    spent += s;
  }
  return best;
}

/// Attainable GEMM rate (ops/s) of the executor at datatype `t`: a dense layer of n x n
/// weights on a batch of n inputs is an n x n x n GEMM.
inline double gemm_rate(datatype t, std::int64_t n, unsigned threads, const repeat_options& r) {
  const topology net = topology::builder("gemm", {n}).dense("gemm", {.out_features = n, .bias = false}).build();
  executor_options o;
  o.threads = threads;
  o.verify = false;  // a naive n^3 loop would dominate; the executor's tests cover the kernel
  executor ex(net, t, static_cast<std::uint64_t>(n), {}, o);
  double best = 1e300;
  best_seconds(r, [&] { best = std::min(best, ex.run().compute_s); });
  return ex.work() / best;
}

/// Triad a = b + s c over three float arrays split across `threads`: bytes/s counting the
/// two reads and one write per element, as STREAM does.
inline double triad_rate(std::size_t bytes, unsigned threads, const repeat_options& r) {
  const std::size_t n = bytes / (3 * sizeof(float));
  std::vector<float> a(n, 0.0f), b(n, 1.0f), c(n, 2.0f);
  const float s = 3.0f;
  auto part = [&](unsigned k) {
    const std::size_t lo = n * k / threads, hi = n * (k + 1) / threads;
    for (std::size_t i = lo; i < hi; ++i) a[i] = b[i] + s * c[i];
  };
  const double t = best_seconds(r, [&] {
    std::vector<std::thread> pool;
    for (unsigned k = 1; k < threads; ++k) pool.emplace_back(part, k);
    part(0);
    for (auto& th : pool) th.join();
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
/// On-chip memory: the last two cache levels of one core (sysfs). Carrier emulation is
/// on: INT2/INT4 run in gemmlowp's uint8, FP16 in FP32.
inline platform measure_host_roofline(host_roofline_options o) {
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
  std::sort(o.threads.begin(), o.threads.end(), std::greater<>());
  for (unsigned th : o.threads) {
    operating_mode m;
    m.name = std::to_string(th) + "t";
    m.peaks.push_back({datatypes::int8, ops_per_s::from_value(detail::gemm_rate(datatypes::int8, o.gemm_size, th, o.repeat))});
    m.peaks.push_back({datatypes::fp32, ops_per_s::from_value(detail::gemm_rate(datatypes::fp32, o.gemm_size, th, o.repeat))});
    m.bandwidth = bytes_per_s::from_value(detail::triad_rate(o.stream_bytes, th, o.repeat));
    p.modes.push_back(std::move(m));
  }
  return p;
}

}  // namespace qutibench
