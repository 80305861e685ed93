// The executor's reference kernel path: plain loops, one output element at a time, written
// independently of the optimized path (kernels.hpp) so that each optimized kernel can be
// checked against them. They are also the kernels themselves where a direct loop is all an
// inference engine would run (depthwise convolutions, pooling, element-wise layers).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "qutibench/error.hpp"
#include "qutibench/measure/step.hpp"

namespace qutibench::detail::exec {

/// Dense layers, convolutions (grouped, strided, dilated) and depthwise convolutions as
/// dot products in int64 and double, so no rounding but the final requantisation's.
inline void reference_gemm(const workspace& ws, const step& s, const buffer& in, buffer& out) {
  const chw x = dims(in.shape), y = dims(out.shape);
  const std::int64_t cin = s.kind == op_kind::depthwise ? 1 : x.c / s.groups;
  const std::int64_t rows = s.is_conv ? y.h * y.w : s.rows_per_input;
  for (std::int64_t b = 0; b < ws.batch; ++b)
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
            src = inside ? nhwc(x, b, iy, ix, g * cin + ci) : 0;
          } else {
            src = static_cast<std::size_t>((b * rows + p) * s.k + kk);
          }
          const std::size_t wi = static_cast<std::size_t>(co * s.k + kk);
          if (ws.int8) acc_q += (static_cast<std::int64_t>(s.wq[wi]) - zero_point) * ((inside ? in.q[src] : zero_point) - zero_point);
          else acc_f += static_cast<double>(s.wf[wi]) * (inside ? in.f[src] : 0.0f);
        }
        const std::size_t dst = static_cast<std::size_t>((b * rows + p) * y.c + co);
        if (ws.int8) {
          std::uint8_t v = s.rq.apply(static_cast<std::int32_t>(acc_q + s.bias_q[static_cast<std::size_t>(co)]));
          if (uses_lut(s)) v = s.lut[v];
          out.q[dst] = v;
        } else {
          out.f[dst] = epilogue(s, static_cast<float>(acc_f) + s.bias_f[static_cast<std::size_t>(co)], co);
        }
      }
}

inline void reference_pool(const workspace& ws, const step& s, const buffer& in, buffer& out) {
  const chw x = dims(in.shape), y = dims(out.shape);
  for (std::int64_t b = 0; b < ws.batch; ++b)
    for (std::int64_t oy = 0; oy < y.h; ++oy)
      for (std::int64_t ox = 0; ox < y.w; ++ox)
        for (std::int64_t c = 0; c < y.c; ++c) {
          double best = -std::numeric_limits<double>::infinity(), sum = 0;
          std::int64_t count = 0;
          for (std::int64_t ky = 0; ky < s.pool_kernel; ++ky)
            for (std::int64_t kx = 0; kx < s.pool_kernel; ++kx) {
              const std::int64_t iy = oy * s.pool_stride - s.pool_padding + ky, ix = ox * s.pool_stride - s.pool_padding + kx;
              if (iy < 0 || iy >= x.h || ix < 0 || ix >= x.w) continue;  // padding never wins a max, never counts in a mean
              const double v = ws.int8 ? in.q[nhwc(x, b, iy, ix, c)] : in.f[nhwc(x, b, iy, ix, c)];
              best = std::max(best, v);
              sum += v;
              ++count;
            }
          const double r = s.pool == pool_kind::max ? best : count ? sum / static_cast<double>(count) : 0.0;
          if (ws.int8) out.q[nhwc(y, b, oy, ox, c)] = static_cast<std::uint8_t>(std::lround(r));
          else out.f[nhwc(y, b, oy, ox, c)] = static_cast<float>(r);
        }
}

