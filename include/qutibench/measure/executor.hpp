// The reference executor: runs the layers of a topology on the host CPU with real data,
// 8-bit through gemmlowp and fp32 through Eigen (kernels.hpp), checks every kernel against
// the reference loops (reference.hpp) on its first run, and times compute (kernels) and
// system (everything) latency.
// Opt-in: link qutibench::executor (gemmlowp, threads, SIMD flags).
#pragma once

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <functional>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "qutibench/error.hpp"
#include "qutibench/measure/kernels.hpp"
#include "qutibench/measure/reference.hpp"
#include "qutibench/measure/step.hpp"
#include "qutibench/requirements.hpp"
#include "qutibench/topology.hpp"

namespace qutibench {

/// Which loops compute the steps, as ruy selects a `Path`: the optimized kernels (the ones
/// measured), or the reference loops they are checked against.
enum class executor_path { optimized, reference };

struct executor_options {
  unsigned threads = 1;
  std::uint64_t seed = 1;  ///< weights and inputs are random, reproducibly
  /// reference: the naive loops run as the kernels, to test the optimized path against
  executor_path path = executor_path::optimized;
  bool verify = true;  ///< check each kernel against its reference loop on the first run
  /// Called after each optimized kernel, before verification, with the node name and its
  /// output (one of the spans is empty): lets tests corrupt a kernel's result.
  std::function<void(std::string_view node, std::span<std::uint8_t>, std::span<float>)> fault_injection;
  /// Called before each step of a run and before each check against the naive loop (on a
  /// large layer, a second or more): throws to abandon the run, so that a front end
  /// honours Ctrl-C within a step rather than when the measurement ends.
  std::function<void()> interruption_point;
};

/// Times of one run for the whole batch.
struct run_times {
  double compute_s = 0;  ///< kernels only (GEMMs, pooling, element-wise)
  double system_s = 0;   ///< plus input quantisation, im2col, output dequantisation, copies
};

/// Runs a topology (or a consecutive part of it) on the host: random weights and inputs,
/// NHWC buffers, im2col + GEMM for convolutions (gemmlowp uint8, Eigen fp32), direct loops
/// for depthwise convolutions, pooling and element-wise layers. Datatypes narrower than 8
/// bits run in the uint8 carrier; wider integers and floats other than fp32 are rejected
/// (measure_error 602).
class executor {
 public:
  /// Prepares nodes `nodes` (indices into t.nodes(), in schedule order; empty = all) of
  /// `t` for `batch` inputs of datatype `type`. Inputs from outside the subset become
  /// random external inputs. Throws measure_error 602 for a layer it cannot run.
  executor(const topology& t, datatype type, std::uint64_t batch, std::vector<std::size_t> nodes = {},
           executor_options o = {})
      : type_(type), batch_(batch), o_(std::move(o)) {
    using namespace detail::exec;
    if (type.is_integer() ? type.bits > 8 : !(type == datatypes::fp32))
      throw measure_error(error_id::unsupported_kernel, "executor", type.name() + " is not supported: integers up to 8 bits "
                                                                    "(in the uint8 carrier) and fp32 only");
    int8_ = type.is_integer();
    kernels_.set_threads(o_.threads);
    if (nodes.empty())
      for (std::size_t i = 0; i < t.size(); ++i) nodes.push_back(i);
    plan(t, nodes);
  }

  /// The datatype the kernels compute in (uint8 carrier for every integer <= 8 bits).
  datatype carrier() const { return int8_ ? datatypes::uint8 : datatypes::fp32; }
  /// The kernel path that runs the GEMMs.
  std::string kernel_path() const { return std::string(int8_ ? gemmlowp_kernel_path() : eigen_kernel_path()); }

  /// One run of the batch. The first run checks every kernel against its reference loop
  /// and throws measure_error 601 naming the node on a mismatch.
  run_times run() {
    using namespace detail::exec;
    const auto t0 = clock::now();
    double compute = 0;
    for (const external& e : externals_) stage_input(e);
    const workspace ws = buffers_view();
    const bool optimized = o_.path == executor_path::optimized;
    auto interruption_point = [&] {
      if (o_.interruption_point) o_.interruption_point();
    };
    for (step& s : steps_) {
      interruption_point();
      buffer& out = buffers_[s.out];
      if (optimized) kernels_.prepare(ws, s);  // im2col: system time, not compute
      const auto k0 = clock::now();
      if (optimized) kernels_.run(ws, s, out);
      else reference(ws, s, out);
      compute += seconds_since(k0);
      if (o_.fault_injection) o_.fault_injection(s.name, out.q, out.f);
      if (o_.verify && !s.verified) {
        interruption_point();  // the naive loop may take far longer than the kernel
        verify(s);
      }
    }
    for (std::size_t o : outputs_) finish_output(o);
    return {compute, seconds_since(t0)};
  }

