// The thesis's CIFAR-10 CNV (Section 5.2, Table 5.1; FINN's VGG-like CNV): six unpadded
// 3x3 convolutions with two 2x2 max-pools, then three fully connected layers.
#pragma once


#include "qutibench/topology.hpp"

namespace qutibench::zoo {

/// CNV at channel scale `scale`: convolutions of 128,128,256,256,512,512 x scale channels
/// and hidden FC width 1024 x scale (at 0.5: 64,64,128,128,256,256 and 512, the
/// thesis's Section 5.2). Each layer but the last is followed by batch norm and an activation.
constexpr topology cnv(double scale = 1.0, std::string_view name = "cnv") {
  auto width = [scale](int w) { return static_cast<std::int64_t>(w * scale + 0.5); };
  const int channels[] = {128, 128, 256, 256, 512, 512};
  topology::builder b(name, {3, 32, 32});
  for (int i = 1; i <= 6; ++i) {
    b.conv2d(numbered("conv", i), {.out_channels = width(channels[i - 1]), .kernel = 3})
        .batch_norm(numbered("bn", i))
        .relu(numbered("act", i));
    if (i == 2 || i == 4) b.max_pool2d(numbered("pool", i / 2), {.kernel = 2});
  }
  b.flatten("flatten");
  for (int i = 1; i <= 2; ++i) {
    b.dense(numbered("fc", i), {.out_features = width(1024), .bias = false})
        .batch_norm(numbered("fc_bn", i))
        .relu(numbered("fc_act", i));
  }
  b.dense("fc3", {.out_features = 10, .bias = false});
  return b.build();
}

}  // namespace qutibench::zoo
