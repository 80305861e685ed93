// AlexNet for 3x224x224 ImageNet inputs, layer by layer, in torchvision's variant.
// Sources: A. Krizhevsky, I. Sutskever, G. Hinton, "ImageNet Classification with Deep
// Convolutional Neural Networks", NIPS 2012 (the five-convolution, three-FC design);
// torchvision.models.alexnet (v0.14), which follows A. Krizhevsky, "One weird trick for
// parallelizing convolutional neural networks", 2014: one tower, 64/192/384/256/256
// channels, no local response normalization.
#pragma once

#include "qutibench/topology.hpp"

namespace qutibench::zoo {

/// torchvision's alexnet ("alexnet"): conv 11x11/4 pad 2 (64) -> maxpool 3/2 ->
/// conv 5x5 pad 2 (192) -> maxpool 3/2 -> conv 3x3 pad 1 (384, 256, 256) -> maxpool 3/2,
/// every convolution with bias and relu (224 -> 55 -> 27 -> 13 -> 6), then dense
/// 9216 -> 4096 -> 4096 -> 1000 with bias, relu after the first two.
/// torchvision's AdaptiveAvgPool2d((6, 6)) is the identity on the 6x6 map of a 224x224
/// input and is left out; its dropouts do nothing at inference. Node names follow
/// torchvision's indices ("features.0", "classifier.6").
constexpr topology alexnet() {
  return topology::builder("alexnet", {3, 224, 224})
      .conv2d("features.0", {.out_channels = 64, .kernel = 11, .stride = 4, .padding = 2, .bias = true})
      .relu("features.1")
      .max_pool2d("features.2", {.kernel = 3, .stride = 2})
      .conv2d("features.3", {.out_channels = 192, .kernel = 5, .padding = 2, .bias = true})
      .relu("features.4")
      .max_pool2d("features.5", {.kernel = 3, .stride = 2})
      .conv2d("features.6", {.out_channels = 384, .kernel = 3, .padding = 1, .bias = true})
      .relu("features.7")
      .conv2d("features.8", {.out_channels = 256, .kernel = 3, .padding = 1, .bias = true})
      .relu("features.9")
      .conv2d("features.10", {.out_channels = 256, .kernel = 3, .padding = 1, .bias = true})
      .relu("features.11")
      .max_pool2d("features.12", {.kernel = 3, .stride = 2})
      .flatten("flatten")
      .dense("classifier.1", {.out_features = 4096})
      .relu("classifier.2")
      .dense("classifier.4", {.out_features = 4096})
      .relu("classifier.5")
      .dense("classifier.6", {.out_features = 1000})
      .build();
}

}  // namespace qutibench::zoo