  /// The output buffers of the run (uint8 on the int8 path, float on fp32), in order.
  std::vector<const detail::exec::buffer*> outputs() const {
    std::vector<const detail::exec::buffer*> out;
    for (std::size_t o : outputs_) out.push_back(&buffers_[o]);
    return out;
  }

  /// The external input buffers (network inputs and inputs from outside the subset), as
  /// staged by the last run.
  std::vector<const detail::exec::buffer*> inputs() const {
    std::vector<const detail::exec::buffer*> out;
    for (const external& e : externals_) out.push_back(&buffers_[e.buffer]);
    return out;
  }

  /// Ops per batch of the planned nodes (2 x MACs, level-0 counting).
  double work() const { return work_; }

 private:
  using clock = std::chrono::steady_clock;
  static double seconds_since(clock::time_point t) { return std::chrono::duration<double>(clock::now() - t).count(); }

  struct external {
    std::size_t buffer;
    std::vector<float> values;  ///< the float input a deployment receives
  };

  datatype type_;
  std::uint64_t batch_;
  executor_options o_;
  bool int8_ = true;
  detail::exec::optimized_kernels kernels_;
  std::vector<detail::exec::buffer> buffers_;
  std::vector<detail::exec::step> steps_;
  std::vector<external> externals_;
  std::vector<std::size_t> outputs_;
  double work_ = 0;

  std::size_t new_buffer(const tensor_shape& s) {
    detail::exec::buffer b;
    b.shape = s;
    const std::size_t n = s.elements() * batch_;
    if (int8_) b.q.assign(n, detail::exec::zero_point);
    else b.f.assign(n, 0.0f);
    buffers_.push_back(std::move(b));
    return buffers_.size() - 1;
  }

  void plan(const topology& t, const std::vector<std::size_t>& nodes) {
    using namespace detail::exec;
    const auto all = t.nodes();
    std::vector<std::size_t> buffer_of(all.size(), SIZE_MAX);
    std::vector<bool> in_subset(all.size(), false);
    for (std::size_t i : nodes) in_subset[i] = true;
    std::vector<std::size_t> readers(all.size(), 0);
    for (const node& n : all)
      for (std::size_t src : n.inputs) ++readers[src];
    std::mt19937_64 rng(o_.seed);
    auto input_buffer = [&](std::size_t src) {
      if (buffer_of[src] == SIZE_MAX) {  // produced outside the subset: an external input
        buffer_of[src] = new_buffer(all[src].cost.out);
        std::uniform_real_distribution<float> dist(-2.0f, 2.0f);
        std::vector<float> v(all[src].cost.out.elements() * batch_);
        for (float& x : v) x = dist(rng);
        externals_.push_back({buffer_of[src], std::move(v)});
      }
      return buffer_of[src];
    };
    std::vector<bool> folded(all.size(), false);
    for (std::size_t idx = 0; idx < nodes.size(); ++idx) {
      const std::size_t i = nodes[idx];
      const node& n = all[i];
      if (folded[i]) continue;
      if (std::holds_alternative<input_layer>(n.op)) {
        input_buffer(i);
        continue;
      }
      // A slice is a view of part of a buffer, which the executor's buffers cannot express.
      if (std::holds_alternative<slice>(n.op)) unsupported(n.name, "this layer kind has no executor kernel");
      if (n.cost.is_view) {  // flatten / reshape: same bytes, new shape
        buffer_of[i] = input_buffer(n.inputs.front());
        continue;
      }
      step s;
      s.name = n.name;
      for (std::size_t src : n.inputs) s.in.push_back(input_buffer(src));
      s.out = new_buffer(n.cost.out);
      buffer_of[i] = s.out;
      work_ += 2.0 * static_cast<double>(n.cost.macs) * static_cast<double>(batch_);
      const tensor_shape& x = all[n.inputs.empty() ? i : n.inputs.front()].cost.out;
      std::visit([&](const auto& l) { configure(s, l, x, rng); }, n.op);
      // Fold a following batch norm and activation (each the only reader of its input)
      // into a GEMM's epilogue, as inference engines do.
      if (s.kind == op_kind::gemm || s.kind == op_kind::depthwise) {
        std::size_t last = i;
        for (std::size_t next = idx + 1; next < nodes.size(); ++next) {
          const node& f = all[nodes[next]];
          if (f.inputs.size() != 1 || f.inputs.front() != last || readers[last] != 1) break;
          if (std::holds_alternative<batch_norm>(f.op) && !s.has_affine && !s.has_act) {
            fold_affine(s, s.m * s.groups, rng);
          } else if (const auto* a = std::get_if<activation>(&f.op); a && !s.has_act) {
            s.has_act = true;
            s.act = a->kind;
            fold_activation(s);
          } else {
            break;
          }
          folded[nodes[next]] = true;
          buffer_of[nodes[next]] = s.out;
          last = nodes[next];
        }
      }
      steps_.push_back(std::move(s));
    }
    // Outputs: buffers of subset nodes that no subset node reads.
    std::vector<bool> read(all.size(), false);
    for (std::size_t i : nodes)
      for (std::size_t src : all[i].inputs) read[src] = true;
    for (std::size_t i : nodes)
      if (!read[i] && buffer_of[i] != SIZE_MAX &&
          std::find(outputs_.begin(), outputs_.end(), buffer_of[i]) == outputs_.end())
        outputs_.push_back(buffer_of[i]);
  }

