// What the executor's two kernel paths share: the steps it plans, the buffers they read
// and write, and the fixed-point quantisation of the int8 path. Kept free of gemmlowp and
// Eigen so that the reference path (reference.hpp) stays independent of the optimized one.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <vector>

#include "qutibench/layer.hpp"

namespace qutibench::detail::exec {

// ---- Fixed-point arithmetic of gemmlowp's quantize-down stage, restated so that the
// reference does not trust gemmlowp (the standard definitions: rounding doubling high
// multiply, rounding shift).
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

/// The real value one activation step represents (int8 path): 1/32 per level.
inline constexpr float act_scale = 1.0f / 32;

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

/// Offset of element (b, h, w, c) in a batch of NHWC tensors of per-input dims `d`.
inline std::size_t nhwc(const chw& d, std::int64_t b, std::int64_t h, std::int64_t w, std::int64_t c) {
  return static_cast<std::size_t>(((b * d.h + h) * d.w + w) * d.c + c);
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

/// What every kernel reads: all buffers (a step names its inputs by index), the batch, and
/// which carrier the buffers hold (uint8 in `q`, or float in `f`).
struct workspace {
  std::span<const buffer> buffers;
  std::int64_t batch = 1;
  bool int8 = true;
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

/// Relu and relu6 are a clamp of the int8 levels; every other activation needs the step's
/// 256-entry table.
inline bool clamps_levels(activation_kind k) { return k == activation_kind::relu || k == activation_kind::relu6; }
inline bool uses_lut(const step& s) { return s.has_act && !clamps_levels(s.act); }

/// Folded batch norm and activation of an fp32 GEMM output of channel `channel`.
inline float epilogue(const step& s, float v, std::int64_t channel) {
  if (s.has_affine) v = v * s.scale[static_cast<std::size_t>(channel)] + s.shift[static_cast<std::size_t>(channel)];
  return s.has_act ? activate(s.act, v) : v;
}

}  // namespace qutibench::detail::exec
