#include <catch2/catch.hpp>

#include <cmath>

#include "qutibench/io/catalogue.hpp"
#include "qutibench/predict/profile.hpp"
#include "qutibench/predict/roofline.hpp"
#include "qutibench/predict/sweep.hpp"
#include "qutibench/zoo.hpp"

using namespace qutibench;
namespace dt = qutibench::datatypes;

namespace {
platform spec(const std::string& id) { return load_platform(std::string(QUTIBENCH_DATA_DIR) + "/platforms/" + id + ".json"); }

// Hand counts (tests/unit/core, tests/python oracles): ResNet50 v1 has 25,502,912 weights
// (torchvision); CNV 6,157,696 weights and 234,724,864 MACs; the MLP
// 784*2048 + 2*2048^2 + 2048*10 = 10,014,720 weights and as many MACs.
constexpr double resnet50_weights = 25'502'912;
constexpr double cnv_weights = 6'157'696, cnv_ops = 2.0 * 234'724'864;
constexpr double mlp_weights = 10'014'720, mlp_ops = 2 * mlp_weights;
// Activation elements an MLP layer reads and writes: (784+2048) + 2 (2048+2048) + (2048+10).
constexpr double mlp_activations = 2832 + 2 * 4096 + 2058;
}  // namespace

TEST_CASE("roofline: ZCU102-DPU runs ResNet50 INT8 memory bound at 19.2 GB/s / 25.5 MB", "[roofline]") {
  const topology net = zoo::get("resnet50");
  const platform zcu102 = spec("zcu102-dpu");
  const prediction p = predict(profile(net), zcu102, zcu102.mode(), {.type = dt::int8});
  REQUIRE(p.ok());
  CHECK(p.bound == bound_kind::memory);
  CHECK(p.throughput.value() == Approx(19.2e9 / resnet50_weights));           // 752.9 inputs/s
  CHECK(p.operational_intensity.value() == Approx(302.71).epsilon(0.001));    // Table 6.1, OI(INT8)
  CHECK(p.ridge_point.value() == Approx(6.71e12 / 19.2e9));                   // 349.5 ops/byte > OI
  CHECK(p.attainable.value() == Approx(19.2e9 * p.operational_intensity.value()));  // eq. 4.1
  CHECK(p.latency.value() == Approx(resnet50_weights / 19.2e9));
  CHECK(p.carrier == dt::int8);
}

TEST_CASE("roofline: a larger batch moves ResNet50 on the ZCU102 past the ridge", "[roofline][batch]") {
  const topology net = zoo::get("resnet50");
  const network_profile prof = profile(net);
  const platform zcu102 = spec("zcu102-dpu");
  const prediction p = predict(prof, zcu102, zcu102.mode(), {.type = dt::int8, .batch = {8}});
  CHECK(p.bound == bound_kind::compute);  // OI x 8 = 2422 > 349
  CHECK(p.operational_intensity.value() == Approx(8 * 302.71).epsilon(0.001));
  CHECK(p.throughput.value() == Approx(6.71e12 / prof.total_ops));
  CHECK(p.latency.value() == Approx(8 * prof.total_ops / 6.71e12));
}

TEST_CASE("roofline: CNV on FINN, Table 6.1 figures, INT2 and INT4", "[roofline]") {
  const platform finn = spec("zcu104-finn");
  const network_profile prof = profile(zoo::get("cnv"));
  CHECK(prof.total_ops == cnv_ops);
  CHECK(prof.total_weights == cnv_weights);
  const prediction int2 = predict(prof, finn, finn.mode(), {.type = dt::int2});
  CHECK(int2.throughput.value() == Approx(19.2e9 / (cnv_weights / 4)));  // 12,472 inputs/s
  CHECK(int2.operational_intensity.value() == Approx(304.95).epsilon(0.001));
  CHECK(int2.bound == bound_kind::memory);
  const prediction int4 = predict(prof, finn, finn.mode(), {.type = dt::int4});
  CHECK(int4.throughput.value() == Approx(19.2e9 / (cnv_weights / 2)));
}

TEST_CASE("roofline: an unsupported datatype gives status unsupported, not a number", "[roofline]") {
  const platform tx2 = spec("tx2");
  const prediction p = predict(profile(zoo::get("mlp")), tx2, tx2.mode("maxq"), {.type = dt::int8});
  CHECK(p.status == prediction_status::unsupported);
  CHECK(std::isnan(p.throughput.value()));
  CHECK(std::isnan(p.latency.value()));
  CHECK(status_name(p.status) == "unsupported");
  const layerwise_prediction l = predict_layers(profile(zoo::get("mlp")), tx2, tx2.mode(), {.type = dt::int4});
  CHECK_FALSE(l.network.ok());
  CHECK(l.layers.empty());
}

