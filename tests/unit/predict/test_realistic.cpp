#include <catch2/catch.hpp>

#include "qutibench/io/catalogue.hpp"
#include "qutibench/predict/realistic.hpp"
#include "qutibench/zoo.hpp"

using namespace qutibench;
namespace dt = qutibench::datatypes;

namespace {
platform spec(const std::string& id) { return load_platform(std::string(QUTIBENCH_DATA_DIR) + "/platforms/" + id + ".json"); }

/// A toy accelerator: a 1 TOP/s INT8 device whose deployed design is one unit of a
/// 1 x 16 x 16 MAC array at 100 MHz (5.12e10 ops/s), a 1000-byte activation buffer, 1 GB/s
/// DRAM and host link, 10 us per layer and 100 us per inference.
platform toy(double buffer_bytes = 1000) {
  deployed_design d;
  d.source = "test";
  d.units = 1;
  d.sharing = unit_sharing::inputs;
  d.clock_hz = 100e6;
  d.array = mac_array{1, 16, 16, dt::int8};
  d.levels = {{"sram", bytes::from_value(buffer_bytes), std::nullopt, level_holds::activations},
              {"dram", std::nullopt, bytes_per_s::from_value(1e9), level_holds::both}};
  d.host_link = bytes_per_s::from_value(1e9);
  d.per_layer = seconds::from_value(10e-6);
  d.per_inference = seconds::from_value(100e-6);
  platform p;
  p.id = "toy";
  p.modes.push_back({"", {{dt::int8, ops_per_s::from_value(1e12)}}, bytes_per_s::from_value(1e9), {}, d});
  return p;
}

// 16 x 8 x 8 in, a 1x1 convolution to 32 channels: 64 pixels x 16 x 32 = 32,768 MACs,
// 512 weights, 1024 + 2048 activation elements, 1024 input and 2048 output elements.
topology one_conv() {
  return topology::builder("one-conv", {16, 8, 8}).conv2d("c", {.out_channels = 32, .kernel = 1, .bias = false}).build();
}

/// The toy with other memory levels and no fixed costs.
platform toy_with(std::vector<memory_level> levels) {
  platform p = toy();
  deployed_design& d = *p.modes.front().design;
  d.levels = std::move(levels);
  d.per_layer = d.per_inference = seconds::from_value(0);
  return p;
}

// 16 x 4 x 4 in, two 1x1 convolutions 16 -> 16: 256 weight bytes and 256 + 256 activation
// bytes each at INT8.
topology two_convs() {
  return topology::builder("two-conv", {16, 4, 4})
      .conv2d("a", {.out_channels = 16, .kernel = 1, .bias = false})
      .conv2d("b", {.out_channels = 16, .kernel = 1, .bias = false})
      .build();
}
}  // namespace

TEST_CASE("realistic: ceil tiling of layer dimensions onto the engine", "[realistic]") {
  deployed_design dpu;
  dpu.sharing = unit_sharing::inputs;
  dpu.units = 3;
  dpu.array = mac_array{8, 16, 16, dt::int8};
  // ResNet50's first convolution on a B4096 core: 112 x 112 pixels fill PP 8 exactly, 3 input
  // channels fill 3 of ICP 16, 64 output channels fill OCP 16: 3/16.
  CHECK(utilization({112 * 112, 3, 64, 49, 1}, dpu, 1) == Approx(3.0 / 16));
  // 7 x 7 = 49 pixels on PP 8: 7 passes of 8 = 56, 49/56.
  CHECK(utilization({49, 512, 512, 9, 1}, dpu, 1) == Approx(49.0 / 56));
  // A depthwise layer tiles like any other without a stated share (1 of 16 input
  // channels), and runs at the stated share with one (PG338: PP/2 x ICP of PP x ICP x OCP).
  const layer_shape depthwise{56 * 56, 1, 1, 9, 128, true};
  CHECK(utilization(depthwise, dpu, 1) == Approx(1.0 / 16 * 1.0 / 16));
  dpu.depthwise_share = 4.0 * 16 / 2048;
  CHECK(utilization(depthwise, dpu, 1) == Approx(1.0 / 32));

  deployed_design gpu;
  gpu.sharing = unit_sharing::tiles;
  gpu.units = 108;
  gpu.array = mac_array{128, 32, 128, dt::int8};
  // A 7 x 7 x 512 -> 512 3x3 convolution at batch 1: one row tile of 128 holds 49 rows,
  // depth 4608 = 144 x 32, 4 column tiles: 4 tiles on 108 SMs in one wave.
  CHECK(utilization({49, 512, 512, 9, 1}, gpu, 1) == Approx(49.0 / 128 * 4.0 / 108));
  // At batch 256: 12,544 rows = 98 row tiles x 4 = 392 tiles, 4 waves of 108 = 432 slots.
  CHECK(utilization({49, 512, 512, 9, 1}, gpu, 256) == Approx(392.0 / 432));
  // Layers with no MAC shape (summaries, pools) tile perfectly.
  CHECK(utilization({}, gpu, 1) == 1);
  // A batched matmul with K = 1 (12 groups of 128 x 1 times 1 x 1) is no depthwise
  // convolution: it tiles (128 rows of 128, 1 of 32 deep, 1 of 128 wide, 12 tiles on 108
  // SMs) and never takes the depthwise share.
  gpu.depthwise_share = 0.125;
  CHECK(utilization({128, 1, 1, 1, 12}, gpu, 1) == Approx(1.0 / 32 / 128 * 12 / 108));
}

