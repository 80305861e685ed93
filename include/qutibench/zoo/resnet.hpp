// ResNet-18/34/50/101 for 3x224x224 ImageNet inputs, layer by layer.
// Sources: K. He, X. Zhang, S. Ren, J. Sun, "Deep Residual Learning for Image
// Recognition", CVPR 2016 (Table 1: stage depths and widths; the original Caffe models,
// "v1"); torchvision.models.resnet (v0.14: the "v1.5" placement of the stride, no conv
// biases, node names). The thesis's ResNet50 (Table 6.1: 7.7 GOPs, 25.5 ME) is v1.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "qutibench/error.hpp"
#include "qutibench/topology.hpp"
#include "qutibench/zoo/common.hpp"

namespace qutibench::zoo {

/// Where a downsampling bottleneck block puts its stride 2. v1 (He et al. 2016, the
/// original Caffe model): in the first 1x1 convolution, so the 3x3 runs on the smaller
/// map. v1_5 (torchvision's resnet50 and later): in the 3x3 convolution, which costs
/// more ops (about 8.2 instead of 7.7 GOPs for ResNet50) for the same weights. Basic
/// blocks (depth 18, 34) are the same in both.
enum class resnet_version { v1, v1_5 };

namespace detail {

/// Appends convolution + batch norm (+ relu) named prefix+"conv"/"bn"/"relu" + `index`,
/// reading from `from` (empty: the node added last). Convolutions have no bias: the
/// batch norm that follows carries the shift (torchvision).
constexpr void resnet_conv_bn(topology::builder& b, std::string_view prefix, int index, qutibench::conv2d c,
                              bool relu, std::string_view from = {}) {
  b.conv2d(numbered(std::string(prefix) + "conv", static_cast<std::uint64_t>(index)), c, blocks::inputs_from(from))
      .batch_norm(numbered(std::string(prefix) + "bn", static_cast<std::uint64_t>(index)));
  if (relu) b.relu(numbered(std::string(prefix) + "relu", static_cast<std::uint64_t>(index)));
}

/// Appends one residual block named `prefix` ("layer2.0.") reading the node added last,
/// which has `in_ch` channels; the block ends in its relu, then `b.last()`. A projection
/// shortcut (1x1 convolution + batch norm, "downsample") is added where the stride or
/// the width changes (He et al. 2016, option B; torchvision).
constexpr void resnet_block(topology::builder& b, std::string_view prefix, std::int64_t in_ch, std::int64_t width,
                            std::int64_t stride, bool bottleneck, resnet_version v) {
  const std::string from = b.last();
  const std::int64_t out_ch = bottleneck ? 4 * width : width;
  if (bottleneck) {
    const std::int64_t s1 = v == resnet_version::v1 ? stride : 1;  // v1: stride in the first 1x1
    const std::int64_t s3 = v == resnet_version::v1 ? 1 : stride;   // v1.5: stride in the 3x3
    resnet_conv_bn(b, prefix, 1, {.out_channels = width, .kernel = 1, .stride = s1}, true, from);
    resnet_conv_bn(b, prefix, 2, {.out_channels = width, .kernel = 3, .stride = s3, .padding = 1}, true);
    resnet_conv_bn(b, prefix, 3, {.out_channels = out_ch, .kernel = 1}, false);
  } else {
    resnet_conv_bn(b, prefix, 1, {.out_channels = width, .kernel = 3, .stride = stride, .padding = 1}, true, from);
    resnet_conv_bn(b, prefix, 2, {.out_channels = width, .kernel = 3, .padding = 1}, false);
  }
  const std::string residual = b.last();
  std::string shortcut = from;
  if (stride != 1 || in_ch != out_ch) {
    shortcut = std::string(prefix) + "downsample.bn";
    b.conv2d(std::string(prefix) + "downsample.conv", {.out_channels = out_ch, .kernel = 1, .stride = stride}, {from})
        .batch_norm(shortcut);
  }
  b.add(std::string(prefix) + "add", {residual, shortcut}).relu(std::string(prefix) + "relu");
}

}  // namespace detail

/// ResNet of `depth` 18, 34 (basic blocks of two 3x3 convolutions) or 50, 101
/// (bottleneck blocks 1x1, 3x3, 1x1 with 4x expansion) on a 3x224x224 input: a 7x7/2
/// stem convolution, 3x3/2 max pool, four stages of 64, 128, 256, 512 base channels
/// (stages 2-4 start with a stride-2 block), global average pool and a 1000-way dense
/// layer with bias. Node names follow torchvision ("layer3.2.conv2", "fc").
/// Topology names: "resnet18", "resnet34" (either version), "resnet50" (v1, the
/// thesis's), "resnet50-v1.5", "resnet101" (v1.5, torchvision's), "resnet101-v1".
/// Throws spec_error 301 for any other depth.
constexpr topology resnet(int depth, resnet_version v = resnet_version::v1_5) {
  std::array<int, 4> blocks{};  // blocks per stage, He et al. 2016, Table 1
  std::string_view name;
  const bool v1 = v == resnet_version::v1;
  switch (depth) {
    case 18: blocks = {2, 2, 2, 2}; name = "resnet18"; break;
    case 34: blocks = {3, 4, 6, 3}; name = "resnet34"; break;
    case 50: blocks = {3, 4, 6, 3}; name = v1 ? "resnet50" : "resnet50-v1.5"; break;
    case 101: blocks = {3, 4, 23, 3}; name = v1 ? "resnet101-v1" : "resnet101"; break;
    default: {
      const auto magnitude = static_cast<std::uint64_t>(depth < 0 ? -static_cast<std::int64_t>(depth) : depth);
      throw spec_error(error_id::unknown_id, "zoo::resnet",
                       numbered(depth < 0 ? "depth -" : "depth ", magnitude) + " is not one of 18, 34, 50, 101");
    }
  }
  const bool bottleneck = depth >= 50;
  topology::builder b(name, {3, 224, 224});
  b.conv2d("conv1", {.out_channels = 64, .kernel = 7, .stride = 2, .padding = 3})
      .batch_norm("bn1")
      .relu("relu")
      .max_pool2d("maxpool", {.kernel = 3, .stride = 2, .padding = 1});
  std::int64_t channels = 64;
  for (int s = 0; s < 4; ++s) {
    const std::int64_t width = std::int64_t{64} << s;
    for (int i = 0; i < blocks[s]; ++i) {
      const std::string stage = numbered("layer", static_cast<std::uint64_t>(s + 1)) + ".";
      const std::string prefix = numbered(stage, static_cast<std::uint64_t>(i)) + ".";
      detail::resnet_block(b, prefix, channels, width, s > 0 && i == 0 ? 2 : 1, bottleneck, v);
      channels = bottleneck ? 4 * width : width;
    }
  }
  b.global_avg_pool("avgpool").flatten("flatten").dense("fc", {.out_features = 1000, .bias = true});
  return b.build();
}

/// The thesis's ResNet50 (Table 6.1 line "ResNet50 100%": 7.7 GOPs, 25.5 ME): v1.
constexpr topology resnet50() { return resnet(50, resnet_version::v1); }

}  // namespace qutibench::zoo
