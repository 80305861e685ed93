// The executor's optimized kernel path: im2col and one GEMM per group, 8-bit through
// gemmlowp and fp32 through Eigen, as an inference engine runs them. Every other step runs
// the reference loop (reference.hpp): a direct loop is what an engine runs there too.
// Opt-in: link qutibench::executor (gemmlowp, threads, SIMD flags).
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <tuple>
#include <vector>

#include <Eigen/Core>
#include <gemmlowp/public/gemmlowp.h>

#include "qutibench/measure/reference.hpp"
#include "qutibench/measure/step.hpp"

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

namespace detail::exec {

/// The optimized kernels with what they keep between runs: gemmlowp's context (its thread
/// pool and packing buffers) and the im2col scratch.
class optimized_kernels {
 public:
  void set_threads(unsigned threads) {
    context_.set_max_num_threads(static_cast<int>(std::max(1u, threads)));
    Eigen::setNbThreads(static_cast<int>(std::max(1u, threads)));  // effective with OpenMP
  }

  /// im2col for a conv step into the scratch: for each input and group, N = OH x OW
  /// patches of K = kernel^2 x Cin/g values (kh, kw, c order), padding at the zero point.
  /// Separate from `run` because it is system time, not compute.
  void prepare(const workspace& ws, const step& s) {
    if (s.kind != op_kind::gemm || !s.is_conv) return;
    const buffer& in = ws.buffers[s.in.front()];
    const chw x = dims(in.shape), y = dims(ws.buffers[s.out].shape);
    const std::int64_t cin = x.c / s.groups, n = y.h * y.w, k = s.k;
    const std::size_t total = static_cast<std::size_t>(ws.batch) * static_cast<std::size_t>(s.groups * n * k);
    if (ws.int8) cols_q_.resize(total);
    else cols_f_.resize(total);
    std::size_t at = 0;
    for (std::int64_t b = 0; b < ws.batch; ++b)
      for (std::int64_t g = 0; g < s.groups; ++g)
        for (std::int64_t oy = 0; oy < y.h; ++oy)
          for (std::int64_t ox = 0; ox < y.w; ++ox)
            for (std::int64_t ky = 0; ky < s.kernel; ++ky)
              for (std::int64_t kx = 0; kx < s.kernel; ++kx) {
                const std::int64_t iy = oy * s.stride - s.padding + ky * s.dilation;
                const std::int64_t ix = ox * s.stride - s.padding + kx * s.dilation;
                const bool inside = iy >= 0 && iy < x.h && ix >= 0 && ix < x.w;
                const std::size_t src = nhwc(x, b, iy, ix, g * cin);
                if (ws.int8) {
                  if (inside) std::memcpy(&cols_q_[at], &in.q[src], static_cast<std::size_t>(cin));
                  else std::memset(&cols_q_[at], zero_point, static_cast<std::size_t>(cin));
                } else {
                  if (inside) std::memcpy(&cols_f_[at], &in.f[src], static_cast<std::size_t>(cin) * sizeof(float));
                  else std::fill_n(&cols_f_[at], cin, 0.0f);
                }
                at += static_cast<std::size_t>(cin);
              }
  }

  /// Runs step `s` into `out` (its output buffer), after `prepare`.
  void run(const workspace& ws, const step& s, buffer& out) {
    if (s.kind != op_kind::gemm) return reference(ws, s, out);
    if (s.is_conv) conv_gemm(ws, s, out);
    else dense_gemm(ws, s, out);
    if (ws.int8 && uses_lut(s))
      for (auto& q : out.q) q = s.lut[q];
  }

 private:
  gemmlowp::GemmContext context_;
  std::vector<std::uint8_t> cols_q_;
  std::vector<float> cols_f_;

  /// out(M x N, column-major with leading dimension ldo) = W(M x K) * X(K x N).
  void gemm_q(const step& s, const std::uint8_t* w, const std::int32_t* bias, const std::uint8_t* x, std::int64_t n,
              std::uint8_t* out, std::int64_t ldo) {
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
    quantize.result_offset_after_shift = zero_point;
    OutputStageClamp clamp;
    clamp.min = s.rq.lo;
    clamp.max = s.rq.hi;
    const auto pipeline = std::make_tuple(bias_stage, quantize, clamp, OutputStageSaturatingCastToUint8());
    GemmWithOutputPipeline<std::uint8_t, std::uint8_t, DefaultL8R8BitDepthParams>(&context_, lhs, rhs, &result, -zero_point,
                                                                                  -zero_point, pipeline);
  }

  static void gemm_f(const step& s, const float* w, const float* bias, const float* x, std::int64_t n, float* out,
                     std::int64_t ldo, std::int64_t channel0) {
    using namespace Eigen;
    const Map<const Matrix<float, Dynamic, Dynamic, RowMajor>> W(w, s.m, s.k);
    const Map<const Matrix<float, Dynamic, Dynamic, ColMajor>> X(x, s.k, n);
    Map<Matrix<float, Dynamic, Dynamic, ColMajor>, 0, OuterStride<>> Y(out, s.m, n, OuterStride<>(ldo));
    Y.noalias() = W * X;
    for (std::int64_t j = 0; j < n; ++j)
      for (std::int64_t i = 0; i < s.m; ++i) Y(i, j) = epilogue(s, Y(i, j) + bias[i], channel0 + i);
  }

  void dense_gemm(const workspace& ws, const step& s, buffer& out) {
    const buffer& in = ws.buffers[s.in.front()];
    const std::int64_t n = ws.batch * s.rows_per_input;
    if (ws.int8) gemm_q(s, s.wq.data(), s.bias_q.data(), in.q.data(), n, out.q.data(), s.m);
    else gemm_f(s, s.wf.data(), s.bias_f.data(), in.f.data(), n, out.f.data(), s.m, 0);
  }

  void conv_gemm(const workspace& ws, const step& s, buffer& out) {
    const chw y = dims(out.shape);
    const std::int64_t n = y.h * y.w, cout = y.c;
    const std::size_t per_group = static_cast<std::size_t>(n * s.k);
    for (std::int64_t b = 0; b < ws.batch; ++b)
      for (std::int64_t g = 0; g < s.groups; ++g) {
        const std::size_t cols = static_cast<std::size_t>(b * s.groups + g) * per_group;
        const std::size_t w0 = static_cast<std::size_t>(g * s.m * s.k);
        const std::size_t o0 = static_cast<std::size_t>(b * n * cout + g * s.m);
        const std::size_t b0 = static_cast<std::size_t>(g * s.m);
        if (ws.int8) gemm_q(s, &s.wq[w0], &s.bias_q[b0], &cols_q_[cols], n, &out.q[o0], cout);
        else gemm_f(s, &s.wf[w0], &s.bias_f[b0], &cols_f_[cols], n, &out.f[o0], cout, g * s.m);
      }
  }
};

}  // namespace detail::exec
}  // namespace qutibench