TEST_CASE("realistic: a hand-computed layer on a toy design", "[realistic]") {
  const topology t = one_conv();
  const network_profile p = profile(t);
  CHECK(p.input_elements == 1024);
  CHECK(p.output_elements == 2048);
  const platform pf = toy();
  const layerwise_prediction r = predict_realistic(p, pf, pf.mode(), {.type = dt::int8, .batch = {1}});
  REQUIRE(r.network.ok());
  // Peak: 1 unit x 2 x 256 MACs x 100 MHz = 5.12e10 ops/s of the mode's 1e12.
  CHECK(r.network.peak.value() == Approx(5.12e10));
  REQUIRE(r.layers.size() == 2);
  const layer_prediction& c = r.layers[1];
  // Compute 65,536 ops / 5.12e10 = 1.28 us; 3072 activation bytes exceed the 1000-byte
  // buffer, so they and the 512 weight bytes cross DRAM: 3584 B / 1 GB/s = 3.584 us.
  CHECK(c.compute_time.value() == Approx(1.28e-6));
  CHECK(c.memory_time.value() == Approx(3.584e-6));
  CHECK(c.bound == bound_kind::memory);
  CHECK(c.time.value() == Approx(3.584e-6 + 10e-6));
  CHECK(r.layers[0].time.value() == 0);  // the input moves no data and is not dispatched
  // Plus 1024 + 2048 bytes over the 1 GB/s host link and 100 us of host work.
  const double latency = 13.584e-6 + 3.072e-6 + 100e-6;
  CHECK(r.network.latency.value() == Approx(latency));
  CHECK(r.network.throughput.value() == Approx(1 / latency));

  // Batch 2: twice the compute and activations, weights once, host costs per input.
  const layerwise_prediction b2 = predict_realistic(p, pf, pf.mode(), {.type = dt::int8, .batch = {2}});
  CHECK(b2.network.latency.value() == Approx(std::max(2.56e-6, (512 + 6144) / 1e9) + 10e-6 + 2 * (3.072e-6 + 100e-6)));

  // A 4000-byte buffer holds the layer's activations: only the weights cross DRAM, and
  // compute (1.28 us) bounds the layer.
  const platform big = toy(4000);
  const layerwise_prediction onchip = predict_realistic(p, big, big.mode(), {.type = dt::int8, .batch = {1}});
  CHECK(onchip.layers[1].memory_time.value() == Approx(0.512e-6));
  CHECK(onchip.layers[1].bound == bound_kind::compute);
  CHECK(onchip.network.where.activations_off_chip == 0);
  CHECK(onchip.network.where.weights_off_chip == 1);

  // Layers that run once per input (NCS2): at batch 2 the weights cross DRAM twice and the
  // layer is dispatched twice, 512 x 2 + 6144 bytes = 7.168 us against 2.56 us of compute.
  platform split = toy();
  split.modes.front().design->runs = layer_runs::per_input;
  const layerwise_prediction s2 = predict_realistic(p, split, split.mode(), {.type = dt::int8, .batch = {2}});
  CHECK(s2.layers[1].memory_time.value() == Approx(7.168e-6));
  CHECK(s2.layers[1].traffic.value() == 1024 + 6144);
  CHECK(s2.network.latency.value() == Approx(7.168e-6 + 2 * 10e-6 + 2 * (3.072e-6 + 100e-6)));
  CHECK(s2.network.where.weights_off_chip == 1);  // a share of the weights, not of the reads
  // One input's 3072 activation bytes fit a 4000-byte buffer where the batch's 6144 do not:
  // only the weights cross DRAM, 1024 B = 1.024 us, and compute bounds the layer.
  platform split_big = toy(4000);
  split_big.modes.front().design->runs = layer_runs::per_input;
  const layerwise_prediction sb = predict_realistic(p, split_big, split_big.mode(), {.type = dt::int8, .batch = {2}});
  CHECK(sb.layers[1].memory_time.value() == Approx(1.024e-6));
  CHECK(sb.layers[1].bound == bound_kind::compute);
  CHECK(sb.network.where.activations_off_chip == 0);

  // Dispatches per input (what few-shot calibration fits a time for): the convolution is
  // the one layer dispatched, the input is not; once per batch of 4, or once per input.
  CHECK(dispatches_per_input(p, *pf.mode().design, 4) == 0.25);
  CHECK(dispatches_per_input(p, *split.mode().design, 4) == 1);
}

