// How long loading a large measurement CSV takes. Target: 100,000 rows in under 1 s; the
// duplicate-setting check once made this quadratic (minutes at that size).
#include <benchmark/benchmark.h>

#include <filesystem>
#include <fstream>
#include <string>

#include <unistd.h>

#include <qutibench/io/measurement_csv.hpp>

namespace {

/// A valid file of `rows` distinct settings on the host: eight zoo networks x int1..int32
/// and uint1..uint32 x batches, with consistent figures (compute 1 ms per input, system
/// 1.25 ms, so fps x latency / batch = 1).
std::string measurement_file(int rows) {
  const char* nets[] = {"cnv", "mlp", "resnet50", "mobilenet-v1", "googlenet-v1", "alexnet", "vgg16", "resnet18"};
  std::string text;
  for (std::string_view c : qutibench::measurement_columns) text += (text.empty() ? "" : ",") + std::string(c);
  text += "\r\n";
  for (int i = 0; i < rows; ++i) {
    const int width = 1 + i % 32, batch = 1 + i / (64 * 8);
    const std::string type = (i / 32 % 2 ? "uint" : "int") + std::to_string(width);
    const std::string net = nets[i / 64 % 8];
    text += net + ",host," + type + ",,1t," + std::to_string(batch) + "," + std::to_string(1.25 * batch) + "," +
            std::to_string(1.0 * batch) + ",800,1000,,2.5,,,,,\r\n";
  }
  return text;
}

void load_measurements(benchmark::State& state) {
  const int rows = static_cast<int>(state.range(0));
  const auto file = std::filesystem::temp_directory_path() / ("qutibench_bench_" + std::to_string(::getpid()) + ".csv");
  std::ofstream(file, std::ios::binary) << measurement_file(rows);
  const std::string ids[] = {"host"};
  for (auto _ : state) benchmark::DoNotOptimize(qutibench::load_measurements_csv(file, ids));
  std::filesystem::remove(file);
  state.SetItemsProcessed(state.iterations() * rows);
}
// 10k beside 100k shows the growth: n log n takes a little over 10x as long, quadratic 100x.
BENCHMARK(load_measurements)->Arg(10'000)->Arg(100'000)->Unit(benchmark::kMillisecond);

}  // namespace
