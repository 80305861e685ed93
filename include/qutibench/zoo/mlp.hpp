// The thesis's MNIST MLP (Section 5.2, Table 5.1): 784 inputs, three hidden fully
// connected layers of 2048 x scale neurons, 10 outputs.
#pragma once


#include "qutibench/topology.hpp"

namespace qutibench::zoo {

/// The MLP at channel scale `scale` (1, 0.5, 0.25, 0.125 give the thesis's 100/50/25/12.5 %
/// variants, hidden width 2048/1024/512/256). Each hidden layer is followed by batch norm
/// and an activation, as in FINN's quantized MLPs.
constexpr topology mlp(double scale = 1.0, std::string_view name = "mlp") {
  const auto hidden = static_cast<std::int64_t>(2048 * scale + 0.5);
  topology::builder b(name, {784});
  for (int i = 1; i <= 3; ++i) {
        b.dense(numbered("fc", i), {.out_features = hidden, .bias = false})
        .batch_norm(numbered("bn", i))
        .relu(numbered("act", i));
  }
  b.dense("fc4", {.out_features = 10, .bias = false});
  return b.build();
}

}  // namespace qutibench::zoo
