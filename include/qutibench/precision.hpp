// Precision assignment: the datatypes of each layer's weights and output activations,
// uniform by default with per-node overrides.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "qutibench/datatype.hpp"
#include "qutibench/topology.hpp"

namespace qutibench {

/// Datatypes of one node: its weights (and biases) and the activations it outputs.
struct layer_precision {
  datatype weights = datatypes::fp32;
  datatype activations = datatypes::fp32;
  constexpr bool operator==(const layer_precision&) const = default;
};

/// A precision for every node: `fallback` unless an override names the node.
struct precision {
  layer_precision fallback{};
  std::vector<std::pair<std::string, layer_precision>> overrides{};

  /// Weights and activations all of type `d` (the thesis's uniform quantization).
  static constexpr precision uniform(datatype d) { return precision{{d, d}, {}}; }

  /// Throws spec_error 301 for an override naming no node of `t`: a misspelt name would
  /// otherwise leave its node at the fallback without a word.
  constexpr void check_overrides(const topology& t) const {
    for (const auto& [name, types] : overrides) t.at(name);
  }

  /// Sets the datatypes of one node (a later override of the same node wins).
  constexpr precision& set(std::string node_name, layer_precision p) {
    overrides.emplace_back(std::move(node_name), p);
    return *this;
  }

  /// Keeps the first and the last layer with weights, and the network inputs, at `d`
  /// (FINN and most quantizers keep these at 8 bit while the body runs at 1-4 bit).
  constexpr precision& first_last(const topology& t, datatype d) {
    const node* first = nullptr;
    const node* last = nullptr;
    for (const node& n : t.nodes()) {
      if (std::holds_alternative<input_layer>(n.op)) set(n.name, {of(n.name).weights, d});
      if (n.cost.weights == 0) continue;
      if (!first) first = &n;
      last = &n;
    }
    if (first) set(first->name, {d, of(first->name).activations});
    if (last) set(last->name, {d, of(last->name).activations});
    return *this;
  }

  /// The datatypes of the node called `node_name`.
  constexpr layer_precision of(std::string_view node_name) const {
    for (auto it = overrides.rbegin(); it != overrides.rend(); ++it)
      if (it->first == node_name) return it->second;
    return fallback;
  }
};

}  // namespace qutibench
