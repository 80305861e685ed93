// Layers as value types: their parameters, output-shape inference and the costs
// they imply (MACs, element-wise work, weights, biases, state), all constexpr.
#pragma once

#include <array>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <span>
#include <string>
#include <string_view>
#include <variant>

#include "qutibench/error.hpp"

namespace qutibench {

namespace detail {
/// Checked 64-bit arithmetic: a wrapped count would print a wrong number, so it throws
/// spec_error 206 naming `where` instead (thesis counts reach 10^17 for large LLMs).
constexpr std::uint64_t mul(std::uint64_t a, std::uint64_t b, std::string_view where) {
  std::uint64_t r = 0;
  if (__builtin_mul_overflow(a, b, &r))
    throw spec_error(error_id::count_overflow, std::string(where), "count exceeds 64 bits");
  return r;
}
constexpr std::uint64_t add(std::uint64_t a, std::uint64_t b, std::string_view where) {
  std::uint64_t r = 0;
  if (__builtin_add_overflow(a, b, &r))
    throw spec_error(error_id::count_overflow, std::string(where), "count exceeds 64 bits");
  return r;
}
constexpr std::uint64_t mul(std::initializer_list<std::uint64_t> factors, std::string_view where) {
  std::uint64_t r = 1;
  for (std::uint64_t f : factors) r = mul(r, f, where);
  return r;
}
}  // namespace detail

/// The shape of one input's tensor, batch excluded. Conventions: images are (C, H, W),
/// sequences (L, D), vectors (N), token ids (L).
struct tensor_shape {
  static constexpr int max_rank = 4;
  std::array<std::int64_t, max_rank> dims{};
  int rank = 0;

