#include <catch2/catch.hpp>

#include "qutibench/requirements.hpp"
#include "qutibench/zoo/cnv.hpp"
#include "qutibench/zoo/mlp.hpp"

using namespace qutibench;
namespace dt = qutibench::datatypes;

TEST_CASE("requirements: CNV totals equal the hand count of thesis Section 5.2", "[requirements]") {
  // CNV 100 %: conv 3-128-128-256-256-512-512 (3x3, unpadded), FC 512-1024-1024-10.
  // Weights: 3456 + 147456 + 294912 + 589824 + 1179648 + 2359296 + 524288 + 1048576 + 10240.
  // MACs: 30^2*3456 + 28^2*147456 + 12^2*294912 + 10^2*589824 + 3^2*1179648 + 1*2359296 + FC weights.
  const network_requirements r = requirements(zoo::cnv(1.0), precision::uniform(dt::int4));
  CHECK(r.total.weights.value() == 6'157'696);
  CHECK(r.total.ops.value() == 2 * 234'724'864ULL);
  CHECK(r.total.weight_bytes.value() == 6'157'696 / 2.0);
  CHECK(r.operational_intensity().value() == Approx(152.48).epsilon(0.0005));  // thesis Table 6.1, OI(INT4)
  // Per layer: conv2 has 128 x 128 x 9 weights and 28 x 28 outputs per filter.
  const layer_requirements& conv2 = r.layers[4];
  REQUIRE(conv2.name == "conv2");
  CHECK(conv2.weights.value() == 147'456);
  CHECK(conv2.ops.value() == 2ULL * 28 * 28 * 147'456);
  CHECK(conv2.activations_in.value() == 128 * 30 * 30);
  CHECK(conv2.activation_in_bytes.value() == 128 * 30 * 30 / 2.0);
}

TEST_CASE("requirements: batch multiplies ops and activations, not weights", "[requirements]") {
  const topology net = zoo::cnv(0.5);
  const auto one = requirements(net, precision::uniform(dt::int8), batch_size{1});
  const auto eight = requirements(net, precision::uniform(dt::int8), batch_size{8});
  CHECK(eight.total.ops.value() == 8 * one.total.ops.value());
  CHECK(eight.total.activations.value() == 8 * one.total.activations.value());
  CHECK(eight.total.weights.value() == one.total.weights.value());
  CHECK(eight.operational_intensity().value() == Approx(8 * one.operational_intensity().value()));
}

TEST_CASE("requirements: precision overrides keep first and last layer at 8 bit", "[requirements][precision]") {
  const topology net = zoo::cnv(0.5);
  precision p = precision::uniform(dt::int2);
  p.first_last(net, dt::int8);
  CHECK(p.of("conv1").weights == dt::int8);
  CHECK(p.of("fc3").weights == dt::int8);
  CHECK(p.of("conv2").weights == dt::int2);
  CHECK(p.of("input").activations == dt::int8);
  // conv1 (1728) and fc3 (5120) at one byte, the other 1,536,000 weights at a quarter byte.
  CHECK(requirements(net, p).total.weight_bytes.value() == 1728 + 5120 + 1'536'000 / 4.0);
  p.set("conv2", {dt::fp16, dt::fp16});
  CHECK(p.of("conv2") == layer_precision{dt::fp16, dt::fp16});
}

TEST_CASE("requirements: peak live activations follow a skip connection", "[requirements]") {
  // input 4x8x8 (256); a, b, shortcut, sum are 8x8x8 (512). The input stays live until
  // the shortcut reads it; b until the sum.
  const topology t = topology::builder("block", {4, 8, 8})
                         .conv2d("a", {.out_channels = 8, .kernel = 3, .padding = 1})
                         .conv2d("b", {.out_channels = 8, .kernel = 3, .padding = 1})
                         .conv2d("shortcut", {.out_channels = 8, .kernel = 1}, {"input"})
                         .add("sum", {"b", "shortcut"})
                         .build();
  const auto r = requirements(t, precision::uniform(dt::int8));
  // Step "sum": b + shortcut + sum = 1536 > step "b": input + a + b = 1280.
  CHECK(r.total.peak_live.value() == 1536);
  CHECK(r.total.peak_live_bytes.value() == 1536.0);
  // T_total: inputs of a, b, shortcut and sum.
  CHECK(r.total.activations.value() == 256 + 512 + 256 + 1024);
}

TEST_CASE("requirements: training per eq. 2.6", "[requirements][training]") {
  const auto r = requirements(zoo::mlp(1.0), precision::uniform(dt::fp32), batch_size{100});
  const std::uint64_t w = 10'014'720, per_input = 2 * w;
  const training_requirements t = training(r, 60'000, 10);
  CHECK(t.weight_gradients.value() == w);
  CHECK(t.weight_updates.value() == w);
  CHECK(t.ops_per_batch.value() == 3 * per_input * 100 + w);
  // 600 batches per epoch, 10 epochs.
  CHECK(t.ops_total.value() == 10 * (3 * per_input * 60'000 + 600 * w));
}
