// MobileNet v1 and v2 for 3x224x224 ImageNet inputs, layer by layer.
// Sources: A. G. Howard et al., "MobileNets: Efficient Convolutional Neural Networks for
// Mobile Vision Applications", arXiv:1704.04861, 2017 (Table 1: the 1.0-224 body; Table
// 2: 569 M mult-adds, 4.2 M parameters); tensorflow/models,
// research/slim/nets/mobilenet_v1.py (batch norm and ReLU6 after every convolution, node
// names). M. Sandler et al., "MobileNetV2: Inverted Residuals and Linear Bottlenecks",
// CVPR 2018 (Table 2); torchvision.models.mobilenetv2 (v0.14: the exact layers, no
// convolution biases, module names).
//
// Thesis Table 6.1 ("MobileNetv1": 1.1 GOPs, 4.2 ME): mobilenet_v1() has 1.137 GOPs
// (+3.4 %) and 4.209 M weights (+0.2 %).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "qutibench/topology.hpp"
#include "qutibench/zoo/common.hpp"

namespace qutibench::zoo {

/// MobileNet v1, width 1.0, resolution 224: a 3x3/2 convolution of 32 channels, then 13
/// depthwise-separable pairs (3x3 depthwise, 1x1 pointwise; Howard et al. 2017, Table 1),
/// 7x7 average pool and a 1000-way dense layer with bias. Every convolution is followed by
/// batch norm and ReLU6 (TF-slim's reference) and has no bias. Node names follow TF-slim
/// ("Conv2d_5_depthwise", "Conv2d_5_pointwise/Relu6").
constexpr topology mobilenet_v1() {
  struct separable {
    std::int64_t stride, out;
  };
  // Howard et al. 2017, Table 1: the stride of each depthwise convolution and the width
  // of the pointwise convolution that follows it.
  constexpr separable body[] = {{1, 64},  {2, 128}, {1, 128}, {2, 256}, {1, 256}, {2, 512},  {1, 512},
                                {1, 512}, {1, 512}, {1, 512}, {1, 512}, {2, 1024}, {1, 1024}};
  topology::builder b("mobilenet-v1", {3, 224, 224});
  auto bn_relu6 = [&b](const std::string& conv) {
    b.batch_norm(conv + "/BatchNorm").activation(conv + "/Relu6", activation_kind::relu6);
  };
  b.conv2d("Conv2d_0", {.out_channels = 32, .kernel = 3, .stride = 2, .padding = 1});
  bn_relu6("Conv2d_0");
  std::int64_t channels = 32;
  std::uint64_t i = 1;
  for (const separable& s : body) {
    const std::string dw = numbered("Conv2d_", i) + "_depthwise";
    const std::string pw = numbered("Conv2d_", i) + "_pointwise";
    b.conv2d(dw, {.out_channels = channels, .kernel = 3, .stride = s.stride, .padding = 1, .groups = channels});
    bn_relu6(dw);
    b.conv2d(pw, {.out_channels = s.out, .kernel = 1});
    bn_relu6(pw);
    channels = s.out;
    ++i;
  }
  b.avg_pool2d("AvgPool_1a", {.kernel = 7, .stride = 1})
      .flatten("flatten")
      .dense("Logits", {.out_features = 1000, .bias = true});
  return b.build();
}

/// MobileNet v2 exactly as torchvision 0.14's mobilenet_v2() (width 1.0, 224): a 3x3/2
/// convolution of 32 channels; 17 inverted residual blocks (1x1 expansion by t unless
/// t = 1, 3x3 depthwise, linear 1x1 projection, each with batch norm, ReLU6 after the
/// first two; an identity shortcut where stride is 1 and the width is kept; Sandler et al.
/// 2018, Table 2); a 1x1 convolution to 1280; global average pool; a 1000-way dense layer
/// with bias. Node names follow torchvision's modules ("features.3.conv.1.0",
/// "classifier.1"); shortcut adds are "features.N.add".
constexpr topology mobilenet_v2() {
  struct stage {
    std::int64_t t, c, n, s;  // expansion, output width, repeats, stride of the first
  };
  // Sandler et al. 2018, Table 2 (torchvision's inverted_residual_setting); at width 1.0
  // every width is already a multiple of 8, so torchvision's rounding changes nothing.
  constexpr stage stages[] = {{1, 16, 1, 1}, {6, 24, 2, 2}, {6, 32, 3, 2}, {6, 64, 4, 2},
                              {6, 96, 3, 1}, {6, 160, 3, 2}, {6, 320, 1, 1}};
  topology::builder b("mobilenet-v2", {3, 224, 224});
  blocks::conv_norm_act(b, "features.0.", {.out_channels = 32, .kernel = 3, .stride = 2, .padding = 1}, activation_kind::relu6);
  std::int64_t channels = 32;
  std::uint64_t index = 1;
  for (const stage& st : stages) {
    for (std::int64_t r = 0; r < st.n; ++r, ++index) {
      const std::int64_t stride = r == 0 ? st.s : 1;
      const std::int64_t hidden = channels * st.t;
      const std::string block = numbered("features.", index);
      const std::string from = b.last();
      std::uint64_t part = 0;  // index inside the block's "conv" Sequential
      if (st.t != 1)
        blocks::conv_norm_act(b, numbered(block + ".conv.", part++) + ".", {.out_channels = hidden, .kernel = 1},
                              activation_kind::relu6, from);
      blocks::conv_norm_act(b, numbered(block + ".conv.", part++) + ".",
                            {.out_channels = hidden, .kernel = 3, .stride = stride, .padding = 1, .groups = hidden},
                            activation_kind::relu6, st.t != 1 ? std::string_view{} : std::string_view{from});
      b.conv2d(numbered(block + ".conv.", part), {.out_channels = st.c, .kernel = 1})
          .batch_norm(numbered(block + ".conv.", part + 1));
      if (stride == 1 && channels == st.c) b.add(block + ".add", {from, b.last()});
      channels = st.c;
    }
  }
  blocks::conv_norm_act(b, numbered("features.", index) + ".", {.out_channels = 1280, .kernel = 1}, activation_kind::relu6);
  b.global_avg_pool("avgpool").flatten("flatten").dense("classifier.1", {.out_features = 1000, .bias = true});
  return b.build();
}

}  // namespace qutibench::zoo
