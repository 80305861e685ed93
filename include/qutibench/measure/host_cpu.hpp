// The host CPU as a measured platform: kernels of a topology at levels 1-3 (thesis
// Sections 4.4, 5.3), measured with the reference executor, warm-up and repeats.
// Opt-in: link qutibench::executor.
#pragma once

#include <chrono>
#include <fstream>
#include <algorithm>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "qutibench/measure/adapter.hpp"
#include "qutibench/measure/executor.hpp"
#include "qutibench/requirements.hpp"

#if defined(__linux__)
#include <pthread.h>
#include <sched.h>
#endif

namespace qutibench {

/// A one-line description of this machine: CPU model, hardware threads, compiler.
inline std::string host_description() {
  std::string model = "unknown CPU";
  std::ifstream cpuinfo("/proc/cpuinfo");
  for (std::string line; std::getline(cpuinfo, line);)
    if (line.rfind("model name", 0) == 0) {
      model = line.substr(line.find(':') + 2);
      break;
    }
  return model + ", " + std::to_string(std::thread::hardware_concurrency()) + " hardware threads, " +
#if defined(__clang__)
         "clang " __clang_version__;
#else
         "GCC " __VERSION__;
#endif
}

namespace detail {
/// Keeps the calling thread on the CPU it runs on while alive, then restores its affinity
/// (Linux; elsewhere it does nothing): a single-threaded measurement that the scheduler
/// moves between cores pays cold caches at each move, which spreads its times.
class pin_to_current_cpu {
 public:
  pin_to_current_cpu() {
#if defined(__linux__)
    const int cpu = sched_getcpu();
    if (cpu < 0 || pthread_getaffinity_np(pthread_self(), sizeof old_, &old_) != 0) return;
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(cpu, &one);
    pinned_ = pthread_setaffinity_np(pthread_self(), sizeof one, &one) == 0;
#endif
  }
  ~pin_to_current_cpu() {
#if defined(__linux__)
    if (pinned_) pthread_setaffinity_np(pthread_self(), sizeof old_, &old_);
#endif
  }
  pin_to_current_cpu(const pin_to_current_cpu&) = delete;
  pin_to_current_cpu& operator=(const pin_to_current_cpu&) = delete;

 private:
#if defined(__linux__)
  cpu_set_t old_{};
  bool pinned_ = false;
#endif
};

/// Units of level-1 measurement: each node with MACs (convolution, dense), with the batch
/// norms and activations that directly follow it (folded into it, as deployed).
inline std::vector<std::vector<std::size_t>> compute_units(const topology& t) {
  const auto nodes = t.nodes();
  std::vector<std::size_t> readers(nodes.size(), 0);
  for (const node& n : nodes)
    for (std::size_t src : n.inputs) ++readers[src];
  std::vector<std::vector<std::size_t>> units;
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    if (nodes[i].cost.macs == 0 || std::holds_alternative<summary>(nodes[i].op)) continue;
    std::vector<std::size_t> unit{i};
    for (std::size_t j = i + 1; j < nodes.size(); ++j) {
      const node& f = nodes[j];
      if (!fused(f.op) || f.inputs.size() != 1 || f.inputs.front() != unit.back() || readers[unit.back()] != 1) break;
      unit.push_back(j);
    }
    units.push_back(std::move(unit));
  }
  return units;
}
}  // namespace detail