  constexpr tensor_shape() = default;
  constexpr tensor_shape(std::initializer_list<std::int64_t> d) {
    for (std::int64_t v : d) {
      if (rank == max_rank) throw spec_error(error_id::rank_mismatch, "tensor_shape", "rank above 4");
      dims[static_cast<std::size_t>(rank++)] = v;
    }
  }
  constexpr std::int64_t operator[](int i) const { return dims[static_cast<std::size_t>(i)]; }
  constexpr std::int64_t& operator[](int i) { return dims[static_cast<std::size_t>(i)]; }
  constexpr std::int64_t back() const { return dims[static_cast<std::size_t>(rank - 1)]; }
  constexpr bool operator==(const tensor_shape& o) const {
    if (rank != o.rank) return false;
    for (int i = 0; i < rank; ++i)
      if (dims[static_cast<std::size_t>(i)] != o.dims[static_cast<std::size_t>(i)]) return false;
    return true;
  }
  /// Number of elements; checked against overflow.
  constexpr std::uint64_t elements(std::string_view where = "tensor") const {
    std::uint64_t n = 1;
    for (int i = 0; i < rank; ++i) n = detail::mul(n, static_cast<std::uint64_t>(dims[static_cast<std::size_t>(i)]), where);
    return n;
  }
  std::string str() const {
    std::string s = "(";
    for (int i = 0; i < rank; ++i) s += (i ? "x" : "") + std::to_string(dims[static_cast<std::size_t>(i)]);
    return s + ")";
  }
};

enum class pool_kind : std::uint8_t { max, avg };
enum class eltwise_kind : std::uint8_t { add, mul };
enum class activation_kind : std::uint8_t { relu, relu6, sigmoid, tanh, swish, hard_swish, gelu };
enum class recurrent_cell : std::uint8_t { lstm, gru };

// ---- layer parameter types (aggregate, for designated initializers) ----

/// A network input of the given shape.
struct input_layer { tensor_shape shape; };
/// Fully connected over the last dimension of a rank-1 or rank-2 input (thesis eq. 2.2).
struct dense { std::int64_t out_features = 0; bool bias = true; };
/// 2-D convolution with a square kernel on (C, H, W); groups == C is depthwise (eq. 2.4).
struct conv2d {
  std::int64_t out_channels = 0;
  std::int64_t kernel = 1;
  std::int64_t stride = 1;
  std::int64_t padding = 0;  ///< on each side
  std::int64_t dilation = 1;
  std::int64_t groups = 1;
  bool bias = false;
};
/// Max or average pooling; stride 0 means "equal to the kernel"; ceil_mode as in Caffe/PyTorch.
struct pool2d {
  pool_kind kind = pool_kind::max;
  std::int64_t kernel = 2;
  std::int64_t stride = 0;
  std::int64_t padding = 0;
  bool ceil_mode = false;
};
/// Pools each channel of (C, H, W) to (C, 1, 1).
struct global_pool { pool_kind kind = pool_kind::avg; };
/// Element-wise add or multiply of two or more inputs; dimensions of size 1 broadcast.
struct eltwise { eltwise_kind kind = eltwise_kind::add; };
/// Concatenation along `axis` (0 = channels of (C, H, W)).
struct concat { int axis = 0; };
/// Per-channel affine normalization (channel = first dimension); inference form.
struct batch_norm {};
struct activation { activation_kind kind = activation_kind::relu; };
/// Collapses the tensor to a vector.
struct flatten {};
struct reshape { tensor_shape shape; };
struct softmax {};
/// Normalizes over the last dimension with a learned scale and shift.
struct layer_norm {};
/// LSTM or GRU over an (L, D) sequence; L is the sequence length.
struct recurrent {
  recurrent_cell cell = recurrent_cell::lstm;
  std::int64_t hidden = 0;
  bool return_sequences = true;
  bool bias = true;
};
/// Product of two activations: (M, K) x (K, N), or (B, M, K) x (B, K, N); transpose_b takes (N, K).
struct matmul { bool transpose_b = false; };
/// Multi-head self-attention on (L, D) with Q, K, V and output projections; kv_cache
/// earlier tokens are attended to as well (decode with a KV cache).
struct attention {
  std::int64_t heads = 1;
  std::int64_t kv_cache = 0;
  bool bias = true;
};
/// Token ids (L) -> (L, dim) by table lookup.
struct embedding { std::int64_t vocabulary = 0; std::int64_t dim = 0; };
/// A whole network known only by its published totals (e.g. the vendor-pruned
/// ResNet50 variants, whose per-layer shapes are unpublished). Not layer-defined.
struct summary {
  std::uint64_t macs = 0;
  std::uint64_t weights = 0;
  tensor_shape out;
};

using layer = std::variant<input_layer, dense, conv2d, pool2d, global_pool, eltwise, concat, batch_norm, activation,
                           flatten, reshape, softmax, layer_norm, recurrent, matmul, attention, embedding, summary>;

/// What one layer costs for one input (batch 1), in exact counts.
struct layer_cost {
  tensor_shape out;
  std::uint64_t macs = 0;       ///< multiply-accumulates; ops = 2 x MACs (thesis eq. 2.2, 2.4)
  std::uint64_t other_ops = 0;  ///< element-wise work outside MACs (docs/conventions.md)
  std::uint64_t weights = 0;    ///< weight elements (W_i)
  std::uint64_t biases = 0;     ///< bias / affine elements
  std::uint64_t act_in = 0;     ///< input activation elements (T_i), all inputs
  std::uint64_t act_out = 0;    ///< output activation elements
  std::uint64_t state = 0;      ///< state kept between inputs or steps (RNN h/c, KV cache)
  bool is_view = false;         ///< flatten/reshape: the output aliases the input, no data moves
};

/// The stable kind name of a layer (e.g. "conv2d", "max_pool2d").
constexpr std::string_view kind_name(const layer& l) {
  struct visitor {
    constexpr std::string_view operator()(const input_layer&) const { return "input"; }
    constexpr std::string_view operator()(const dense&) const { return "dense"; }
    constexpr std::string_view operator()(const conv2d& c) const { return c.groups > 1 ? "conv2d_grouped" : "conv2d"; }
    constexpr std::string_view operator()(const pool2d& p) const { return p.kind == pool_kind::max ? "max_pool2d" : "avg_pool2d"; }
    constexpr std::string_view operator()(const global_pool& p) const { return p.kind == pool_kind::max ? "global_max_pool" : "global_avg_pool"; }
    constexpr std::string_view operator()(const eltwise& e) const { return e.kind == eltwise_kind::add ? "add" : "mul"; }
    constexpr std::string_view operator()(const concat&) const { return "concat"; }
    constexpr std::string_view operator()(const batch_norm&) const { return "batch_norm"; }
    constexpr std::string_view operator()(const activation& a) const {
      constexpr std::string_view names[] = {"relu", "relu6", "sigmoid", "tanh", "swish", "hard_swish", "gelu"};
      return names[static_cast<int>(a.kind)];
    }
    constexpr std::string_view operator()(const flatten&) const { return "flatten"; }
    constexpr std::string_view operator()(const reshape&) const { return "reshape"; }
    constexpr std::string_view operator()(const softmax&) const { return "softmax"; }
    constexpr std::string_view operator()(const layer_norm&) const { return "layer_norm"; }
    constexpr std::string_view operator()(const recurrent& r) const { return r.cell == recurrent_cell::lstm ? "lstm" : "gru"; }
    constexpr std::string_view operator()(const matmul&) const { return "matmul"; }
    constexpr std::string_view operator()(const attention&) const { return "attention"; }
    constexpr std::string_view operator()(const embedding&) const { return "embedding"; }
    constexpr std::string_view operator()(const summary&) const { return "summary"; }
  };
  return std::visit(visitor{}, l);
}

namespace detail {

/// Shape inference and cost of one layer; `where` names the node in errors.
class layer_analyzer {
 public:
  constexpr layer_analyzer(std::span<const tensor_shape> in, std::string_view where) : in_(in), where_(where) {}

