// A network as a DAG of named layers: a builder, validation, shape inference and a
// topological schedule, all at build time (and at compile time where the data allows).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "qutibench/error.hpp"
#include "qutibench/layer.hpp"

namespace qutibench {

/// `prefix` followed by the decimal digits of `i` ("conv" 3 -> "conv3"); a constexpr
/// std::to_string for naming nodes in loops.
constexpr std::string numbered(std::string_view prefix, std::uint64_t i) {
  std::string digits;
  do {
    digits.insert(digits.begin(), static_cast<char>('0' + i % 10));
    i /= 10;
  } while (i != 0);
  return std::string(prefix) + digits;
}

/// One node of a topology: a named layer, its inputs and its inferred batch-1 cost.
struct node {
  std::string name;
  qutibench::layer op;
  std::vector<std::size_t> inputs;  ///< indices into topology::nodes(), all earlier in the schedule
  layer_cost cost;                  ///< output shape and costs for one input
};

/// An immutable, validated network. Nodes are stored in a topological schedule:
/// every node comes after all of its inputs.
class topology {
 public:
  class builder;

  constexpr const std::string& name() const { return name_; }
  constexpr std::span<const node> nodes() const { return nodes_; }
  constexpr std::size_t size() const { return nodes_.size(); }

  /// The node called `name`; throws spec_error 301 if there is none.
  constexpr const node& at(std::string_view name) const {
    for (const node& n : nodes_)
      if (n.name == name) return n;
    throw spec_error(error_id::unknown_id, "topology '" + name_ + "'", "no node named '" + std::string(name) + "'");
  }

  /// True unless a node is a `summary` (a network known only by its published totals).
  constexpr bool layer_defined() const {
    for (const node& n : nodes_)
      if (std::holds_alternative<summary>(n.op)) return false;
    return true;
  }

  /// Indices of the nodes whose outputs nothing consumes (the network's outputs).
  constexpr std::vector<std::size_t> outputs() const {
    std::vector<bool> consumed(nodes_.size(), false);
    for (const node& n : nodes_)
      for (std::size_t i : n.inputs) consumed[i] = true;
    std::vector<std::size_t> out;
    for (std::size_t i = 0; i < nodes_.size(); ++i)
      if (!consumed[i]) out.push_back(i);
    return out;
  }

 private:
  std::string name_;
  std::vector<node> nodes_;
};

/// Builds a topology node by node. A node's inputs are named; an empty list means "the
/// node added just before". Names may refer to nodes added later: `build()` resolves
/// them, rejects dangling names and cycles, schedules and infers every shape.
///
///     auto net = topology::builder("cnv", {3, 32, 32})
///                  .conv2d("conv1", {.out_channels = 64, .kernel = 3})
///                  .max_pool2d("pool1", {.kernel = 2})
///                  .build();
class topology::builder {
 public:
  /// Starts a network whose first input node `input_name` has shape `input`.
  constexpr builder(std::string_view name, tensor_shape input, std::string_view input_name = "input") : name_(name) {
    this->input(input_name, input);
  }

  /// Adds another network input.
  constexpr builder& input(std::string_view name, tensor_shape shape) {
    pending_.push_back({std::string(name), input_layer{shape}, {}});
    return *this;
  }

  /// Adds any layer; `from` empty means the previously added node.
  constexpr builder& node(std::string_view name, qutibench::layer op, std::vector<std::string> from = {}) {
    if (from.empty() && !std::holds_alternative<input_layer>(op) && !pending_.empty()) from.push_back(pending_.back().name);
    pending_.push_back({std::string(name), op, from});
    return *this;
  }