TEST_CASE("realistic: weights fill a weight cache in layer order, the rest streams", "[realistic]") {
  // Two 16 -> 16 1x1 convolutions, 256 weight bytes each, and a 300-byte parameter cache:
  // the first layer's weights stay on chip, the second's stream from the host (Edge TPU).
  const topology t = two_convs();
  const platform pf = toy_with({{"cache", bytes::from_value(300), std::nullopt, level_holds::weights},
                                {"usb", std::nullopt, bytes_per_s::from_value(1e9), level_holds::both}});
  const layerwise_prediction r = predict_realistic(profile(t), pf, pf.mode(), {.type = dt::int8, .batch = {1}});
  REQUIRE(r.network.ok());
  // Layer a: 256 + 256 activation bytes over USB; layer b: its 256 weights too.
  CHECK(r.layers[1].memory_time.value() == Approx(512e-9));
  CHECK(r.layers[2].memory_time.value() == Approx(768e-9));
  CHECK(r.network.where.weights_off_chip == Approx(0.5));
}

TEST_CASE("realistic: cached weights keep their room, so activations see what the network leaves", "[realistic]") {
  // Two 16 -> 16 1x1 convolutions (256 weight bytes, 512 activation bytes each) and a
  // 900-byte SRAM for both: the weights take 512 bytes for good, and 388 bytes cannot hold
  // either layer's activations, which cross DRAM (512 B at 1 GB/s).
  const topology t = two_convs();
  platform pf = toy_with({{"sram", bytes::from_value(900), std::nullopt, level_holds::both},
                          {"dram", std::nullopt, bytes_per_s::from_value(1e9), level_holds::both}});
  deployed_design& d = *pf.modes.front().design;
  const layerwise_prediction r = predict_realistic(profile(t), pf, pf.mode(), {.type = dt::int8, .batch = {1}});
  CHECK(r.layers[1].memory_time.value() == Approx(512e-9));
  CHECK(r.layers[2].memory_time.value() == Approx(512e-9));
  CHECK(r.network.where.weights_off_chip == 0);
  CHECK(r.network.where.activations_off_chip == 1);
  // A last level without a bandwidth is on-chip memory that holds everything (Hailo-8):
  // nothing is off chip, and only the host link and compute cost time.
  d.levels = {{"fabric", std::nullopt, std::nullopt, level_holds::both}};
  d.per_inference = seconds::from_value(100e-6);  // far more than the layers' 0.3 us
  const layerwise_prediction fabric = predict_realistic(profile(t), pf, pf.mode(), {.type = dt::int8, .batch = {1}});
  CHECK(fabric.network.traffic.value() == 0);
  CHECK(fabric.network.where.weights_off_chip == 0);
  CHECK(fabric.network.bound == bound_kind::compute);  // the host's 100 us do not make it memory bound
}

