// Shape inference for the operators the importer knows, after the ONNX operator
// specifications (onnx/docs/Operators.md), and constant folding of the small tensors that
// shape arithmetic computes. Replaces ONNX's own shape inference, which needs the model
// as generated protobuf classes (payloads copied) and divides by zero strides.
#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>
#include <numeric>
#include <span>
#include <string>
#include <vector>

#include "qutibench/error.hpp"
#include "qutibench/io/onnx/values.hpp"

namespace qutibench::onnx {

using dims = std::vector<std::int64_t>;

/// Where shape inference reports a problem: "FILE: node 'NAME'".
struct shape_site {
  const onnx::node& n;
  const std::string& where;
  std::int64_t opset;

  [[noreturn]] void fail(error_id id, const std::string& what) const { throw spec_error(id, where, what); }
  std::int64_t integer(std::string_view key, std::int64_t fallback) const {
    const attribute* a = n.find(key);
    return a ? a->i : fallback;
  }
  dims integers(std::string_view key, dims fallback = {}) const {
    const attribute* a = n.find(key);
    return a ? a->ints : fallback;
  }
  /// An axis in [-rank, rank) as a position.
  std::int64_t axis(std::int64_t a, std::size_t rank) const {
    const auto r = static_cast<std::int64_t>(rank);
    if (a < -r || a >= r) fail(error_id::invalid_value, "axis " + std::to_string(a) + " outside a rank-" + std::to_string(r) + " tensor");
    return a < 0 ? a + r : a;
  }
};

inline std::string shown(const dims& d) {
  std::string s = "[";
  for (std::size_t i = 0; i < d.size(); ++i) s += (i ? ", " : "") + std::to_string(d[i]);
  return s + "]";
}

/// Numpy broadcasting of two shapes.
inline dims broadcast(const dims& a, const dims& b, const shape_site& site) {
  dims out(std::max(a.size(), b.size()), 1);
  for (std::size_t i = 0; i < out.size(); ++i) {
    const std::int64_t x = i < out.size() - a.size() ? 1 : a[i - (out.size() - a.size())];
    const std::int64_t y = i < out.size() - b.size() ? 1 : b[i - (out.size() - b.size())];
    if (x != y && x != 1 && y != 1) site.fail(error_id::shape_mismatch, "shapes " + shown(a) + " and " + shown(b) + " do not broadcast");
    out[i] = x == 1 ? y : x;
  }
  return out;
}

/// Element-wise `f` over broadcast operands' values.
inline std::vector<double> broadcast_values(const value& a, const value& b, const dims& out,
                                            const std::function<double(double, double)>& f) {
  const std::uint64_t n = element_count(out, "broadcast");
  std::vector<double> r(n);
  auto index = [&](const dims& shape, std::uint64_t flat) {
    std::uint64_t i = 0, stride = 1;
    for (std::size_t k = out.size(); k-- > 0;) {
      const std::uint64_t coord = flat % static_cast<std::uint64_t>(out[k]);
      flat /= static_cast<std::uint64_t>(out[k]);
      const std::size_t offset = out.size() - shape.size();
      if (k < offset) continue;
      const auto d = static_cast<std::uint64_t>(shape[k - offset]);
      if (d != 1) i += coord * stride;
      stride *= d;
    }
    return i;
  };
  for (std::uint64_t k = 0; k < n; ++k) r[k] = f((*a.values)[index(*a.shape, k)], (*b.values)[index(*b.shape, k)]);
  return r;
}

/// Output size of one spatial axis of a convolution or pooling window.
inline std::int64_t window_out(std::int64_t in, std::int64_t kernel, std::int64_t stride, std::int64_t dilation,
                               std::int64_t pads, bool ceil_mode, const shape_site& site) {
  const std::int64_t span = dilation * (kernel - 1) + 1;
  if (in + pads < span)
    site.fail(error_id::window_too_large, "window of " + std::to_string(span) + " larger than the padded input " + std::to_string(in + pads));
  const std::int64_t steps = in + pads - span;
  return (ceil_mode ? (steps + stride - 1) / stride : steps / stride) + 1;
}

/// The total padding of each spatial axis (begin + end) from pads or auto_pad.
inline dims total_pads(const shape_site& site, const dims& spatial, const dims& kernel, const dims& strides, const dims& dilations) {
  const attribute* autopad = site.n.find("auto_pad");
  const std::string mode = autopad ? autopad->s : "NOTSET";
  dims total(spatial.size(), 0);
  if (mode == "SAME_UPPER" || mode == "SAME_LOWER") {
    for (std::size_t i = 0; i < spatial.size(); ++i) {
      const std::int64_t out = (spatial[i] + strides[i] - 1) / strides[i];
      total[i] = std::max<std::int64_t>((out - 1) * strides[i] + (kernel[i] - 1) * dilations[i] + 1 - spatial[i], 0);
    }
  } else if (mode != "VALID") {
    const dims pads = site.integers("pads", dims(2 * spatial.size(), 0));
    for (std::size_t i = 0; i < spatial.size(); ++i) total[i] = pads[i] + pads[i + spatial.size()];
  }
  return total;
}

/// Shapes of a Conv / MaxPool / AveragePool output; `kernel` from the weight or the
/// attribute (checked beforehand by the importer's window check).
inline dims window_shape(const shape_site& site, const dims& x, std::int64_t channels, const dims& kernel) {
  if (x.size() != kernel.size() + 2)
    site.fail(error_id::rank_mismatch, "input " + shown(x) + " does not have " + std::to_string(kernel.size()) + " spatial axes");
  const dims spatial(x.begin() + 2, x.end());
  const dims strides = site.integers("strides", dims(kernel.size(), 1));
  const dims dilations = site.integers("dilations", dims(kernel.size(), 1));
  // The window check saw these only where the spatial rank was known before shape
  // inference (not for a weight computed in the graph).
  const std::size_t pads = site.integers("pads", dims(2 * kernel.size(), 0)).size();
  if (strides.size() != kernel.size() || dilations.size() != kernel.size() || pads != 2 * kernel.size())
    site.fail(error_id::invalid_value, "strides, dilations and pads must have one value per spatial axis (two for pads), kernel " + shown(kernel));
  for (std::int64_t k : kernel)
    if (k < 1) site.fail(error_id::invalid_value, "kernel " + shown(kernel) + ": must be integers >= 1");
  const dims total = total_pads(site, spatial, kernel, strides, dilations);
  const bool ceil_mode = site.integer("ceil_mode", 0) != 0;
  dims out{x[0], channels};
  for (std::size_t i = 0; i < spatial.size(); ++i)
    out.push_back(window_out(spatial[i], kernel[i], strides[i], dilations[i], total[i], ceil_mode, site));
  return out;
}

/// "the weight [4, 10] (transB) takes 10 input features, but the input [1, 8] has 8": the
/// message for factors whose inner dimensions differ (the second is a layer's weight
/// wherever qutibench maps a product onto a dense layer).
inline std::string inner_mismatch(const dims& a, bool ta, const dims& b, bool tb) {
  const std::int64_t features = tb ? b.back() : b[b.size() - 2], has = ta ? a[a.size() - 2] : a.back();
  return "weight " + shown(b) + (tb ? " (transB)" : "") + " takes " + std::to_string(features) + " input features, but the input " +
         shown(a) + (ta ? " (transA)" : "") + " has " + std::to_string(has);
}

/// Matrix product shape with numpy's rules for 1-D operands and batch broadcasting.
inline dims matmul_shape(dims a, dims b, const shape_site& site) {
  const bool vector_a = a.size() == 1, vector_b = b.size() == 1;
  if (a.empty() || b.empty()) site.fail(error_id::rank_mismatch, "MatMul of a scalar");
  if (vector_a) a.insert(a.begin(), 1);
  if (vector_b) b.push_back(1);
  if (a.back() != b[b.size() - 2]) site.fail(error_id::shape_mismatch, inner_mismatch(a, false, b, false));
  dims out = broadcast(dims(a.begin(), a.end() - 2), dims(b.begin(), b.end() - 2), site);
  if (!vector_a) out.push_back(a[a.size() - 2]);
  if (!vector_b) out.push_back(b.back());
  return out;
}

/// The inputs of one node as shape inference reads them.
struct operands {
  const shape_site& site;
  const std::vector<const value*>& in;