  constexpr layer_cost operator()(const input_layer& l) const {
    arity(0, 0);
    positive(l.shape, "input shape");
    layer_cost c;
    c.out = l.shape;
    return finish(c);
  }

  constexpr layer_cost operator()(const dense& l) const {
    arity(1, 1);
    const tensor_shape& x = in_[0];
    if (x.rank < 1 || x.rank > 2) fail(error_id::rank_mismatch, "dense needs a (N) or (L, D) input, got " + x.str() + "; flatten first");
    positive(l.out_features, "out_features");
    layer_cost c;
    c.out = x;
    c.out[x.rank - 1] = l.out_features;
    const std::uint64_t rows = x.rank == 2 ? u(x[0]) : 1;
    c.weights = mul({u(x.back()), u(l.out_features)});
    c.macs = mul(rows, c.weights);
    if (l.bias) {
      c.biases = u(l.out_features);
      c.other_ops = mul(rows, u(l.out_features));
    }
    return finish(c);
  }

  constexpr layer_cost operator()(const conv2d& l) const {
    arity(1, 1);
    const tensor_shape& x = image();
    positive(l.out_channels, "out_channels");
    positive(l.kernel, "kernel");
    positive(l.stride, "stride");
    positive(l.dilation, "dilation");
    positive(l.groups, "groups");
    if (l.padding < 0) fail(error_id::nonpositive_dimension, "padding must be >= 0");
    if (x[0] % l.groups != 0 || l.out_channels % l.groups != 0)
      fail(error_id::shape_mismatch, "groups " + std::to_string(l.groups) + " must divide in_channels " +
                                         std::to_string(x[0]) + " and out_channels " + std::to_string(l.out_channels));
    layer_cost c;
    c.out = {l.out_channels, window(x[1], l.kernel, l.stride, l.padding, l.dilation, false),
             window(x[2], l.kernel, l.stride, l.padding, l.dilation, false)};
    c.weights = mul({u(x[0] / l.groups), u(l.out_channels), u(l.kernel), u(l.kernel)});
    c.macs = mul({u(c.out[1]), u(c.out[2]), c.weights});
    if (l.bias) {
      c.biases = u(l.out_channels);
      c.other_ops = c.out.elements(where_);
    }
    return finish(c);
  }

  constexpr layer_cost operator()(const pool2d& l) const {
    arity(1, 1);
    const tensor_shape& x = image();
    positive(l.kernel, "kernel");
    if (l.stride < 0 || l.padding < 0) fail(error_id::nonpositive_dimension, "stride and padding must be >= 0");
    const std::int64_t stride = l.stride == 0 ? l.kernel : l.stride;
    layer_cost c;
    c.out = {x[0], window(x[1], l.kernel, stride, l.padding, 1, l.ceil_mode),
             window(x[2], l.kernel, stride, l.padding, 1, l.ceil_mode)};
    c.other_ops = mul({c.out.elements(where_), u(l.kernel), u(l.kernel)});
    return finish(c);
  }

  constexpr layer_cost operator()(const global_pool&) const {
    arity(1, 1);
    const tensor_shape& x = image();
    layer_cost c;
    c.out = {x[0], 1, 1};
    c.other_ops = x.elements(where_);
    return finish(c);
  }