TEST_CASE("realistic: a spec without a design predicts the plain per-layer roofline at the batch", "[realistic]") {
  platform ncs2 = spec("ncs2");
  for (operating_mode& m : ncs2.modes) m.design.reset();  // the thesis's NCS2 row alone
  const network_profile p = profile(zoo::get("cnv"));
  for (std::uint64_t batch : {1, 16}) {
    const scenario s{dt::fp16, {batch}, memory_model::thesis(), {}};
    const double plain = predict_layers(p, ncs2, ncs2.mode(), s).network.latency.value();
    CHECK(predict_realistic(p, ncs2, ncs2.mode(), s).network.latency.value() == Approx(plain));
  }
}

TEST_CASE("realistic: deployed DPU designs set the peak, not the device's DSPs", "[realistic]") {
  const network_profile p = profile(zoo::get("resnet50"));
  // UG1354: ZCU102 runs 3 x B4096 at 281 MHz = 3.45 TOP/s (the spec's DSP peak is 6.71).
  const platform zcu102 = spec("zcu102-dpu");
  const layerwise_prediction r = predict_realistic(p, zcu102, zcu102.mode(), {.type = dt::int8});
  REQUIRE(r.network.ok());
  CHECK(r.network.peak.value() == Approx(3 * 4096 * 281e6));
  // The plain model keeps the device maximum.
  CHECK(predict(p, zcu102, zcu102.mode(), {.type = dt::int8}).peak.value() == Approx(6.71e12));
  // Every layer at most at the design's peak: the estimate is below the ceiling.
  CHECK(r.network.throughput.value() < 3 * 4096 * 281e6 / p.total_ops);
  // Unsupported datatypes stay unsupported.
  CHECK(predict_realistic(p, zcu102, zcu102.mode(), {.type = dt::fp32}).network.status == prediction_status::unsupported);
}

TEST_CASE("realistic: threads drive units of inputs engines and CPU cores, not a GPU's SMs", "[realistic]") {
  const network_profile p = profile(zoo::get("resnet50"));
  // One Vitis AI runner thread on the ZCU102's 3 x B4096 keeps one core busy: 4096 ops per
  // cycle x 281 MHz; two threads two cores; more threads than cores change nothing.
  const platform zcu102 = spec("zcu102-dpu");
  auto dpu = [&](std::optional<std::uint64_t> threads) {
    return predict_realistic(p, zcu102, zcu102.mode(), {.type = dt::int8, .threads = threads}).network;
  };
  CHECK(dpu(1).peak.value() == Approx(4096 * 281e6));
  CHECK(dpu(2).peak.value() == Approx(2 * 4096 * 281e6));
  CHECK(dpu(8).peak.value() == Approx(dpu(std::nullopt).peak.value()));
  CHECK(dpu(8).throughput.value() == Approx(dpu(std::nullopt).throughput.value()));
  CHECK(dpu(1).throughput.value() < dpu(2).throughput.value());
  // The toy's compute-bound layer (4000-byte buffer): one unit of one, so one thread is all.
  const platform big = toy(4000);
  CHECK(predict_realistic(profile(one_conv()), big, big.mode(), {.type = dt::int8, .threads = 1}).network.latency.value() ==
        Approx(predict_realistic(profile(one_conv()), big, big.mode(), {.type = dt::int8}).network.latency.value()));
  // A CPU thread per core: one of the Raspberry Pi 5's four Cortex-A76 cores is a quarter
  // of the peak.
  const platform rpi = spec("raspberry-pi-5");
  const prediction one = predict_realistic(p, rpi, rpi.mode(), {.type = dt::fp16, .threads = 1}).network;
  const prediction all = predict_realistic(p, rpi, rpi.mode(), {.type = dt::fp16}).network;
  CHECK(one.peak.value() == Approx(all.peak.value() / 4));
  CHECK(one.throughput.value() < all.throughput.value());
  // A GPU kernel spreads over every SM whatever the host threads.
  const platform a100 = spec("a100-sxm");
  CHECK(predict_realistic(p, a100, a100.mode(), {.type = dt::int8, .threads = 1}).network.throughput.value() ==
        Approx(predict_realistic(p, a100, a100.mode(), {.type = dt::int8}).network.throughput.value()));
}

