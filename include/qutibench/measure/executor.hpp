// The reference executor: runs the layers of a topology on the host CPU with real data,
// 8-bit through gemmlowp and fp32 through Eigen, checks every kernel against a naive loop
// on its first run, and times compute (kernels) and system (everything) latency.
// Opt-in: link qutibench::executor (gemmlowp, threads, SIMD flags).
#pragma once

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <functional>
#include <limits>
#include <memory>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <Eigen/Core>
#include <gemmlowp/public/gemmlowp.h>

#include "qutibench/error.hpp"
#include "qutibench/measure/record.hpp"
#include "qutibench/requirements.hpp"
#include "qutibench/topology.hpp"

namespace qutibench {

/// Which gemmlowp kernel this translation unit was compiled with: gemmlowp picks it from
/// compiler flags, silently, and runs ~13x slower without SIMD.
constexpr std::string_view gemmlowp_kernel_path() {
#if defined(GEMMLOWP_AVX2_64)
  return "gemmlowp AVX2 (x86-64)";
#elif defined(GEMMLOWP_SSE4_64)
  return "gemmlowp SSE4.1 (x86-64)";
#elif defined(GEMMLOWP_NEON_64)
  return "gemmlowp NEON (arm64)";
#else
  return "gemmlowp reference C++ (no SIMD)";
#endif
}

/// What Eigen vectorizes fp32 with in this translation unit.
constexpr std::string_view eigen_kernel_path() {
#if defined(EIGEN_VECTORIZE_AVX512)
  return "Eigen fp32 AVX-512";
#elif defined(EIGEN_VECTORIZE_AVX2)
  return "Eigen fp32 AVX2/FMA";
#elif defined(EIGEN_VECTORIZE_SSE4_1)
  return "Eigen fp32 SSE4.1";
#else
  return "Eigen fp32 (no SIMD)";
#endif
}

struct executor_options {
  unsigned threads = 1;
  std::uint64_t seed = 1;         ///< weights and inputs are random, reproducibly
  bool naive = false;             ///< run the naive reference loops as the kernels (for tests)
  bool verify = true;             ///< check each kernel against its naive loop on the first run
  /// Called after each optimized kernel, before verification, with the node name and its
  /// output (one of the spans is empty): lets tests corrupt a kernel's result.
  std::function<void(std::string_view node, std::span<std::uint8_t>, std::span<float>)> fault_injection;
};

/// Times of one run for the whole batch.
struct run_times {
  double compute_s = 0;  ///< kernels only (GEMMs, pooling, element-wise)
  double system_s = 0;   ///< plus input quantisation, im2col, output dequantisation, copies
};

namespace detail::exec {

// ---- Fixed-point arithmetic of gemmlowp's quantize-down stage, restated for the naive
// reference (the standard definitions: rounding doubling high multiply, rounding shift).
inline std::int32_t rounding_doubling_high_mul(std::int32_t a, std::int32_t b) {
  if (a == b && a == std::numeric_limits<std::int32_t>::min()) return std::numeric_limits<std::int32_t>::max();
  const std::int64_t ab = static_cast<std::int64_t>(a) * b;
  const std::int64_t nudge = ab >= 0 ? (1LL << 30) : (1 - (1LL << 30));
  return static_cast<std::int32_t>((ab + nudge) / (1LL << 31));
}
inline std::int32_t rounding_divide_by_pot(std::int32_t x, int exponent) {
  const std::int32_t mask = (1 << exponent) - 1;
  const std::int32_t remainder = x & mask;
  const std::int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

/// All int8-path activations share one quantisation (real = scale x (q - zero)), so that
/// pooling, concatenation and residual adds stay in the integer domain.
inline constexpr std::int32_t zero_point = 128;

/// Requantisation of one GEMM: acc -> zero + rdivpot(rdhm(acc + bias, mult), shift),
/// clamped, cast to uint8.
struct requant {
  std::int32_t multiplier = 1 << 30;
  int shift = 0;
  std::int32_t lo = 0, hi = 255;
  std::uint8_t apply(std::int32_t acc) const {
    const std::int32_t v = rounding_divide_by_pot(rounding_doubling_high_mul(acc, multiplier), shift) + zero_point;
    return static_cast<std::uint8_t>(std::clamp(v, lo, hi));
  }
};

/// Chooses a multiplier and shift that map an accumulator over `depth` products of
/// uniform uint8 values to a spread of about +-40 around the zero point.
inline requant make_requant(std::int64_t depth) {
  const double factor = 40.0 / (std::sqrt(static_cast<double>(depth)) * 74.0 * 74.0);
  int shift = 0;
  double m = factor;
  while (m < 0.5) {
    m *= 2;
    ++shift;
  }
  requant r;
  r.multiplier = static_cast<std::int32_t>(std::lround(m * (1LL << 31)));
  r.shift = shift;
  return r;
}

enum class op_kind { gemm, depthwise, pool, global_pool, add, mul, concat, affine, unary, softmax, copy };

/// One tensor buffer (batch x per-input elements, NHWC per image).
struct buffer {
  tensor_shape shape;  ///< per input, as the topology reports it: (C, H, W), (L, D) or (N)
  std::vector<std::uint8_t> q;
  std::vector<float> f;
};

/// Channels, height, width of a per-input shape (vectors and sequences: C = last dim).
struct chw {
  std::int64_t c = 1, h = 1, w = 1;
};
inline chw dims(const tensor_shape& s) {
  if (s.rank == 3) return {s[0], s[1], s[2]};
  if (s.rank == 2) return {s[1], s[0], 1};
  return {s.rank == 0 ? 1 : s[0], 1, 1};
}

/// One executable step: a node (or a node with its batch norm and activation folded in).
struct step {
  std::string name;
  op_kind kind = op_kind::copy;
  std::vector<std::size_t> in;  ///< buffer indices
  std::size_t out = 0;
  // gemm / depthwise / conv geometry
  std::int64_t groups = 1, kernel = 1, stride = 1, padding = 0, dilation = 1;
  std::int64_t m = 0, k = 0;       ///< rows per group (output channels), depth per group
  std::int64_t rows_per_input = 1; ///< dense on (L, D): L columns per input
  bool is_conv = false;
  std::vector<std::uint8_t> wq;    ///< weights (Cout x K), uint8 with zero point 128
  std::vector<std::int32_t> bias_q;
  requant rq;
  std::vector<float> wf, bias_f;
  // epilogue (fp32): folded batch norm and activation
  std::vector<float> scale, shift;
  bool has_affine = false;
  activation_kind act = activation_kind::relu;
  bool has_act = false;
  std::array<std::uint8_t, 256> lut{};  ///< int8 activations other than relu/relu6
  // pooling
  pool_kind pool = pool_kind::max;
  std::int64_t pool_kernel = 1, pool_stride = 1, pool_padding = 0;
  bool verified = false;
};

inline float activate(activation_kind k, float x) {
  switch (k) {
    case activation_kind::relu: return std::max(x, 0.0f);
    case activation_kind::relu6: return std::clamp(x, 0.0f, 6.0f);
    case activation_kind::sigmoid: return 1 / (1 + std::exp(-x));
    case activation_kind::tanh: return std::tanh(x);
    case activation_kind::swish: return x / (1 + std::exp(-x));
    case activation_kind::hard_swish: return x * std::clamp(x + 3, 0.0f, 6.0f) / 6;
    case activation_kind::gelu: return 0.5f * x * (1 + std::erf(x / std::sqrt(2.0f)));
  }
  return x;
}

/// The real value one activation step represents (int8 path): 1/32 per level.
inline constexpr float act_scale = 1.0f / 32;

}  // namespace detail::exec

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
    context_.set_max_num_threads(static_cast<int>(std::max(1u, o_.threads)));
    Eigen::setNbThreads(static_cast<int>(std::max(1u, o_.threads)));  // effective with OpenMP
    if (nodes.empty())
      for (std::size_t i = 0; i < t.size(); ++i) nodes.push_back(i);
    plan(t, nodes);
  }