  // ---- configuration per layer kind ----
  using rng_t = std::mt19937_64;

  void weights(detail::exec::step& s, std::int64_t rows, std::int64_t depth, bool bias, rng_t& rng) {
    using namespace detail::exec;
    const std::size_t n = static_cast<std::size_t>(rows * depth);
    if (int8_) {
      std::uniform_int_distribution<int> dist(0, 255);
      s.wq.resize(n);
      for (auto& w : s.wq) w = static_cast<std::uint8_t>(dist(rng));
      s.bias_q.assign(static_cast<std::size_t>(rows), 0);
      if (bias) {
        std::uniform_int_distribution<std::int32_t> b(-2000, 2000);
        for (auto& v : s.bias_q) v = b(rng);
      }
      s.rq = make_requant(depth);
    } else {
      std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
      const float scale = 1.0f / std::sqrt(static_cast<float>(depth));
      s.wf.resize(n);
      for (auto& w : s.wf) w = dist(rng) * scale;
      s.bias_f.assign(static_cast<std::size_t>(rows), 0.0f);
      if (bias)
        for (auto& v : s.bias_f) v = dist(rng) * 0.1f;
    }
  }

  void configure(detail::exec::step& s, const dense& l, const tensor_shape& x, rng_t& rng) {
    s.kind = detail::exec::op_kind::gemm;
    s.m = l.out_features;
    s.k = x.back();
    s.rows_per_input = x.rank == 2 ? x[0] : 1;
    weights(s, s.m, s.k, l.bias, rng);
  }
  void configure(detail::exec::step& s, const conv2d& l, const tensor_shape& x, rng_t& rng) {
    using namespace detail::exec;
    s.is_conv = true;
    s.groups = l.groups;
    s.kernel = l.kernel;
    s.stride = l.stride;
    s.padding = l.padding;
    s.dilation = l.dilation;
    const std::int64_t cin = x[0] / l.groups;
    s.m = l.out_channels / l.groups;
    s.k = cin * l.kernel * l.kernel;
    s.kind = (cin == 1 && s.m == 1 && l.groups > 1) ? op_kind::depthwise : op_kind::gemm;
    weights(s, l.out_channels, s.k, l.bias, rng);
  }
  void configure(detail::exec::step& s, const pool2d& l, const tensor_shape&, rng_t&) {
    s.kind = detail::exec::op_kind::pool;
    s.pool = l.kind;
    s.pool_kernel = l.kernel;
    s.pool_stride = l.stride == 0 ? l.kernel : l.stride;
    s.pool_padding = l.padding;
  }
  void configure(detail::exec::step& s, const global_pool& l, const tensor_shape&, rng_t&) {
    s.kind = detail::exec::op_kind::global_pool;
    s.pool = l.kind;
  }
  void configure(detail::exec::step& s, const eltwise& l, const tensor_shape&, rng_t&) {
    s.kind = l.kind == eltwise_kind::add ? detail::exec::op_kind::add : detail::exec::op_kind::mul;
  }
  void configure(detail::exec::step& s, const concat& l, const tensor_shape& x, rng_t&) {
    if (l.axis != 0 || x.rank > 3) unsupported(s.name, "concat along an axis other than channels");
    s.kind = detail::exec::op_kind::concat;
  }
  void configure(detail::exec::step& s, const batch_norm&, const tensor_shape& x, rng_t& rng) {
    s.kind = detail::exec::op_kind::affine;
    fold_affine(s, detail::exec::dims(x).c, rng);
  }
  void configure(detail::exec::step& s, const activation& l, const tensor_shape&, rng_t&) {
    s.kind = detail::exec::op_kind::unary;
    s.has_act = true;
    s.act = l.kind;
    fold_activation(s);
  }
  void configure(detail::exec::step& s, const softmax&, const tensor_shape&, rng_t&) { s.kind = detail::exec::op_kind::softmax; }
  template <class L>
  void configure(detail::exec::step& s, const L&, const tensor_shape&, rng_t&) {
    unsupported(s.name, "this layer kind has no executor kernel");
  }
  [[noreturn]] static void unsupported(const std::string& name, const std::string& why) {
    throw measure_error(error_id::unsupported_kernel, "executor: node '" + name + "'", why);
  }

