// ResNet-18/34/50/101, VGG-16 and AlexNet from the zoo against thesis Table 6.1, counts
// derived by hand, and torchvision 0.14's exact Conv2d+Linear weights and MACs.
#include <catch2/catch.hpp>

#include <cstdint>
#include <string_view>

#include "qutibench/error.hpp"
#include "qutibench/requirements.hpp"
#include "qutibench/zoo/alexnet.hpp"
#include "qutibench/zoo/resnet.hpp"
#include "qutibench/zoo/vgg.hpp"

namespace {

using namespace qutibench;
using zoo::resnet_version;

/// Weights and MACs of the convolutions and dense layers only, the figures that
/// torchvision's Conv2d/Linear modules (and thesis Table 6.1) count.
struct conv_fc_counts {
  std::uint64_t weights = 0;
  std::uint64_t macs = 0;
};

constexpr conv_fc_counts conv_fc(const topology& t) {
  conv_fc_counts c;
  for (const layer_requirements& l : requirements(t).layers) {
    if (l.kind != "conv2d" && l.kind != "conv2d_grouped" && l.kind != "dense") continue;
    c.weights += l.weights.value();
    c.macs += l.ops.value() / 2;
  }
  return c;
}

/// Weights of every conv/dense node whose name starts with `prefix`.
std::uint64_t weights_under(const topology& t, std::string_view prefix) {
  std::uint64_t w = 0;
  for (const node& n : t.nodes())
    if (std::string_view(n.name).substr(0, prefix.size()) == prefix) w += n.cost.weights;
  return w;
}

// The smaller networks are built and counted entirely at compile time (ResNet-50 and
// deeper exceed GCC's default -fconstexpr-ops-limit, so they are checked at run time).
// Clang 14 rejects libstdc++ 12's constexpr std::string (its small-string union), so
// only GCC evaluates these.
#if !defined(__clang__)
static_assert(conv_fc(zoo::alexnet()).weights == 61'090'496);
static_assert(conv_fc(zoo::vgg16()).macs == 15'470'264'320);
static_assert(conv_fc(zoo::resnet(18)).macs == 1'814'073'344);
#endif

}  // namespace

TEST_CASE("zoo: resnet50 v1 matches Table 6.1 within 5 %", "[zoo]") {
  // thesis Table 6.1, line "ResNet50 100%": 7.7 GOPs, 25.5 ME (ops = 2 x MACs; ME =
  // million conv + FC weight elements, biases and batch norms not counted).
  const topology net = zoo::resnet50();
  CHECK(net.name() == "resnet50");
  const network_requirements r = requirements(net);
  CHECK(static_cast<double>(r.total.ops.value()) == Approx(7.7e9).epsilon(0.05));
  CHECK(static_cast<double>(r.total.weights.value()) == Approx(25.5e6).epsilon(0.05));
  // In fact well within rounding of the printed figures: 7.716 GOPs, 25.503 ME.
  CHECK(static_cast<double>(r.total.ops.value()) == Approx(7.7e9).epsilon(0.005));
  CHECK(static_cast<double>(r.total.weights.value()) == Approx(25.5e6).epsilon(0.001));
}

TEST_CASE("zoo: resnet50 v1 and v1.5 share weights, v1.5 costs more ops", "[zoo]") {
  const topology v1 = zoo::resnet(50, resnet_version::v1);
  const topology v15 = zoo::resnet(50, resnet_version::v1_5);
  CHECK(v15.name() == "resnet50-v1.5");
  const conv_fc_counts a = conv_fc(v1), b = conv_fc(v15);
  CHECK(a.weights == b.weights);
  CHECK(requirements(v1).total.weights.value() == requirements(v15).total.weights.value());
  // METHOD.md (note on ResNet50): v1.5 is about 8.2 GOPs.
  CHECK(static_cast<double>(2 * b.macs) == Approx(8.2e9).epsilon(0.05));
  // By hand: only the first 1x1 convolution of stages 2-4 changes resolution. In v1.5 it
  // runs at the stage's input resolution (56, 28, 14) instead of the output's (28, 14, 7):
  //   stage 2: (56^2 - 28^2) x 256 x 128, stage 3: (28^2 - 14^2) x 512 x 256,
  //   stage 4: (14^2 - 7^2) x 1024 x 512, each 77,070,336 MACs.
  const std::uint64_t per_stage = (56 * 56 - 28 * 28) * 256 * 128;
  CHECK(per_stage == (28 * 28 - 14 * 14) * 512 * 256);
  CHECK(per_stage == (14 * 14 - 7 * 7) * 1024 * 512);
  CHECK(b.macs - a.macs == 3 * per_stage);
  // Where the stride sits: v1 halves the map in conv1, v1.5 in conv2.
  CHECK(v1.at("layer2.0.conv1").cost.out == tensor_shape{128, 28, 28});
  CHECK(v15.at("layer2.0.conv1").cost.out == tensor_shape{128, 56, 56});
  CHECK(v1.at("layer2.0.conv2").cost.out == tensor_shape{128, 28, 28});
  CHECK(v15.at("layer2.0.conv2").cost.out == tensor_shape{128, 28, 28});
}

TEST_CASE("zoo: resnet counts derived by hand", "[zoo]") {
  const topology r18 = zoo::resnet(18);
  CHECK(r18.name() == "resnet18");
  // The classifier: 512 pooled features x 1000 classes, with 1000 biases.
  CHECK(r18.at("fc").cost.weights == 512 * 1000);
  CHECK(r18.at("fc").cost.biases == 1000);
  CHECK(r18.at("fc").cost.out == tensor_shape{1000});
  CHECK(r18.at("layer4.1.relu").cost.out == tensor_shape{512, 7, 7});
  // Stem: 7x7/2 pad 3 then 3x3/2 pad 1 max pool: 224 -> 112 -> 56.
  CHECK(r18.at("conv1").cost.weights == 3 * 64 * 7 * 7);
  CHECK(r18.at("conv1").cost.out == tensor_shape{64, 112, 112});
  CHECK(r18.at("maxpool").cost.out == tensor_shape{64, 56, 56});
  // A basic block keeping the width (no shortcut convolution): two 3x3 64 -> 64.
  CHECK(weights_under(r18, "layer1.0.") == 2 * 64 * 64 * 9);
  // A downsampling basic block: 3x3 64 -> 128, 3x3 128 -> 128, 1x1 64 -> 128 shortcut.
  CHECK(weights_under(r18, "layer2.0.") == 64 * 128 * 9 + 128 * 128 * 9 + 64 * 128);

  const topology r50 = zoo::resnet50();
  // The first bottleneck: 1x1 64 -> 64, 3x3 64 -> 64, 1x1 64 -> 256, and a 1x1
  // 64 -> 256 projection shortcut since the width grows 4x.
  CHECK(weights_under(r50, "layer1.0.") == 64 * 64 + 64 * 64 * 9 + 64 * 256 + 64 * 256);
  CHECK(weights_under(r50, "layer1.0.") == 73'728);
  // The next one has an identity shortcut: 1x1 256 -> 64, 3x3 64 -> 64, 1x1 64 -> 256.
  CHECK(weights_under(r50, "layer1.1.") == 256 * 64 + 64 * 64 * 9 + 64 * 256);
  CHECK_THROWS(r50.at("layer1.1.downsample.conv"));
  // The last stage's downsampling block: 1x1 1024 -> 512, 3x3 512 -> 512,
  // 1x1 512 -> 2048, projection 1x1 1024 -> 2048.
  CHECK(weights_under(r50, "layer4.0.") == 1024 * 512 + 512 * 512 * 9 + 512 * 2048 + 1024 * 2048);
  CHECK(r50.at("layer4.2.relu").cost.out == tensor_shape{2048, 7, 7});
  CHECK(r50.at("fc").cost.weights == 2048 * 1000);
  // The residual add joins the block's last batch norm and the shortcut.
  const node& add = r50.at("layer3.0.add");
  REQUIRE(add.inputs.size() == 2);
  CHECK(r50.nodes()[add.inputs[0]].name == "layer3.0.bn3");
  CHECK(r50.nodes()[add.inputs[1]].name == "layer3.0.downsample.bn");
  CHECK(r50.nodes()[r50.at("layer3.1.add").inputs[1]].name == "layer3.0.relu");
  // One output, of 1000 classes.
  REQUIRE(r50.outputs().size() == 1);
  CHECK(r50.nodes()[r50.outputs()[0]].cost.out == tensor_shape{1000});
  // Depth = weighted layers: 16 blocks x 3 convolutions + stem + fc = 50.
  int weighted = 0;
  for (const node& n : r50.nodes())
    if (std::holds_alternative<conv2d>(n.op) || std::holds_alternative<dense>(n.op)) ++weighted;
  CHECK(weighted == 50 + 4);  // plus the four projection shortcuts, which He et al. do not count
}

TEST_CASE("zoo: resnet depths and names", "[zoo]") {
  CHECK(zoo::resnet(34).name() == "resnet34");
  CHECK(zoo::resnet(34, resnet_version::v1).name() == "resnet34");
  CHECK(zoo::resnet(101).name() == "resnet101");
  CHECK(zoo::resnet(101, resnet_version::v1).name() == "resnet101-v1");
  // Basic blocks have no 1x1 to move the stride into: both versions are one network.
  CHECK(conv_fc(zoo::resnet(18, resnet_version::v1)).macs == conv_fc(zoo::resnet(18)).macs);
  try {
    (void)zoo::resnet(42);
    FAIL("resnet(42) did not throw");
  } catch (const spec_error& e) {
    CHECK(e.id() == error_id::unknown_id);
    CHECK_THAT(e.what(), Catch::Matchers::Contains("depth 42"));
  }
}

TEST_CASE("zoo: resnet matches torchvision exactly", "[zoo]") {
  // torchvision 0.14 <model>(weights=None): Conv2d+Linear weight elements, and MACs at a
  // 1x3x224x224 input (sum over Conv2d of output elements x in/groups x k x k, over
  // Linear of in x out), counted with forward hooks.
  const conv_fc_counts r18 = conv_fc(zoo::resnet(18));
  CHECK(r18.weights == 11'678'912);
  CHECK(r18.macs == 1'814'073'344);
  const conv_fc_counts r34 = conv_fc(zoo::resnet(34));
  CHECK(r34.weights == 21'779'648);
  CHECK(r34.macs == 3'663'761'408);
  const conv_fc_counts r50 = conv_fc(zoo::resnet(50));  // torchvision resnet50 is v1.5
  CHECK(r50.weights == 25'502'912);
  CHECK(r50.macs == 4'089'184'256);
  const conv_fc_counts r101 = conv_fc(zoo::resnet(101));
  CHECK(r101.weights == 44'442'816);
  CHECK(r101.macs == 7'801'405'440);
  // torchvision 0.14 resnet50 / resnet101 with each stride-2 Bottleneck's stride moved
  // from conv2 to conv1 (v1): same weights, fewer MACs.
  const conv_fc_counts r50v1 = conv_fc(zoo::resnet50());
  CHECK(r50v1.weights == 25'502'912);
  CHECK(r50v1.macs == 3'857'973'248);
  const conv_fc_counts r101v1 = conv_fc(zoo::resnet(101, resnet_version::v1));
  CHECK(r101v1.weights == 44'442'816);
  CHECK(r101v1.macs == 7'570'194'432);
}

TEST_CASE("zoo: vgg16 matches torchvision exactly", "[zoo]") {
  const topology net = zoo::vgg16();
  CHECK(net.name() == "vgg16");
  // torchvision 0.14 vgg16: Conv2d+Linear weights/MACs.
  const conv_fc_counts c = conv_fc(net);
  CHECK(c.weights == 138'344'128);
  CHECK(c.macs == 15'470'264'320);
  // By hand: five 2x2 pools take 224 to 7, so the classifier sees 512 x 7 x 7 = 25088.
  CHECK(net.at("features.30").cost.out == tensor_shape{512, 7, 7});
  CHECK(net.at("classifier.0").cost.weights == 25088 * 4096);
  CHECK(net.at("classifier.6").cost.out == tensor_shape{1000});
  CHECK(net.at("features.0").cost.macs == std::uint64_t{224} * 224 * 64 * 3 * 9);
  // Biases (torchvision's parameters minus the weights above, 138,357,544 - 138,344,128):
  // conv 2x64 + 2x128 + 3x256 + 6x512, dense 4096 + 4096 + 1000.
  CHECK(requirements(net).total.biases.value() == 13'416);
  CHECK(requirements(net).total.biases.value() == 2 * 64 + 2 * 128 + 3 * 256 + 6 * 512 + 4096 + 4096 + 1000);
}

TEST_CASE("zoo: alexnet matches torchvision exactly", "[zoo]") {
  const topology net = zoo::alexnet();
  CHECK(net.name() == "alexnet");
  // torchvision 0.14 alexnet: Conv2d+Linear weights/MACs.
  const conv_fc_counts c = conv_fc(net);
  CHECK(c.weights == 61'090'496);
  CHECK(c.macs == 714'188'480);
  // By hand: 11x11/4 pad 2 gives (224 + 4 - 11) / 4 + 1 = 55; pools 55 -> 27 -> 13 -> 6.
  CHECK(net.at("features.0").cost.out == tensor_shape{64, 55, 55});
  CHECK(net.at("features.0").cost.weights == 3 * 64 * 11 * 11);
  CHECK(net.at("features.5").cost.out == tensor_shape{192, 13, 13});
  CHECK(net.at("features.12").cost.out == tensor_shape{256, 6, 6});
  CHECK(net.at("classifier.1").cost.weights == 9216 * 4096);
  CHECK(net.at("classifier.6").cost.out == tensor_shape{1000});
  // torchvision's parameters minus weights (61,100,840 - 61,090,496).
  CHECK(requirements(net).total.biases.value() == 10'344);
}