  constexpr layer_cost operator()(const eltwise&) const {
    arity(2, 64);
    layer_cost c;
    c.out = in_[0];
    for (const tensor_shape& s : in_) {
      if (s.rank != c.out.rank) fail(error_id::shape_mismatch, "inputs " + shapes() + " differ in rank");
      for (int d = 0; d < s.rank; ++d) {
        if (s[d] == c.out[d] || s[d] == 1) continue;
        if (c.out[d] != 1) fail(error_id::shape_mismatch, "inputs " + shapes() + " do not broadcast");
        c.out[d] = s[d];
      }
    }
    c.other_ops = mul(c.out.elements(where_), in_.size() - 1);
    return finish(c);
  }

  constexpr layer_cost operator()(const concat& l) const {
    arity(1, 64);
    layer_cost c;
    c.out = in_[0];
    if (l.axis < 0 || l.axis >= c.out.rank) fail(error_id::rank_mismatch, "axis " + std::to_string(l.axis) + " outside rank of " + shapes());
    for (std::size_t i = 1; i < in_.size(); ++i) {
      const tensor_shape& s = in_[i];
      bool same = s.rank == c.out.rank;
      for (int d = 0; same && d < s.rank; ++d) same = d == l.axis || s[d] == c.out[d];
      if (!same) fail(error_id::shape_mismatch, "inputs " + shapes() + " differ outside axis " + std::to_string(l.axis));
      c.out[l.axis] = signed_add(c.out[l.axis], s[l.axis]);
    }
    return finish(c);
  }

  constexpr layer_cost operator()(const batch_norm&) const {
    arity(1, 1);
    layer_cost c;
    c.out = in_[0];
    c.biases = mul(2, u(in_[0][0]));
    c.other_ops = mul(2, in_[0].elements(where_));
    return finish(c);
  }

  constexpr layer_cost operator()(const activation&) const {
    arity(1, 1);
    layer_cost c;
    c.out = in_[0];
    c.other_ops = in_[0].elements(where_);
    return finish(c);
  }

  constexpr layer_cost operator()(const flatten&) const {
    arity(1, 1);
    layer_cost c;
    const std::uint64_t n = in_[0].elements(where_);
    if (n > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) fail(error_id::count_overflow, "flattened size exceeds 63 bits");
    c.out = {static_cast<std::int64_t>(n)};
    c.is_view = true;
    return finish(c);
  }

  constexpr layer_cost operator()(const reshape& l) const {
    arity(1, 1);
    positive(l.shape, "shape");
    if (l.shape.elements(where_) != in_[0].elements(where_))
      fail(error_id::shape_mismatch, "cannot reshape " + in_[0].str() + " to " + l.shape.str());
    layer_cost c;
    c.out = l.shape;
    c.is_view = true;
    return finish(c);
  }

  constexpr layer_cost operator()(const softmax&) const {
    arity(1, 1);
    layer_cost c;
    c.out = in_[0];
    c.other_ops = mul(3, in_[0].elements(where_));  // exp, sum, divide per element
    return finish(c);
  }

  constexpr layer_cost operator()(const layer_norm&) const {
    arity(1, 1);
    layer_cost c;
    c.out = in_[0];
    c.biases = mul(2, u(in_[0].back()));
    c.other_ops = mul(5, in_[0].elements(where_));  // mean, variance, normalize, scale, shift
    return finish(c);
  }

  constexpr layer_cost operator()(const recurrent& l) const {
    arity(1, 1);
    const tensor_shape& x = in_[0];
    if (x.rank != 2) fail(error_id::rank_mismatch, "recurrent layers need an (L, D) sequence, got " + x.str());
    positive(l.hidden, "hidden");
    const std::uint64_t gates = l.cell == recurrent_cell::lstm ? 4 : 3;
    const std::uint64_t h = u(l.hidden);
    layer_cost c;
    c.out = l.return_sequences ? tensor_shape{x[0], l.hidden} : tensor_shape{l.hidden};
    c.weights = mul(mul(gates, h), detail::add(u(x[1]), h, where_));
    c.macs = mul(u(x[0]), c.weights);
    if (l.bias) c.biases = mul(gates, h);
    c.state = l.cell == recurrent_cell::lstm ? mul(2, h) : h;  // (h, c) or h
    // per step: one nonlinearity per gate value plus the cell update (LSTM 3H, GRU 3H)
    c.other_ops = mul(u(x[0]), mul(gates + 3, h));
    return finish(c);
  }