  /// A batch norm: per-channel scale and shift. On the int8 path a folded one vanishes
  /// into the weights and bias (already random); a standalone one is a per-channel
  /// fixed-point affine map.
  void fold_affine(detail::exec::step& s, std::int64_t c, rng_t& rng) {
    s.has_affine = true;
    if (int8_ && s.kind != detail::exec::op_kind::affine) return;
    std::uniform_real_distribution<float> d(0.5f, 1.5f), b(-0.2f, 0.2f);
    s.scale.resize(static_cast<std::size_t>(c));
    s.shift.resize(static_cast<std::size_t>(c));
    for (std::size_t i = 0; i < s.scale.size(); ++i) {
      s.scale[i] = d(rng);
      s.shift[i] = b(rng);
    }
  }
  /// Relu and relu6 clamp in the requantisation (zero point .. 6.0); other activations map
  /// through a 256-entry table on the int8 path.
  void fold_activation(detail::exec::step& s) {
    using namespace detail::exec;
    if (!int8_) return;
    if (clamps_levels(s.act)) {
      s.rq.lo = zero_point;
      if (s.act == activation_kind::relu6) s.rq.hi = std::min(255, zero_point + static_cast<int>(6 / act_scale));
      return;
    }
    for (int q = 0; q < 256; ++q) {
      const float y = activate(s.act, static_cast<float>(q - zero_point) * act_scale);
      s.lut[static_cast<std::size_t>(q)] = static_cast<std::uint8_t>(std::clamp<long>(std::lround(y / act_scale) + zero_point, 0, 255));
    }
  }

  // ---- per run ----
  void stage_input(const external& e) {
    detail::exec::buffer& b = buffers_[e.buffer];
    if (!int8_) {
      std::copy(e.values.begin(), e.values.end(), b.f.begin());
      return;
    }
    for (std::size_t i = 0; i < e.values.size(); ++i)
      b.q[i] = static_cast<std::uint8_t>(std::clamp<long>(std::lround(e.values[i] / detail::exec::act_scale) + detail::exec::zero_point, 0, 255));
  }

  void finish_output(std::size_t o) {
    // A deployment hands real values back: dequantise (system time, not compute).
    if (!int8_) return;
    volatile float sink = 0;
    for (std::uint8_t q : buffers_[o].q) sink = sink + static_cast<float>(q - detail::exec::zero_point) * detail::exec::act_scale;
  }

  detail::exec::workspace buffers_view() const { return {buffers_, static_cast<std::int64_t>(batch_), int8_}; }

  void verify(detail::exec::step& s) {
    detail::exec::buffer expected = buffers_[s.out];
    detail::exec::reference(buffers_view(), s, expected);
    detail::exec::check_against_reference(s, buffers_[s.out], expected, int8_, kernel_path());
    s.verified = true;
  }
};

}  // namespace qutibench
