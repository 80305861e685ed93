// EfficientNet-EdgeTPU S/M/L and EfficientNet-B0 for ImageNet, layer by layer.
// Sources: tensorflow/tpu, models/official/efficientnet/edgetpu/efficientnet_edgetpu_builder.py
// (block strings, width/depth coefficients, resolutions 224/240/300, ReLU, no
// squeeze-and-excitation, 1001 classes: label 0 is a background class) with
// efficientnet_model.py there (stem, head, round_filters/round_repeats, MBConvBlock and
// MBConvBlockWithoutDepthwise, the "fused" block that conv_type 1 selects) and
// efficientnet_builder.py (the block-string decoder); M. Tan, Q. V. Le, "EfficientNet:
// Rethinking Model Scaling for Convolutional Neural Networks", ICML 2019 (compound
// scaling, the B0 body, Table 1); torchvision.models.efficientnet (v0.14: efficientnet_b0's
// exact layers, SE widths, biases and module names).
//
// Thesis Table 6.1 ("EfficientNet Edge S/M/L": 4.7/7.4/19.4 GOPs, 5.4/6.9/10.6 ME): these
// models have 5.387/6.832/10.498 M weights (-0.2/-1.0/-1.0 %) but 3.577/6.027/15.872 GOPs
// (-24/-19/-18 %). Counting every strided convolution at its input resolution, as if it
// had stride 1, gives 4.789/7.417/19.512 GOPs (+1.9/+0.2/+0.6 %): the thesis's op counts
// for these three networks appear to have been made that way. The layers here are the
// published networks'; tests/unit/zoo/test_imagenet_cnns.cpp checks both figures.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "qutibench/topology.hpp"
#include "qutibench/zoo/common.hpp"

