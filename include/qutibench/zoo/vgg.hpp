// VGG-16 (configuration D) for 3x224x224 ImageNet inputs, layer by layer.
// Sources: K. Simonyan, A. Zisserman, "Very Deep Convolutional Networks for Large-Scale
// Image Recognition", ICLR 2015 (Table 1, column D); torchvision.models.vgg16 (v0.14:
// no batch norm, biased convolutions and dense layers, node names).
#pragma once

#include <cstdint>

#include "qutibench/topology.hpp"

namespace qutibench::zoo {

/// torchvision's vgg16 ("vgg16"): thirteen 3x3 pad-1 convolutions with bias and relu in
/// five stages of 64, 64 | 128, 128 | 256 x3 | 512 x3 | 512 x3 channels, each stage
/// closed by a 2x2 max pool (224 -> 7), then dense 25088 -> 4096 -> 4096 -> 1000 with
/// bias, relu after the first two. torchvision's AdaptiveAvgPool2d((7, 7)) is the
/// identity on the 7x7 map of a 224x224 input and is left out; its dropouts do nothing
/// at inference. Node names follow torchvision's indices ("features.28", "classifier.6").
constexpr topology vgg16() {
  // 0 marks a max pool (Simonyan & Zisserman 2015, Table 1, D).
  constexpr std::int64_t config[] = {64, 64, 0, 128, 128, 0, 256, 256, 256, 0, 512, 512, 512, 0, 512, 512, 512, 0};
  topology::builder b("vgg16", {3, 224, 224});
  std::uint64_t index = 0;  // torchvision's index in `features`
  for (std::int64_t c : config) {
    if (c == 0) {
      b.max_pool2d(numbered("features.", index++), {.kernel = 2, .stride = 2});
    } else {
      b.conv2d(numbered("features.", index), {.out_channels = c, .kernel = 3, .padding = 1, .bias = true})
          .relu(numbered("features.", index + 1));
      index += 2;
    }
  }
  b.flatten("flatten")
      .dense("classifier.0", {.out_features = 4096})
      .relu("classifier.1")
      .dense("classifier.3", {.out_features = 4096})
      .relu("classifier.4")
      .dense("classifier.6", {.out_features = 1000});
  return b.build();
}

}  // namespace qutibench::zoo