  constexpr layer_cost operator()(const matmul& l) const {
    arity(2, 2);
    const tensor_shape& a = in_[0];
    const tensor_shape& b = in_[1];
    if (a.rank != b.rank || a.rank < 2 || a.rank > 3) fail(error_id::rank_mismatch, "matmul needs two rank-2 or rank-3 inputs, got " + shapes());
    const int r = a.rank;
    const std::int64_t k_b = l.transpose_b ? b[r - 1] : b[r - 2];
    const std::int64_t n = l.transpose_b ? b[r - 2] : b[r - 1];
    if (a[r - 1] != k_b || (r == 3 && a[0] != b[0])) fail(error_id::shape_mismatch, "inputs " + shapes() + " do not multiply");
    layer_cost c;
    c.out = a;
    c.out[r - 1] = n;
    c.macs = mul({u(r == 3 ? a[0] : 1), u(a[r - 2]), u(a[r - 1]), u(n)});
    return finish(c);
  }

  constexpr layer_cost operator()(const attention& l) const {
    arity(1, 1);
    const tensor_shape& x = in_[0];
    if (x.rank != 2) fail(error_id::rank_mismatch, "attention needs an (L, D) sequence, got " + x.str());
    positive(l.heads, "heads");
    if (l.kv_cache < 0) fail(error_id::nonpositive_dimension, "kv_cache must be >= 0");
    if (x[1] % l.heads != 0) fail(error_id::shape_mismatch, "heads " + std::to_string(l.heads) + " must divide width " + std::to_string(x[1]));
    const std::uint64_t len = u(x[0]), d = u(x[1]), keys = add(len, u(l.kv_cache), where_);
    layer_cost c;
    c.out = x;
    c.weights = mul({4, d, d});                    // Q, K, V, output projections
    c.macs = add(mul(len, c.weights),              // projections of the new tokens
                 mul({2, len, keys, d}), where_);  // Q.K^T scores and scores.V over all heads
    if (l.bias) c.biases = mul(4, d);
    c.state = mul({2, keys, d});                   // the KV cache after this step
    c.other_ops = mul({3, u(l.heads), len, keys}); // softmax over every score
    return finish(c);
  }

  constexpr layer_cost operator()(const embedding& l) const {
    arity(1, 1);
    if (in_[0].rank != 1) fail(error_id::rank_mismatch, "embedding needs (L) token ids, got " + in_[0].str());
    positive(l.vocabulary, "vocabulary");
    positive(l.dim, "dim");
    layer_cost c;
    c.out = {in_[0][0], l.dim};
    c.weights = mul(u(l.vocabulary), u(l.dim));
    return finish(c);
  }

  constexpr layer_cost operator()(const summary& l) const {
    arity(1, 1);
    positive(l.out, "out");
    layer_cost c;
    c.out = l.out;
    c.macs = l.macs;
    c.weights = l.weights;
    return finish(c);
  }

 private:
  std::span<const tensor_shape> in_;
  std::string_view where_;

  [[noreturn]] void fail(error_id id, const std::string& what) const { throw spec_error(id, std::string(where_), what); }
  static constexpr std::uint64_t u(std::int64_t v) { return static_cast<std::uint64_t>(v); }
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
  constexpr std::uint64_t mul(std::uint64_t a, std::uint64_t b) const { return detail::mul(a, b, where_); }
  constexpr std::uint64_t mul(std::initializer_list<std::uint64_t> f) const { return detail::mul(f, where_); }

  std::string shapes() const {
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
  constexpr layer_cost finish(layer_cost c) const {
    for (const tensor_shape& s : in_) c.act_in = detail::add(c.act_in, s.elements(where_), where_);
    c.act_out = c.out.elements(where_);
    return c;
  }
};

}  // namespace detail

/// Infers the output shape and costs of `l` applied to `inputs`; throws spec_error naming
/// `where` (the node) for bad parameters or shapes.
constexpr layer_cost analyze(const layer& l, std::span<const tensor_shape> inputs, std::string_view where) {
  return std::visit(detail::layer_analyzer(inputs, where), l);
}

}  // namespace qutibench