TEST_CASE("realistic: a design's runtime threads stand where the caller states none", "[realistic]") {
  const network_profile p = profile(zoo::get("resnet50"));
  // A four-core CPU design whose runtime runs one thread (gemmlowp's default): a quarter of
  // the peak, as --threads 1 gives; a caller's --threads 4 brings back all four cores.
  platform rpi = spec("raspberry-pi-5");
  const prediction all = predict_realistic(p, rpi, rpi.mode(), {.type = dt::fp16}).network;
  rpi.modes.front().design->threads = 1;
  const prediction by_default = predict_realistic(p, rpi, rpi.mode(), {.type = dt::fp16}).network;
  CHECK(by_default.peak.value() == Approx(all.peak.value() / 4));
  CHECK(by_default.latency.value() ==
        Approx(predict_realistic(p, spec("raspberry-pi-5"), rpi.mode(), {.type = dt::fp16, .threads = 1}).network.latency.value()));
  CHECK(predict_realistic(p, rpi, rpi.mode(), {.type = dt::fp16, .threads = 4}).network.latency.value() == Approx(all.latency.value()));
  // The shipped A53 spec (gemmlowp): one of four cores, 0.192 / 4 TOP/s.
  const platform a53 = spec("ultra96-a53");
  CHECK(predict_realistic(p, a53, a53.mode(), {.type = dt::int8}).network.peak.value() == Approx(0.192e12 / 4));
  CHECK(predict_realistic(p, a53, a53.mode(), {.type = dt::int8, .threads = 4}).network.peak.value() == Approx(0.192e12));
}

TEST_CASE("realistic: an FPGA design's clock rescales the LUT peaks it does not state an array for", "[realistic]") {
  // FINN on the ZCU104 at 200 MHz against the LUT clock of 500 MHz the thesis's peaks
  // assume: 30.7 TOP/s INT2 x 200 / 500 = 12.28 TOP/s; the plain model keeps 30.7.
  const network_profile p = profile(zoo::get("cnv"));
  const platform finn = spec("zcu104-finn");
  CHECK(predict_realistic(p, finn, finn.mode(), {.type = dt::int2}).network.peak.value() == Approx(30.7e12 * 200 / 500));
  CHECK(predict(p, finn, finn.mode(), {.type = dt::int2}).peak.value() == Approx(30.7e12));
  // A fabric clock stated at the LUT clock changes nothing.
  platform at_lut_clock = finn;
  at_lut_clock.modes.front().design->clock_hz = 500e6;
  CHECK(predict_realistic(p, at_lut_clock, at_lut_clock.mode(), {.type = dt::int4}).network.peak.value() == Approx(8.8e12));
}

TEST_CASE("realistic: threads are checked once for the CLI and Python", "[realistic]") {
  CHECK_FALSE(checked_threads(std::nullopt, prediction_model::plain).has_value());
  CHECK(checked_threads(3, prediction_model::realistic) == std::optional<std::uint64_t>(3));
  CHECK(checked_threads(max_prediction_threads, prediction_model::realistic) ==
        std::optional<std::uint64_t>(max_prediction_threads));
  for (std::int64_t bad : {std::int64_t{0}, std::int64_t{-1}, max_prediction_threads + 1})
    CHECK_THROWS_WITH(checked_threads(bad, prediction_model::realistic), Catch::Contains("503") && Catch::Contains("threads"));
  CHECK_THROWS_WITH(checked_threads(2, prediction_model::plain), Catch::Contains("realistic model only"));
}

TEST_CASE("realistic: predict_with picks the model", "[realistic]") {
  const network_profile p = profile(zoo::get("resnet50"));
  const platform zcu102 = spec("zcu102-dpu");
  const scenario s{.type = dt::int8};
  CHECK(predict_with(prediction_model::plain, p, zcu102, zcu102.mode(), s).throughput.value() ==
        Approx(predict(p, zcu102, zcu102.mode(), s).throughput.value()));
  CHECK(predict_with(prediction_model::realistic, p, zcu102, zcu102.mode(), s).throughput.value() ==
        Approx(predict_realistic(p, zcu102, zcu102.mode(), s).network.throughput.value()));
}