/// The kernels of a level for `t`: level 1 = each layer with MACs (with its folded batch
/// norm and activation); level 2 = every run of 2 and of 4 consecutive such layers with
/// whatever lies between them in the schedule (pooling, residual adds); level 3 = the
/// whole network. Throws spec_error 503 for a batch outside 1..max_batch.
inline std::vector<kernel> kernels_of(const topology& t, measure_level level, datatype type, std::int64_t batch_arg = 1,
                                      unsigned threads = 1) {
  const std::uint64_t batch = checked_batch(batch_arg).n;  // the CLI's and Python's batches, checked once
  std::vector<kernel> out;
  const auto nodes = t.nodes();
  if (level == measure_level::network) {
    out.push_back({t.name(), level, {}, type, batch, threads});
    return out;
  }
  const auto units = detail::compute_units(t);
  auto names = [&](std::size_t first, std::size_t last) {
    std::vector<std::string> v;
    for (std::size_t i = first; i <= last; ++i) v.push_back(nodes[i].name);
    return v;
  };
  if (level == measure_level::layer) {
    for (const auto& u : units) out.push_back({t.name(), level, names(u.front(), u.back()), type, batch, threads});
    return out;
  }
  for (std::size_t width : {2u, 4u})
    for (std::size_t a = 0; a + width <= units.size(); ++a)
      out.push_back({t.name(), level, names(units[a].front(), units[a + width - 1].back()), type, batch, threads});
  return out;
}

/// Node indices of a kernel's layers (all nodes for an empty list); spec_error 301 for a
/// name the topology does not have.
inline std::vector<std::size_t> kernel_nodes(const topology& t, const kernel& k) {
  std::vector<std::size_t> out;
  const auto nodes = t.nodes();
  if (k.layers.empty()) {
    for (std::size_t i = 0; i < nodes.size(); ++i) out.push_back(i);
    return out;
  }
  for (const std::string& name : k.layers) out.push_back(static_cast<std::size_t>(&t.at(name) - nodes.data()));
  std::sort(out.begin(), out.end());
  return out;
}

/// One kernel of one topology, as `host_cpu::measure_interleaved` takes them.
struct kernel_job {
  const topology* net = nullptr;
  kernel what;
};

/// The host CPU through the reference executor: each measurement builds the kernel with
/// random data, runs `repeat.warmup` times (the first run verifies every kernel against
/// its naive loop), then repeats as `repeat_options::again` says (the median's interval is
/// that of the compute latencies). Single-threaded kernels run pinned to one CPU.
/// `interruption_point` is called before every step of every run (executor_options) and
/// may throw to abandon the measurement.
class host_cpu : public adapter {
 public:
  /// The most kernels interleaved at once: enough to spread a drift of the machine over
  /// many kernels.
  static constexpr std::size_t interleave_group = 16;
  /// The most weight bytes a group holds (a VGG16 fp32 fully connected stack alone is
  /// 400 MB and runs on its own), so that interleaving stays well inside memory.
  static constexpr double interleave_bytes = 256e6;
  /// Timed runs of a kernel per turn, after one untimed run that brings back the data the
  /// other kernels of its group pushed out of the caches (as consecutive runs found it).
  static constexpr std::size_t interleave_turn = 8;

  explicit host_cpu(repeat_options repeat = {}, std::function<void()> interruption_point = {})
      : repeat_(repeat), interruption_point_(std::move(interruption_point)), host_(host_description()) {}

  std::string platform() const override { return "host"; }

  measurement measure(const topology& t, const kernel& k) override {
    const kernel_job job{&t, k};
    return measure_interleaved({&job, 1}).front();
  }

  /// Every job measured, interleaved: consecutive single-threaded jobs form groups (at
  /// most `interleave_group` kernels and `interleave_bytes` of weights; a kernel with more
  /// threads runs alone, as its thread pool busy-waits after a run and the thread count
  /// of Eigen is the process's). Each kernel of a group is built and warmed up, then the
  /// group runs in rounds: each kernel that `repeat_options::again` still asks for runs
  /// once untimed, then up to `interleave_turn` timed runs. A slow drift of the machine
  /// (clock, temperature, a neighbour) then shifts every kernel of a group alike instead
  /// of whichever ran last, which keeps their ranking (validate's Spearman) stable.
  /// `finished(i)` is called as job i is done.
  std::vector<measurement> measure_interleaved(std::span<const kernel_job> jobs,
                                               const std::function<void(std::size_t)>& finished = {}) {
    std::vector<measurement> out;
    out.reserve(jobs.size());
    std::size_t first = 0;
    for (const std::size_t size : interleave_groups(jobs)) {
      measure_group(jobs.subspan(first, size), first, finished, out);
      first += size;
    }
    return out;
  }