namespace qutibench::zoo {

/// EfficientNet-EdgeTPU variant: S (224 px), M (240 px, depth x1.1), L (300 px, width
/// x1.2, depth x1.4).
enum class edgetpu_size { s, m, l };

namespace detail {

/// Rounding of a width scaled by `multiplier` to a multiple of 8, never more than 10 %
/// down (tensorflow/tpu efficientnet_model.round_filters, depth_divisor 8).
constexpr std::int64_t edgetpu_round_filters(std::int64_t filters, double multiplier) {
  const double scaled = static_cast<double>(filters) * multiplier;
  std::int64_t rounded = static_cast<std::int64_t>(scaled + 4.0) / 8 * 8;
  if (rounded < 8) rounded = 8;
  if (static_cast<double>(rounded) < 0.9 * scaled) rounded += 8;
  return rounded;
}

/// ceil(multiplier x repeats) (efficientnet_model.round_repeats); std::ceil is not constexpr.
constexpr std::int64_t edgetpu_round_repeats(std::int64_t repeats, double multiplier) {
  const double scaled = static_cast<double>(repeats) * multiplier;
  const auto whole = static_cast<std::int64_t>(scaled);
  return static_cast<double>(whole) < scaled ? whole + 1 : whole;
}

}  // namespace detail

/// EfficientNet-EdgeTPU of size `size` as published in tensorflow/tpu: a 3x3/2 stem
/// convolution; six stages of blocks (repeats, kernel, stride, expansion, input and output
/// widths before scaling: 1,3,1,4,24,24 fused, no shortcut; 2,3,2,8,24,32 fused;
/// 4,3,2,8,32,48 fused; 5,5,2,8,48,96; 4,5,1,8,96,144; 2,5,2,8,144,192); a 1x1 head
/// convolution to 1280 (scaled); global average pool; a 1001-way dense layer with bias.
/// A fused block is a 3x3 convolution expanding to input width x expansion (with the
/// stride) and a linear 1x1 projection; an MBConv block is a 1x1 expansion, a k x k
/// depthwise convolution (with the stride) and a linear 1x1 projection. Every convolution
/// is followed by batch norm, all but projections by ReLU; none has a bias. Shortcuts add
/// the block input where stride is 1 and the width is kept. TensorFlow's "same" padding
/// gives ceil(extent / stride), which symmetric padding (k - 1) / 2 reproduces for these
/// odd kernels. Topology names "efficientnet-edgetpu-s/m/l"; node names follow the TF
/// model's scopes ("blocks_7/depthwise_conv", "head/dense").
constexpr topology efficientnet_edgetpu(edgetpu_size size) {
  // efficientnet_edgetpu_builder.efficientnet_edgetpu_params: width, depth, resolution.
  double width = 1.0, depth = 1.0;
  std::int64_t resolution = 224;
  std::string_view name = "efficientnet-edgetpu-s";
  switch (size) {
    case edgetpu_size::s: break;
    case edgetpu_size::m: depth = 1.1, resolution = 240, name = "efficientnet-edgetpu-m"; break;
    case edgetpu_size::l: width = 1.2, depth = 1.4, resolution = 300, name = "efficientnet-edgetpu-l"; break;
  }
  struct stage {
    std::int64_t repeats, kernel, stride, expand, in, out;
    bool fused, skip;
  };
  // The builder's block strings, decoded ("c1": MBConvBlockWithoutDepthwise; "noskip").
  constexpr stage stages[] = {{1, 3, 1, 4, 24, 24, true, false},  {2, 3, 2, 8, 24, 32, true, true},
                              {4, 3, 2, 8, 32, 48, true, true},   {5, 5, 2, 8, 48, 96, false, true},
                              {4, 5, 1, 8, 96, 144, false, true}, {2, 5, 2, 8, 144, 192, false, true}};
  topology::builder b(name, {3, resolution, resolution});
  std::int64_t channels = detail::edgetpu_round_filters(32, width);
  b.conv2d("stem/conv", {.out_channels = channels, .kernel = 3, .stride = 2, .padding = 1})
      .batch_norm("stem/bn")
      .relu("stem/relu");
  std::uint64_t index = 0;
  for (const stage& st : stages) {
    const std::int64_t in = detail::edgetpu_round_filters(st.in, width);
    const std::int64_t out = detail::edgetpu_round_filters(st.out, width);
    const std::int64_t repeats = detail::edgetpu_round_repeats(st.repeats, depth);
    for (std::int64_t r = 0; r < repeats; ++r, ++index) {
      const std::string p = numbered("blocks_", index) + "/";
      const std::string from = b.last();
      const std::int64_t stride = r == 0 ? st.stride : 1;
      // The expansion width comes from the block's nominal input width, not from the
      // tensor's: the first block expands the 32-channel stem output to 24 x 4 = 96.
      const std::int64_t hidden = (r == 0 ? in : out) * st.expand;
      if (st.fused) {
        // MBConvBlockWithoutDepthwise: its expansion kernel is always 3x3.
        b.conv2d(p + "expand_conv", {.out_channels = hidden, .kernel = 3, .stride = stride, .padding = 1}, {from})
            .batch_norm(p + "bn0")
            .relu(p + "relu0")
            .conv2d(p + "project_conv", {.out_channels = out, .kernel = 1})
            .batch_norm(p + "bn1");
      } else {
        b.conv2d(p + "expand_conv", {.out_channels = hidden, .kernel = 1}, {from})
            .batch_norm(p + "bn0")
            .relu(p + "relu0")
            .conv2d(p + "depthwise_conv", {.out_channels = hidden, .kernel = st.kernel, .stride = stride,
                                           .padding = (st.kernel - 1) / 2, .groups = hidden})
            .batch_norm(p + "bn1")
            .relu(p + "relu1")
            .conv2d(p + "project_conv", {.out_channels = out, .kernel = 1})
            .batch_norm(p + "bn2");
      }
      if (st.skip && stride == 1 && channels == out) b.add(p + "add", {b.last(), from});
      channels = out;
    }
  }
  b.conv2d("head/conv", {.out_channels = detail::edgetpu_round_filters(1280, width), .kernel = 1})
      .batch_norm("head/bn")
      .relu("head/relu")
      .global_avg_pool("head/avg_pool")
      .flatten("head/flatten")
      .dense("head/dense", {.out_features = 1001, .bias = true});
  return b.build();
}

/// EfficientNet-B0 exactly as torchvision 0.14's efficientnet_b0() (224 px): a 3x3/2 stem
/// convolution of 32 channels; 16 MBConv blocks in seven stages (expansion, kernel,
/// stride, input and output widths, repeats: 1,3,1,32,16,1; 6,3,2,16,24,2; 6,5,2,24,40,2;
/// 6,3,2,40,80,3; 6,5,1,80,112,3; 6,5,2,112,192,4; 6,3,1,192,320,1; Tan & Le 2019,
/// Table 1); a 1x1 convolution to 1280; global average pool; a 1000-way dense layer with
/// bias. A block is a 1x1 expansion (unless the expansion is 1), a k x k depthwise
/// convolution with the stride, squeeze-and-excitation and a linear 1x1 projection;
/// convolutions have no bias and are followed by batch norm and SiLU (swish), the
/// projection by batch norm only. Squeeze-and-excitation: global average pool, 1x1
/// convolution with bias down to max(1, block input width / 4), SiLU, 1x1 convolution
/// with bias back up, sigmoid, and a broadcasting multiply with its input. Shortcuts add
/// the block input where stride is 1 and the width is kept (torchvision's stochastic
/// depth is the identity at inference). Node names follow torchvision's modules
/// ("features.2.1.block.2.fc1", "classifier.1"); shortcut adds are "...add".
constexpr topology efficientnet_b0() {
  struct stage {
    std::int64_t expand, kernel, stride, in, out, repeats;
  };
  constexpr stage stages[] = {{1, 3, 1, 32, 16, 1},  {6, 3, 2, 16, 24, 2},  {6, 5, 2, 24, 40, 2},
                              {6, 3, 2, 40, 80, 3},  {6, 5, 1, 80, 112, 3}, {6, 5, 2, 112, 192, 4},
                              {6, 3, 1, 192, 320, 1}};
  topology::builder b("efficientnet-b0", {3, 224, 224});
  // torchvision's Conv2dNormActivation: conv "<p>0", batch norm "<p>1", SiLU "<p>2".
  auto conv_bn = [&b](std::string_view prefix, qutibench::conv2d c, bool silu, std::string_view from = {}) {
    blocks::conv_norm_act(b, prefix, c, silu ? std::optional{activation_kind::swish} : std::nullopt, from);
  };
  conv_bn("features.0.", {.out_channels = 32, .kernel = 3, .stride = 2, .padding = 1}, true);
  std::uint64_t s = 1;
  for (const stage& st : stages) {
    for (std::int64_t r = 0; r < st.repeats; ++r) {
      const std::int64_t in = r == 0 ? st.in : st.out;
      const std::int64_t stride = r == 0 ? st.stride : 1;
      const std::int64_t hidden = in * st.expand;  // widths at 1.0 are multiples of 8 already
      const std::string block = numbered(numbered("features.", s) + ".", static_cast<std::uint64_t>(r)) + ".block.";
      const std::string from = b.last();
      std::uint64_t part = 0;  // index inside the block's Sequential
      if (st.expand != 1) conv_bn(numbered(block, part++) + ".", {.out_channels = hidden, .kernel = 1}, true, from);
      conv_bn(numbered(block, part++) + ".",
              {.out_channels = hidden, .kernel = st.kernel, .stride = stride, .padding = (st.kernel - 1) / 2, .groups = hidden},
              true, st.expand != 1 ? std::string_view{} : std::string_view{from});
      const std::string se = numbered(block, part++) + ".";
      const std::string se_in = b.last();
      const std::int64_t squeeze = in / 4 > 1 ? in / 4 : 1;
      b.global_avg_pool(se + "avgpool")
          .conv2d(se + "fc1", {.out_channels = squeeze, .kernel = 1, .bias = true})
          .activation(se + "activation", activation_kind::swish)
          .conv2d(se + "fc2", {.out_channels = hidden, .kernel = 1, .bias = true})
          .activation(se + "scale_activation", activation_kind::sigmoid)
          .mul(se + "scale", {se_in, se + "scale_activation"});
      conv_bn(numbered(block, part) + ".", {.out_channels = st.out, .kernel = 1}, false);
      if (stride == 1 && in == st.out) b.add(numbered(numbered("features.", s) + ".", static_cast<std::uint64_t>(r)) + ".add", {from, b.last()});
    }
    ++s;
  }
  conv_bn(numbered("features.", s) + ".", {.out_channels = 1280, .kernel = 1}, true);
  b.global_avg_pool("avgpool").flatten("flatten").dense("classifier.1", {.out_features = 1000, .bias = true});
  return b.build();
}

}  // namespace qutibench::zoo
