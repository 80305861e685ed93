// GoogLeNet (Inception v1) for 3x224x224 ImageNet inputs, layer by layer.
// Sources: C. Szegedy et al., "Going Deeper with Convolutions", CVPR 2015 (Table 1:
// the widths of the nine inception modules); the BVLC Caffe model
// (BVLC/caffe, models/bvlc_googlenet/deploy.prototxt: layer names, 7x7/2 stem with
// padding 3, Caffe's ceil-mode pooling, a bias on every convolution, a 1x1 and 3x3 conv2
// stage). This is the original network, with the 5x5 branches that torchvision's and
// TF-slim's re-implementations replace by 3x3 convolutions.
//
// Thesis Table 6.1 ("GoogLeNetv1": 3.1 GOPs, 6.0 ME): this model has 3.165 GOPs (+2.1 %)
// and 6.990 M weights, 5.966 M of them in convolutions (-0.6 %) and 1.024 M in the
// 1000-way classifier. The thesis's 6.0 ME therefore appears to leave out the classifier.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "qutibench/topology.hpp"

namespace qutibench::zoo {

namespace detail {

/// One inception module called `name` ("inception_3a") reading `from`: four parallel
/// branches, 1x1 (`c1`); 1x1 reduce (`r3`) then 3x3 (`c3`); 1x1 reduce (`r5`) then 5x5
/// (`c5`); 3x3/1 max pool then 1x1 projection (`pp`), concatenated along channels in
/// that order (Szegedy et al. 2015, Fig. 2b and Table 1). Every convolution has a bias
/// and is followed by a ReLU, as in the Caffe model. The module's output is its
/// "<name>/output" concat node.
constexpr void inception(topology::builder& b, std::string_view name, std::string_view from, std::int64_t c1,
                         std::int64_t r3, std::int64_t c3, std::int64_t r5, std::int64_t c5, std::int64_t pp) {
  const std::string p(name);
  const std::string in(from);
  auto conv_relu = [&](std::string_view branch, std::string_view src, std::int64_t out, std::int64_t k) {
    const std::string conv = p + "/" + std::string(branch);
    b.conv2d(conv, {.out_channels = out, .kernel = k, .padding = (k - 1) / 2, .bias = true}, {std::string(src)})
        .relu(conv + "/relu");
  };
  conv_relu("1x1", in, c1, 1);
  conv_relu("3x3_reduce", in, r3, 1);
  conv_relu("3x3", p + "/3x3_reduce/relu", c3, 3);
  conv_relu("5x5_reduce", in, r5, 1);
  conv_relu("5x5", p + "/5x5_reduce/relu", c5, 5);
  b.max_pool2d(p + "/pool", {.kernel = 3, .stride = 1, .padding = 1, .ceil_mode = true}, {in});
  conv_relu("pool_proj", p + "/pool", pp, 1);
  b.concat(p + "/output", {p + "/1x1/relu", p + "/3x3/relu", p + "/5x5/relu", p + "/pool_proj/relu"});
}

}  // namespace detail

/// GoogLeNet v1 as the BVLC Caffe model, without its two auxiliary classifiers (used only
/// in training): 7x7/2 convolution, 3x3/2 max pool, 1x1 and 3x3 convolutions, 3x3/2 max
/// pool, inceptions 3a-3b, 3x3/2 max pool, 4a-4e, 3x3/2 max pool, 5a-5b, 7x7 average
/// pool, 1000-way dense layer with bias. Pools round up as Caffe's do (224 -> 112 -> 56
/// -> 28 -> 14 -> 7). The two local response normalizations (after pool1 and after
/// conv2/3x3) have no weights and are left out; dropout is a no-op at inference.
/// Node names follow the Caffe model ("inception_4c/3x3", "loss3/classifier").
constexpr topology googlenet_v1() {
  topology::builder b("googlenet-v1", {3, 224, 224}, "data");
  b.conv2d("conv1/7x7_s2", {.out_channels = 64, .kernel = 7, .stride = 2, .padding = 3, .bias = true})
      .relu("conv1/relu_7x7")
      .max_pool2d("pool1/3x3_s2", {.kernel = 3, .stride = 2, .ceil_mode = true})
      .conv2d("conv2/3x3_reduce", {.out_channels = 64, .kernel = 1, .bias = true})
      .relu("conv2/relu_3x3_reduce")
      .conv2d("conv2/3x3", {.out_channels = 192, .kernel = 3, .padding = 1, .bias = true})
      .relu("conv2/relu_3x3")
      .max_pool2d("pool2/3x3_s2", {.kernel = 3, .stride = 2, .ceil_mode = true});
  // Szegedy et al. 2015, Table 1: #1x1, #3x3 reduce, #3x3, #5x5 reduce, #5x5, pool proj.
  detail::inception(b, "inception_3a", "pool2/3x3_s2", 64, 96, 128, 16, 32, 32);
  detail::inception(b, "inception_3b", "inception_3a/output", 128, 128, 192, 32, 96, 64);
  b.max_pool2d("pool3/3x3_s2", {.kernel = 3, .stride = 2, .ceil_mode = true}, {"inception_3b/output"});
  detail::inception(b, "inception_4a", "pool3/3x3_s2", 192, 96, 208, 16, 48, 64);
  detail::inception(b, "inception_4b", "inception_4a/output", 160, 112, 224, 24, 64, 64);
  detail::inception(b, "inception_4c", "inception_4b/output", 128, 128, 256, 24, 64, 64);
  detail::inception(b, "inception_4d", "inception_4c/output", 112, 144, 288, 32, 64, 64);
  detail::inception(b, "inception_4e", "inception_4d/output", 256, 160, 320, 32, 128, 128);
  b.max_pool2d("pool4/3x3_s2", {.kernel = 3, .stride = 2, .ceil_mode = true}, {"inception_4e/output"});
  detail::inception(b, "inception_5a", "pool4/3x3_s2", 256, 160, 320, 32, 128, 128);
  detail::inception(b, "inception_5b", "inception_5a/output", 384, 192, 384, 48, 128, 128);
  b.avg_pool2d("pool5/7x7_s1", {.kernel = 7, .stride = 1}, {"inception_5b/output"})
      .flatten("flatten")
      .dense("loss3/classifier", {.out_features = 1000, .bias = true});
  return b.build();
}

}  // namespace qutibench::zoo
