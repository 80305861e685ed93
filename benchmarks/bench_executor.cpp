// The reference executor against raw gemmlowp: GEMM rate at the same shape and flags,
// convolution via im2col against its GEMM, and ResNet50 end to end at 1 and 2 threads.
// Rates are in the counters (ops/s); compare rows of one run.
#include <benchmark/benchmark.h>

#include <random>
#include <tuple>
#include <vector>

#include <qutibench/measure/executor.hpp>
#include <qutibench/measure/host_cpu.hpp>
#include <qutibench/zoo.hpp>

namespace {

using namespace qutibench;

/// One uint8 GEMM (M x K) * (K x N) through gemmlowp with the executor's output pipeline,
/// called directly: the baseline.
void raw_gemmlowp(benchmark::State& state) {
  const int m = static_cast<int>(state.range(0)), k = static_cast<int>(state.range(1)), n = static_cast<int>(state.range(2));
  std::mt19937 rng(1);
  std::uniform_int_distribution<int> dist(0, 255);
  std::vector<std::uint8_t> lhs(static_cast<std::size_t>(m * k)), rhs(static_cast<std::size_t>(k * n)), out(static_cast<std::size_t>(m * n));
  for (auto& v : lhs) v = static_cast<std::uint8_t>(dist(rng));
  for (auto& v : rhs) v = static_cast<std::uint8_t>(dist(rng));
  std::vector<std::int32_t> bias(static_cast<std::size_t>(m), 0);
  gemmlowp::GemmContext context;
  context.set_max_num_threads(1);
  const gemmlowp::MatrixMap<const std::uint8_t, gemmlowp::MapOrder::RowMajor> a(lhs.data(), m, k);
  const gemmlowp::MatrixMap<const std::uint8_t, gemmlowp::MapOrder::ColMajor> b(rhs.data(), k, n);
  gemmlowp::MatrixMap<std::uint8_t, gemmlowp::MapOrder::ColMajor> c(out.data(), m, n);
  gemmlowp::OutputStageBiasAddition<gemmlowp::VectorMap<const std::int32_t, gemmlowp::VectorShape::Col>> bias_stage;
  bias_stage.bias_vector = gemmlowp::VectorMap<const std::int32_t, gemmlowp::VectorShape::Col>(bias.data(), m);
  const detail::exec::requant rq = detail::exec::make_requant(k);
  gemmlowp::OutputStageQuantizeDownInt32ByFixedPoint quantize{rq.multiplier, rq.shift, detail::exec::zero_point};
  gemmlowp::OutputStageClamp clamp{0, 255};
  const auto pipeline = std::make_tuple(bias_stage, quantize, clamp, gemmlowp::OutputStageSaturatingCastToUint8());
  for (auto _ : state) {
    gemmlowp::GemmWithOutputPipeline<std::uint8_t, std::uint8_t, gemmlowp::DefaultL8R8BitDepthParams>(
        &context, a, b, &c, -128, -128, pipeline);
    benchmark::DoNotOptimize(out.data());
  }
  state.counters["ops_per_s"] = benchmark::Counter(2.0 * m * k * n, benchmark::Counter::kIsIterationInvariantRate);
  state.SetLabel(std::string(gemmlowp_kernel_path()));
}

/// The same GEMM as the executor's dense layer (M outputs, K inputs, a batch of N),
/// timed by the executor's compute time.
void executor_gemm(benchmark::State& state) {
  const std::int64_t m = state.range(0), k = state.range(1), n = state.range(2);
  const topology net = topology::builder("gemm", {k}).dense("gemm", {.out_features = m, .bias = false}).build();
  executor_options o;
  o.verify = false;
  executor ex(net, datatypes::int8, static_cast<std::uint64_t>(n), {}, o);
  for (auto _ : state) state.SetIterationTime(ex.run().compute_s);
  state.counters["ops_per_s"] = benchmark::Counter(ex.work(), benchmark::Counter::kIsIterationInvariantRate);
}

/// ResNet50's layer1.0.conv2 (3x3, 64 -> 64 channels, 56 x 56): im2col + GEMM, timed by
/// the executor's system time (quantising the input and im2col included). Its GEMM is
/// M 64 x K 576 x N 3136: compare with raw_gemmlowp/64/576/3136.
void executor_conv_im2col(benchmark::State& state) {
  const topology net = zoo::get("resnet50");
  const kernel k{net.name(), measure_level::layer, {"layer1.0.conv2"}, datatypes::int8, 1, 1};
  executor_options o;
  o.verify = false;
  executor ex(net, datatypes::int8, 1, kernel_nodes(net, k), o);
  for (auto _ : state) state.SetIterationTime(ex.run().system_s);
  state.counters["ops_per_s"] = benchmark::Counter(ex.work(), benchmark::Counter::kIsIterationInvariantRate);
}

/// ResNet50 end to end (level 3), INT8, batch 1, at 1 and 2 threads: system latency.
void resnet50_level3(benchmark::State& state) {
  const topology net = zoo::get("resnet50");
  executor_options o;
  o.verify = false;
  o.threads = static_cast<unsigned>(state.range(0));
  executor ex(net, datatypes::int8, 1, {}, o);
  for (auto _ : state) state.SetIterationTime(ex.run().system_s);
  state.counters["ops_per_s"] = benchmark::Counter(ex.work(), benchmark::Counter::kIsIterationInvariantRate);
}

BENCHMARK(raw_gemmlowp)->Args({256, 256, 256})->Args({1024, 1024, 1024})->Args({64, 576, 3136})->Unit(benchmark::kMillisecond);
BENCHMARK(executor_gemm)->Args({256, 256, 256})->Args({1024, 1024, 1024})->Args({64, 576, 3136})->UseManualTime()->Unit(benchmark::kMillisecond);
BENCHMARK(executor_conv_im2col)->UseManualTime()->Unit(benchmark::kMillisecond);
BENCHMARK(resnet50_level3)->Arg(1)->Arg(2)->UseManualTime()->Unit(benchmark::kMillisecond)->MinTime(2.0);

}  // namespace
