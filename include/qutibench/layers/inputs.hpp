// What every layer kind's shape inference shares: the input shapes of the node being
// analysed, its name for error messages, and the checks and checked arithmetic that
// turn a bad parameter or shape into a spec_error naming the node.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>

#include "qutibench/checked.hpp"
#include "qutibench/error.hpp"
#include "qutibench/layers/kinds.hpp"

namespace qutibench::shape_inference {

/// An extent as a count, once checked positive: the counts are unsigned, the extents signed.
constexpr std::uint64_t u(std::int64_t v) { return static_cast<std::uint64_t>(v); }

/// The inputs of one node under analysis; `where` names the node in errors. Each kind's
/// `cost_of(params, inputs)` validates through it and returns the output shape and the
/// kind-specific counts; `with_activations` adds the activation counts every kind shares.
class layer_inputs {
 public:
  constexpr layer_inputs(std::span<const tensor_shape> in, std::string_view where) : in_(in), where_(where) {}

  constexpr std::size_t size() const { return in_.size(); }
  constexpr const tensor_shape& operator[](std::size_t i) const { return in_[i]; }
  constexpr std::span<const tensor_shape> shapes() const { return in_; }
  constexpr std::string_view where() const { return where_; }

  [[noreturn]] void fail(error_id id, const std::string& what) const { throw spec_error(id, std::string(where_), what); }

  /// Dimension arithmetic on signed extents, checked like the counts (206, never a wrap).
  constexpr std::int64_t signed_add(std::int64_t a, std::int64_t b) const {
    std::int64_t r = 0;
    if (__builtin_add_overflow(a, b, &r)) fail(error_id::count_overflow, "dimension exceeds 63 bits");
    return r;
  }
  constexpr std::int64_t signed_mul(std::int64_t a, std::int64_t b) const {
    std::int64_t r = 0;
    if (__builtin_mul_overflow(a, b, &r)) fail(error_id::count_overflow, "dimension exceeds 63 bits");
    return r;
  }
  constexpr std::uint64_t mul(std::uint64_t a, std::uint64_t b) const { return checked_mul(a, b, where_); }
  constexpr std::uint64_t mul(std::initializer_list<std::uint64_t> f) const { return checked_mul(f, where_); }
  constexpr std::uint64_t add(std::uint64_t a, std::uint64_t b) const { return checked_add(a, b, where_); }
  constexpr std::uint64_t elements(const tensor_shape& s) const { return s.elements(where_); }

  /// The input shapes for error messages: "(3x224x224), (64)".
  std::string str() const {
    std::string s;
    for (const tensor_shape& t : in_) s += (s.empty() ? "" : ", ") + t.str();
    return s;
  }
  constexpr void arity(std::size_t lo, std::size_t hi) const {
    if (in_.size() < lo || in_.size() > hi)
      fail(error_id::input_arity, "takes " + std::to_string(lo) + (hi > lo ? ".." + std::to_string(hi) : "") +
                                      " inputs, got " + std::to_string(in_.size()));
    for (const tensor_shape& s : in_) positive(s, "input shape");
  }
  constexpr void positive(std::int64_t v, std::string_view field) const {
    if (v <= 0) fail(error_id::nonpositive_dimension, std::string(field) + " must be > 0, got " + std::to_string(v));
  }
  constexpr void positive(const tensor_shape& s, std::string_view field) const {
    if (s.rank == 0) fail(error_id::nonpositive_dimension, std::string(field) + " is empty");
    for (int i = 0; i < s.rank; ++i)
      if (s[i] <= 0) fail(error_id::nonpositive_dimension, std::string(field) + " " + s.str() + " has a dimension <= 0");
  }
  /// The cost of a layer whose output `shape` is given (reshape, slice, elementwise) so
  /// far: 1..max_inputs inputs and a positive shape, no work yet.
  constexpr layer_cost given(const tensor_shape& shape, std::size_t max_inputs) const {
    arity(1, max_inputs);
    positive(shape, "shape");
    layer_cost c;
    c.out = shape;
    return c;
  }
  /// The single input, which must be an image.
  constexpr const tensor_shape& image() const {
    if (in_[0].rank != 3) fail(error_id::rank_mismatch, "needs a (C, H, W) input, got " + in_[0].str());
    return in_[0];
  }
  /// Output extent of a sliding window (PyTorch's rule, incl. ceil_mode's last-window clamp).
  constexpr std::int64_t window(std::int64_t extent, std::int64_t kernel, std::int64_t stride, std::int64_t pad,
                                std::int64_t dilation, bool ceil_mode) const {
    const std::int64_t span = signed_add(signed_mul(dilation, kernel - 1), 1);
    const std::int64_t padded = signed_add(extent, signed_mul(2, pad));
    if (stride > extent)
      fail(error_id::window_too_large, "stride " + std::to_string(stride) + " larger than the input extent " + std::to_string(extent));
    if (span > padded)
      fail(error_id::window_too_large, "kernel extent " + std::to_string(span) + " larger than the padded input " + std::to_string(padded));
    const std::int64_t room = padded - span;
    // (out - 1) * stride <= room + stride - 1, which is checked, so the product cannot wrap
    std::int64_t out = (ceil_mode ? signed_add(room, stride - 1) / stride : room / stride) + 1;
    if (ceil_mode && (out - 1) * stride >= extent + pad) --out;
    return out;
  }
  /// `c` with the activations read (all inputs) and written (its output shape).
  constexpr layer_cost with_activations(layer_cost c) const {
    for (const tensor_shape& s : in_) c.act_in = add(c.act_in, elements(s));
    c.act_out = elements(c.out);
    return c;
  }

 private:
  std::span<const tensor_shape> in_;
  std::string_view where_;
};

}  // namespace qutibench::shape_inference
