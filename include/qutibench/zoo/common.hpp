// Building blocks shared by the zoo's network definitions.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "qutibench/topology.hpp"

namespace qutibench::zoo::blocks {

/// The input list of a builder call reading `from`, or the node added last if empty.
constexpr std::vector<std::string> inputs_from(std::string_view from) {
  std::vector<std::string> in;
  if (!from.empty()) in.emplace_back(from);
  return in;
}

/// Appends torchvision's Conv2dNormActivation named `prefix` ("features.0."): the
/// convolution "<prefix>0", batch norm "<prefix>1" and, if given, the activation "<prefix>2".
constexpr void conv_norm_act(topology::builder& b, std::string_view prefix, qutibench::conv2d c,
                             std::optional<activation_kind> act, std::string_view from = {}) {
  const std::string p(prefix);
  b.conv2d(p + "0", c, inputs_from(from)).batch_norm(p + "1");
  if (act) b.activation(p + "2", *act);
}

}  // namespace qutibench::zoo::blocks
