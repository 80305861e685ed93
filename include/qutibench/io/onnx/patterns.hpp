// Operator patterns the importer maps as one layer: a layer normalization as exporters
// decompose it, and gated activations (x * sigmoid(x) and the like).
#pragma once

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "qutibench/io/onnx/mapping.hpp"

namespace qutibench::onnx::detail {

/// The nodes of a layer normalization decomposed into its arithmetic, as exporters write
/// it before opset 17: mean = ReduceMean(x), d = x - mean, var = ReduceMean(d^2),
/// y = d / Sqrt(var + eps), the mean and variance over the last axis; `nodes` are the
/// seven from the first ReduceMean to the Div, `out` the normalized tensor.
struct layer_norm_match {
  std::vector<std::size_t> nodes;
  std::string out;
};

inline std::optional<layer_norm_match> match_layer_norm(const walk_state& w, const graph& g,
                                                        const std::map<std::string, std::vector<std::size_t>>& readers, std::size_t first) {
  auto only = [&](const std::string& t, const char* op) -> const node* {
    const auto it = readers.find(t);
    if (it == readers.end() || it->second.size() != 1 || w.outputs.count(t)) return nullptr;
    const node& n = g.nodes[it->second.front()];
    return n.op_type == op && !n.outputs.empty() ? &n : nullptr;
  };
  auto index = [&](const node* n) { return static_cast<std::size_t>(n - g.nodes.data()); };
  // Over the last axis of a tensor of x's rank (the later nodes are not walked yet).
  auto last_axis_mean = [&](const node& n, std::int64_t rank) {
    dims axes = n.find("axes") ? n.find("axes")->ints : dims{};
    if (!n.find("axes") && n.inputs.size() > 1 && w.values.count(n.inputs[1]) && w.values.at(n.inputs[1]).values)
      for (double a : *w.values.at(n.inputs[1]).values) axes.push_back(as_index(a));
    const attribute* keep = n.find("keepdims");
    return axes.size() == 1 && (axes[0] == -1 || axes[0] == rank - 1) && (!keep || keep->i == 1);
  };
  // The exponent and epsilon: constants, possibly from Constant nodes not yet walked.
  auto constant = [&](const std::string& t) {
    if (w.is_const(t)) return true;
    return std::any_of(g.nodes.begin() + static_cast<std::ptrdiff_t>(first), g.nodes.end(), [&](const node& n) {
      return n.op_type == "Constant" && !n.outputs.empty() && n.outputs[0] == t;
    });
  };
  const node& mean = g.nodes[first];
  if (mean.inputs.empty() || w.is_const(mean.inputs[0]) || !w.values.count(mean.inputs[0]) || !w.values.at(mean.inputs[0]).shape)
    return std::nullopt;
  const std::string& x = mean.inputs[0];
  const auto rank = static_cast<std::int64_t>(w.values.at(x).shape->size());
  if (!last_axis_mean(mean, rank)) return std::nullopt;
  const node* sub = only(mean.outputs[0], "Sub");
  if (!sub || sub->inputs.size() != 2 || sub->inputs[0] != x || sub->inputs[1] != mean.outputs[0]) return std::nullopt;
  const std::string& d = sub->outputs[0];
  const auto d_readers = readers.find(d);
  if (d_readers == readers.end() || d_readers->second.size() != 2 || w.outputs.count(d)) return std::nullopt;
  const node* square = nullptr;
  const node* div = nullptr;
  for (std::size_t r : d_readers->second) {
    const node& n = g.nodes[r];
    if ((n.op_type == "Pow" && n.inputs.size() == 2 && n.inputs[0] == d && constant(n.inputs[1])) ||
        (n.op_type == "Mul" && n.inputs.size() == 2 && n.inputs[0] == d && n.inputs[1] == d))
      square = &n;
    if (n.op_type == "Div" && n.inputs.size() == 2 && n.inputs[0] == d) div = &n;
  }
  if (!square || !div || square->outputs.empty() || div->outputs.empty()) return std::nullopt;
  const node* variance = only(square->outputs[0], "ReduceMean");
  if (!variance || !last_axis_mean(*variance, rank)) return std::nullopt;
  const node* eps = only(variance->outputs[0], "Add");
  if (!eps || eps->inputs.size() != 2 || !(constant(eps->inputs[0]) || constant(eps->inputs[1]))) return std::nullopt;
  const node* root = only(eps->outputs[0], "Sqrt");
  if (!root || only(root->outputs[0], "Div") != div || div->inputs[1] != root->outputs[0]) return std::nullopt;
  return layer_norm_match{{first, index(sub), index(square), index(variance), index(eps), index(root), index(div)}, div->outputs[0]};
}

/// x * g(x), with g used nowhere else, becomes one gated activation (swish, hard_swish,
/// gelu); an erf left alone is element-wise work.
inline void fuse_gates(walk_state& w) {
  std::map<std::string, std::uint64_t> readers;
  for (const built_node& n : w.nodes)
    for (const std::string& i : n.inputs) ++readers[i];
  std::set<std::string> escaping;
  for (const std::string& t : w.outputs)
    if (w.producer.count(t)) escaping.insert(w.producer.at(t));
  for (built_node& n : w.nodes) {
    const auto* e = std::get_if<qutibench::eltwise>(&n.op);
    if (!e || e->kind != eltwise_kind::mul || n.inputs.size() != 2) continue;
    for (const auto& [gate_name, other] : {std::pair{n.inputs[0], n.inputs[1]}, std::pair{n.inputs[1], n.inputs[0]}}) {
      built_node& gate = w.nodes[w.by_name.at(gate_name)];
      if (gate.gate == built_node::gate_kind::none || gate.inputs != std::vector<std::string>{other} || readers[gate_name] != 1 ||
          escaping.count(gate_name))
        continue;
      n.op = activation{gate.gate == built_node::gate_kind::sigmoid ? activation_kind::swish
                        : gate.gate == built_node::gate_kind::hard_sigmoid ? activation_kind::hard_swish : activation_kind::gelu};
      n.inputs = {other};
      if (!n.activations) n.activations = gate.activations;
      gate.removed = true;
      break;
    }
  }
  for (built_node& n : w.nodes)
    if (!n.removed && n.gate == built_node::gate_kind::erf) n.op = elementwise{n.shape};
}

}  // namespace qutibench::onnx::detail