  /// The datatype the kernels compute in (uint8 carrier for every integer <= 8 bits).
  datatype carrier() const { return int8_ ? datatypes::uint8 : datatypes::fp32; }
  /// The kernel path that runs the GEMMs.
  std::string kernel_path() const { return std::string(int8_ ? gemmlowp_kernel_path() : eigen_kernel_path()); }

  /// One run of the batch. The first run checks every kernel against its naive loop and
  /// throws measure_error 601 naming the node on a mismatch.
  run_times run() {
    using namespace detail::exec;
    const auto t0 = clock::now();
    double compute = 0;
    for (const external& e : externals_) stage_input(e);
    for (step& s : steps_) {
      prepare(s);  // im2col and friends: system time, not compute
      const auto k0 = clock::now();
      if (o_.naive) reference(s, buffers_[s.out]);
      else execute(s);
      compute += seconds_since(k0);
      if (o_.fault_injection) {
        buffer& b = buffers_[s.out];
        o_.fault_injection(s.name, b.q, b.f);
      }
      if (o_.verify && !s.verified) verify(s);
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
  gemmlowp::GemmContext context_;
  std::vector<detail::exec::buffer> buffers_;
  std::vector<detail::exec::step> steps_;
  std::vector<external> externals_;
  std::vector<std::size_t> outputs_;
  std::vector<std::uint8_t> cols_q_;  ///< im2col scratch
  std::vector<float> cols_f_;
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
    if (s.act == activation_kind::relu || s.act == activation_kind::relu6) {
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

  /// im2col for a conv step into the scratch: for each input and group, N = OH x OW
  /// patches of K = kernel^2 x Cin/g values (kh, kw, c order), padding at the zero point.
  void prepare(const detail::exec::step& s) {
    using namespace detail::exec;
    if (s.kind != op_kind::gemm || !s.is_conv || o_.naive) return;
    const buffer& in = buffers_[s.in.front()];
    const buffer& out = buffers_[s.out];
    const chw x = dims(in.shape), y = dims(out.shape);
    const std::int64_t cin = x.c / s.groups, n = y.h * y.w, k = s.k;
    const std::size_t total = static_cast<std::size_t>(batch_) * static_cast<std::size_t>(s.groups * n * k);
    if (int8_) cols_q_.resize(total);
    else cols_f_.resize(total);
    std::size_t at = 0;
    for (std::uint64_t b = 0; b < batch_; ++b)
      for (std::int64_t g = 0; g < s.groups; ++g)
        for (std::int64_t oy = 0; oy < y.h; ++oy)
          for (std::int64_t ox = 0; ox < y.w; ++ox)
            for (std::int64_t ky = 0; ky < s.kernel; ++ky)
              for (std::int64_t kx = 0; kx < s.kernel; ++kx) {
                const std::int64_t iy = oy * s.stride - s.padding + ky * s.dilation;
                const std::int64_t ix = ox * s.stride - s.padding + kx * s.dilation;
                const bool inside = iy >= 0 && iy < x.h && ix >= 0 && ix < x.w;
                const std::size_t src = static_cast<std::size_t>(((static_cast<std::int64_t>(b) * x.h + iy) * x.w + ix) * x.c + g * cin);
                if (int8_) {
                  if (inside) std::memcpy(&cols_q_[at], &in.q[src], static_cast<std::size_t>(cin));
                  else std::memset(&cols_q_[at], zero_point, static_cast<std::size_t>(cin));
                } else {
                  if (inside) std::memcpy(&cols_f_[at], &in.f[src], static_cast<std::size_t>(cin) * sizeof(float));
                  else std::fill_n(&cols_f_[at], cin, 0.0f);
                }
                at += static_cast<std::size_t>(cin);
              }
  }

  void execute(detail::exec::step& s) {
    using namespace detail::exec;
    switch (s.kind) {
      case op_kind::gemm: return s.is_conv ? conv_gemm(s) : dense_gemm(s);
      default: return reference(s, buffers_[s.out]);  // the direct loops are the kernels
    }
  }

  /// out(M x N, column-major with leading dimension ldo) = W(M x K) * X(K x N).
  void gemm_q(const detail::exec::step& s, const std::uint8_t* w, const std::int32_t* bias, const std::uint8_t* x,
              std::int64_t n, std::uint8_t* out, std::int64_t ldo) {
    using namespace gemmlowp;
    const int m = static_cast<int>(s.m), k = static_cast<int>(s.k), cols = static_cast<int>(n);
    const MatrixMap<const std::uint8_t, MapOrder::RowMajor> lhs(w, m, k);
    const MatrixMap<const std::uint8_t, MapOrder::ColMajor> rhs(x, k, cols);
    MatrixMap<std::uint8_t, MapOrder::ColMajor> result(out, m, cols, static_cast<int>(ldo));
    OutputStageBiasAddition<VectorMap<const std::int32_t, VectorShape::Col>> bias_stage;
    bias_stage.bias_vector = VectorMap<const std::int32_t, VectorShape::Col>(bias, m);
    OutputStageQuantizeDownInt32ByFixedPoint quantize;
    quantize.result_fixedpoint_multiplier = s.rq.multiplier;
    quantize.result_shift = s.rq.shift;
    quantize.result_offset_after_shift = detail::exec::zero_point;
    OutputStageClamp clamp;
    clamp.min = s.rq.lo;
    clamp.max = s.rq.hi;
    const auto pipeline = std::make_tuple(bias_stage, quantize, clamp, OutputStageSaturatingCastToUint8());
    GemmWithOutputPipeline<std::uint8_t, std::uint8_t, DefaultL8R8BitDepthParams>(
        &context_, lhs, rhs, &result, -detail::exec::zero_point, -detail::exec::zero_point, pipeline);
  }

  void gemm_f(const detail::exec::step& s, const float* w, const float* bias, const float* x, std::int64_t n, float* out,
              std::int64_t ldo, std::int64_t channel0) {
    using namespace Eigen;
    const Map<const Matrix<float, Dynamic, Dynamic, RowMajor>> W(w, s.m, s.k);
    const Map<const Matrix<float, Dynamic, Dynamic, ColMajor>> X(x, s.k, n);
    Map<Matrix<float, Dynamic, Dynamic, ColMajor>, 0, OuterStride<>> Y(out, s.m, n, OuterStride<>(ldo));
    Y.noalias() = W * X;
    for (std::int64_t j = 0; j < n; ++j)
      for (std::int64_t i = 0; i < s.m; ++i) Y(i, j) = epilogue(s, Y(i, j) + bias[i], channel0 + i);
  }

  static float epilogue(const detail::exec::step& s, float v, std::int64_t channel) {
    if (s.has_affine) v = v * s.scale[static_cast<std::size_t>(channel)] + s.shift[static_cast<std::size_t>(channel)];
    return s.has_act ? detail::exec::activate(s.act, v) : v;
  }

  void apply_lut(const detail::exec::step& s, detail::exec::buffer& out) const {
    if (int8_ && s.has_act && s.act != activation_kind::relu && s.act != activation_kind::relu6)
      for (auto& q : out.q) q = s.lut[q];
  }

  void dense_gemm(detail::exec::step& s) {
    detail::exec::buffer& out = buffers_[s.out];
    const detail::exec::buffer& in = buffers_[s.in.front()];
    const std::int64_t n = static_cast<std::int64_t>(batch_) * s.rows_per_input;
    if (int8_) {
      gemm_q(s, s.wq.data(), s.bias_q.data(), in.q.data(), n, out.q.data(), s.m);
      apply_lut(s, out);
    } else {
      gemm_f(s, s.wf.data(), s.bias_f.data(), in.f.data(), n, out.f.data(), s.m, 0);
    }
  }

  void conv_gemm(detail::exec::step& s) {
    using namespace detail::exec;
    buffer& out = buffers_[s.out];
    const chw y = dims(out.shape);
    const std::int64_t n = y.h * y.w, cout = y.c;
    const std::size_t per_group = static_cast<std::size_t>(n * s.k);
    for (std::uint64_t b = 0; b < batch_; ++b)
      for (std::int64_t g = 0; g < s.groups; ++g) {
        const std::size_t cols = (b * static_cast<std::size_t>(s.groups) + static_cast<std::size_t>(g)) * per_group;
        const std::size_t w0 = static_cast<std::size_t>(g * s.m * s.k);
        const std::size_t o0 = static_cast<std::size_t>(static_cast<std::int64_t>(b) * n * cout + g * s.m);
        if (int8_) gemm_q(s, &s.wq[w0], &s.bias_q[static_cast<std::size_t>(g * s.m)], &cols_q_[cols], n, &out.q[o0], cout);
        else gemm_f(s, &s.wf[w0], &s.bias_f[static_cast<std::size_t>(g * s.m)], &cols_f_[cols], n, &out.f[o0], cout, g * s.m);
      }
    apply_lut(s, out);
  }

  /// The naive loop of every step: the reference on the first run, and the kernel itself
  /// for depthwise convolutions, pooling and element-wise layers.
  void reference(const detail::exec::step& s, detail::exec::buffer& out) const {
    using namespace detail::exec;
    const buffer& in = buffers_[s.in.empty() ? s.out : s.in.front()];
    const chw x = dims(in.shape), y = dims(out.shape);
    const std::int64_t B = static_cast<std::int64_t>(batch_);
    auto at = [](const chw& d, std::int64_t b, std::int64_t h, std::int64_t w, std::int64_t c) {
      return static_cast<std::size_t>(((b * d.h + h) * d.w + w) * d.c + c);
    };
    switch (s.kind) {
      case op_kind::gemm:
      case op_kind::depthwise: {
        const bool depthwise = s.kind == op_kind::depthwise;
        const std::int64_t cin = depthwise ? 1 : x.c / s.groups;
        const std::int64_t rows = s.is_conv ? y.h * y.w : s.rows_per_input;
        for (std::int64_t b = 0; b < B; ++b)
          for (std::int64_t p = 0; p < rows; ++p)
            for (std::int64_t co = 0; co < y.c; ++co) {
              const std::int64_t g = co / s.m;
              std::int64_t acc_q = 0;
              double acc_f = 0;
              for (std::int64_t kk = 0; kk < s.k; ++kk) {
                std::size_t src;
                bool inside = true;
                if (s.is_conv) {
                  const std::int64_t ky = kk / (s.kernel * cin), kx = (kk / cin) % s.kernel, ci = kk % cin;
                  const std::int64_t iy = (p / y.w) * s.stride - s.padding + ky * s.dilation;
                  const std::int64_t ix = (p % y.w) * s.stride - s.padding + kx * s.dilation;
                  inside = iy >= 0 && iy < x.h && ix >= 0 && ix < x.w;
                  src = inside ? at(x, b, iy, ix, g * cin + ci) : 0;
                } else {
                  src = static_cast<std::size_t>((b * rows + p) * s.k + kk);
                }
                const std::size_t wi = static_cast<std::size_t>(co * s.k + kk);
                if (int8_) acc_q += (static_cast<std::int64_t>(s.wq[wi]) - zero_point) * ((inside ? in.q[src] : zero_point) - zero_point);
                else acc_f += static_cast<double>(s.wf[wi]) * (inside ? in.f[src] : 0.0f);
              }
              const std::size_t dst = static_cast<std::size_t>((b * rows + p) * y.c + co);
              if (int8_) {
                std::uint8_t v = s.rq.apply(static_cast<std::int32_t>(acc_q + s.bias_q[static_cast<std::size_t>(co)]));
                if (s.has_act && s.act != activation_kind::relu && s.act != activation_kind::relu6) v = s.lut[v];
                out.q[dst] = v;
              } else {
                out.f[dst] = epilogue(s, static_cast<float>(acc_f) + s.bias_f[static_cast<std::size_t>(co)], co);
              }
            }
        return;
      }
      case op_kind::pool:
        for (std::int64_t b = 0; b < B; ++b)
          for (std::int64_t oy = 0; oy < y.h; ++oy)
            for (std::int64_t ox = 0; ox < y.w; ++ox)
              for (std::int64_t c = 0; c < y.c; ++c) {
                double best = -std::numeric_limits<double>::infinity(), sum = 0;
                std::int64_t count = 0;
                for (std::int64_t ky = 0; ky < s.pool_kernel; ++ky)
                  for (std::int64_t kx = 0; kx < s.pool_kernel; ++kx) {
                    const std::int64_t iy = oy * s.pool_stride - s.pool_padding + ky, ix = ox * s.pool_stride - s.pool_padding + kx;
                    if (iy < 0 || iy >= x.h || ix < 0 || ix >= x.w) continue;  // padding never wins a max, never counts in a mean
                    const double v = int8_ ? in.q[at(x, b, iy, ix, c)] : in.f[at(x, b, iy, ix, c)];
                    best = std::max(best, v);
                    sum += v;
                    ++count;
                  }
                const double r = s.pool == pool_kind::max ? best : count ? sum / static_cast<double>(count) : 0.0;
                if (int8_) out.q[at(y, b, oy, ox, c)] = static_cast<std::uint8_t>(std::lround(r));
                else out.f[at(y, b, oy, ox, c)] = static_cast<float>(r);
              }
        return;
      case op_kind::global_pool:
        for (std::int64_t b = 0; b < B; ++b)
          for (std::int64_t c = 0; c < x.c; ++c) {
            double best = -std::numeric_limits<double>::infinity(), sum = 0;
            for (std::int64_t h = 0; h < x.h; ++h)
              for (std::int64_t w = 0; w < x.w; ++w) {
                const double v = int8_ ? in.q[at(x, b, h, w, c)] : in.f[at(x, b, h, w, c)];
                best = std::max(best, v);
                sum += v;
              }
            const double r = s.pool == pool_kind::max ? best : sum / static_cast<double>(x.h * x.w);
            if (int8_) out.q[static_cast<std::size_t>(b * x.c + c)] = static_cast<std::uint8_t>(std::lround(r));
            else out.f[static_cast<std::size_t>(b * x.c + c)] = static_cast<float>(r);
          }
        return;
      case op_kind::add:
      case op_kind::mul: {
        const std::size_t n = int8_ ? out.q.size() : out.f.size();
        for (std::size_t i = 0; i < n; ++i) {
          if (int8_) {
            std::int32_t v = in.q[i] - zero_point;
            for (std::size_t j = 1; j < s.in.size(); ++j) {
              const std::int32_t w = buffers_[s.in[j]].q[i] - zero_point;
              // Same scale everywhere: a sum adds levels; a product of levels rescales by act_scale (1/32).
              v = s.kind == op_kind::add ? v + w : rounding_divide_by_pot(v * w, 5);
            }
            out.q[i] = static_cast<std::uint8_t>(std::clamp(v + zero_point, 0, 255));
          } else {
            float v = in.f[i];
            for (std::size_t j = 1; j < s.in.size(); ++j) v = s.kind == op_kind::add ? v + buffers_[s.in[j]].f[i] : v * buffers_[s.in[j]].f[i];
            out.f[i] = v;
          }
        }
        return;
      }
      case op_kind::concat: {
        std::int64_t c0 = 0;
        for (std::size_t src : s.in) {
          const buffer& part = buffers_[src];
          const chw d = dims(part.shape);
          for (std::int64_t b = 0; b < B; ++b)
            for (std::int64_t h = 0; h < d.h; ++h)
              for (std::int64_t w = 0; w < d.w; ++w)
                for (std::int64_t c = 0; c < d.c; ++c) {
                  if (int8_) out.q[at(y, b, h, w, c0 + c)] = part.q[at(d, b, h, w, c)];
                  else out.f[at(y, b, h, w, c0 + c)] = part.f[at(d, b, h, w, c)];
                }
          c0 += d.c;
        }
        return;
      }
      case op_kind::affine:
      case op_kind::unary: {
        const std::size_t n = int8_ ? out.q.size() : out.f.size();
        for (std::size_t i = 0; i < n; ++i) {
          const std::int64_t c = static_cast<std::int64_t>(i) % y.c;
          if (int8_) {
            std::int32_t v = in.q[i];
            if (s.kind == op_kind::affine)  // per-channel scale in 1/128 steps, shift in levels
              v = zero_point + rounding_divide_by_pot((v - zero_point) * static_cast<std::int32_t>(std::lround(s.scale[static_cast<std::size_t>(c)] * 128)), 7) +
                  static_cast<std::int32_t>(std::lround(s.shift[static_cast<std::size_t>(c)] / act_scale));
            v = std::clamp(v, 0, 255);
            if (s.kind == op_kind::unary) v = s.act == activation_kind::relu || s.act == activation_kind::relu6 ? std::clamp(v, s.rq.lo, s.rq.hi) : s.lut[static_cast<std::size_t>(v)];
            out.q[i] = static_cast<std::uint8_t>(v);
          } else {
            out.f[i] = s.kind == op_kind::affine ? in.f[i] * s.scale[static_cast<std::size_t>(c)] + s.shift[static_cast<std::size_t>(c)]
                                                 : activate(s.act, in.f[i]);
          }
        }
        return;
      }
      case op_kind::softmax: {
        const std::int64_t rows = static_cast<std::int64_t>(int8_ ? out.q.size() : out.f.size()) / y.c;
        for (std::int64_t r = 0; r < rows; ++r) {
          std::vector<double> v(static_cast<std::size_t>(y.c));
          for (std::int64_t c = 0; c < y.c; ++c) {
            const std::size_t i = static_cast<std::size_t>(r * y.c + c);
            v[static_cast<std::size_t>(c)] = int8_ ? (in.q[i] - zero_point) * act_scale : in.f[i];
          }
          const double mx = *std::max_element(v.begin(), v.end());
          double sum = 0;
          for (double& e : v) sum += (e = std::exp(e - mx));
          for (std::int64_t c = 0; c < y.c; ++c) {
            const std::size_t i = static_cast<std::size_t>(r * y.c + c);
            const double p = v[static_cast<std::size_t>(c)] / sum;
            if (int8_) out.q[i] = static_cast<std::uint8_t>(std::lround(p * 255));  // probabilities in 1/255 steps
            else out.f[i] = static_cast<float>(p);
          }
        }
        return;
      }
      case op_kind::copy: return;
    }
  }

  /// Compares the step's output with its naive loop: bit-exact on the int8 path, within
  /// 1e-4 relative (of the output's largest magnitude) on fp32.
  void verify(detail::exec::step& s) {
    using namespace detail::exec;
    buffer expected = buffers_[s.out];
    reference(s, expected);
    const buffer& got = buffers_[s.out];
    if (int8_) {
      for (std::size_t i = 0; i < got.q.size(); ++i)
        if (got.q[i] != expected.q[i])
          throw measure_error(error_id::kernel_mismatch, "executor: node '" + s.name + "'",
                              "kernel output " + std::to_string(got.q[i]) + " differs from the naive reference " +
                                  std::to_string(expected.q[i]) + " at element " + std::to_string(i) + " (" + kernel_path() + ")");
    } else {
      float largest = 0;
      for (float v : expected.f) largest = std::max(largest, std::abs(v));
      for (std::size_t i = 0; i < got.f.size(); ++i)
        if (!(std::abs(got.f[i] - expected.f[i]) <= 1e-4f * std::max(largest, 1.0f)))
          throw measure_error(error_id::kernel_mismatch, "executor: node '" + s.name + "'",
                              "kernel output " + std::to_string(got.f[i]) + " differs from the naive reference " +
                                  std::to_string(expected.f[i]) + " at element " + std::to_string(i) + " (" + kernel_path() + ")");
    }
    s.verified = true;
  }
};

}  // namespace qutibench
