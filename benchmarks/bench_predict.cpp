// Prediction speed: layer-roofline evaluations per second in a sweep, and the time to
// analyse a built ResNet50 and predict it layer by layer (issue targets: >= 50 M/s on
// one core, < 10 us).
#include <benchmark/benchmark.h>

#include <vector>

#include <qutibench/io/catalogue.hpp>
#include <qutibench/predict/profile.hpp>
#include <qutibench/predict/roofline.hpp>
#include <qutibench/predict/sweep.hpp>
#include <qutibench/zoo.hpp>

namespace {

using namespace qutibench;

std::vector<platform> shipped() { return load_platforms(QUTIBENCH_DATA_DIR "/platforms"); }

/// Every platform x mode x thesis datatype x batch {1, 8, 64} x the three memory models
/// for ResNet50: items = points x layers (one layer roofline each).
void sweep_resnet50_layers(benchmark::State& state) {
  const topology net = zoo::get("resnet50");
  const network_profile prof = profile(net);
  std::vector<sweep_point> points;
  for (const platform& pf : shipped())
    for (const operating_mode& m : pf.modes)
      for (datatype d : datatypes::thesis_set)
        for (std::uint64_t b : {1, 8, 64})
          for (const memory_model& mm : {memory_model::thesis(), memory_model::onchip_if_fits(), memory_model::offchip()})
            if (auto q = make_sweep_point(prof, pf, m, {d, {b}, mm, {}})) points.push_back(*q);
  std::vector<double> latency(points.size());
  for (auto _ : state) {
    sweep_layer_latency(prof, points, latency);
    benchmark::DoNotOptimize(latency.data());
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * points.size() * prof.size()));
  state.counters["points"] = static_cast<double>(points.size());
  state.counters["layers"] = static_cast<double>(prof.size());
}
BENCHMARK(sweep_resnet50_layers);

/// From a built topology to a per-layer prediction: flatten (costs, liveness) + roofline.
void analyse_and_predict_resnet50_per_layer(benchmark::State& state) {
  const topology net = zoo::get("resnet50");
  const platform zcu102 = load_platform(QUTIBENCH_DATA_DIR "/platforms/zcu102-dpu.json");
  const scenario s{datatypes::int8, {1}, memory_model::thesis(), {}};
  for (auto _ : state) {
    const network_profile prof = profile(net);
    benchmark::DoNotOptimize(predict_layers(prof, zcu102, zcu102.mode(), s));
  }
  state.counters["layers"] = static_cast<double>(net.size());
}
BENCHMARK(analyse_and_predict_resnet50_per_layer);

/// The whole-network roofline alone, from a profile.
void predict_resnet50_network(benchmark::State& state) {
  const topology net = zoo::get("resnet50");
  const network_profile prof = profile(net);
  const platform zcu102 = load_platform(QUTIBENCH_DATA_DIR "/platforms/zcu102-dpu.json");
  const scenario s{datatypes::int8, {1}, memory_model::thesis(), {}};
  for (auto _ : state) benchmark::DoNotOptimize(predict(prof, zcu102, zcu102.mode(), s));
}
BENCHMARK(predict_resnet50_network);

}  // namespace
