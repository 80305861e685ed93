// How long building a zoo network and counting its requirements take.
#include <benchmark/benchmark.h>

#include <qutibench/requirements.hpp>
#include <qutibench/zoo.hpp>

namespace {

void build_resnet50(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(qutibench::zoo::get("resnet50"));
}
BENCHMARK(build_resnet50);

void requirements_resnet50(benchmark::State& state) {
  const qutibench::topology net = qutibench::zoo::get("resnet50");
  const auto p = qutibench::precision::uniform(qutibench::datatypes::int8);
  for (auto _ : state) benchmark::DoNotOptimize(qutibench::requirements(net, p));
  state.counters["layers"] = static_cast<double>(net.size());
}
BENCHMARK(requirements_resnet50);

}  // namespace
