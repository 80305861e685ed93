// The layer kinds as value types: tensor shapes, each kind's parameters (aggregates, for
// designated initializers), the `layer` variant, its kind names and what a layer costs.
#pragma once

#include <array>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <variant>

#include "qutibench/checked.hpp"
#include "qutibench/error.hpp"

namespace qutibench {

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
    for (int i = 0; i < rank; ++i) n = checked_mul(n, static_cast<std::uint64_t>(dims[static_cast<std::size_t>(i)]), where);
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
/// Part of its input selected in place (a strided slice, one index of an axis, one output
/// of a split): output `shape`, no operations, a view that engines read where it lies.
struct slice { tensor_shape shape; };
/// Element-wise work that no other kind names (a subtraction or division of two tensors,
/// a power, square root, exponent, erf, comparison or select): output `shape`, one
/// operation per output element, any number of inputs.
struct elementwise { tensor_shape shape; };
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
                           flatten, reshape, slice, elementwise, softmax, layer_norm, recurrent, matmul, attention, embedding, summary>;

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
  bool is_view = false;         ///< flatten/reshape/slice: the output aliases the input, no data moves
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
    constexpr std::string_view operator()(const slice&) const { return "slice"; }
    constexpr std::string_view operator()(const elementwise&) const { return "elementwise"; }
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

}  // namespace qutibench