  constexpr builder& dense(std::string_view n, qutibench::dense p, std::vector<std::string> from = {}) { return node(n, p, std::move(from)); }
  constexpr builder& conv2d(std::string_view n, qutibench::conv2d p, std::vector<std::string> from = {}) { return node(n, p, std::move(from)); }
  constexpr builder& max_pool2d(std::string_view n, qutibench::pool2d p, std::vector<std::string> from = {}) {
    p.kind = pool_kind::max;
    return node(n, p, std::move(from));
  }
  constexpr builder& avg_pool2d(std::string_view n, qutibench::pool2d p, std::vector<std::string> from = {}) {
    p.kind = pool_kind::avg;
    return node(n, p, std::move(from));
  }
  constexpr builder& global_avg_pool(std::string_view n, std::vector<std::string> from = {}) { return node(n, global_pool{pool_kind::avg}, std::move(from)); }
  constexpr builder& add(std::string_view n, std::vector<std::string> from) { return node(n, eltwise{eltwise_kind::add}, std::move(from)); }
  constexpr builder& mul(std::string_view n, std::vector<std::string> from) { return node(n, eltwise{eltwise_kind::mul}, std::move(from)); }
  constexpr builder& concat(std::string_view n, std::vector<std::string> from, int axis = 0) { return node(n, qutibench::concat{axis}, std::move(from)); }
  constexpr builder& batch_norm(std::string_view n, std::vector<std::string> from = {}) { return node(n, qutibench::batch_norm{}, std::move(from)); }
  constexpr builder& activation(std::string_view n, activation_kind k, std::vector<std::string> from = {}) { return node(n, qutibench::activation{k}, std::move(from)); }
  constexpr builder& relu(std::string_view n, std::vector<std::string> from = {}) { return activation(n, activation_kind::relu, std::move(from)); }
  constexpr builder& flatten(std::string_view n, std::vector<std::string> from = {}) { return node(n, qutibench::flatten{}, std::move(from)); }
  constexpr builder& reshape(std::string_view n, tensor_shape s, std::vector<std::string> from = {}) { return node(n, qutibench::reshape{s}, std::move(from)); }
  constexpr builder& elementwise(std::string_view n, tensor_shape s, std::vector<std::string> from = {}) { return node(n, qutibench::elementwise{s}, std::move(from)); }
  constexpr builder& slice(std::string_view n, tensor_shape s, std::vector<std::string> from = {}) { return node(n, qutibench::slice{s}, std::move(from)); }
  constexpr builder& softmax(std::string_view n, std::vector<std::string> from = {}) { return node(n, qutibench::softmax{}, std::move(from)); }
  constexpr builder& layer_norm(std::string_view n, std::vector<std::string> from = {}) { return node(n, qutibench::layer_norm{}, std::move(from)); }
  constexpr builder& lstm(std::string_view n, recurrent p, std::vector<std::string> from = {}) {
    p.cell = recurrent_cell::lstm;
    return node(n, p, std::move(from));
  }
  constexpr builder& gru(std::string_view n, recurrent p, std::vector<std::string> from = {}) {
    p.cell = recurrent_cell::gru;
    return node(n, p, std::move(from));
  }
  constexpr builder& matmul(std::string_view n, std::vector<std::string> from, qutibench::matmul p = {}) { return node(n, p, std::move(from)); }
  constexpr builder& attention(std::string_view n, qutibench::attention p, std::vector<std::string> from = {}) { return node(n, p, std::move(from)); }
  constexpr builder& embedding(std::string_view n, qutibench::embedding p, std::vector<std::string> from = {}) { return node(n, p, std::move(from)); }

  /// Name of the node added last (handy for wiring residual branches).
  constexpr const std::string& last() const { return pending_.back().name; }

  /// Validates, schedules and infers shapes; throws spec_error naming the node at fault.
  constexpr topology build() const {
    const std::size_t n = pending_.size();
    const std::string where = "topology '" + name_ + "'";
    // Resolve input names through a sorted index (duplicates sit side by side), so that
    // a network of thousands of nodes (an exported transformer) builds in n log n.
    std::vector<std::pair<std::string_view, std::size_t>> index(n);
    for (std::size_t i = 0; i < n; ++i) index[i] = {pending_[i].name, i};
    std::sort(index.begin(), index.end());
    for (std::size_t i = 1; i < n; ++i)
      if (index[i].first == index[i - 1].first)
        throw spec_error(error_id::duplicate_name, where + ": node '" + pending_[index[i].second].name + "'", "name used twice");
    std::vector<std::vector<std::size_t>> in(n), readers(n);
    for (std::size_t i = 0; i < n; ++i) {
      for (const std::string& src : pending_[i].from) {
        const auto it = std::lower_bound(index.begin(), index.end(), std::pair<std::string_view, std::size_t>{src, 0});
        if (it == index.end() || it->first != src)
          throw spec_error(error_id::dangling_input, where + ": node '" + pending_[i].name + "'",
                           "input '" + src + "' is not a node of the topology");
        in[i].push_back(it->second);
        readers[it->second].push_back(i);
      }
    }
    // Kahn's algorithm, always taking the ready node added first (a min-heap of insertion
    // indices), so that a builder written in order keeps its order.
    std::vector<std::size_t> waiting(n), order, position(n, n), ready;
    for (std::size_t i = 0; i < n; ++i)
      if ((waiting[i] = in[i].size()) == 0) ready.push_back(i);
    std::make_heap(ready.begin(), ready.end(), std::greater<>{});
    while (!ready.empty()) {
      std::pop_heap(ready.begin(), ready.end(), std::greater<>{});
      const std::size_t i = ready.back();
      ready.pop_back();
      position[i] = order.size();
      order.push_back(i);
      for (std::size_t k : readers[i])
        if (--waiting[k] == 0) {
          ready.push_back(k);
          std::push_heap(ready.begin(), ready.end(), std::greater<>{});
        }
    }
    if (order.size() < n) {
      std::string stuck;
      for (std::size_t i = 0; i < n; ++i)
        if (position[i] == n) stuck += (stuck.empty() ? "'" : ", '") + pending_[i].name + "'";
      throw spec_error(error_id::cycle, where, "cycle through nodes " + stuck);
    }
    // Shape inference in schedule order.
    topology t;
    t.name_ = name_;
    t.nodes_.reserve(n);
    for (std::size_t i : order) {
      qutibench::node nd{pending_[i].name, pending_[i].op, {}, {}};
      std::vector<tensor_shape> shapes;
      for (std::size_t src : in[i]) {
        nd.inputs.push_back(position[src]);
        shapes.push_back(t.nodes_[position[src]].cost.out);
      }
      nd.cost = analyze(nd.op, shapes, where + ": node '" + nd.name + "'");
      t.nodes_.push_back(std::move(nd));
    }
    return t;
  }

 private:
  struct pending_node {
    std::string name;
    qutibench::layer op;
    std::vector<std::string> from;
  };
  std::string name_;
  std::vector<pending_node> pending_;
};

}  // namespace qutibench
