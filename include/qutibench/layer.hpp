// Layers as value types: their parameters, output-shape inference and the costs
// they imply (MACs, element-wise work, weights, biases, state), all constexpr. The
// kinds live in layers/kinds.hpp, each family's shape inference in its own header.
#pragma once

#include <span>
#include <string_view>
#include <variant>

#include "qutibench/layers/convolution.hpp"
#include "qutibench/layers/elementwise.hpp"
#include "qutibench/layers/inputs.hpp"
#include "qutibench/layers/kinds.hpp"
#include "qutibench/layers/linear.hpp"
#include "qutibench/layers/sequence.hpp"
#include "qutibench/layers/structural.hpp"

namespace qutibench {

/// Infers the output shape and costs of `l` applied to `inputs`; throws spec_error naming
/// `where` (the node) for bad parameters or shapes.
constexpr layer_cost analyze(const layer& l, std::span<const tensor_shape> inputs, std::string_view where) {
  const shape_inference::layer_inputs in(inputs, where);
  return std::visit([&in](const auto& params) { return in.with_activations(shape_inference::cost_of(params, in)); }, l);
}

}  // namespace qutibench
