// Shape inference and costs of the image layers: convolutions and poolings on (C, H, W).
#pragma once

#include <string>

#include "qutibench/layers/inputs.hpp"
#include "qutibench/layers/kinds.hpp"

namespace qutibench::shape_inference {

/// Thesis eq. 2.4: MACs = output pixels x weights; a grouped convolution's weights see
/// only their group's channels.
constexpr layer_cost cost_of(const conv2d& l, const layer_inputs& in) {
  in.arity(1, 1);
  const tensor_shape& x = in.image();
  in.positive(l.out_channels, "out_channels");
  in.positive(l.kernel, "kernel");
  in.positive(l.stride, "stride");
  in.positive(l.dilation, "dilation");
  in.positive(l.groups, "groups");
  if (l.padding < 0) in.fail(error_id::nonpositive_dimension, "padding must be >= 0");
  if (x[0] % l.groups != 0 || l.out_channels % l.groups != 0)
    in.fail(error_id::shape_mismatch, "groups " + std::to_string(l.groups) + " must divide in_channels " +
                                          std::to_string(x[0]) + " and out_channels " + std::to_string(l.out_channels));
  layer_cost c;
  c.out = {l.out_channels, in.window(x[1], l.kernel, l.stride, l.padding, l.dilation, false),
           in.window(x[2], l.kernel, l.stride, l.padding, l.dilation, false)};
  c.weights = in.mul({u(x[0] / l.groups), u(l.out_channels), u(l.kernel), u(l.kernel)});
  c.macs = in.mul({u(c.out[1]), u(c.out[2]), c.weights});
  if (l.bias) {
    c.biases = u(l.out_channels);
    c.other_ops = in.elements(c.out);
  }
  return c;
}

/// One comparison or addition per window element of every output.
constexpr layer_cost cost_of(const pool2d& l, const layer_inputs& in) {
  in.arity(1, 1);
  const tensor_shape& x = in.image();
  in.positive(l.kernel, "kernel");
  if (l.stride < 0 || l.padding < 0) in.fail(error_id::nonpositive_dimension, "stride and padding must be >= 0");
  const std::int64_t stride = l.stride == 0 ? l.kernel : l.stride;
  layer_cost c;
  c.out = {x[0], in.window(x[1], l.kernel, stride, l.padding, 1, l.ceil_mode),
           in.window(x[2], l.kernel, stride, l.padding, 1, l.ceil_mode)};
  c.other_ops = in.mul({in.elements(c.out), u(l.kernel), u(l.kernel)});
  return c;
}

constexpr layer_cost cost_of(const global_pool&, const layer_inputs& in) {
  in.arity(1, 1);
  const tensor_shape& x = in.image();
  layer_cost c;
  c.out = {x[0], 1, 1};
  c.other_ops = in.elements(x);
  return c;
}

}  // namespace qutibench::shape_inference