  bool has(std::size_t i) const { return i < in.size() && in[i] != nullptr; }
  const dims& shape(std::size_t i) const {
    if (!has(i) || !in[i]->shape)
      site.fail(error_id::missing_field, "input " + std::to_string(i) + " of " + site.n.op_type + " has no known shape");
    return *in[i]->shape;
  }
  /// A constant input's values as integers (a shape, axes, bounds).
  dims values(std::size_t i, const std::string& what) const {
    if (!has(i) || !in[i]->values)
      site.fail(error_id::invalid_value, what + " of " + site.n.op_type + " is not a constant qutibench can evaluate");
    dims d;
    for (double x : *in[i]->values) d.push_back(as_index(x));
    return d;
  }
};

inline dims row_strides(const dims& shape) {
  dims s(shape.size(), 1);
  for (std::size_t k = shape.size(); k-- > 1;) s[k - 1] = s[k] * shape[k];
  return s;
}

/// Folds a data-moving operator: each output element (row-major over `out`) reads the
/// input element that `source` maps its coordinates to.
template <class F>
std::optional<std::vector<double>> gathered(const value& x, const dims& out, F source) {
  if (!x.values || element_count(out, "fold") > max_folded_elements) return std::nullopt;
  const std::uint64_t n = element_count(out, "fold");
  if (n == 0) return std::vector<double>{};  // (an empty input's strides could overflow)
  const dims in_strides = row_strides(*x.shape);
  std::vector<double> r(n);
  dims coord(out.size(), 0);
  for (std::uint64_t k = 0; k < n; ++k) {
    std::uint64_t rest = k;
    for (std::size_t d = out.size(); d-- > 0;) {
      coord[d] = static_cast<std::int64_t>(rest % static_cast<std::uint64_t>(out[d]));
      rest /= static_cast<std::uint64_t>(out[d]);
    }
    const dims at = source(coord);
    std::int64_t flat = 0;
    for (std::size_t d = 0; d < at.size(); ++d) flat += at[d] * in_strides[d];
    r[k] = (*x.values)[static_cast<std::size_t>(flat)];
  }
  return r;
}



}  // namespace qutibench::onnx
