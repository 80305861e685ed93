// The importer's state while it walks an ONNX graph: each tensor's value, the qutibench
// nodes built so far and the operators it could not map, with the helpers that the
// per-operator mapping (operators.hpp) shares.
#pragma once

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "qutibench/datatype.hpp"
#include "qutibench/io/onnx/infer.hpp"
#include "qutibench/layer.hpp"

namespace qutibench::onnx {

/// A node of the topology being built; `gate` marks a sigmoid, hard sigmoid or erf that
/// may turn out to gate its own input (x * sigmoid(x) is a swish).
struct built_node {
  enum class gate_kind : std::uint8_t { none, sigmoid, hard_sigmoid, erf };
  std::string name;
  qutibench::layer op;
  std::vector<std::string> inputs;
  tensor_shape shape;  ///< output shape, batch excluded
  std::optional<datatype> weights, activations;  ///< quantized types (QDQ); none: float
  gate_kind gate = gate_kind::none;
  bool removed = false;
};

/// The error for a model construct qutibench cannot represent (ID 210), at `where`.
inline spec_error unsupported(const std::string& where, const std::string& what) {
  return spec_error(error_id::unsupported_operator, where, what);
}

/// The qutibench datatype of a quantized ONNX element type (signedness changes neither
/// a tensor's bytes nor a platform's integer rate).
inline std::optional<datatype> quantized_datatype(std::int32_t type) {
  switch (type) {
    case int8: case uint8: return datatypes::int8;
    case int16: case uint16: return datatypes::int16;
    case int32: case uint32: return datatypes::int32;
    default: return std::nullopt;
  }
}

struct walk_state {
  std::string source;  ///< the file, or "ONNX model 'NAME'": where every error starts
  std::int64_t opset = 0;
  std::unordered_map<std::string, value> values;
  std::unordered_map<std::string, std::size_t> consumers;  ///< tensor -> how many node inputs read it
  std::set<std::string> outputs;                          ///< the graph's output tensors
  std::vector<built_node> nodes;
  std::unordered_map<std::string, std::size_t> by_name;     ///< node name -> index in nodes
  std::unordered_map<std::string, std::string> producer;    ///< activation tensor -> node name
  std::set<std::string> taken;                             ///< node names in use
  std::map<std::string, std::uint64_t> unknown_ops;        ///< operator -> count

  std::string at(const std::string& node_name) const { return source + ": node '" + node_name + "'"; }

  bool is_const(const std::string& t) const {
    const auto it = values.find(t);
    return it != values.end() && it->second.constant;
  }
  const value& of(const std::string& t, const std::string& node_name) const {
    const auto it = values.find(t);
    if (it == values.end() || !it->second.shape)
      throw unsupported(at(node_name), "no known shape for tensor '" + t + "'");
    return it->second;
  }
  const dims& shape(const std::string& t, const std::string& node_name) const { return *of(t, node_name).shape; }

  /// The node producing activation `t`; an error if `t` is a constant or unknown.
  built_node& node_of(const std::string& t, const std::string& node_name) {
    const auto it = producer.find(t);
    if (it == producer.end())
      throw unsupported(at(node_name), "input '" + t + "' is not an activation (a constant or missing tensor where qutibench expects data)");
    return nodes[by_name.at(it->second)];
  }

  std::string unique(const std::string& wanted) {
    std::string candidate = wanted;
    for (std::uint64_t i = 1; taken.count(candidate); ++i) candidate = wanted + "_" + std::to_string(i);
    taken.insert(candidate);
    return candidate;
  }

  /// Appends a node producing tensor `out`; its shape is the tensor's without the batch
  /// unless given.
  built_node& add(const std::string& name, qutibench::layer op, std::vector<std::string> inputs, const std::string& out,
                  std::optional<tensor_shape> shape = std::nullopt) {
    built_node n{name, op, std::move(inputs), {}, {}, {}, built_node::gate_kind::none, false};
    if (shape) n.shape = *shape;
    else if (const auto it = values.find(out); it != values.end() && it->second.shape) n.shape = without_batch(*it->second.shape, name);
    by_name[name] = nodes.size();
    producer[out] = name;
    nodes.push_back(std::move(n));
    return nodes.back();
  }

  /// Tensor `out` is the activation `from` (no node of its own).
  void pass(const std::string& out, const std::string& from, const std::string& node_name) {
    producer[out] = node_of(from, node_name).name;
  }

  /// A tensor's shape per input. With the batch fixed to 1 the batch axis is the first
  /// unit axis ([1, C, H, W]; [L, 1, D] in sequence-first layouts); a tensor without one
  /// has the batch folded into another axis (attention's [N x heads, L, d]) and is per
  /// input as it stands.
  tensor_shape without_batch(const dims& d, const std::string& node_name) const {
    dims kept = d;
    if (const auto unit = std::find(kept.begin(), kept.end(), 1); unit != kept.end()) kept.erase(unit);
    if (kept.empty()) kept.push_back(1);  // a scalar per input
    if (kept.size() > static_cast<std::size_t>(tensor_shape::max_rank))
      throw unsupported(at(node_name), "a tensor of shape " + shown(d) + " (qutibench holds up to 4 dimensions besides the batch)");
    tensor_shape s;
    for (std::int64_t v : kept) s[s.rank++] = v;
    return s;
  }
};

}  // namespace qutibench::onnx