TEST_CASE("roofline: carrier emulation runs at the carrier's peak with memory packed", "[roofline][carrier]") {
  const platform a53 = spec("ultra96-a53");
  const network_profile prof = profile(zoo::get("cnv"));
  const prediction p = predict(prof, a53, a53.mode(), {.type = dt::int2});
  REQUIRE(p.ok());
  CHECK(p.carrier == dt::int8);
  CHECK(p.peak.value() == Approx(0.192e12));
  CHECK(p.traffic.value() == Approx(cnv_weights / 4));  // packed INT2
  // OI 305 > ridge 0.192e12 / 4.26e9 = 45: compute bound at the INT8 peak.
  CHECK(p.bound == bound_kind::compute);
  CHECK(p.throughput.value() == Approx(0.192e12 / cnv_ops));
}

TEST_CASE("roofline: operating modes change the peak", "[roofline][modes]") {
  const platform tx2 = spec("tx2");
  const network_profile prof = profile(zoo::get("resnet50"));
  // ResNet50 FP16: OI 151 ops/byte; ridge 1.33e12 / 59.7e9 = 22: compute bound in every mode.
  for (const auto& [mode, tops] : {std::pair{"maxn", 1.33}, {"maxp", 1.15}, {"maxq", 0.87}}) {
    const prediction p = predict(prof, tx2, tx2.mode(mode), {.type = dt::fp16});
    CHECK(p.bound == bound_kind::compute);
    CHECK(p.throughput.value() == Approx(tops * 1e12 / prof.total_ops));
  }
}

TEST_CASE("memory model: onchip-if-fits makes an MLP whose INT2 weights fit compute bound on FINN", "[roofline][memory]") {
  const platform finn = spec("zcu104-finn");
  const network_profile prof = profile(zoo::get("mlp"));
  REQUIRE(finn.on_chip.value() == Approx((1.442 + 3.539) * 1e6));  // BRAM + URAM of the XCZU7EV
  const prediction thesis = predict(prof, finn, finn.mode(), {.type = dt::int2});
  CHECK(thesis.bound == bound_kind::memory);
  CHECK(thesis.throughput.value() == Approx(19.2e9 / (mlp_weights / 4)));  // 7,669 inputs/s
  const prediction fits = predict(prof, finn, finn.mode(), {.type = dt::int2, .memory = memory_model::onchip_if_fits()});
  CHECK(fits.bound == bound_kind::compute);
  CHECK(fits.traffic.value() == 0);
  CHECK(fits.throughput.value() == Approx(30.7e12 / mlp_ops));  // 1.53 M inputs/s: 200x the thesis model
  // INT4 weights (5.007 MB) overflow the 4.981 MB: the excess spills, activations go off-chip.
  const prediction spill = predict(prof, finn, finn.mode(), {.type = dt::int4, .memory = memory_model::onchip_if_fits()});
  CHECK(spill.where.activations_off_chip == 1);
  CHECK(spill.traffic.value() == Approx(mlp_weights / 2 - finn.on_chip.value() + mlp_activations / 2));
}

TEST_CASE("memory model: offchip moves every layer's inputs, outputs and weights", "[roofline][memory]") {
  const platform dpu = spec("zcu104-dpu");
  const network_profile prof = profile(zoo::get("mlp"));
  CHECK(prof.total_activations == mlp_activations);
  const prediction p = predict(prof, dpu, dpu.mode(), {.type = dt::int8, .batch = {4}, .memory = memory_model::offchip()});
  CHECK(p.traffic.value() == Approx(mlp_weights + 4 * mlp_activations));
  CHECK_THROWS_AS(memory_model::parse("magic"), spec_error);
  // A user policy: half the weights on chip.
  const memory_model half{"half", [](const placement_inputs&) { return placement{0.5, 0}; }};
  CHECK(predict(prof, dpu, dpu.mode(), {.type = dt::int8, .memory = half}).traffic.value() == Approx(mlp_weights / 2));
}

TEST_CASE("roofline: per layer sums each layer's max(compute, memory)", "[roofline][layers]") {
  const platform finn = spec("zcu104-finn");
  const network_profile prof = profile(zoo::get("mlp"));
  const layerwise_prediction l = predict_layers(prof, finn, finn.mode(), {.type = dt::int4});
  // Every dense layer has OI = 2 MACs / 0.5 byte = 4 < ridge 458: memory bound; the sum
  // of the layers' times is the weights' transfer time.
  double dense_time = 0;
  for (const layer_prediction& x : l.layers)
    if (x.kind == "dense") {
      CHECK(x.bound == bound_kind::memory);
      CHECK(x.operational_intensity.value() == Approx(4));
      dense_time += x.time.value();
    }
  CHECK(dense_time == Approx(mlp_weights / 2 / 19.2e9));
  CHECK(l.network.latency.value() == Approx(dense_time));
  CHECK(l.network.bound == bound_kind::memory);
  // Summing per-layer maxima never beats the whole-network roofline (sum of max >= max of sums).
  for (const char* id : {"resnet50", "mobilenet-v1", "cnv", "googlenet-v1"}) {
    const topology net = zoo::get(id);
    const network_profile p = profile(net);
    const platform tpu = spec("coral-tpu");
    const double whole = predict(p, tpu, tpu.mode("fast"), {.type = dt::int8}).latency.value();
    CHECK(predict_layers(p, tpu, tpu.mode("fast"), {.type = dt::int8}).network.latency.value() >= whole * (1 - 1e-12));
  }
}