inline void reference_global_pool(const workspace& ws, const step& s, const buffer& in, buffer& out) {
  const chw x = dims(in.shape);
  for (std::int64_t b = 0; b < ws.batch; ++b)
    for (std::int64_t c = 0; c < x.c; ++c) {
      double best = -std::numeric_limits<double>::infinity(), sum = 0;
      for (std::int64_t h = 0; h < x.h; ++h)
        for (std::int64_t w = 0; w < x.w; ++w) {
          const double v = ws.int8 ? in.q[nhwc(x, b, h, w, c)] : in.f[nhwc(x, b, h, w, c)];
          best = std::max(best, v);
          sum += v;
        }
      const double r = s.pool == pool_kind::max ? best : sum / static_cast<double>(x.h * x.w);
      if (ws.int8) out.q[static_cast<std::size_t>(b * x.c + c)] = static_cast<std::uint8_t>(std::lround(r));
      else out.f[static_cast<std::size_t>(b * x.c + c)] = static_cast<float>(r);
    }
}

/// Residual add and element-wise product of all the step's inputs.
inline void reference_eltwise(const workspace& ws, const step& s, const buffer& in, buffer& out) {
  const std::size_t n = ws.int8 ? out.q.size() : out.f.size();
  for (std::size_t i = 0; i < n; ++i) {
    if (ws.int8) {
      std::int32_t v = in.q[i] - zero_point;
      for (std::size_t j = 1; j < s.in.size(); ++j) {
        const std::int32_t w = ws.buffers[s.in[j]].q[i] - zero_point;
        // Same scale everywhere: a sum adds levels; a product of levels rescales by act_scale (1/32).
        v = s.kind == op_kind::add ? v + w : rounding_divide_by_pot(v * w, 5);
      }
      out.q[i] = static_cast<std::uint8_t>(std::clamp(v + zero_point, 0, 255));
    } else {
      float v = in.f[i];
      for (std::size_t j = 1; j < s.in.size(); ++j)
        v = s.kind == op_kind::add ? v + ws.buffers[s.in[j]].f[i] : v * ws.buffers[s.in[j]].f[i];
      out.f[i] = v;
    }
  }
}

/// Concatenation along channels, input after input.
inline void reference_concat(const workspace& ws, const step& s, buffer& out) {
  const chw y = dims(out.shape);
  std::int64_t c0 = 0;
  for (std::size_t src : s.in) {
    const buffer& part = ws.buffers[src];
    const chw d = dims(part.shape);
    for (std::int64_t b = 0; b < ws.batch; ++b)
      for (std::int64_t h = 0; h < d.h; ++h)
        for (std::int64_t w = 0; w < d.w; ++w)
          for (std::int64_t c = 0; c < d.c; ++c) {
            if (ws.int8) out.q[nhwc(y, b, h, w, c0 + c)] = part.q[nhwc(d, b, h, w, c)];
            else out.f[nhwc(y, b, h, w, c0 + c)] = part.f[nhwc(d, b, h, w, c)];
          }
    c0 += d.c;
  }
}

/// A standalone batch norm (per-channel affine map) or activation.
inline void reference_pointwise(const workspace& ws, const step& s, const buffer& in, buffer& out) {
  const chw y = dims(out.shape);
  const std::size_t n = ws.int8 ? out.q.size() : out.f.size();
  for (std::size_t i = 0; i < n; ++i) {
    const std::size_t c = static_cast<std::size_t>(static_cast<std::int64_t>(i) % y.c);
    if (ws.int8) {
      std::int32_t v = in.q[i];
      if (s.kind == op_kind::affine)  // per-channel scale in 1/128 steps, shift in levels
        v = zero_point + rounding_divide_by_pot((v - zero_point) * static_cast<std::int32_t>(std::lround(s.scale[c] * 128)), 7) +
            static_cast<std::int32_t>(std::lround(s.shift[c] / act_scale));
      v = std::clamp(v, 0, 255);
      if (s.kind == op_kind::unary) v = clamps_levels(s.act) ? std::clamp(v, s.rq.lo, s.rq.hi) : s.lut[static_cast<std::size_t>(v)];
      out.q[i] = static_cast<std::uint8_t>(v);
    } else {
      out.f[i] = s.kind == op_kind::affine ? in.f[i] * s.scale[c] + s.shift[c] : activate(s.act, in.f[i]);
    }
  }
}