  /// The sizes of the consecutive groups `measure_interleaved` forms of `jobs`.
  static std::vector<std::size_t> interleave_groups(std::span<const kernel_job> jobs) {
    std::vector<std::size_t> sizes;
    for (std::size_t first = 0; first < jobs.size(); first += sizes.back()) {
      std::size_t size = 1;
      double held = weight_bytes(jobs[first]);
      for (; jobs[first].what.threads == 1 && first + size < jobs.size() && size < interleave_group &&
             jobs[first + size].what.threads == 1;
           ++size) {
        const double more = weight_bytes(jobs[first + size]);
        if (held + more > interleave_bytes) break;
        held += more;
      }
      sizes.push_back(size);
    }
    return sizes;
  }

 private:
  static double weight_bytes(const kernel_job& j) {
    const auto nodes = j.net->nodes();
    double n = 0;
    for (const std::size_t i : kernel_nodes(*j.net, j.what)) n += static_cast<double>(nodes[i].cost.weights);
    return n * (j.what.type == datatypes::fp32 ? 4 : 1);  // the executor's carriers: fp32 or 8 bits
  }

  void measure_group(std::span<const kernel_job> group, std::size_t first, const std::function<void(std::size_t)>& finished,
                     std::vector<measurement>& out) {
    std::optional<detail::pin_to_current_cpu> pinned;
    if (group.front().what.threads == 1) pinned.emplace();
    std::vector<std::unique_ptr<executor>> ex;
    for (const kernel_job& j : group) {
      executor_options o;
      o.threads = j.what.threads;
      o.interruption_point = interruption_point_;
      ex.push_back(std::make_unique<executor>(*j.net, j.what.type, j.what.batch, kernel_nodes(*j.net, j.what), o));
      for (std::size_t i = 0; i < std::max<std::size_t>(1, repeat_.warmup); ++i) ex.back()->run();
    }
    std::vector<std::vector<double>> compute(group.size()), system(group.size());
    std::vector<double> spent(group.size(), 0);
    std::vector<bool> running(group.size(), true);
    for (std::size_t left = group.size(); left > 0;)
      for (std::size_t i = 0; i < group.size(); ++i) {
        if (!running[i]) continue;
        if (!repeat_.again(compute[i], spent[i])) {
          running[i] = false;
          --left;
          if (finished) finished(first + i);
          continue;
        }
        if (group.size() > 1) ex[i]->run();  // back into the caches after the others
        for (std::size_t n = 0; n < interleave_turn && repeat_.again(compute[i], spent[i]); ++n) {
          const run_times r = ex[i]->run();
          compute[i].push_back(r.compute_s);
          system[i].push_back(r.system_s);
          spent[i] += r.system_s;
        }
      }
    for (std::size_t i = 0; i < group.size(); ++i)
      out.push_back(record(group[i].what, *ex[i], std::move(compute[i]), std::move(system[i])));
  }

  measurement record(const kernel& k, const executor& ex, std::vector<double> compute, std::vector<double> system) const {
    measurement m;
    m.what = k;
    m.platform = platform();
    m.mode = std::to_string(k.threads) + "t";
    m.carrier = ex.carrier();
    m.kernel_path = ex.kernel_path() + (k.type.bits < 8 && k.type.is_integer() ? " (" + k.type.name() + " in the uint8 carrier)" : "");
    m.host = host_;
    m.work = ops::from_value(ex.work());
    m.compute = summarize(std::move(compute));
    m.system = summarize(std::move(system));
    return m;
  }

  repeat_options repeat_;
  std::function<void()> interruption_point_;
  std::string host_;
};

}  // namespace qutibench