TEST_CASE("efficiency: constant and size-scaled factors apply to peak and bandwidth", "[roofline][efficiency]") {
  const platform zcu102 = spec("zcu102-dpu");
  const network_profile prof = profile(zoo::get("resnet50"));
  const prediction half = predict(prof, zcu102, zcu102.mode(), {.type = dt::int8, .efficiency = efficiency_model::constant(0.5, 0.5)});
  CHECK(half.throughput.value() == Approx(0.5 * 19.2e9 / resnet50_weights));
  const efficiency_model sat = efficiency_model::saturating(0.8, ops::from_value(prof.total_ops));
  const prediction s = predict(prof, zcu102, zcu102.mode(), {.type = dt::int8, .batch = {8}, .efficiency = sat});
  // 8 x ops of work against a half-point of 1 x ops: 0.8 x 8/9 of the peak.
  CHECK(s.peak.value() == Approx(6.71e12 * 0.8 * 8 / 9));
}

TEST_CASE("sweep: the vectorised entry point agrees with predict and predict_layers", "[sweep]") {
  const topology net = zoo::get("resnet50");
  const network_profile prof = profile(net);
  const std::vector<platform> all = load_platforms(std::string(QUTIBENCH_DATA_DIR) + "/platforms");
  std::vector<sweep_point> points;
  std::vector<double> expected_layers, expected_network;
  for (const platform& pf : all)
    for (const operating_mode& m : pf.modes)
      for (datatype d : dt::thesis_set)
        for (std::uint64_t b : {1, 16})
          for (const memory_model& mm : {memory_model::thesis(), memory_model::onchip_if_fits(), memory_model::offchip()}) {
            const scenario s{d, {b}, mm, {}};
            const auto q = make_sweep_point(prof, pf, m, s);
            CHECK(q.has_value() == predict(prof, pf, m, s).ok());
            if (!q) continue;
            points.push_back(*q);
            expected_layers.push_back(predict_layers(prof, pf, m, s).network.latency.value());
            expected_network.push_back(predict(prof, pf, m, s).latency.value());
          }
  REQUIRE(points.size() > 100);
  std::vector<double> layers(points.size()), network(points.size());
  sweep_layer_latency(prof, points, layers);
  sweep_network_latency(prof, points, network);
  for (std::size_t i = 0; i < points.size(); ++i) {
    CHECK(layers[i] == Approx(expected_layers[i]).epsilon(1e-12));
    CHECK(network[i] == Approx(expected_network[i]).epsilon(1e-12));
  }
}

TEST_CASE("roofline: no division by zero: invalid inputs give status invalid", "[roofline][numeric]") {
  const network_profile prof = profile(zoo::get("mlp"));
  platform broken = spec("zcu104-dpu");
  broken.modes.front().bandwidth = bytes_per_s::from_value(0);  // a platform built in code, not loaded
  const prediction p = predict(prof, broken, broken.mode(), {.type = dt::int8});
  CHECK(p.status == prediction_status::invalid);
  CHECK(std::isnan(p.throughput.value()));
  CHECK(predict_layers(prof, broken, broken.mode(), {.type = dt::int8}).network.status == prediction_status::invalid);
  CHECK_FALSE(make_sweep_point(prof, broken, broken.mode(), {.type = dt::int8}).has_value());
  const platform dpu = spec("zcu104-dpu");
  // A constant efficiency of 0 is refused where it is made; a model of one's own may
  // still answer 0.
  CHECK_THROWS_WITH(efficiency_model::constant(0, 1), Catch::Matchers::Contains("[qutibench.spec_error.503] efficiency (compute)"));
  const efficiency_model zero_model{[](const workload&) { return efficiency_factors{0, 1}; }};
  const prediction zero = predict(prof, dpu, dpu.mode(), {.type = dt::int8, .efficiency = zero_model});
  CHECK(zero.status == prediction_status::invalid);
  // A peak so small (1e-320 x the DPU's, about 1e-308 ops/s) that the MLP's 3e6 ops
  // take longer than a double holds.
  platform tiny = dpu;
  for (peak_performance& pk : tiny.modes.front().peaks) pk.value = pk.value * 1e-300 * 1e-20;
  CHECK(predict(prof, tiny, tiny.mode(), {.type = dt::int8}).status == prediction_status::invalid);
  CHECK(predict_layers(prof, tiny, tiny.mode(), {.type = dt::int8}).network.status == prediction_status::invalid);
  // A network with nothing to compute or move.
  const topology empty = topology::builder("empty", {4}).build();
  CHECK(predict(profile(empty), dpu, dpu.mode(), {.type = dt::int8}).status == prediction_status::invalid);
}