/// Softmax over the last dimension, in double; int8 probabilities in 1/255 steps.
inline void reference_softmax(const workspace& ws, const buffer& in, buffer& out) {
  const chw y = dims(out.shape);
  const std::int64_t rows = static_cast<std::int64_t>(ws.int8 ? out.q.size() : out.f.size()) / y.c;
  for (std::int64_t r = 0; r < rows; ++r) {
    std::vector<double> v(static_cast<std::size_t>(y.c));
    for (std::int64_t c = 0; c < y.c; ++c) {
      const std::size_t i = static_cast<std::size_t>(r * y.c + c);
      v[static_cast<std::size_t>(c)] = ws.int8 ? (in.q[i] - zero_point) * act_scale : in.f[i];
    }
    const double mx = *std::max_element(v.begin(), v.end());
    double sum = 0;
    for (double& e : v) sum += (e = std::exp(e - mx));
    for (std::int64_t c = 0; c < y.c; ++c) {
      const std::size_t i = static_cast<std::size_t>(r * y.c + c);
      const double p = v[static_cast<std::size_t>(c)] / sum;
      if (ws.int8) out.q[i] = static_cast<std::uint8_t>(std::lround(p * 255));
      else out.f[i] = static_cast<float>(p);
    }
  }
}

/// Runs step `s` on the reference path into `out`, which may be a copy of the step's own
/// output buffer (to check the optimized kernel that wrote the original).
inline void reference(const workspace& ws, const step& s, buffer& out) {
  const buffer& in = ws.buffers[s.in.empty() ? s.out : s.in.front()];
  switch (s.kind) {
    case op_kind::gemm:
    case op_kind::depthwise: return reference_gemm(ws, s, in, out);
    case op_kind::pool: return reference_pool(ws, s, in, out);
    case op_kind::global_pool: return reference_global_pool(ws, s, in, out);
    case op_kind::add:
    case op_kind::mul: return reference_eltwise(ws, s, in, out);
    case op_kind::concat: return reference_concat(ws, s, out);
    case op_kind::affine:
    case op_kind::unary: return reference_pointwise(ws, s, in, out);
    case op_kind::softmax: return reference_softmax(ws, in, out);
    case op_kind::copy: return;
  }
}

/// Compares a kernel's output `got` with the reference's `expected`: bit-exact on the int8
/// path, whose fixed-point arithmetic is exact; within 1e-4 relative (of the output's
/// largest magnitude) on fp32, where summation order differs. Throws measure_error 601
/// naming the node, the element and the optimized kernel path.
inline void check_against_reference(const step& s, const buffer& got, const buffer& expected, bool int8, std::string_view path) {
  auto mismatch = [&](const std::string& kernel, const std::string& reference, std::size_t i) {
    throw measure_error(error_id::kernel_mismatch, "executor: node '" + s.name + "'",
                        "kernel output " + kernel + " differs from the naive reference " + reference + " at element " +
                            std::to_string(i) + " (" + std::string(path) + ")");
  };
  if (int8) {
    for (std::size_t i = 0; i < got.q.size(); ++i)
      if (got.q[i] != expected.q[i]) mismatch(std::to_string(got.q[i]), std::to_string(expected.q[i]), i);
  } else {
    float largest = 0;
    for (float v : expected.f) largest = std::max(largest, std::abs(v));
    for (std::size_t i = 0; i < got.f.size(); ++i)
      if (!(std::abs(got.f[i] - expected.f[i]) <= 1e-4f * std::max(largest, 1.0f)))
        mismatch(std::to_string(got.f[i]), std::to_string(expected.f[i]), i);
  }
}

}  // namespace qutibench::detail::exec
